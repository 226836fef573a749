"""Survey use cases over SQL: a systemejer's answers, additions, submission and hand-over.

Each public method is one transaction and returns domain objects. Every change writes an
audit row (who, when, old → new); the last answer wins when two people answer one area.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.domain.answers import normalise
from storage.domain.model import (
    AlreadySubmitted,
    Answer,
    AnswerChange,
    Anvendelse,
    Fagomraade,
    FagomraadeOverview,
    ItSystem,
    KortlaegningError,
    NotAssigned,
    SystemAnswer,
    TilfoejetSystem,
)
from storage.models import (
    AnswerRow,
    AuditRow,
    FagomraadeRow,
    ItSystemRow,
    KortlaegningRow,
    TildelingRow,
    TilfoejetSystemRow,
)


class UnknownSystem(KortlaegningError):
    def __init__(self, system_id: int) -> None:
        super().__init__(f"no it_system {system_id}")
        self.system_id = system_id


@dataclass(frozen=True, slots=True)
class SubmitResult:
    fagomraade_id: int
    all_submitted: bool
    kortlaegning_id: int


class SurveyRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def my_fagomraader(self, person_id: int) -> list[FagomraadeOverview]:
        """The person's areas in workbook order, each with its systems and answers."""
        async with self._sessions() as session:
            ids = await session.scalars(
                select(FagomraadeRow.id)
                .join(TildelingRow, TildelingRow.fagomraade_id == FagomraadeRow.id)
                .where(TildelingRow.person_id == person_id)
                .order_by(FagomraadeRow.position)
            )
            return [await _overview(session, area_id) for area_id in ids.all()]

    async def overview(self, fagomraade_id: int, person_id: int) -> FagomraadeOverview:
        async with self._sessions() as session:
            return await _overview(session, fagomraade_id, assigned_to=person_id)

    async def read_overview(self, fagomraade_id: int) -> FagomraadeOverview:
        """An area for a coordinator's eyes: no assignment needed (the caller checked the role)."""
        async with self._sessions() as session:
            return await _overview(session, fagomraade_id)

    async def record_answer(
        self,
        person_id: int,
        system_id: int,
        anvendelse: Anvendelse,
        bemaerkning: str | None = None,
        *,
        expect_open: bool = True,
        keep_bemaerkning: bool = False,
        at: datetime | None = None,
    ) -> AnswerChange:
        """Store an answer (last write wins); an identical answer changes and audits nothing.

        expect_open refuses with AlreadySubmitted once the area is submitted: a card from
        the survey flow pressed late must not change a submitted area, whereas a deliberate
        correction (expect_open=False) may, until the workbook is sent. keep_bemaerkning is
        for inputs without a remark field (the form), which must not wipe a remark given
        elsewhere.
        """
        async with self._sessions() as session, session.begin():
            [change] = await _record(
                session,
                person_id,
                [(system_id, anvendelse, bemaerkning)],
                expect_open=expect_open,
                keep_bemaerkning=keep_bemaerkning,
                at=at or datetime.now(UTC),
            )
            return change

    async def record_answers(
        self,
        person_id: int,
        answers: Sequence[tuple[int, Anvendelse]],
        *,
        expect_open: bool = True,
        keep_bemaerkning: bool = False,
        at: datetime | None = None,
    ) -> list[AnswerChange]:
        """Store several answers without remarks (a form page) in one transaction.

        The rules of record_answer apply to each, in order; one changes list is returned in
        the same order. Any refusal (UnknownSystem, NotAssigned, AlreadySubmitted) stores none.
        """
        if not answers:
            return []
        async with self._sessions() as session, session.begin():
            return await _record(
                session,
                person_id,
                [(system_id, anvendelse, None) for system_id, anvendelse in answers],
                expect_open=expect_open,
                keep_bemaerkning=keep_bemaerkning,
                at=at or datetime.now(UTC),
            )

    async def add_tilfoejet(
        self,
        person_id: int,
        fagomraade_id: int,
        *,
        navn: str,
        leverandoer: str | None,
        svarer_til: str | None,
        anvendelse: Anvendelse | None,
        bemaerkning: str | None,
    ) -> tuple[TilfoejetSystem, bool]:
        """Add a system missing from the list; an identical name in the area is not added twice.

        Returns the added (or already present) system and whether it was created now, so a
        double-pressed card adds one system, not two.
        """
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            area = await _require_assigned(session, fagomraade_id, person_id)
            present = await session.scalars(
                select(TilfoejetSystemRow).where(
                    TilfoejetSystemRow.fagomraade_id == fagomraade_id,
                    TilfoejetSystemRow.removed_at.is_(None),
                )
            )
            for existing in present:
                if normalise(existing.navn) == normalise(navn):
                    return _to_tilfoejet(existing), False
            row = TilfoejetSystemRow(
                fagomraade_id=fagomraade_id,
                navn=navn.strip(),
                leverandoer=_clean(leverandoer),
                svarer_til=_clean(svarer_til),
                anvendelse=anvendelse,
                bemaerkning=_clean(bemaerkning),
                added_by=person_id,
                added_at=now,
            )
            session.add(row)
            await session.flush()
            session.add(
                AuditRow(
                    kortlaegning_id=area.kortlaegning_id,
                    person_id=person_id,
                    action="add_system",
                    tilfoejet_id=row.id,
                    new_value=row.navn,
                    at=now,
                )
            )
            return _to_tilfoejet(row), True

    async def remove_tilfoejet(self, person_id: int, tilfoejet_id: int) -> TilfoejetSystem | None:
        """Mark an added system removed; None when it was already gone."""
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            row = await session.get(TilfoejetSystemRow, tilfoejet_id)
            if row is None or row.removed_at is not None:
                return None
            area = await _require_assigned(session, row.fagomraade_id, person_id)
            row.removed_at = now
            session.add(
                AuditRow(
                    kortlaegning_id=area.kortlaegning_id,
                    person_id=person_id,
                    action="remove_system",
                    tilfoejet_id=row.id,
                    old_value=row.navn,
                    at=now,
                )
            )
            return _to_tilfoejet(row)

    async def submit(self, person_id: int, fagomraade_id: int) -> SubmitResult:
        """Submit the area; AlreadySubmitted when someone did so before."""
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            area = await _require_assigned(session, fagomraade_id, person_id, lock=True)
            if area.indsendt_at is not None:
                raise AlreadySubmitted(area.id)
            area.indsendt_at, area.indsendt_by = now, person_id
            session.add(
                AuditRow(
                    kortlaegning_id=area.kortlaegning_id,
                    person_id=person_id,
                    action="submit",
                    at=now,
                )
            )
            await session.flush()
            open_areas = await session.scalar(
                select(func.count())
                .select_from(FagomraadeRow)
                .where(
                    FagomraadeRow.kortlaegning_id == area.kortlaegning_id,
                    FagomraadeRow.indsendt_at.is_(None),
                )
            )
            return SubmitResult(
                fagomraade_id=area.id,
                all_submitted=not open_areas,
                kortlaegning_id=area.kortlaegning_id,
            )

    async def hand_over(self, fagomraade_id: int, *, from_id: int, to_id: int) -> None:
        """Move the assignment from one person to another (no-op parts are harmless)."""
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            area = await _require_assigned(session, fagomraade_id, from_id)
            await session.execute(
                delete(TildelingRow).where(
                    TildelingRow.fagomraade_id == fagomraade_id, TildelingRow.person_id == from_id
                )
            )
            already = await session.scalar(
                select(TildelingRow.id).where(
                    TildelingRow.fagomraade_id == fagomraade_id, TildelingRow.person_id == to_id
                )
            )
            if not already:
                session.add(
                    TildelingRow(
                        fagomraade_id=fagomraade_id,
                        person_id=to_id,
                        assigned_by=from_id,
                        assigned_at=now,
                    )
                )
            session.add(
                AuditRow(
                    kortlaegning_id=area.kortlaegning_id,
                    person_id=from_id,
                    action="hand_over",
                    old_value=str(from_id),
                    new_value=str(to_id),
                    at=now,
                )
            )


