"""Reminder use cases over SQL: what is unfinished, who coordinates, and the once-only claim.

Knows nothing of Teams. The plan itself is pure (storage.domain.reminders); this module
feeds it facts and records each planned reminder exactly once, together with its message.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import dialect_insert
from storage.domain.model import Person
from storage.domain.progress import FagomraadeFacts
from storage.domain.reminders import ReminderKind
from storage.models import KortlaegningRow, ReminderClaimRow
from storage.outbox import add_message
from storage.people import coordinators, fagomraade_facts
from storage.rows import aware


@dataclass(frozen=True, slots=True)
class ActiveKortlaegning:
    """A round that has been started, so its systemejere have been invited."""

    id: int
    tenant_id: str
    slutdato: date
    started_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimKey:
    reminder_date: date
    person_id: int
    fagomraade_id: int | None
    kind: ReminderKind


class ReminderRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def active_kortlaegninger(self) -> list[ActiveKortlaegning]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(KortlaegningRow)
                .where(KortlaegningRow.started_at.is_not(None))
                .order_by(KortlaegningRow.id)
            )
            return [
                ActiveKortlaegning(
                    id=row.id,
                    tenant_id=row.tenant_id,
                    slutdato=row.slutdato,
                    started_at=aware(row.started_at),  # type: ignore[arg-type]
                )
                for row in rows
            ]

    async def facts(self, kortlaegning_id: int) -> list[FagomraadeFacts]:
        """Every fagomraade of the round with its answered count and owners, in sheet order."""
        async with self._sessions() as session:
            return await fagomraade_facts(session, kortlaegning_id)

    async def coordinators(self, tenant_id: str, emails: Collection[str]) -> list[Person]:
        """The tenant's coordinators: marked as such, or listed in KOORDINATORER by e-mail."""
        async with self._sessions() as session:
            return await coordinators(session, tenant_id, emails)

    async def claim(
        self,
        *,
        kortlaegning_id: int,
        key: ClaimKey,
        tenant_id: str,
        payload: str,
        now: datetime,
        enqueued_at: datetime | None = None,
    ) -> int | None:
        """Claim a reminder and enqueue its message in one transaction; None if claimed before.

        now is the moment the reminder was planned for; the message is stored, and due, at
        enqueued_at (the real time; the same unless `kortlaegning remind --now` plans ahead).

        The unique index on (date, person, fagomraade, kind) is the claim: two instances,
        a restart or the CLI beside the runner all run INSERT … ON CONFLICT DO NOTHING, and
        only the one whose row went in enqueues the message.
        """
        async with self._sessions() as session, session.begin():
            insert = dialect_insert(session)
            claim_id = await session.scalar(
                insert(ReminderClaimRow)
                .values(
                    kortlaegning_id=kortlaegning_id,
                    reminder_date=key.reminder_date,
                    person_id=key.person_id,
                    fagomraade_id=key.fagomraade_id,
                    kind=key.kind.value,
                    claimed_at=now,
                )
                .on_conflict_do_nothing()
                .returning(ReminderClaimRow.id)
            )
            if claim_id is None:
                return None
            message_id = await add_message(
                session,
                tenant_id=tenant_id,
                person_id=key.person_id,
                kind=f"reminder.{key.kind.value}",
                payload=payload,
                dedupe_key=dedupe_key(key),
                now=enqueued_at or now,
            )
            claim = await session.get(ReminderClaimRow, claim_id)
            assert claim is not None
            claim.outbox_message_id = message_id
            return message_id

    async def claimed(self, kortlaegning_id: int, reminder_date: date) -> set[ClaimKey]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ReminderClaimRow).where(
                    ReminderClaimRow.kortlaegning_id == kortlaegning_id,
                    ReminderClaimRow.reminder_date == reminder_date,
                )
            )
            return {
                ClaimKey(
                    row.reminder_date, row.person_id, row.fagomraade_id, ReminderKind(row.kind)
                )
                for row in rows
            }


def dedupe_key(key: ClaimKey) -> str:
    """The outbox key of a reminder: the claim key itself, so the message exists once too."""
    area = key.fagomraade_id if key.fagomraade_id is not None else "-"
    return f"reminder:{key.kind.value}:{key.reminder_date.isoformat()}:{key.person_id}:{area}"
