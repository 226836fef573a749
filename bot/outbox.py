"""Delivering the outbox: the background worker and the Messenger that dialogs are given.

A message is stored before it is sent and marked sent only after the connector accepted
it (storage.outbox); this module decides when to try, how long to back off, and when to
give up. Teams' answers are interpreted in bot.connector, not here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.connector import Attempt, Outcome
from bot.proactive import ProactiveSender
from bot.throttle import IN_TURN_MAX_WAIT, RetryPolicy
from dialogs import texts
from dialogs.cards import CARD_CONTENT_TYPE
from dialogs.context import CALLER_KEY, Caller
from dialogs.ports import CANCELLED, QUEUED, DeliveryReport, OutgoingMessage
from storage.conversations import PERSONAL
from storage.coordination import CoordinationRepository
from storage.domain.delivery import FailureReason
from storage.outbox import (
    OutboxMessage,
    OutboxRepository,
    OutboxStatus,
    Recipient,
    Sent,
    Undelivered,
)

logger = logging.getLogger(__name__)

Now = Callable[[], datetime]
OnFailed = Callable[[OutboxMessage, FailureReason], Awaitable[None]]
Renderer = Callable[[OutboxMessage, datetime], Awaitable[OutgoingMessage | None]]
"""Builds a message as it reads at the moment it is sent; None when it no longer holds."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def encode_payload(message: OutgoingMessage) -> str:
    """The outbox payload: what the person will see, as JSON."""
    return json.dumps({"text": message.text, "card": message.card}, ensure_ascii=False)


def decode_payload(payload: str, *, kind: str) -> OutgoingMessage:
    data: dict[str, Any] = json.loads(payload)
    return OutgoingMessage(text=data.get("text"), card=data.get("card"), kind=kind)


@dataclass(frozen=True, slots=True)
class PassResult:
    """What one pass over the due messages came to, for logs and the CLI."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.delivered + self.retrying + self.failed


class SentLog:
    """Group commit of "mark sent": one write carries every message accepted meanwhile.

    The first accepted message starts a write at once (no timer, so nothing waits that
    would not have waited anyway); messages Teams accepts while that write runs go in the
    next one, together. Each caller returns only when its own row is committed. So the
    window in which a crash sends a message twice stays what it was with one write per
    message — Teams' answer until the commit that follows it — but a fan-out pays one
    transaction per batch, not per message (bench/bench_fanout.py).
    """

    def __init__(self, outbox: OutboxRepository, owner: str, now: Now, *, batch: int = 200) -> None:
        self._outbox = outbox
        self._owner = owner
        self._now = now
        self._batch = batch
        self._waiting: list[tuple[Sent, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, sent: Sent) -> bool:
        """Record that Teams accepted it; False when the lease was lost meanwhile."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((sent, future))
        if self._writer is None or self._writer.done():
            # Named as an outbox task (bot.bootstrap.BACKGROUND_TASKS): no turn's work.
            self._writer = asyncio.create_task(self._write_while_waiting(), name="outbox-sent")
        return await future

    async def _write_while_waiting(self) -> None:
        batch: list[tuple[Sent, asyncio.Future[bool]]] = []
        try:
            while self._waiting:
                batch, self._waiting = (
                    self._waiting[: self._batch],
                    self._waiting[self._batch :],
                )
                try:
                    marked = await self._outbox.mark_sent_many(
                        self._owner, [sent for sent, _ in batch], now=self._now()
                    )
                except Exception as error:
                    # Not swallowed: every caller of this batch gets the error, as it
                    # would have from its own write.
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for sent, future in batch:
                    if not future.done():
                        future.set_result(sent.message_id in marked)
        finally:
            # Cancelled (shutdown): whoever still waits is cancelled too, never left hanging.
            for _, future in [*batch, *self._waiting]:
                future.cancel()


