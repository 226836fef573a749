"""Survey use cases over SQL: a systemejer's answers, additions, submission and hand-over.

Each public method is one transaction and returns domain objects. Given the turn's
UnitOfWork it runs in that transaction and does not commit: the turn commits once. Every
change writes an audit row (who, when, old → new); the rules of answering live in
storage/domain/answer_rules.py.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    String,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import CompoundSelect

from storage.db import dialect_of, insert_for
from storage.domain.answer_rules import check_may_answer, decide_answer, describe
from storage.domain.answers import normalise
from storage.domain.archive import SendStatus
from storage.domain.forslag import (
    SOURCE_ORDER,
    Afgjort,
    Forslag,
    UdgaaetSystem,
    preferred,
)
from storage.domain.model import (
    AlreadySubmitted,
    Answer,
    AnswerChange,
    Anvendelse,
    Fagomraade,
    FagomraadeOverview,
    ItSystem,
    Kilde,
    KortlaegningError,
    NotAssigned,
    SystemAnswer,
    TilfoejetSystem,
)
from storage.domain.place import Phase, SurveyPlace
from storage.models import (
    AnswerRow,
    AuditRow,
    Bilag1VersionRow,
    FagomraadeRow,
    ForslagRow,
    ForslagTilfoejelseRow,
    ForslagUdgaaetRow,
    ItSystemRow,
    KortlaegningRow,
    SurveyPlaceRow,
    TildelingRow,
    TilfoejetSystemRow,
    table_of,
)
from storage.rows import to_tilfoejelse
from storage.unit_of_work import UnitOfWork


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

    @contextlib.asynccontextmanager
    async def _transaction(self, uow: UnitOfWork | None) -> AsyncIterator[AsyncSession]:
        """The turn's transaction when given one (never committed here), else our own."""
        if uow is not None:
            yield uow.session
            return
        async with self._sessions() as session, session.begin():
            yield session

    @contextlib.asynccontextmanager
    async def _reading(self, uow: UnitOfWork | None) -> AsyncIterator[AsyncSession]:
        """The turn's session when given one, else a session of our own that only reads."""
        if uow is not None:
            yield uow.session
            return
        async with self._sessions() as session:
            yield session

    # --- the survey place ---------------------------------------------------------------
    async def place(self, uow: UnitOfWork, person_id: int) -> SurveyPlace | None:
        """Where the person is in the survey, if anywhere."""
        row = (await uow.session.execute(_PLACE, {"person": person_id})).first()
        if row is None:
            return None
        return SurveyPlace(
            fagomraade_id=row.fagomraade_id,
            phase=Phase(row.phase),
            system_id=row.system_id,
            page=row.page,
            correcting=row.correcting,
            card_id=row.card_activity_id,
            card_token=row.card_token,
        )

    async def save_place(
        self, uow: UnitOfWork, person_id: int, place: SurveyPlace | None, *, at: datetime
    ) -> None:
        """Store the person's new place; None forgets it (the area is submitted or gone)."""
        session = uow.session
        if place is None:
            await session.execute(_FORGET_PLACE, {"person": person_id})
            return
        await session.execute(
            _save_place_statement(dialect_of(session)),
            {
                "person_id": person_id,
                "fagomraade_id": place.fagomraade_id,
                "phase": place.phase.value,
                "system_id": place.system_id,
                "page": place.page,
                "correcting": place.correcting,
                "card_activity_id": place.card_id,
                "card_token": place.card_token,
                "updated_at": at,
            },
        )

    # --- reading ------------------------------------------------------------------------
    async def my_fagomraader(
        self, person_id: int, *, uow: UnitOfWork | None = None
    ) -> list[FagomraadeOverview]:
        """The person's areas in workbook order, each with its systems and answers."""
        async with self._reading(uow) as session:
            ids = await session.scalars(
                select(FagomraadeRow.id)
                .join(TildelingRow, TildelingRow.fagomraade_id == FagomraadeRow.id)
                .where(TildelingRow.person_id == person_id)
                .order_by(FagomraadeRow.position)
            )
            return [await _overview(session, area_id) for area_id in ids.all()]

    async def overview(
        self, fagomraade_id: int, person_id: int, *, uow: UnitOfWork | None = None
    ) -> FagomraadeOverview:
        """The area as its systemejer sees it; NotAssigned when it is not theirs.

        Read in a turn's transaction, the area's row is locked (PostgreSQL) until the turn
        commits: two people answering in one area are serialised, and the answers this read
        returns are those the turn's rules are applied to (see record_answer's overview).
        """
        if uow is not None:
            return await _overview(uow.session, fagomraade_id, assigned_to=person_id, lock=True)
        async with self._sessions() as session:
            return await _overview(session, fagomraade_id, assigned_to=person_id)

    async def read_overview(
        self, fagomraade_id: int, *, uow: UnitOfWork | None = None
    ) -> FagomraadeOverview:
        """An area without asking for an assignment: for a coordinator's eyes (the caller
        checked the role), or to show the final state of a card after a hand-over."""
        async with self._reading(uow) as session:
            return await _overview(session, fagomraade_id)

    # --- changing -----------------------------------------------------------------------
    async def record_answer(
        self,
        person_id: int,
        system_id: int,
        anvendelse: Anvendelse,
        bemaerkning: str | None = None,
        *,
        correcting: bool = False,
        keep_bemaerkning: bool = False,
        at: datetime | None = None,
        uow: UnitOfWork | None = None,
        overview: FagomraadeOverview | None = None,
        kilde: Kilde = Kilde.SVAR,
    ) -> AnswerChange:
        """Store an answer (last write wins); an identical answer changes and audits nothing.

        The rules are storage/domain/answer_rules.py's: AlreadySubmitted once the area is
        submitted unless `correcting`; keep_bemaerkning for inputs without a remark field
        (the form), which must not wipe a remark given elsewhere. `overview` is the area
        as read in the same unit of work (`overview(..., uow=)`), which saves reading the
        stored answers and the assignment again.
        """
        async with self._transaction(uow) as session:
            [change] = await _record(
                session,
                person_id,
                [(system_id, anvendelse, bemaerkning, kilde)],
                correcting=correcting,
                keep_bemaerkning=keep_bemaerkning,
                at=at or datetime.now(UTC),
                overview=overview,
            )
            return change

    async def record_answers(
        self,
        person_id: int,
        answers: Sequence[tuple[int, Anvendelse]],
        *,
        bemaerkninger: Mapping[int, str | None] | None = None,
        kilder: Mapping[int, Kilde] | None = None,
        correcting: bool = False,
        keep_bemaerkning: bool = False,
        at: datetime | None = None,
        uow: UnitOfWork | None = None,
        overview: FagomraadeOverview | None = None,
    ) -> list[AnswerChange]:
        """Store several answers (a form page) in one transaction.

        `bemaerkninger` holds the remark given with each answer, by system id (a form with
        remark fields); without it, or with keep_bemaerkning, the answers carry none. The
        rules of record_answer apply to each, in order; one changes list is returned in the
        same order. Any refusal (UnknownSystem, NotAssigned, AlreadySubmitted) stores none.
        `kilder` says, by system id, which answers confirm a suggestion (the rest are SVAR).
        """
        if not answers:
            return []
        remarks = bemaerkninger or {}
        sources = kilder or {}
        async with self._transaction(uow) as session:
            return await _record(
                session,
                person_id,
                [
                    (
                        system_id,
                        anvendelse,
                        remarks.get(system_id),
                        sources.get(system_id, Kilde.SVAR),
                    )
                    for system_id, anvendelse in answers
                ],
                correcting=correcting,
                keep_bemaerkning=keep_bemaerkning,
                at=at or datetime.now(UTC),
                overview=overview,
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
        uow: UnitOfWork | None = None,
    ) -> tuple[TilfoejetSystem, bool]:
        """Add a system missing from the list; an identical name in the area is not added twice.

        Returns the added (or already present) system and whether it was created now, so a
        double-pressed card adds one system, not two.
        """
        now = datetime.now(UTC)
        async with self._transaction(uow) as session:
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
            await _audit(
                session,
                [
                    _audit_row(
                        area.kortlaegning_id,
                        person_id,
                        "add_system",
                        now,
                        tilfoejet_id=row.id,
                        new_value=row.navn,
                    )
                ],
            )
            return _to_tilfoejet(row), True

    async def remove_tilfoejet(
        self, person_id: int, tilfoejet_id: int, *, uow: UnitOfWork | None = None
    ) -> TilfoejetSystem | None:
        """Mark an added system removed; None when it was already gone."""
        now = datetime.now(UTC)
        async with self._transaction(uow) as session:
            row = await session.get(TilfoejetSystemRow, tilfoejet_id)
            if row is None or row.removed_at is not None:
                return None
            area = await _require_assigned(session, row.fagomraade_id, person_id)
            row.removed_at = now
            await session.flush()
            await _audit(
                session,
                [
                    _audit_row(
                        area.kortlaegning_id,
                        person_id,
                        "remove_system",
                        now,
                        tilfoejet_id=row.id,
                        old_value=row.navn,
                    )
                ],
            )
            return _to_tilfoejet(row)

    async def submit(
        self, person_id: int, fagomraade_id: int, *, uow: UnitOfWork | None = None
    ) -> SubmitResult:
        """Submit the area; AlreadySubmitted when someone did so before."""
        now = datetime.now(UTC)
        async with self._transaction(uow) as session:
            area = await _require_assigned(session, fagomraade_id, person_id, lock=True)
            if area.indsendt_at is not None:
                raise AlreadySubmitted(area.id)
            area.indsendt_at, area.indsendt_by = now, person_id
            await session.flush()
            await _audit(session, [_audit_row(area.kortlaegning_id, person_id, "submit", now)])
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

    async def hand_over(
        self,
        fagomraade_id: int,
        *,
        from_id: int,
        to_id: int,
        uow: UnitOfWork | None = None,
    ) -> None:
        """Move the assignment from one person to another (no-op parts are harmless)."""
        now = datetime.now(UTC)
        async with self._transaction(uow) as session:
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
                await session.flush()
            await _audit(
                session,
                [
                    _audit_row(
                        area.kortlaegning_id,
                        from_id,
                        "hand_over",
                        now,
                        old_value=str(from_id),
                        new_value=str(to_id),
                    )
                ],
            )


