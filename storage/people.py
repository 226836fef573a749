"""Who coordinates, and what is known of each fagomraade: one query each, shared.

The coordinator's commands, the outbox's notices, status and the reminder runner all ask
these questions; asking them once here keeps their answers the same everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.domain.model import Person
from storage.domain.progress import FagomraadeFacts
from storage.models import AnswerRow, FagomraadeRow, ItSystemRow, PersonRow, TildelingRow
from storage.rows import aware, to_fagomraade, to_person


def is_coordinator(configured: Collection[str]) -> ColumnElement[bool]:
    """A coordinator is marked so in the database or named by e-mail in KOORDINATORER."""
    emails = [email.lower() for email in configured]
    return or_(PersonRow.is_koordinator.is_(True), func.lower(PersonRow.email).in_(emails))


async def coordinators(
    session: AsyncSession, tenant_id: str, configured: Collection[str]
) -> list[Person]:
    """The tenant's coordinators, oldest person first."""
    rows = await session.scalars(
        select(PersonRow)
        .where(PersonRow.tenant_id == tenant_id, is_coordinator(configured))
        .order_by(PersonRow.id)
    )
    return [to_person(row) for row in rows]


async def fagomraade_facts(session: AsyncSession, kortlaegning_id: int) -> list[FagomraadeFacts]:
    """Every fagomraade of the round in sheet order, with its answered count and owners.

    Owners come in the order they were assigned; the last activity is the latest answer or
    the submission, whichever came last.
    """
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
        for area_id, count, last in await session.execute(
            select(ItSystemRow.fagomraade_id, func.count(), func.max(AnswerRow.answered_at))
            .join(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
            .where(ItSystemRow.fagomraade_id.in_(ids))
            .group_by(ItSystemRow.fagomraade_id)
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
    facts: list[FagomraadeFacts] = []
    for area in areas:
        count, last_answer = answered.get(area.id, (0, None))
        fagomraade = to_fagomraade(area, totals.get(area.id, 0))
        facts.append(
            FagomraadeFacts(
                fagomraade=fagomraade,
                answered=count,
                owners=tuple(owners[area.id]),
                last_activity=_latest(aware(last_answer), fagomraade.indsendt_at),
            )
        )
    return facts


def _latest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None