async def _require_assigned(
    session: AsyncSession, fagomraade_id: int, person_id: int, *, lock: bool = False
) -> FagomraadeRow:
    query = (
        select(FagomraadeRow)
        .join(TildelingRow, TildelingRow.fagomraade_id == FagomraadeRow.id)
        .where(FagomraadeRow.id == fagomraade_id, TildelingRow.person_id == person_id)
    )
    area = await session.scalar(query.with_for_update() if lock else query)
    if area is None:
        raise NotAssigned(fagomraade_id, person_id)
    return area


_SYSTEM_COLUMNS = (
    ItSystemRow.id,
    ItSystemRow.fagomraade_id,
    ItSystemRow.navn,
    ItSystemRow.leverandoer,
    ItSystemRow.beskrivelse,
    ItSystemRow.position,
)
"""ItSystem's fields, in its order."""
_ANSWER_COLUMNS = (
    AnswerRow.anvendelse,
    AnswerRow.bemaerkning,
    AnswerRow.answered_by,
    AnswerRow.answered_at,
)
"""Answer's fields after it_system_id, in its order."""
_TILFOEJET_COLUMNS = (
    TilfoejetSystemRow.id,
    TilfoejetSystemRow.fagomraade_id,
    TilfoejetSystemRow.navn,
    TilfoejetSystemRow.leverandoer,
    TilfoejetSystemRow.svarer_til,
    TilfoejetSystemRow.anvendelse,
    TilfoejetSystemRow.bemaerkning,
)
"""TilfoejetSystem's fields, in its order."""