_PLACES = table_of(SurveyPlaceRow)
_PLACE = select(
    _PLACES.c.fagomraade_id,
    _PLACES.c.phase,
    _PLACES.c.system_id,
    _PLACES.c.page,
    _PLACES.c.correcting,
    _PLACES.c.card_activity_id,
    _PLACES.c.card_token,
).where(_PLACES.c.person_id == bindparam("person"))
_PLACE_COLUMNS = (
    "fagomraade_id",
    "phase",
    "system_id",
    "page",
    "correcting",
    "card_activity_id",
    "card_token",
    "updated_at",
)
_FORGET_PLACE = delete(_PLACES).where(_PLACES.c.person_id == bindparam("person"))


@functools.cache
def _save_place_statement(dialect_name: str) -> Any:
    """INSERT … ON CONFLICT (person) DO UPDATE of the place, built once per dialect."""
    statement = insert_for(dialect_name)(_PLACES)
    return statement.on_conflict_do_update(
        index_elements=[_PLACES.c.person_id],
        set_={column: statement.excluded[column] for column in _PLACE_COLUMNS},
    )


_AUDIT = insert(table_of(AuditRow))


def _audit_row(
    kortlaegning_id: int,
    person_id: int,
    action: str,
    at: datetime,
    *,
    it_system_id: int | None = None,
    tilfoejet_id: int | None = None,
    old_value: str | None = None,
    new_value: str | None = None,
    kilde: Kilde | None = None,
) -> dict[str, object]:
    return {
        "kortlaegning_id": kortlaegning_id,
        "person_id": person_id,
        "action": action,
        "it_system_id": it_system_id,
        "tilfoejet_id": tilfoejet_id,
        "old_value": old_value,
        "new_value": new_value,
        "at": at,
        "kilde": kilde.value if kilde is not None else None,
    }


