"""The outbox: every proactive message is stored first, leased to one worker, marked once.

Use cases over SQL; knows nothing of Teams. The payload is opaque JSON written by bot/.
Each public method is one transaction, takes the clock's ``now`` and returns dataclasses.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, case, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from storage.conversations import PERSONAL
from storage.db import dialect_insert, rows_matched
from storage.domain.delivery import FailureReason
from storage.domain.model import Person
from storage.models import ConversationReferenceRow, OutboxMessageRow, PersonRow
from storage.rows import aware, to_person


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    """Not sent because it was no longer true when its turn came (a reminder for an area
    submitted meanwhile)."""


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    tenant_id: str
    person_id: int
    kind: str
    dedupe_key: str | None
    payload: str
    status: OutboxStatus
    attempts: int
    created_at: datetime
    failure_reason: FailureReason | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """A message Teams accepted: the chat it went to and the id Teams gave it."""

    message_id: int
    conversation_id: str
    activity_id: str | None


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where a person can be reached: their 1:1 chat, or how to open one."""

    person_id: int
    tenant_id: str
    aad_object_id: str
    teams_user_id: str | None
    personal_reference: str | None
    """The stored ConversationReference (JSON) of the person's 1:1 chat with the bot."""
    tenant_reference: str | None
    """Any reference in the tenant: its service URL and bot account open a new 1:1 chat."""


@dataclass(frozen=True, slots=True)
class Undelivered:
    """A person whose latest proactive message did not arrive, and why."""

    person: Person
    kind: str
    reason: FailureReason
    failed_at: datetime


class OutboxRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def enqueue(
        self,
        tenant_id: str,
        person_id: int,
        *,
        kind: str,
        payload: str,
        dedupe_key: str | None,
        now: datetime,
        due_at: datetime | None = None,
    ) -> OutboxMessage:
        """Store a message for delivery (at once, or not before due_at); with a known
        dedupe_key return the stored one instead."""
        async with self._sessions() as session, session.begin():
            message_id = await add_message(
                session,
                tenant_id=tenant_id,
                person_id=person_id,
                kind=kind,
                payload=payload,
                dedupe_key=dedupe_key,
                now=now,
                due_at=due_at,
            )
            if message_id is None:
                row = await session.scalar(
                    select(OutboxMessageRow).where(OutboxMessageRow.dedupe_key == dedupe_key)
                )
            else:
                row = await session.get(OutboxMessageRow, message_id)
            assert row is not None, "a message with this dedupe_key was just inserted or found"
            return _to_message(row)

    async def claim_due(
        self, owner: str, *, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxMessage]:
        """Lease up to ``limit`` pending messages that are due and not leased by a live worker.

        One UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING: on PostgreSQL
        concurrent workers skip each other's rows instead of waiting; on SQLite the single
        writer makes the statement atomic. A lease that ran out means its worker died, so the
        message is free again and is sent by whoever claims it next. Only a person's oldest
        unsent message can be claimed, so a pass takes one message per person.
        """
        due = (
            select(OutboxMessageRow.id)
            .where(
                OutboxMessageRow.status == OutboxStatus.PENDING,
                OutboxMessageRow.next_attempt_at <= now,
                _lease_free(now),
                _first_of_person(),
            )
            .order_by(OutboxMessageRow.next_attempt_at, OutboxMessageRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await self._lease(OutboxMessageRow.id.in_(due), owner, now=now, lease=lease)

    async def claim(
        self, message_id: int, owner: str, *, now: datetime, lease: timedelta
    ) -> OutboxMessage | None:
        """Lease one pending, due message; None if it is leased, backing off, finished, or
        behind an older unsent message to the same person."""
        leased = await self._lease(
            (OutboxMessageRow.id == message_id)
            & (OutboxMessageRow.status == OutboxStatus.PENDING)
            & (OutboxMessageRow.next_attempt_at <= now)
            & _lease_free(now)
            & _first_of_person(),
            owner,
            now=now,
            lease=lease,
        )
        return leased[0] if leased else None

    async def mark_sent(
        self,
        message_id: int,
        owner: str,
        *,
        conversation_id: str,
        activity_id: str | None,
        now: datetime,
    ) -> bool:
        """Record that Teams accepted the message; False when the lease was lost meanwhile."""
        return await self._finish(
            message_id,
            owner,
            status=OutboxStatus.SENT,
            sent_at=now,
            conversation_id=conversation_id,
            activity_id=activity_id,
        )

    async def mark_sent_many(self, owner: str, sent: Sequence[Sent], *, now: datetime) -> set[int]:
        """Record several accepted messages in one transaction; the ids whose lease was held.

        One UPDATE … WHERE id IN (…) with each row's conversation and activity id picked by
        CASE, so a fan-out pays one write per batch instead of one per message.
        """
        if not sent:
            return set()
        by_id = OutboxMessageRow.id
        activity_ids = {s.message_id: s.activity_id for s in sent if s.activity_id}
        async with self._sessions() as session, session.begin():
            marked = await session.scalars(
                update(OutboxMessageRow)
                .where(
                    by_id.in_([s.message_id for s in sent]),
                    OutboxMessageRow.lease_owner == owner,
                    OutboxMessageRow.status == OutboxStatus.PENDING,
                )
                .values(
                    status=OutboxStatus.SENT,
                    sent_at=now,
                    lease_owner=None,
                    lease_until=None,
                    conversation_id=case(
                        {s.message_id: s.conversation_id for s in sent}, value=by_id
                    ),
                    activity_id=(
                        case(activity_ids, value=by_id, else_=None) if activity_ids else None
                    ),
                )
                .returning(by_id)
                .execution_options(synchronize_session=False)
            )
            return set(marked)

    async def mark_failed(
        self,
        message_id: int,
        owner: str,
        *,
        reason: FailureReason,
        detail: str,
        now: datetime,
    ) -> bool:
        """Record that the message will never arrive, and why (shown to the coordinator)."""
        return await self._finish(
            message_id,
            owner,
            status=OutboxStatus.FAILED,
            failed_at=now,
            failure_reason=reason,
            failure_detail=detail[:255],
        )

    async def mark_cancelled(self, message_id: int, owner: str, *, now: datetime) -> bool:
        """Record that the message is not to be sent after all: what it said no longer holds."""
        return await self._finish(message_id, owner, status=OutboxStatus.CANCELLED, failed_at=now)

    async def reschedule(
        self, message_id: int, owner: str, *, at: datetime, detail: str | None
    ) -> bool:
        """Give the lease back and try again at ``at`` (backoff or Retry-After)."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(OutboxMessageRow)
                .where(
                    OutboxMessageRow.id == message_id,
                    OutboxMessageRow.lease_owner == owner,
                    OutboxMessageRow.status == OutboxStatus.PENDING,
                )
                .values(
                    next_attempt_at=at,
                    lease_owner=None,
                    lease_until=None,
                    failure_detail=detail[:255] if detail else None,
                )
            )
            return bool(rows_matched(result))

    async def get(self, message_id: int) -> OutboxMessage | None:
        async with self._sessions() as session:
            row = await session.get(OutboxMessageRow, message_id)
            return _to_message(row) if row else None

    async def next_due_at(self, *, now: datetime) -> datetime | None:
        """When the earliest message that can be claimed (pending, no live worker holds it,
        first of its person) falls due."""
        async with self._sessions() as session:
            due = await session.scalar(
                select(func.min(OutboxMessageRow.next_attempt_at)).where(
                    OutboxMessageRow.status == OutboxStatus.PENDING,
                    _lease_free(now),
                    _first_of_person(),
                )
            )
        return aware(due) if due is not None else None

    async def count_by_status(self) -> dict[OutboxStatus, int]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(OutboxMessageRow.status, func.count()).group_by(OutboxMessageRow.status)
            )
            counts = {OutboxStatus(status): int(count) for status, count in rows}
        return {status: counts.get(status, 0) for status in OutboxStatus}

    async def recipient(self, tenant_id: str, person_id: int) -> Recipient | None:
        """Where to deliver to a person of this tenant; None if no such person exists."""
        return (await self.recipients(tenant_id, [person_id])).get(person_id)

    async def recipients(self, tenant_id: str, person_ids: Collection[int]) -> dict[int, Recipient]:
        """Where to deliver to each of these people of the tenant, in three queries."""
        async with self._sessions() as session:
            persons = (
                await session.scalars(
                    select(PersonRow).where(
                        PersonRow.tenant_id == tenant_id, PersonRow.id.in_(person_ids)
                    )
                )
            ).all()
            newest_first = (
                ConversationReferenceRow.updated_at.desc(),
                ConversationReferenceRow.id.desc(),
            )
            personal: dict[str, str] = {}
            for user_key, reference in await session.execute(
                select(ConversationReferenceRow.user_key, ConversationReferenceRow.reference)
                .where(
                    ConversationReferenceRow.tenant_id == tenant_id,
                    ConversationReferenceRow.user_key.in_([p.aad_object_id for p in persons]),
                    ConversationReferenceRow.conversation_type == PERSONAL,
                )
                .order_by(*newest_first)
            ):
                personal.setdefault(user_key, reference)
            tenant_reference = await session.scalar(
                select(ConversationReferenceRow.reference)
                .where(ConversationReferenceRow.tenant_id == tenant_id)
                .order_by(*newest_first)
                .limit(1)
            )
        return {
            person.id: Recipient(
                person_id=person.id,
                tenant_id=tenant_id,
                aad_object_id=person.aad_object_id,
                teams_user_id=person.teams_user_id,
                personal_reference=personal.get(person.aad_object_id),
                tenant_reference=tenant_reference,
            )
            for person in persons
        }

    async def undelivered(self, tenant_id: str) -> list[Undelivered]:
        """People whose latest delivered-or-failed message failed, oldest failure first.

        A later message that did arrive clears the person (they unblocked the bot).
        """
        async with self._sessions() as session:
            rows = await session.execute(
                select(OutboxMessageRow, PersonRow)
                .join(PersonRow, PersonRow.id == OutboxMessageRow.person_id)
                .where(
                    OutboxMessageRow.tenant_id == tenant_id,
                    OutboxMessageRow.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
                )
            )
            latest: dict[int, tuple[datetime, OutboxMessageRow, PersonRow]] = {}
            for message, person in rows:
                finished = aware(message.sent_at or message.failed_at or message.created_at)
                known = latest.get(person.id)
                if known is None or (finished, message.id) > (known[0], known[1].id):
                    latest[person.id] = (finished, message, person)
        failures = [
            Undelivered(
                person=to_person(person),
                kind=message.kind,
                reason=FailureReason(message.failure_reason),
                failed_at=finished,
            )
            for finished, message, person in latest.values()
            if message.status == OutboxStatus.FAILED and message.failure_reason
        ]
        return sorted(failures, key=lambda failure: (failure.failed_at, failure.person.id))

    async def _lease(
        self, condition: object, owner: str, *, now: datetime, lease: timedelta
    ) -> list[OutboxMessage]:
        async with self._sessions() as session, session.begin():
            rows = await session.scalars(
                update(OutboxMessageRow)
                .where(condition)  # type: ignore[arg-type]
                .values(
                    lease_owner=owner,
                    lease_until=now + lease,
                    attempts=OutboxMessageRow.attempts + 1,
                )
                .returning(OutboxMessageRow)
                .execution_options(synchronize_session=False)
            )
            messages = [_to_message(row) for row in rows]
        return sorted(messages, key=lambda message: message.id)

    async def _finish(self, message_id: int, owner: str, **values: object) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(OutboxMessageRow)
                .where(
                    OutboxMessageRow.id == message_id,
                    OutboxMessageRow.lease_owner == owner,
                    OutboxMessageRow.status == OutboxStatus.PENDING,
                )
                .values(lease_owner=None, lease_until=None, **values)
            )
            return bool(rows_matched(result))


async def add_message(
    session: AsyncSession,
    *,
    tenant_id: str,
    person_id: int,
    kind: str,
    payload: str,
    dedupe_key: str | None,
    now: datetime,
    due_at: datetime | None = None,
) -> int | None:
    """Insert a pending message in the caller's transaction; None if the dedupe_key exists.

    Shared with storage.reminders, which claims a reminder and enqueues it in one
    transaction, so a crash can never leave a claimed reminder without its message.
    """
    insert = dialect_insert(session)
    statement = (
        insert(OutboxMessageRow)
        .values(
            tenant_id=tenant_id,
            person_id=person_id,
            kind=kind,
            dedupe_key=dedupe_key,
            payload=payload,
            status=OutboxStatus.PENDING.value,
            attempts=0,
            next_attempt_at=due_at or now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessageRow.id)
    )
    return await session.scalar(statement)


def _first_of_person() -> ColumnElement[bool]:
    """No older message to the same person is still unsent (pending, leased or not).

    A person's messages go out strictly in the order they were stored, across worker lanes,
    processes and the first attempt inside a turn: an older one backing off after a 429
    holds the newer ones back rather than let them overtake it.
    """
    older = aliased(OutboxMessageRow)
    return ~exists().where(
        older.person_id == OutboxMessageRow.person_id,
        older.status == OutboxStatus.PENDING,
        older.id < OutboxMessageRow.id,
    )


def _lease_free(now: datetime) -> ColumnElement[bool]:
    return or_(OutboxMessageRow.lease_until.is_(None), OutboxMessageRow.lease_until < now)


def _to_message(row: OutboxMessageRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        tenant_id=row.tenant_id,
        person_id=row.person_id,
        kind=row.kind,
        dedupe_key=row.dedupe_key,
        payload=row.payload,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        created_at=aware(row.created_at),
        failure_reason=FailureReason(row.failure_reason) if row.failure_reason else None,
    )