class OutboxWorker:
    """Claims due messages with a lease, delivers them, and records each outcome.

    Claiming with a lease (not a lock held while sending) is what makes a crash safe: the
    row of a worker that died mid-attempt becomes free when the lease runs out and another
    worker sends it. A message is therefore sent at least once, and more than once only if
    the process died between Teams' 201 and the commit that marks it sent (SentLog) — the
    Bot Connector has no idempotency key to close that last gap.
    """

    def __init__(
        self,
        outbox: OutboxRepository,
        sender: ProactiveSender,
        *,
        retry: RetryPolicy,
        lease: timedelta = timedelta(minutes=2),
        batch_size: int = 100,
        lanes: int = 2,
        poll_interval: float = 2.0,
        now: Now = utc_now,
        sleep: Callable[[float], Any] = asyncio.sleep,
        rng: random.Random | None = None,
        owner: str | None = None,
    ) -> None:
        self._outbox = outbox
        self._sender = sender
        self._retry = retry
        self._lease = lease
        self._batch_size = batch_size
        self.lanes = lanes
        """How many passes run side by side (tasks of run(), or inside drain())."""
        self._poll_interval = poll_interval
        self._now = now
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.owner = owner or f"worker-{uuid.uuid4().hex[:12]}"
        self._sent = SentLog(outbox, self.owner, now)
        self._wake = asyncio.Event()
        self._on_failed: OnFailed | None = None
        self._renderers: dict[str, Renderer] = {}

    def render_when_sent(self, kind_prefix: str, renderer: Renderer) -> None:
        """Build messages whose kind starts with kind_prefix at each attempt, not from the
        stored text (bot.reminders: a reminder's figures are those of the day it is sent)."""
        self._renderers[kind_prefix] = renderer

    def report_failures_to(self, on_failed: OnFailed) -> None:
        """Call on_failed for each message that finally fails in a background pass.

        Not for deliver_now: its caller gets the report and tells the person it talks to.
        """
        self._on_failed = on_failed

    def wake(self) -> None:
        """Look for due messages now instead of at the next poll (new work was enqueued)."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver forever; one failed pass is logged and the next one starts afresh.

        Run ``lanes`` of these as separate tasks: each claims its own batch, so while one
        waits for its last answers the other keeps the throttle busy.
        """
        logger.info("outbox worker lane started: owner=%s", self.owner)
        while True:
            try:
                result = await self.deliver_due()
                if not result.claimed:
                    await self._idle()
            except Exception:
                logger.exception("outbox pass failed; trying again after the poll interval")
                await asyncio.sleep(self._poll_interval)

    async def deliver_due(self) -> PassResult:
        """Claim one batch of due messages and make one attempt at each, concurrently."""
        messages = await self._outbox.claim_due(
            self.owner, now=self._now(), lease=self._lease, limit=self._batch_size
        )
        if not messages:
            return PassResult()
        recipients: dict[int, Recipient] = {}
        for tenant_id in {message.tenant_id for message in messages}:
            people = {m.person_id for m in messages if m.tenant_id == tenant_id}
            recipients.update(await self._outbox.recipients(tenant_id, people))
        # One person's messages in the order they were stored (claim order), so a chat reads
        # "area submitted" before "all submitted"; different people's side by side.
        queues: dict[tuple[str, int], list[OutboxMessage]] = {}
        for message in messages:
            queues.setdefault((message.tenant_id, message.person_id), []).append(message)

        async def in_order(queue: list[OutboxMessage]) -> list[DeliveryReport]:
            return [await self.deliver(m, recipients.get(m.person_id)) for m in queue]

        reports = [
            report
            for queue_reports in await asyncio.gather(*(in_order(q) for q in queues.values()))
            for report in queue_reports
        ]
        if self._on_failed is not None:
            by_person = [m for queue in queues.values() for m in queue]
            for message, report in zip(by_person, reports, strict=True):
                if report.failure is not None:
                    await self._on_failed(message, report.failure)
        result = PassResult(
            delivered=sum(report.delivered for report in reports),
            retrying=sum(report.on_its_way for report in reports),
            failed=sum(report.failure is not None for report in reports),
        )
        logger.info(
            "outbox pass: delivered=%d retrying=%d failed=%d",
            result.delivered,
            result.retrying,
            result.failed,
        )
        return result

    async def drain(self, *, until_idle: bool = True) -> PassResult:
        """Deliver until nothing is due (waiting out backoffs when until_idle); for the CLI."""
        results = await asyncio.gather(*(self._drain_lane(until_idle) for _ in range(self.lanes)))
        return PassResult(
            sum(r.delivered for r in results),
            sum(r.retrying for r in results),
            sum(r.failed for r in results),
        )

    async def _drain_lane(self, until_idle: bool) -> PassResult:
        total = PassResult()
        while True:
            result = await self.deliver_due()
            total = PassResult(
                total.delivered + result.delivered,
                total.retrying + result.retrying,
                total.failed + result.failed,
            )
            if result.claimed:
                continue
            next_due = await self._outbox.next_due_at(now=self._now())
            if next_due is None or not until_idle:
                return total
            await self._sleep(max(0.0, (next_due - self._now()).total_seconds()))

    async def deliver_now(
        self, message_id: int, *, max_wait: float | None = None
    ) -> DeliveryReport | None:
        """Claim one due message and attempt it at once; None if it is not free now."""
        claimed = await self._outbox.claim(
            message_id, self.owner, now=self._now(), lease=self._lease
        )
        return await self.deliver(claimed, max_wait=max_wait) if claimed else None

    async def deliver(
        self,
        message: OutboxMessage,
        recipient: Recipient | None = None,
        *,
        max_wait: float | None = None,
    ) -> DeliveryReport:
        """Make one attempt at a claimed message and record what came of it."""
        try:
            content = await self._content(message)
            if content is None:
                await self._outbox.mark_cancelled(message.id, self.owner, now=self._now())
                logger.info("message no longer holds, not sent: message=%d", message.id)
                return DeliveryReport(message.person_id, delivered=False, reason=CANCELLED)
            attempt = await self._attempt(message, content, recipient, max_wait)
        except Exception:
            # One message's unexpected error must not stop the others; it backs off.
            logger.exception("delivery crashed: message=%d", message.id)
            attempt = Attempt(Outcome.RETRY, detail="internal error")
        return await self._record(message, attempt)

    async def _content(self, message: OutboxMessage) -> OutgoingMessage | None:
        for prefix, render in self._renderers.items():
            if message.kind.startswith(prefix):
                return await render(message, self._now())
        return decode_payload(message.payload, kind=message.kind)

    async def _attempt(
        self,
        message: OutboxMessage,
        content: OutgoingMessage,
        recipient: Recipient | None,
        max_wait: float | None,
    ) -> Attempt:
        recipient = recipient or await self._outbox.recipient(message.tenant_id, message.person_id)
        if recipient is None:
            return Attempt(Outcome.FAILED, reason=FailureReason.NOT_FOUND, detail="no person")
        return await self._sender.deliver(recipient, content, max_wait=max_wait)

    async def _record(self, message: OutboxMessage, attempt: Attempt) -> DeliveryReport:
        person = message.person_id
        if attempt.outcome is Outcome.DELIVERED:
            assert attempt.conversation_id is not None
            if not await self._sent.mark(
                Sent(message.id, attempt.conversation_id, attempt.activity_id)
            ):
                logger.error(
                    "sent after losing the lease, may be sent twice: message=%d", message.id
                )
            return DeliveryReport(person, delivered=True)
        now = self._now()
        if attempt.outcome is Outcome.FAILED:
            assert attempt.reason is not None
            await self._fail(message, attempt.reason, attempt.detail, now)
            return DeliveryReport(person, delivered=False, reason=attempt.reason.value)

        if attempt.outcome is Outcome.DEFER:
            # Our own pacing, not Teams' refusal: no backoff growth and no give-up clock.
            delay = attempt.retry_after or self._retry.base_delay
        else:
            delay = self._retry.delay(message.attempts, attempt.retry_after, self._rng)
            if now + timedelta(seconds=delay) > message.created_at + self._retry.give_up_after:
                await self._fail(message, FailureReason.GAVE_UP, attempt.detail, now)
                return DeliveryReport(person, delivered=False, reason=FailureReason.GAVE_UP.value)
            logger.warning(
                "delivery will be retried: message=%d attempt=%d in=%.1fs (%s)",
                message.id,
                message.attempts,
                delay,
                attempt.detail,
            )
        await self._outbox.reschedule(
            message.id, self.owner, at=now + timedelta(seconds=delay), detail=attempt.detail
        )
        self.wake()
        return DeliveryReport(person, delivered=False, reason=QUEUED)

    async def _fail(
        self, message: OutboxMessage, reason: FailureReason, detail: str, now: datetime
    ) -> None:
        await self._outbox.mark_failed(
            message.id, self.owner, reason=reason, detail=detail, now=now
        )
        logger.error(
            "delivery failed for good: message=%d person=%d reason=%s (%s)",
            message.id,
            message.person_id,
            reason.value,
            detail,
        )

    async def _idle(self) -> None:
        next_due = await self._outbox.next_due_at(now=self._now())
        timeout = self._poll_interval
        if next_due is not None:
            timeout = min(timeout, max(0.0, (next_due - self._now()).total_seconds()))
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)