_ANSWERS = AnswerRow.__table__
_UPDATE_ANSWER = update(_ANSWERS).where(_ANSWERS.c.it_system_id == bindparam("system_id"))
"""One stored answer replaced: the SET columns are the other keys of each parameter set."""


def _answer_values(answer: Answer) -> dict[str, object]:
    return {
        "anvendelse": answer.anvendelse,
        "bemaerkning": answer.bemaerkning,
        "answered_by": answer.answered_by,
        "answered_at": answer.answered_at,
    }


# The statements of every survey turn, built once: building a statement and computing its
# cache key cost more Python than running it. Values go in as bound parameters.
_AREA_COLUMNS = select(
    FagomraadeRow.id,
    FagomraadeRow.navn,
    FagomraadeRow.position,
    FagomraadeRow.indsendt_at,
    FagomraadeRow.kortlaegning_id,
    KortlaegningRow.slutdato,
).join(KortlaegningRow, KortlaegningRow.id == FagomraadeRow.kortlaegning_id)
_AREA = _AREA_COLUMNS.where(FagomraadeRow.id == bindparam("area"))
_ASSIGNED_AREA = _AREA.join(
    TildelingRow,
    (TildelingRow.fagomraade_id == FagomraadeRow.id)
    & (TildelingRow.person_id == bindparam("person")),
)
_LINES = (
    select(*_SYSTEM_COLUMNS, *_ANSWER_COLUMNS)
    .outerjoin(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
    .where(ItSystemRow.fagomraade_id == bindparam("area"))
    .order_by(ItSystemRow.position)
)
_ADDED = (
    select(*_TILFOEJET_COLUMNS)
    .where(
        TilfoejetSystemRow.fagomraade_id == bindparam("area"),
        TilfoejetSystemRow.removed_at.is_(None),
    )
    .order_by(TilfoejetSystemRow.id)
)
_STORED_ANSWERS = (
    select(AnswerRow.it_system_id, *_ANSWER_COLUMNS)
    .where(AnswerRow.it_system_id.in_(bindparam("systems", expanding=True)))
    .with_for_update()
)
_SYSTEMS_FOR = (
    select(
        ItSystemRow.id,
        FagomraadeRow.id,
        FagomraadeRow.kortlaegning_id,
        FagomraadeRow.indsendt_at,
        TildelingRow.id,
    )
    .join(FagomraadeRow, FagomraadeRow.id == ItSystemRow.fagomraade_id)
    .outerjoin(
        TildelingRow,
        (TildelingRow.fagomraade_id == FagomraadeRow.id)
        & (TildelingRow.person_id == bindparam("person")),
    )
    .where(ItSystemRow.id.in_(bindparam("systems", expanding=True)))
)


async def _record(
    session: AsyncSession,
    person_id: int,
    answers: Sequence[tuple[int, Anvendelse, str | None]],
    *,
    expect_open: bool,
    keep_bemaerkning: bool,
    at: datetime,
) -> list[AnswerChange]:
    """record_answer's rules for each answer, after two queries whatever their number.

    The answers are read first and locked (PostgreSQL), so two people answering one system at
    once are serialised and the second sees the first's answer as its previous one (a lock
    on the system's row would not: the outer-joined answer would still be read as it was
    before the wait). Then systems, areas and the person's assignment in one query.
    """
    wanted = sorted({system_id for system_id, _a, _b in answers})
    stored = {
        row[0]: Answer(*row) for row in await session.execute(_STORED_ANSWERS, {"systems": wanted})
    }
    found = await session.execute(_SYSTEMS_FOR, {"systems": wanted, "person": person_id})
    systems = {row[0]: row for row in found}
    latest: dict[int, Answer] = dict(stored)
    written: dict[int, Answer] = {}
    audits: list[dict[str, object]] = []
    changes: list[AnswerChange] = []
    for system_id, anvendelse, given in answers:
        if system_id not in systems:
            raise UnknownSystem(system_id)
        _sid, area_id, kortlaegning_id, indsendt_at, tildeling_id = systems[system_id]
        if tildeling_id is None:
            raise NotAssigned(area_id, person_id)
        if expect_open and indsendt_at is not None:
            raise AlreadySubmitted(area_id)
        previous = latest.get(system_id)
        bemaerkning = (given or "").strip() or None
        if keep_bemaerkning and previous is not None:
            bemaerkning = previous.bemaerkning
        if (
            previous is not None
            and previous.anvendelse == anvendelse
            and previous.bemaerkning == bemaerkning
        ):
            changes.append(AnswerChange(answer=previous, previous=previous, changed=False))
            continue
        answer = Answer(system_id, anvendelse, bemaerkning, person_id, at)
        latest[system_id] = written[system_id] = answer
        audits.append(
            {
                "kortlaegning_id": kortlaegning_id,
                "person_id": person_id,
                "action": "answer",
                "it_system_id": system_id,
                "old_value": _describe(previous),
                "new_value": _describe(answer),
                "at": at,
            }
        )
        changes.append(AnswerChange(answer=answer, previous=previous, changed=True))
    # Core statements, each one round trip however many answers: the ORM's unit of work and
    # its bulk paths cost more than the SQL on every answer turn.
    updated = [
        {"system_id": sid, **_answer_values(a)} for sid, a in written.items() if sid in stored
    ]
    inserted = [
        {"it_system_id": sid, **_answer_values(a)}
        for sid, a in written.items()
        if sid not in stored
    ]
    if updated:
        await session.execute(_UPDATE_ANSWER, updated)
    if inserted:
        await session.execute(insert(_ANSWERS), inserted)
    if audits:
        await session.execute(insert(AuditRow.__table__), audits)
    return changes


async def _overview(
    session: AsyncSession, fagomraade_id: int, *, assigned_to: int | None = None
) -> FagomraadeOverview:
    """The area with its systems, answers and additions; NotAssigned when assigned_to is given
    and that person does not have the area (a missing area raises NoResultFound otherwise).

    Plain columns, not entities: every turn of the survey reads the whole area, and rows skip
    the identity map and instance bookkeeping that 30-100 entities would cost.
    """
    parameters = {"area": fagomraade_id, "person": assigned_to}
    query = _AREA if assigned_to is None else _ASSIGNED_AREA
    area = (await session.execute(query, parameters)).first()
    if area is None:
        if assigned_to is not None:
            raise NotAssigned(fagomraade_id, assigned_to)
        raise NoResultFound(f"no fagomraade {fagomraade_id}")
    rows = await session.execute(_LINES, parameters)
    split = len(_SYSTEM_COLUMNS)
    lines = tuple(
        SystemAnswer(
            system=ItSystem(*row[:split]),
            answer=Answer(row[0], *row[split:]) if row[split] is not None else None,
        )
        for row in rows
    )
    added = await session.execute(_ADDED, parameters)
    return FagomraadeOverview(
        fagomraade=Fagomraade(
            id=area.id,
            navn=area.navn,
            position=area.position,
            antal_systemer=len(lines),
            indsendt_at=area.indsendt_at,
        ),
        kortlaegning_id=area.kortlaegning_id,
        slutdato=area.slutdato,
        systemer=lines,
        tilfoejede=tuple(TilfoejetSystem(*row) for row in added),
    )


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _describe(answer: Answer | None) -> str | None:
    if answer is None:
        return None
    return f"{answer.anvendelse.value}|{answer.bemaerkning or ''}"


def _to_tilfoejet(row: TilfoejetSystemRow) -> TilfoejetSystem:
    return TilfoejetSystem(
        id=row.id,
        fagomraade_id=row.fagomraade_id,
        navn=row.navn,
        leverandoer=row.leverandoer,
        svarer_til=row.svarer_til,
        anvendelse=row.anvendelse,
        bemaerkning=row.bemaerkning,
    )