async def _audit(session: AsyncSession, rows: Sequence[Mapping[str, object]]) -> None:
    """The one way an audit row is written: one INSERT, however many rows."""
    if rows:
        await session.execute(_AUDIT, list(rows))


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


_ANSWERS = table_of(AnswerRow)
_UPDATE_ANSWER = update(_ANSWERS).where(_ANSWERS.c.it_system_id == bindparam("system_id"))
"""One stored answer replaced: the SET columns are the other keys of each parameter set."""


def _answer_values(answer: Answer) -> dict[str, object]:
    return {
        "anvendelse": answer.anvendelse,
        "bemaerkning": answer.bemaerkning,
        "answered_by": answer.answered_by,
        "answered_at": answer.answered_at,
        "kilde": answer.kilde.value,
    }


# The statements of every survey turn, built once: building a statement and computing its
# cache key cost more Python than running it. Values go in as bound parameters. Rows are
# plain columns, not entities (no identity map for 30-100 rows a turn), and are mapped to
# domain objects by column label, never by position.
_CHANGE_UNANNOUNCED = (
    # Whether the newest delivered Bilag 1 still waits for the notice of a later change
    # (NULL: nothing delivered). Read with the area, so that an answer turn asks the archive
    # for the notice (ArchiveRepository.claim_change_notice) only when there is one to claim.
    select(Bilag1VersionRow.change_noticed_at.is_(None))
    .where(
        Bilag1VersionRow.kortlaegning_id == FagomraadeRow.kortlaegning_id,
        Bilag1VersionRow.send_status.in_(
            [status.value for status in SendStatus if status.delivered]
        ),
    )
    .order_by(Bilag1VersionRow.nummer.desc())
    .limit(1)
    .scalar_subquery()
)


