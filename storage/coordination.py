"""Set-up and assignment use cases: the kortlægning, its catalogue, people and tildelinger.

Each public method is one transaction, takes primitives and returns domain dataclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.domain.answers import normalise
from storage.domain.archive import SendStatus
from storage.domain.model import (
    CatalogueFagomraade,
    Fagomraade,
    Kortlaegning,
    NoKortlaegning,
    Person,
)
from storage.domain.progress import FagomraadeFacts
from storage.models import (
    AnswerRow,
    Bilag1VersionRow,
    FagomraadeRow,
    ItSystemRow,
    KortlaegningRow,
    PersonRow,
    SurveyPlaceRow,
    TildelingRow,
    TilfoejetSystemRow,
)
from storage.people import coordinators, fagomraade_facts, is_coordinator
from storage.rows import to_fagomraade, to_person
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class SetUpResult:
    kortlaegning: Kortlaegning
    fagomraader: int
    systemer: int
    answers_kept: int
    answers_dropped: int
    ny_runde: bool = False
    """Last round reached KOMBIT, so this set-up began a new round: answers, additions,
    submissions and assignments of the last one were cleared (the archive and audit keep them)."""


class CoordinationRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # --- people ------------------------------------------------------------------------
    async def ensure_person(
        self,
        tenant_id: str,
        aad_object_id: str,
        *,
        navn: str | None = None,
        email: str | None = None,
        teams_user_id: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> Person:
        """Find or create a person, refreshing name, e-mail and Teams id when given; in the
        given unit of work (not committed here), else in a transaction of its own."""
        if uow is not None:
            return await _ensure_person(
                uow.session, tenant_id, aad_object_id, navn, email, teams_user_id
            )
        async with self._sessions() as session, session.begin():
            return await _ensure_person(
                session, tenant_id, aad_object_id, navn, email, teams_user_id
            )

    async def person_by_key(self, tenant_id: str, aad_object_id: str) -> Person | None:
        """The person with this Entra ID object id (or Teams id, for a local trial), if known."""
        async with self._sessions() as session:
            row = await _person_row(session, tenant_id, aad_object_id)
            return to_person(row) if row is not None else None

    async def find_person(
        self, tenant_id: str, query: str, *, uow: UnitOfWork | None = None
    ) -> list[Person]:
        """People of the tenant whose e-mail equals, or whose name contains, the query."""
        wanted = query.strip().lower()
        folded = normalise(query)
        people = select(PersonRow).where(PersonRow.tenant_id == tenant_id)
        if uow is not None:
            rows = (await uow.session.scalars(people)).all()
        else:
            async with self._sessions() as session:
                rows = (await session.scalars(people)).all()
        by_email = [r for r in rows if r.email and r.email == wanted]
        if by_email:
            return [to_person(r) for r in by_email]
        return [to_person(r) for r in rows if folded and folded in normalise(r.navn)]

    async def coordinators(self, tenant_id: str, configured: Sequence[str] = ()) -> list[Person]:
        """Coordinators of the tenant: marked in the database, or named by e-mail in settings."""
        async with self._sessions() as session:
            return await coordinators(session, tenant_id, configured)

    async def is_koordinator(self, person_id: int, configured: Sequence[str] = ()) -> bool:
        async with self._sessions() as session:
            found = await session.scalar(
                select(PersonRow.id).where(PersonRow.id == person_id, is_coordinator(configured))
            )
            return found is not None

    async def make_koordinator(self, person_id: int) -> None:
        async with self._sessions() as session, session.begin():
            row = await session.get_one(PersonRow, person_id)
            row.is_koordinator = True

    async def has_koordinator(self, tenant_id: str, configured: Sequence[str] = ()) -> bool:
        return bool(await self.coordinators(tenant_id, configured))

    async def person(self, person_id: int) -> Person:
        async with self._sessions() as session:
            row = await session.get_one(PersonRow, person_id)
            return to_person(row)

    # --- the kortlægning ---------------------------------------------------------------
    async def kortlaegning(self, tenant_id: str) -> Kortlaegning | None:
        async with self._sessions() as session:
            row = await _kortlaegning_row(session, tenant_id)
            return _to_kortlaegning(row) if row else None

    async def round_delivered(self, tenant_id: str) -> bool:
        """Whether this round's Bilag 1 reached KOMBIT: the next set_up begins a new round."""
        async with self._sessions() as session:
            row = await _kortlaegning_row(session, tenant_id)
            return row is not None and await _delivered_this_round(session, row)

    async def set_up(
        self,
        tenant_id: str,
        *,
        kommunekode: str,
        slutdato: date,
        catalogue: Sequence[CatalogueFagomraade],
        template: bytes,
        template_filename: str,
        template_is_reference: bool,
        by_person_id: int,
        template_mapping: str | None = None,
    ) -> SetUpResult:
        """Create or replace the kortlægning; answers whose system still exists are kept.

        Fagområder and systems are matched by normalised name, so a corrected template keeps
        every answer that still has a place to go, and assignments stay with their area.

        Once this round's Bilag 1 has reached KOMBIT, the next set-up is the next round
        instead: the last round's answers, additions, submissions, survey places and
        assignments are cleared and the round begins anew (created_at). The delivered workbook
        stays in the archive, with who owned each area then, and who answered what in the
        audit, so last round can still be suggested (storage.suggestions.rounds).
        """
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            row = await _kortlaegning_row(session, tenant_id)
            ny_runde = row is not None and await _delivered_this_round(session, row)
            if row is None:
                row = KortlaegningRow(tenant_id=tenant_id, created_at=now)
                session.add(row)
            elif ny_runde:
                await _clear_round(session, row.id)
                row.created_at, row.started_at = now, None
            row.kommunekode = kommunekode
            row.slutdato = slutdato
            row.template = template
            row.template_filename = template_filename
            row.template_is_reference = template_is_reference
            row.template_mapping = template_mapping
            row.kontaktperson_id = row.kontaktperson_id or by_person_id
            row.updated_at = now
            await session.flush()

            existing = {
                normalise(f.navn): f
                for f in await session.scalars(
                    select(FagomraadeRow).where(FagomraadeRow.kortlaegning_id == row.id)
                )
            }
            kept_areas: set[int] = set()
            kept_systems: set[int] = set()
            system_count = 0
            for position, wanted in enumerate(catalogue):
                area = existing.get(normalise(wanted.navn))
                if area is None:
                    area = FagomraadeRow(kortlaegning_id=row.id, navn=wanted.navn)
                    session.add(area)
                area.navn, area.position = wanted.navn, position
                await session.flush()
                kept_areas.add(area.id)
                systems = {
                    normalise(s.navn): s
                    for s in await session.scalars(
                        select(ItSystemRow).where(ItSystemRow.fagomraade_id == area.id)
                    )
                }
                for system_position, listed in enumerate(wanted.systemer):
                    system = systems.get(normalise(listed.navn))
                    if system is None:
                        system = ItSystemRow(fagomraade_id=area.id, navn=listed.navn)
                        session.add(system)
                    system.navn = listed.navn
                    system.leverandoer = listed.leverandoer
                    system.beskrivelse = listed.beskrivelse
                    system.position = system_position
                    await session.flush()
                    kept_systems.add(system.id)
                    system_count += 1

            all_systems = (
                select(ItSystemRow.id)
                .join(FagomraadeRow)
                .where(FagomraadeRow.kortlaegning_id == row.id)
            )
            dropped_ids = [i for i in await session.scalars(all_systems) if i not in kept_systems]
            answers_dropped = 0
            if dropped_ids:
                answers_dropped = int(
                    await session.scalar(
                        select(func.count())
                        .select_from(AnswerRow)
                        .where(AnswerRow.it_system_id.in_(dropped_ids))
                    )
                    or 0
                )
                await session.execute(delete(ItSystemRow).where(ItSystemRow.id.in_(dropped_ids)))
            gone_areas = [a.id for a in existing.values() if a.id not in kept_areas]
            if gone_areas:
                await session.execute(delete(FagomraadeRow).where(FagomraadeRow.id.in_(gone_areas)))
            answers_kept = int(
                await session.scalar(
                    select(func.count())
                    .select_from(AnswerRow)
                    .join(ItSystemRow)
                    .join(FagomraadeRow)
                    .where(FagomraadeRow.kortlaegning_id == row.id)
                )
                or 0
            )
            return SetUpResult(
                kortlaegning=_to_kortlaegning(row),
                fagomraader=len(kept_areas),
                systemer=system_count,
                answers_kept=answers_kept,
                answers_dropped=answers_dropped,
                ny_runde=ny_runde,
            )

    async def fagomraader(self, tenant_id: str) -> list[Fagomraade]:
        async with self._sessions() as session:
            row = await _kortlaegning_row(session, tenant_id)
            if row is None:
                raise NoKortlaegning(tenant_id)
            return await _fagomraader(session, row.id)

    # --- tildelinger -------------------------------------------------------------------
    async def assign(self, fagomraade_id: int, person_id: int, *, by_person_id: int | None) -> bool:
        """Assign an area to a person; False when they already had it."""
        async with self._sessions() as session, session.begin():
            exists = await session.scalar(
                select(TildelingRow.id).where(
                    TildelingRow.fagomraade_id == fagomraade_id,
                    TildelingRow.person_id == person_id,
                )
            )
            if exists:
                return False
            session.add(
                TildelingRow(
                    fagomraade_id=fagomraade_id,
                    person_id=person_id,
                    assigned_by=by_person_id,
                    assigned_at=datetime.now(UTC),
                )
            )
            return True

    async def fagomraade_by_name(self, tenant_id: str, query: str) -> list[Fagomraade]:
        """Areas whose name equals the query, or failing that contains or starts it."""
        areas = await self.fagomraader(tenant_id)
        wanted = normalise(query)
        exact = [a for a in areas if normalise(a.navn) == wanted]
        if exact or not wanted:
            return exact
        return [a for a in areas if wanted in normalise(a.navn)]

    async def uninvited(self, tenant_id: str) -> list[tuple[Fagomraade, Person]]:
        """Assignments whose systemejer has not been invited yet, in workbook order."""
        async with self._sessions() as session:
            row = await _kortlaegning_row(session, tenant_id)
            if row is None:
                raise NoKortlaegning(tenant_id)
            areas = {a.id: a for a in await _fagomraader(session, row.id)}
            rows = await session.execute(
                select(TildelingRow.fagomraade_id, PersonRow)
                .join(PersonRow, PersonRow.id == TildelingRow.person_id)
                .where(
                    TildelingRow.fagomraade_id.in_(list(areas)),
                    TildelingRow.invited_at.is_(None),
                )
                .order_by(TildelingRow.id)
            )
            pairs = [(areas[area_id], to_person(person)) for area_id, person in rows]
            return sorted(pairs, key=lambda pair: pair[0].position)

    async def mark_invited(self, fagomraade_id: int, person_id: int) -> None:
        async with self._sessions() as session, session.begin():
            row = await session.scalar(
                select(TildelingRow).where(
                    TildelingRow.fagomraade_id == fagomraade_id,
                    TildelingRow.person_id == person_id,
                )
            )
            if row is not None:
                row.invited_at = datetime.now(UTC)

    async def mark_started(self, tenant_id: str) -> bool:
        """Record that invitations went out; False when the survey was started before."""
        async with self._sessions() as session, session.begin():
            row = await _kortlaegning_row(session, tenant_id)
            if row is None:
                raise NoKortlaegning(tenant_id)
            if row.started_at is not None:
                return False
            row.started_at = datetime.now(UTC)
            return True

    async def is_started(self, tenant_id: str) -> bool:
        async with self._sessions() as session:
            row = await _kortlaegning_row(session, tenant_id)
            return bool(row and row.started_at)

    async def status_facts(self, tenant_id: str) -> list[FagomraadeFacts]:
        """Per area: answered count, owners and last activity, for compute_progress."""
        async with self._sessions() as session:
            row = await _kortlaegning_row(session, tenant_id)
            if row is None:
                raise NoKortlaegning(tenant_id)
            return await fagomraade_facts(session, row.id)

    async def owners(self, fagomraade_id: int) -> list[Person]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(PersonRow)
                .join(TildelingRow, TildelingRow.person_id == PersonRow.id)
                .where(TildelingRow.fagomraade_id == fagomraade_id)
                .order_by(TildelingRow.assigned_at, TildelingRow.id)
            )
            return [to_person(r) for r in rows]


