"""Reminder use cases over SQL: what is unfinished, who coordinates, and the once-only claim.

Knows nothing of Teams. The plan itself is pure (storage.domain.reminders); this module
feeds it facts and records each planned reminder exactly once, together with its message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import dialect_insert
from storage.domain.model import Fagomraade, Person
from storage.domain.progress import FagomraadeFacts
from storage.domain.reminders import ReminderKind
from storage.models import (
    AnswerRow,
    FagomraadeRow,
    ItSystemRow,
    KortlaegningRow,
    PersonRow,
    ReminderClaimRow,
    TildelingRow,
)
from storage.outbox import add_message, to_person


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
                    started_at=_aware(row.started_at),  # type: ignore[arg-type]
                )
                for row in rows
            ]

    async def facts(self, kortlaegning_id: int) -> list[FagomraadeFacts]:
        """Every fagomraade of the round with its answered count and owners, in sheet order."""
        async with self._sessions() as session:
            areas = (
                await session.scalars(
                    select(FagomraadeRow)
                    .where(FagomraadeRow.kortlaegning_id == kortlaegning_id)
                    .order_by(FagomraadeRow.position, FagomraadeRow.id)
                )
            ).all()
            ids = [area.id for area in areas]
            totals: dict[int, int] = {
                area_id: count
                for area_id, count in await session.execute(
                    select(ItSystemRow.fagomraade_id, func.count())
                    .where(ItSystemRow.fagomraade_id.in_(ids))
                    .group_by(ItSystemRow.fagomraade_id)
                )
            }
            answered: dict[int, tuple[int, datetime | None]] = {
                area_id: (count, last)
                for area_id, count, last in (
                    await session.execute(
                        select(
                            ItSystemRow.fagomraade_id,
                            func.count(),
                            func.max(AnswerRow.answered_at),
                        )
                        .join(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
                        .where(ItSystemRow.fagomraade_id.in_(ids))
                        .group_by(ItSystemRow.fagomraade_id)
                    )
                )
            }
            owners: dict[int, list[Person]] = defaultdict(list)
            for area_id, person in await session.execute(
                select(TildelingRow.fagomraade_id, PersonRow)
                .join(PersonRow, PersonRow.id == TildelingRow.person_id)
                .where(TildelingRow.fagomraade_id.in_(ids))
                .order_by(TildelingRow.assigned_at, TildelingRow.id)
            ):
                owners[area_id].append(to_person(person))
        return [
            FagomraadeFacts(
                fagomraade=Fagomraade(
                    id=area.id,
                    navn=area.navn,
                    position=area.position,
                    antal_systemer=totals.get(area.id, 0),
                    indsendt_at=_aware(area.indsendt_at),
                ),
                answered=answered.get(area.id, (0, None))[0],
                owners=tuple(owners[area.id]),
                last_activity=_aware(answered.get(area.id, (0, None))[1]),
            )
            for area in areas
        ]

    async def coordinators(self, tenant_id: str, emails: Collection[str]) -> list[Person]:
        """The tenant's coordinators: marked as such, or listed in KOORDINATORER by e-mail."""
        lowered = [email.lower() for email in emails]
        async with self._sessions() as session:
            rows = await session.scalars(
                select(PersonRow)
                .where(
                    PersonRow.tenant_id == tenant_id,
                    or_(
                        PersonRow.is_koordinator.is_(True),
                        func.lower(PersonRow.email).in_(lowered),
                    ),
                )
                .order_by(PersonRow.id)
            )
            return [to_person(row) for row in rows]

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


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes; everything stored is UTC.
    if moment is None or moment.tzinfo:
        return moment
    return moment.replace(tzinfo=UTC)
