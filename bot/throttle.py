"""Pacing of sends to the Bot Connector: Teams' rate limits, and backoff between retries."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

IN_TURN_MAX_WAIT = 2.0
"""Seconds a send inside a turn may wait for Teams' limits or a retry before it is left to the
background worker: Teams redelivers a turn it has not seen answered within 15 s."""

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded by a give-up time per message."""

    base_delay: float = 1.0
    max_delay: float = 300.0
    give_up_after: timedelta = timedelta(hours=1)

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds before attempt ``attempt + 1``; Retry-After is a floor, never shortened.

        Jitter ("equal jitter": half fixed, half random) spreads the retries of a fan-out
        that was throttled at once, so they do not hit the connector together again.
        """
        backoff = min(self.max_delay, self.base_delay * 2 ** max(0, attempt - 1))
        jittered = backoff / 2 + rng.uniform(0, backoff / 2)
        if retry_after is not None:
            return retry_after + rng.uniform(0, min(1.0, backoff / 2))
        return jittered


@dataclass(slots=True)
class _Event:
    at: float
    settled: bool = False


class SlidingWindowLimiter:
    """At most n events in any w seconds, for every (n, w) window at once, per key.

    A sliding log rather than a token bucket, because Teams states its limits as counts per
    window (7 per 1 s, 8 per 2 s, 60 per 30 s, 1800 per hour) and a bucket cannot keep all
    four. The connector counts a request when it arrives, which lies between our start and
    its answer: so a request still in flight counts as happening now, and a finished one
    at the moment its answer came (``settle``). The log can then never undercount the
    connector's window, whatever the network or thread pool delays.
    """

    def __init__(self, windows: Sequence[tuple[int, float]]) -> None:
        if not windows:
            raise ValueError("at least one (count, seconds) window is needed")
        self._windows = tuple(windows)
        self._horizon = max(seconds for _, seconds in windows)
        self._events: dict[Hashable, list[_Event]] = {}

    def delay(self, key: Hashable, now: float) -> tuple[float, bool]:
        """Seconds until one more event under ``key`` keeps every window, and whether a
        request still in flight decides it (then the wait shrinks once it is answered)."""
        moments = [
            (event.at, False) if event.settled else (now, True) for event in self._live(key, now)
        ]
        wait, provisional = 0.0, False
        for limit, seconds in self._windows:
            recent = sorted(moment for moment in moments if moment[0] > now - seconds)
            if len(recent) >= limit:
                at, in_flight = recent[len(recent) - limit]
                if at + seconds - now > wait:
                    wait, provisional = at + seconds - now, in_flight
        return wait, provisional

    def record(self, key: Hashable, now: float) -> _Event:
        event = _Event(now)
        self._events.setdefault(key, []).append(event)
        return event

    @staticmethod
    def settle(event: _Event, now: float) -> None:
        event.at = max(event.at, now)
        event.settled = True

    def _live(self, key: Hashable, now: float) -> list[_Event]:
        events = self._events.get(key)
        if not events:
            return []
        cutoff = now - self._horizon
        if any(event.settled and event.at <= cutoff for event in events[:1]):
            events[:] = [event for event in events if not event.settled or event.at > cutoff]
            if not events:
                del self._events[key]
        return events


@dataclass(slots=True)
class Permit:
    """Events recorded for one request; settle them when its answer arrived."""

    events: list[_Event] = field(default_factory=list)

    def settle(self, now: float) -> None:
        for event in self.events:
            SlidingWindowLimiter.settle(event, now)


class Throttle:
    """Teams' limits: per conversation (several windows) and per app per tenant (per second).

    The limits are per bot instance; with several instances, divide the tenant rate among
    them (TENANT_REQUESTS_PER_SECOND) or let the 429 handling absorb the overlap.
    """

    def __init__(
        self,
        conversation_windows: Sequence[tuple[int, float]],
        tenant_requests_per_second: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        recheck: float = 0.01,
    ) -> None:
        self._recheck = recheck
        self._conversations = SlidingWindowLimiter(conversation_windows)
        self._tenants = SlidingWindowLimiter([(tenant_requests_per_second, 1.0)])
        self._clock = clock
        self._sleep = sleep

    async def acquire(
        self, tenant_id: str, conversation_id: str | None, *, max_wait: float
    ) -> Permit | float:
        """Wait for room in both limits and take it; or return the wait if over max_wait.

        Checking and recording happen with no await between them, so concurrent tasks on
        the event loop can never both take the last slot.
        """
        while True:
            now = self._clock()
            conversation_wait, conversation_provisional = (
                self._conversations.delay(conversation_id, now) if conversation_id else (0.0, False)
            )
            if conversation_wait > max_wait and not conversation_provisional:
                return conversation_wait
            tenant_wait, tenant_provisional = self._tenants.delay(tenant_id, now)
            if conversation_wait <= 0 and tenant_wait <= 0:
                permit = Permit([self._tenants.record(tenant_id, now)])
                if conversation_id:
                    permit.events.append(self._conversations.record(conversation_id, now))
                return permit
            provisional = (
                conversation_provisional if conversation_wait >= tenant_wait else tenant_provisional
            )
            wait = max(conversation_wait, tenant_wait)
            await self._sleep(min(wait, self._recheck) if provisional else wait)

    def now(self) -> float:
        return self._clock()