async def _ensure_person(
    session: AsyncSession,
    tenant_id: str,
    aad_object_id: str,
    navn: str | None,
    email: str | None,
    teams_user_id: str | None,
) -> Person:
    row = await _person_row(session, tenant_id, aad_object_id)
    if row is None:
        row = PersonRow(
            tenant_id=tenant_id,
            aad_object_id=aad_object_id,
            navn=navn or "",
            email=email.lower() if email else None,
            teams_user_id=teams_user_id,
            is_koordinator=False,
            created_at=datetime.now(UTC),
        )
        session.add(row)
    else:
        if navn:
            row.navn = navn
        if email:
            row.email = email.lower()
        if teams_user_id:
            row.teams_user_id = teams_user_id
    await session.flush()
    return to_person(row)


async def _person_row(
    session: AsyncSession, tenant_id: str, aad_object_id: str
) -> PersonRow | None:
    return await session.scalar(
        select(PersonRow).where(
            PersonRow.tenant_id == tenant_id, PersonRow.aad_object_id == aad_object_id
        )
    )


async def _kortlaegning_row(session: AsyncSession, tenant_id: str) -> KortlaegningRow | None:
    return await session.scalar(
        select(KortlaegningRow).where(KortlaegningRow.tenant_id == tenant_id)
    )


