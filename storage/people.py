"""Who coordinates, and what is known of each fagomraade: one query each, shared.

The coordinator's commands, the outbox's notices, status and the reminder runner all ask
these questions; asking them once here keeps their answers the same everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.domain.forslag import Forslag, Kilde, forslag_counts, is_shown, preferred
from storage.domain.model import Answer, Person
from storage.domain.progress import FagomraadeFacts
from storage.models import (
    AnswerRow,
    FagomraadeRow,
    ForslagRow,
    ItSystemRow,
    PersonRow,
    TildelingRow,
)
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
    the submission, whichever came last. Answers that confirmed a suggestion are counted, and
    so are answers given otherwise than the suggestion their system's card showed.
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
    answered: dict[int, tuple[int, datetime | None, int]] = {
        area_id: (count, last, int(confirmed or 0))
        for area_id, count, last, confirmed in await session.execute(
            select(
                ItSystemRow.fagomraade_id,
                func.count(),
                func.max(AnswerRow.answered_at),
                func.sum(case((AnswerRow.kilde != Kilde.SVAR.value, 1), else_=0)),
            )
            .join(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
            .where(ItSystemRow.fagomraade_id.in_(ids))
            .group_by(ItSystemRow.fagomraade_id)
        )
    }
    changed = await _changed_suggestions(session, ids)
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
        count, last_answer, confirmed = answered.get(area.id, (0, None, 0))
        fagomraade = to_fagomraade(area, totals.get(area.id, 0))
        facts.append(
            FagomraadeFacts(
                fagomraade=fagomraade,
                answered=count,
                owners=tuple(owners[area.id]),
                last_activity=_latest(aware(last_answer), fagomraade.indsendt_at),
                bekraeftede_forslag=confirmed,
                aendrede_forslag=changed.get(area.id, 0),
            )
        )
    return facts


async def _changed_suggestions(session: AsyncSession, area_ids: list[int]) -> dict[int, int]:
    """Per area, the typed or pressed answers that differ from their system's shown suggestion."""
    answers: dict[int, tuple[int, Answer]] = {}
    suggested: dict[int, list[Forslag]] = defaultdict(list)
    for row in await session.execute(
        select(
            ItSystemRow.fagomraade_id,
            AnswerRow.it_system_id,
            AnswerRow.anvendelse.label("svar"),
            AnswerRow.answered_by,
            AnswerRow.answered_at,
            ForslagRow.id,
            ForslagRow.kilde,
            ForslagRow.anvendelse,
            ForslagRow.kilde_navn,
            ForslagRow.sikker,
            ForslagRow.afgjort,
        )
        .join(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
        .join(ForslagRow, ForslagRow.it_system_id == ItSystemRow.id)
        .where(
            ItSystemRow.fagomraade_id.in_(area_ids),
            AnswerRow.kilde == Kilde.SVAR.value,
            ForslagRow.anvendelse.is_not(None),
        )
    ):
        answer = Answer(row.it_system_id, row.svar, None, row.answered_by, row.answered_at)
        answers[row.it_system_id] = (row.fagomraade_id, answer)
        if is_shown(sikker=row.sikker, afgjort=row.afgjort):
            suggested[row.it_system_id].append(
                Forslag(
                    row.id, row.it_system_id, Kilde(row.kilde), row.anvendelse, None, row.kilde_navn
                )
            )
    shown = {
        system_id: forslag
        for system_id, candidates in suggested.items()
        if (forslag := preferred(candidates)) is not None
    }
    by_area: dict[int, list[Answer]] = defaultdict(list)
    for area_id, answer in answers.values():
        by_area[area_id].append(answer)
    return {area_id: forslag_counts(given, shown)[1] for area_id, given in by_area.items()}


def _latest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None