_AREA_COLUMNS = select(
    FagomraadeRow.id,
    FagomraadeRow.navn,
    FagomraadeRow.position,
    FagomraadeRow.indsendt_at,
    FagomraadeRow.kortlaegning_id,
    KortlaegningRow.slutdato,
    _CHANGE_UNANNOUNCED.label("change_unannounced"),
).join(KortlaegningRow, KortlaegningRow.id == FagomraadeRow.kortlaegning_id)
_AREA = _AREA_COLUMNS.where(FagomraadeRow.id == bindparam("area"))
_ASSIGNED_AREA = _AREA.join(
    TildelingRow,
    (TildelingRow.fagomraade_id == FagomraadeRow.id)
    & (TildelingRow.person_id == bindparam("person")),
)
_AREA_LOCKED = _AREA.with_for_update(of=FagomraadeRow)
_ASSIGNED_AREA_LOCKED = _ASSIGNED_AREA.with_for_update(of=FagomraadeRow)
_ANSWER_COLUMNS = (
    AnswerRow.it_system_id,
    AnswerRow.anvendelse,
    AnswerRow.bemaerkning,
    AnswerRow.answered_by,
    AnswerRow.answered_at,
    AnswerRow.kilde,
)
_SUGGESTED = {kilde: aliased(ForslagRow, name=f"forslag_{kilde.value}") for kilde in SOURCE_ORDER}
"""One alias per source: (it_system_id, kilde) is unique, so each joins at most one row."""


def _shown_forslag(kilde: Kilde) -> Any:
    """The system's suggestion from one source when systemejere see it (is_shown in SQL)."""
    row = _SUGGESTED[kilde]
    return (
        (row.it_system_id == ItSystemRow.id)
        & (row.kilde == kilde.value)
        & row.anvendelse.is_not(None)
        & or_(
            row.afgjort == Afgjort.ACCEPTERET.value,
            row.sikker.is_(True) & or_(row.afgjort.is_(None), row.afgjort != Afgjort.AFVIST.value),
        )
    )