async def _delivered_this_round(session: AsyncSession, row: KortlaegningRow) -> bool:
    """Whether a workbook made in this round (since created_at) went to KOMBIT."""
    found = await session.scalar(
        select(Bilag1VersionRow.id)
        .where(
            Bilag1VersionRow.kortlaegning_id == row.id,
            Bilag1VersionRow.send_status.in_([s.value for s in SendStatus if s.delivered]),
            Bilag1VersionRow.created_at >= KortlaegningRow.created_at,
            KortlaegningRow.id == row.id,
        )
        .limit(1)
    )
    return found is not None


async def _clear_round(session: AsyncSession, kortlaegning_id: int) -> None:
    """Clear what people did in the last round, keeping its areas and systems to match."""
    areas = select(FagomraadeRow.id).where(FagomraadeRow.kortlaegning_id == kortlaegning_id)
    systems = select(ItSystemRow.id).where(ItSystemRow.fagomraade_id.in_(areas))
    await session.execute(delete(AnswerRow).where(AnswerRow.it_system_id.in_(systems)))
    await session.execute(
        delete(TilfoejetSystemRow).where(TilfoejetSystemRow.fagomraade_id.in_(areas))
    )
    await session.execute(delete(SurveyPlaceRow).where(SurveyPlaceRow.fagomraade_id.in_(areas)))
    await session.execute(delete(TildelingRow).where(TildelingRow.fagomraade_id.in_(areas)))
    await session.execute(
        update(FagomraadeRow)
        .where(FagomraadeRow.kortlaegning_id == kortlaegning_id)
        .values(indsendt_at=None, indsendt_by=None)
        .execution_options(synchronize_session=False)
    )


async def _fagomraader(session: AsyncSession, kortlaegning_id: int) -> list[Fagomraade]:
    counts = (
        select(ItSystemRow.fagomraade_id, func.count().label("n"))
        .group_by(ItSystemRow.fagomraade_id)
        .subquery()
    )
    rows = await session.execute(
        select(FagomraadeRow, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.fagomraade_id == FagomraadeRow.id)
        .where(FagomraadeRow.kortlaegning_id == kortlaegning_id)
        .order_by(FagomraadeRow.position)
    )
    return [to_fagomraade(area, int(n)) for area, n in rows]


def _to_kortlaegning(row: KortlaegningRow) -> Kortlaegning:
    return Kortlaegning(
        id=row.id, tenant_id=row.tenant_id, kommunekode=row.kommunekode, slutdato=row.slutdato
    )
