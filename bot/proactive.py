"""Proactive delivery to Teams: 1:1 chats, throttling, and the meaning of connector errors.

The only module that interprets Bot Connector answers, by HTTP status and error code, never
by message text (STYLE §6). It makes one attempt per call; the outbox decides about retries.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from botframework.connector import Channels
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
)
from msrest.exceptions import ClientRequestError, HttpOperationError
from urllib3 import Retry

from dialogs.cards import as_attachment
from dialogs.ports import OutgoingMessage
from storage.conversations import PERSONAL, ConversationRepository
from storage.domain.delivery import FailureReason
from storage.outbox import Recipient

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

RETRYABLE_STATUSES = frozenset({412, 429, 502, 504})
"""Microsoft's rate-limit guide: retry 429, and also 412, 502 and 504 (Teams bot docs)."""


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    """A transient answer (429/412/502/504, or no answer at all): try again later."""
    DEFER = "defer"
    """Our own throttle would wait too long now; not an error, try again at ``retry_after``."""
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one delivery attempt came to."""

    outcome: Outcome
    conversation_id: str | None = None
    activity_id: str | None = None
    reason: FailureReason | None = None
    retry_after: float | None = None
    """Seconds to wait: the connector's Retry-After, or the throttle's own estimate."""
    detail: str = ""
    """Status and error code for operators (never message text or names)."""


def classify(error: HttpOperationError | ClientRequestError) -> Attempt:
    """Map a Bot Connector error to an outcome by its HTTP status and error code."""
    response = getattr(error, "response", None)
    if not isinstance(error, HttpOperationError) or response is None:
        # No HTTP answer (connection refused, reset, timeout): transient by nature.
        return Attempt(Outcome.RETRY, detail=f"no answer: {type(error).__name__}")
    status = int(response.status_code)
    code = _error_code(error)
    detail = f"{status} {code}".strip()
    if status in RETRYABLE_STATUSES:
        return Attempt(
            Outcome.RETRY, retry_after=parse_retry_after(response.headers), detail=detail
        )
    if status == 403:
        # BotDisabledByAdmin, ConversationBlockedByUser, BotNotInConversationRoster …:
        # the app is blocked or uninstalled for this person; a retry gets the same.
        return Attempt(Outcome.FAILED, reason=FailureReason.BLOCKED, detail=detail)
    if status == 404:
        return Attempt(Outcome.FAILED, reason=FailureReason.NOT_FOUND, detail=detail)
    # 500 and other answers are not on Microsoft's list of statuses safe to repeat.
    return Attempt(Outcome.FAILED, reason=FailureReason.REJECTED, detail=detail)


def parse_retry_after(
    headers: Mapping[str, str] | None, *, now: datetime | None = None
) -> float | None:
    """Read Retry-After as seconds (RFC 9110: delay-seconds or an HTTP-date); None if absent."""
    raw = (headers or {}).get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _error_code(error: HttpOperationError) -> str:
    body = getattr(getattr(error, "error", None), "error", None)
    code = getattr(body, "code", None)
    return str(code) if code else ""


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


class ProactiveSender:
    """Sends one message to one person's 1:1 chat, opening the chat when none is stored.

    It talks to the Bot Connector through a ConnectorClient from the adapter's own
    authentication (so tokens are the adapter's), not through ``continue_conversation``:
    CloudAdapter runs a proactive callback inside the turn pipeline, whose error handler
    would post the "unexpected error" apology into the person's chat and swallow the very
    status code this class must see.
    """

    def __init__(
        self,
        auth: BotFrameworkAuthentication,
        conversations: ConversationRepository,
        throttle: Throttle,
        *,
        app_id: str = "",
        request_timeout: float = 30.0,
        max_throttle_wait: float = 30.0,
    ) -> None:
        self._auth = auth
        self._conversations = conversations
        self._throttle = throttle
        self._app_id = app_id
        self._request_timeout = request_timeout
        self._max_throttle_wait = max_throttle_wait
        self._clients: dict[str, ConnectorClient] = {}
        self._client_lock = asyncio.Lock()
        self._exit_stack = AsyncExitStack()

    async def close(self) -> None:
        await self._exit_stack.aclose()
        self._clients.clear()

    async def deliver(self, recipient: Recipient, message: OutgoingMessage) -> Attempt:
        """Make one attempt to put the message in the recipient's 1:1 chat."""
        reference = _reference(recipient.personal_reference)
        if reference is None:
            opened = await self._open_personal_chat(recipient)
            if isinstance(opened, Attempt):
                return opened
            reference = opened
        activity = _activity(message)
        TurnContext.apply_conversation_reference(activity, reference)
        conversation_id = reference.conversation.id
        permit = await self._throttle.acquire(
            recipient.tenant_id, conversation_id, max_wait=self._max_throttle_wait
        )
        if not isinstance(permit, Permit):
            return Attempt(
                Outcome.DEFER,
                conversation_id=conversation_id,
                retry_after=permit,
                detail="conversation send limit",
            )
        try:
            client = await self._client(reference.service_url)
            response = await client.conversations.send_to_conversation(conversation_id, activity)
        except (HttpOperationError, ClientRequestError) as error:
            attempt = classify(error)
            return Attempt(
                attempt.outcome,
                conversation_id=conversation_id,
                reason=attempt.reason,
                retry_after=attempt.retry_after,
                detail=attempt.detail,
            )
        finally:
            permit.settle(self._throttle.now())
        return Attempt(
            Outcome.DELIVERED,
            conversation_id=conversation_id,
            activity_id=getattr(response, "id", None),
        )

    async def _open_personal_chat(self, recipient: Recipient) -> ConversationReference | Attempt:
        """Create the 1:1 chat from the tenant's service URL and remember its reference."""
        tenant_reference = _reference(recipient.tenant_reference)
        if tenant_reference is None or not tenant_reference.service_url:
            return Attempt(
                Outcome.FAILED,
                reason=FailureReason.NO_CONVERSATION,
                detail="no service url known for tenant",
            )
        bot = tenant_reference.bot or ChannelAccount(id=f"28:{self._app_id}")
        member = ChannelAccount(
            id=recipient.teams_user_id or recipient.aad_object_id,
            aad_object_id=recipient.aad_object_id,
        )
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=bot.id, name=bot.name),
            members=[member],
            tenant_id=recipient.tenant_id,
            channel_data={"tenant": {"id": recipient.tenant_id}},
        )
        permit = await self._throttle.acquire(
            recipient.tenant_id, None, max_wait=self._max_throttle_wait
        )
        assert isinstance(permit, Permit), "without a conversation the wait is never refused"
        try:
            client = await self._client(tenant_reference.service_url)
            created = await client.conversations.create_conversation(parameters)
        except (HttpOperationError, ClientRequestError) as error:
            return classify(error)
        finally:
            permit.settle(self._throttle.now())
        service_url = created.service_url or tenant_reference.service_url
        reference = ConversationReference(
            channel_id=tenant_reference.channel_id or Channels.ms_teams,
            service_url=service_url,
            bot=parameters.bot,
            user=member,
            conversation=ConversationAccount(
                id=created.id,
                conversation_type=PERSONAL,
                tenant_id=recipient.tenant_id,
                is_group=False,
            ),
        )
        await self._conversations.save_reference(
            tenant_id=recipient.tenant_id,
            user_key=recipient.aad_object_id,
            conversation_id=created.id,
            conversation_type=PERSONAL,
            service_url=service_url,
            reference=json.dumps(reference.serialize()),
        )
        logger.info("opened 1:1 chat: person=%d", recipient.person_id)
        return reference

    async def _client(self, service_url: str) -> ConnectorClient:
        """One ConnectorClient per service URL, kept open so connections and tokens are reused."""
        async with self._client_lock:
            client = self._clients.get(service_url)
            if client is None:
                factory = self._auth.create_connector_factory(
                    ClaimsIdentity(
                        {
                            AuthenticationConstants.AUDIENCE_CLAIM: self._app_id,
                            AuthenticationConstants.APP_ID_CLAIM: self._app_id,
                        },
                        True,
                    )
                )
                client = await factory.create(service_url, None)
                _own_the_retries(client, self._request_timeout)
                await self._exit_stack.enter_async_context(client)
                self._clients[service_url] = client
            return client


def _own_the_retries(client: ConnectorClient, timeout: float) -> None:
    # msrest's default urllib3 policy silently retries 5xx (and 429 with Retry-After) three
    # times inside a worker thread; that would hide statuses from classify(), break the
    # throttle's count and repeat a POST the outbox may already retry. The outbox owns it.
    client.config.retry_policy.policy = Retry(
        total=0,
        connect=0,
        read=0,
        status_forcelist=(),
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    # Well inside the outbox lease, so an attempt never outlives its claim.
    client.config.connection.timeout = timeout


def _reference(raw: str | None) -> ConversationReference | None:
    if not raw:
        return None
    data: dict[str, Any] = json.loads(raw)
    return ConversationReference().deserialize(data)


def _activity(message: OutgoingMessage) -> Activity:
    activity = Activity(type=ActivityTypes.message, text=message.text)
    if message.card is not None:
        activity.attachments = [as_attachment(message.card)]
    return activity