INVITATION = "invitation"
REPORTED_KINDS = frozenset({INVITATION, "reminder"})
"""The kinds `start` and `paamind` send, whose later failure the coordinators are told of."""


class OutboxMessenger:
    """dialogs.ports.Messenger: store the message in the outbox, then try to deliver it now.

    The first attempt happens inside the caller's turn, so a dialog can say at once whether
    the colleague was reached; anything transient is left to the background worker and
    reported as ``reason="queued"``.
    """

    def __init__(
        self,
        outbox: OutboxRepository,
        worker: OutboxWorker,
        coordination: CoordinationRepository,
        koordinatorer: Sequence[str] = (),
        *,
        now: Now = utc_now,
    ) -> None:
        self._outbox = outbox
        self._worker = worker
        self._coordination = coordination
        self._koordinatorer = tuple(koordinatorer)
        self._now = now

    async def send_to_coordinators(
        self, tenant_id: str, message: OutgoingMessage, *, except_person_id: int | None = None
    ) -> None:
        """Each coordinator gets the message once; their dedupe keys are kept apart.

        Sent in this turn only while the coordinator's chat has room: the turn is someone
        else's, who must not wait for that chat's send limit (areas submitted within the same
        minutes are as many notices to one chat); the worker delivers the rest.
        """
        for person in await self._coordination.coordinators(tenant_id, self._koordinatorer):
            if person.id == except_person_id:
                continue
            key = f"{message.dedupe_key}:{person.id}" if message.dedupe_key else None
            await self._store_and_try(
                tenant_id, person.id, replace(message, dedupe_key=key), max_wait=0.0
            )

    async def send_to_person(
        self, tenant_id: str, person_id: int, message: OutgoingMessage
    ) -> DeliveryReport:
        return await self._store_and_try(tenant_id, person_id, message, max_wait=IN_TURN_MAX_WAIT)

    async def undelivered(self, tenant_id: str) -> list[Undelivered]:
        return await self._outbox.undelivered(tenant_id)

    async def hand_over_reply(
        self, context: TurnContext, activity: Activity, due_in: float
    ) -> bool:
        """bot.adapter.HandOver: store a reply Teams' limits hold back for the worker to send.

        Only a reply in the caller's 1:1 chat (the chat the outbox writes to) of text and at
        most one Adaptive Card (what an outbox message holds); anything else stays with the
        turn, which then waits for Teams.
        """
        caller = context.turn_state.get(CALLER_KEY)
        attachments = activity.attachments or []
        if (
            not isinstance(caller, Caller)
            or activity.conversation.conversation_type != PERSONAL
            or len(attachments) > 1
            or any(a.content_type != CARD_CONTENT_TYPE for a in attachments)
        ):
            return False
        message = OutgoingMessage(
            text=activity.text, card=attachments[0].content if attachments else None, kind="reply"
        )
        now = self._now()
        await self._outbox.enqueue(
            caller.tenant_id,
            caller.person_id,
            kind=message.kind,
            payload=encode_payload(message),
            dedupe_key=None,
            now=now,
            due_at=now + timedelta(seconds=due_in),
        )
        self._worker.wake()
        return True

    async def tell_coordinators_of_failure(
        self, message: OutboxMessage, reason: FailureReason
    ) -> None:
        """OnFailed: an invitation or reminder reported as on its way in the coordinator's
        turn has finally failed; the coordinators hear it, with why."""
        if message.kind not in REPORTED_KINDS:
            return
        person = await self._coordination.person(message.person_id)
        await self.send_to_coordinators(
            message.tenant_id,
            OutgoingMessage(
                text=texts.not_delivered(
                    invitation=message.kind == INVITATION,
                    navn=person.navn or person.email or "?",
                    reason=reason,
                ),
                dedupe_key=f"undelivered:{message.id}",
            ),
        )

    async def _store_and_try(
        self, tenant_id: str, person_id: int, message: OutgoingMessage, *, max_wait: float
    ) -> DeliveryReport:
        stored = await self._outbox.enqueue(
            tenant_id,
            person_id,
            kind=message.kind,
            payload=encode_payload(message),
            dedupe_key=message.dedupe_key,
            now=self._now(),
        )
        if stored.status is OutboxStatus.SENT:
            return DeliveryReport(person_id, delivered=True)
        if stored.status is OutboxStatus.FAILED:
            reason = stored.failure_reason.value if stored.failure_reason else None
            return DeliveryReport(person_id, delivered=False, reason=reason)
        report = await self._worker.deliver_now(stored.id, max_wait=max_wait)
        # None: another worker holds it right now, or it waits out a backoff.
        return report or DeliveryReport(person_id, delivered=False, reason=QUEUED)