def _forslag_columns(kilde: Kilde) -> list[Any]:
    row = _SUGGESTED[kilde]
    return [
        getattr(row, column).label(f"{kilde.value}_{column}")
        for column in ("id", "anvendelse", "bemaerkning", "kilde_navn")
    ]


# Which rows belong to the area's summary besides its systems: its added systems, the
# suggested additions the coordinator accepted, and last round's systems gone since.
_TILFOEJET_IN = (TilfoejetSystemRow.fagomraade_id == bindparam("area")) & (
    TilfoejetSystemRow.removed_at.is_(None)
)
_FORESLAAET_IN = (ForslagTilfoejelseRow.fagomraade_id == bindparam("area")) & (
    ForslagTilfoejelseRow.afgjort == Afgjort.ACCEPTERET.value
)
_UDGAAET_IN = ForslagUdgaaetRow.fagomraade_id == bindparam("area")
_HAS_EXTRAS = or_(*(exists().where(rows) for rows in (_TILFOEJET_IN, _FORESLAAET_IN, _UDGAAET_IN)))
"""Read with the lines (after the area's lock, so as fresh as they are): an area without
added systems or suggestions to list, most of them, costs no query for them."""

# Each line carries its shown suggestions in the same statement: the survey's area read
# stays one query for the systems, with or without suggestions.
_LINES = select(
    ItSystemRow.id,
    ItSystemRow.fagomraade_id,
    ItSystemRow.navn,
    ItSystemRow.leverandoer,
    ItSystemRow.beskrivelse,
    ItSystemRow.position,
    *_ANSWER_COLUMNS,
    *(column for kilde in SOURCE_ORDER for column in _forslag_columns(kilde)),
    _HAS_EXTRAS.label("area_has_extras"),
).outerjoin(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
for _kilde in SOURCE_ORDER:
    _LINES = _LINES.outerjoin(_SUGGESTED[_kilde], _shown_forslag(_kilde))
_LINES = _LINES.where(ItSystemRow.fagomraade_id == bindparam("area")).order_by(ItSystemRow.position)


class _Extra(StrEnum):
    """What a row of _ADDED is: an added system, an accepted suggested addition, or a system
    gone since last round."""

    TILFOEJET = "tilfoejet"
    FORESLAAET = "foreslaaet"
    UDGAAET = "udgaaet"


# The area's added systems with the suggestions a summary lists, in one statement.
_ADDED: CompoundSelect = union_all(
    select(
        literal(_Extra.TILFOEJET.value).label("art"),
        TilfoejetSystemRow.id,
        TilfoejetSystemRow.fagomraade_id,
        TilfoejetSystemRow.navn,
        TilfoejetSystemRow.leverandoer,
        TilfoejetSystemRow.svarer_til,
        TilfoejetSystemRow.anvendelse,
        TilfoejetSystemRow.bemaerkning,
        literal(None, String).label("kilde"),
        literal(None, String).label("afgjort"),
    ).where(_TILFOEJET_IN),
    select(
        literal(_Extra.FORESLAAET.value),
        ForslagTilfoejelseRow.id,
        ForslagTilfoejelseRow.fagomraade_id,
        ForslagTilfoejelseRow.navn,
        ForslagTilfoejelseRow.leverandoer,
        literal(None, String),
        ForslagTilfoejelseRow.anvendelse,
        ForslagTilfoejelseRow.bemaerkning,
        ForslagTilfoejelseRow.kilde,
        ForslagTilfoejelseRow.afgjort,
    ).where(_FORESLAAET_IN),
    select(
        literal(_Extra.UDGAAET.value),
        ForslagUdgaaetRow.id,
        ForslagUdgaaetRow.fagomraade_id,
        ForslagUdgaaetRow.navn,
        ForslagUdgaaetRow.leverandoer,
        literal(None, String),
        ForslagUdgaaetRow.anvendelse,
        ForslagUdgaaetRow.bemaerkning,
        literal(None, String),
        literal(None, String),
    ).where(_UDGAAET_IN),
).order_by("art", "id")
_STORED_ANSWERS = (
    select(*_ANSWER_COLUMNS)
    .where(AnswerRow.it_system_id.in_(bindparam("systems", expanding=True)))
    .with_for_update()
)
_SYSTEMS_FOR = (
    select(
        ItSystemRow.id.label("system_id"),
        FagomraadeRow.id.label("fagomraade_id"),
        FagomraadeRow.kortlaegning_id,
        FagomraadeRow.indsendt_at,
        TildelingRow.id.label("tildeling_id"),
    )
    .join(FagomraadeRow, FagomraadeRow.id == ItSystemRow.fagomraade_id)
    .outerjoin(
        TildelingRow,
        (TildelingRow.fagomraade_id == FagomraadeRow.id)
        & (TildelingRow.person_id == bindparam("person")),
    )
    .where(ItSystemRow.id.in_(bindparam("systems", expanding=True)))
)


@dataclass(frozen=True, slots=True)
class _Owner:
    """What the rules need to know of a system's fagområde."""

    fagomraade_id: int
    kortlaegning_id: int
    assigned: bool
    submitted: bool


def _from_overview(
    overview: FagomraadeOverview, person_id: int
) -> tuple[dict[int, Answer], dict[int, _Owner]]:
    """Stored answers and owners from an area read for its assigned systemejer."""
    owner = _Owner(
        overview.fagomraade.id,
        overview.kortlaegning_id,
        assigned=True,
        submitted=overview.fagomraade.indsendt_at is not None,
    )
    stored = {line.system.id: line.answer for line in overview.systemer if line.answer}
    return stored, {line.system.id: owner for line in overview.systemer}


def _to_answer(row: Any) -> Answer:
    return Answer(
        it_system_id=row.it_system_id,
        anvendelse=row.anvendelse,
        bemaerkning=row.bemaerkning,
        answered_by=row.answered_by,
        answered_at=row.answered_at,
        kilde=Kilde(row.kilde),
    )


async def _record(
    session: AsyncSession,
    person_id: int,
    answers: Sequence[tuple[int, Anvendelse, str | None, Kilde]],
    *,
    correcting: bool,
    keep_bemaerkning: bool,
    at: datetime,
    overview: FagomraadeOverview | None,
) -> list[AnswerChange]:
    """The answer rules for each answer, on the overview read under its area's lock, or
    else after two queries whatever their number.

    Without an overview the answers are read first and locked (PostgreSQL), so two people
    answering one system at once are serialised and the second sees the first's answer as
    its previous one (a lock on the system's row would not: the outer-joined answer would
    still be read as it was before the wait). Then systems, areas and the person's
    assignment in one query.
    """
    wanted = sorted({system_id for system_id, *_ in answers})
    if overview is not None and all(overview.line(system_id) for system_id in wanted):
        stored, systems = _from_overview(overview, person_id)
    else:
        # Not all in the area (a card from elsewhere): read what the rules need to refuse it.
        stored = {
            row.it_system_id: _to_answer(row)
            for row in await session.execute(_STORED_ANSWERS, {"systems": wanted})
        }
        found = await session.execute(_SYSTEMS_FOR, {"systems": wanted, "person": person_id})
        systems = {
            row.system_id: _Owner(
                row.fagomraade_id,
                row.kortlaegning_id,
                assigned=row.tildeling_id is not None,
                submitted=row.indsendt_at is not None,
            )
            for row in found
        }
    latest: dict[int, Answer] = dict(stored)
    written: dict[int, Answer] = {}
    audits: list[dict[str, object]] = []
    changes: list[AnswerChange] = []
    for system_id, anvendelse, given, kilde in answers:
        system = systems.get(system_id)
        if system is None:
            raise UnknownSystem(system_id)
        check_may_answer(
            fagomraade_id=system.fagomraade_id,
            person_id=person_id,
            assigned=system.assigned,
            submitted=system.submitted,
            correcting=correcting,
        )
        previous = latest.get(system_id)
        answer = decide_answer(
            previous,
            system_id=system_id,
            anvendelse=anvendelse,
            bemaerkning=given,
            keep_bemaerkning=keep_bemaerkning,
            person_id=person_id,
            at=at,
            kilde=kilde,
        )
        if answer is None:
            assert previous is not None  # decide_answer returns None only for a repeat
            changes.append(AnswerChange(answer=previous, previous=previous, changed=False))
            continue
        latest[system_id] = written[system_id] = answer
        audits.append(
            _audit_row(
                system.kortlaegning_id,
                person_id,
                "answer",
                at,
                it_system_id=system_id,
                old_value=describe(previous),
                new_value=describe(answer),
                kilde=answer.kilde,
            )
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
    await _audit(session, audits)
    return changes


async def _overview(
    session: AsyncSession,
    fagomraade_id: int,
    *,
    assigned_to: int | None = None,
    lock: bool = False,
) -> FagomraadeOverview:
    """The area with its systems, answers and additions; NotAssigned when assigned_to is given
    and that person does not have the area (a missing area raises NoResultFound otherwise).
    """
    parameters = {"area": fagomraade_id, "person": assigned_to}
    query = _AREA if assigned_to is None else _ASSIGNED_AREA
    if lock:
        query = _AREA_LOCKED if assigned_to is None else _ASSIGNED_AREA_LOCKED
    area = (await session.execute(query, parameters)).first()
    if area is None:
        if assigned_to is not None:
            raise NotAssigned(fagomraade_id, assigned_to)
        raise NoResultFound(f"no fagomraade {fagomraade_id}")
    rows = (await session.execute(_LINES, parameters)).all()
    lines = tuple(
        SystemAnswer(
            system=ItSystem(
                id=row.id,
                fagomraade_id=row.fagomraade_id,
                navn=row.navn,
                leverandoer=row.leverandoer,
                beskrivelse=row.beskrivelse,
                position=row.position,
            ),
            answer=_to_answer(row) if row.it_system_id is not None else None,
            forslag=preferred(_to_forslag(row, kilde) for kilde in SOURCE_ORDER),
        )
        for row in rows
    )
    extras: dict[_Extra, list[Any]] = {art: [] for art in _Extra}
    if not rows or rows[0].area_has_extras:
        for row in await session.execute(_ADDED, parameters):
            extras[_Extra(row.art)].append(row)
    added = [_to_tilfoejet(row) for row in extras[_Extra.TILFOEJET]]
    present = {normalise(t.navn) for t in added}
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
        tilfoejede=tuple(added),
        foreslaaede=tuple(
            to_tilfoejelse(row)
            for row in extras[_Extra.FORESLAAET]
            if normalise(row.navn) not in present
        ),
        udgaaede=tuple(
            UdgaaetSystem(row.navn, row.leverandoer, row.anvendelse, row.bemaerkning)
            for row in extras[_Extra.UDGAAET]
        ),
        change_unannounced=bool(area.change_unannounced),
    )


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _to_forslag(row: Any, kilde: Kilde) -> Forslag | None:
    mapping = row._mapping
    forslag_id = mapping[f"{kilde.value}_id"]
    if forslag_id is None:
        return None
    return Forslag(
        id=forslag_id,
        it_system_id=row.id,
        kilde=kilde,
        anvendelse=mapping[f"{kilde.value}_anvendelse"],
        bemaerkning=mapping[f"{kilde.value}_bemaerkning"],
        kilde_navn=mapping[f"{kilde.value}_kilde_navn"],
    )


def _to_tilfoejet(row: Any) -> TilfoejetSystem:
    return TilfoejetSystem(
        id=row.id,
        fagomraade_id=row.fagomraade_id,
        navn=row.navn,
        leverandoer=row.leverandoer,
        svarer_til=row.svarer_til,
        anvendelse=row.anvendelse,
        bemaerkning=row.bemaerkning,
    )
