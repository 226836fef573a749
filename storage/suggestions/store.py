"""Suggestions stored for this round: what each source suggested, and the coordinator's say.

One source's result replaces that source's earlier one whole (loading KITOS again must not
leave last week's systems behind); the other source's rows stay. Nothing here writes an
answer: storage.survey does, when a systemejer confirms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.domain.forslag import (
    SOURCE_ORDER,
    Afgjort,
    FagomraadeForslag,
    ForeslaaetTilfoejelse,
    ForslagOversigt,
    Kilde,
    UsikkertForslag,
    is_shown,
)
from storage.domain.model import NoKortlaegning
from storage.domain.suggestions import MatchOutcome, SourcePerson, Suggestions
from storage.models import (
    FagomraadeRow,
    ForslagEjerRow,
    ForslagRow,
    ForslagTilfoejelseRow,
    ForslagUdgaaetRow,
    ItSystemRow,
    KortlaegningRow,
    table_of,
)
from storage.rows import decision, to_tilfoejelse


class ForslagRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def replace(
        self, tenant_id: str, kilde: Kilde, suggestions: Suggestions
    ) -> ForslagOversigt:
        """Store one source's matched result in place of its earlier one; the review of
        that source's suggestions is returned (oversigt gives both).

        Stored: every matched system with a suggested anvendelse (certain or not; an
        uncertain one waits for the coordinator), the additions, the owners and, for last
        round, the systems gone from this round's list, under the area they were in.
        """
        if kilde is Kilde.SVAR:
            raise ValueError("an answer is not a source of suggestions")
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            kortlaegning_id = await _kortlaegning_id(session, tenant_id)
            await _delete(session, kortlaegning_id, kilde)
            forslag = [
                {
                    "it_system_id": match.it_system_id,
                    "kilde": kilde.value,
                    "anvendelse": match.source.anvendelse,
                    "bemaerkning": _clean(match.source.bemaerkning),
                    "kilde_navn": match.source.navn[:255],
                    "sikker": match.outcome is MatchOutcome.CERTAIN,
                    "afgjort": None,
                    "created_at": now,
                }
                for match in suggestions.systemer
                if match.source is not None
                and match.outcome is not MatchOutcome.NONE
                and match.source.anvendelse is not None
            ]
            tilfoejelser = [
                {
                    "kortlaegning_id": kortlaegning_id,
                    "fagomraade_id": fagomraade_id,
                    "kilde": kilde.value,
                    "navn": addition.source.navn[:255],
                    "leverandoer": _first(addition.source.leverandoerer),
                    "anvendelse": addition.source.anvendelse,
                    "bemaerkning": _clean(addition.source.bemaerkning),
                    "afgjort": None,
                    "created_at": now,
                }
                for addition in suggestions.additions
                for fagomraade_id in addition.fagomraade_ids or (None,)
            ]
            ejere = [
                {
                    "fagomraade_id": owner.fagomraade_id,
                    "kilde": kilde.value,
                    "navn": owner.person.navn[:255],
                    "email": owner.person.email,
                    "person_id": owner.person.person_id,
                    "systemer": owner.systemer,
                    "created_at": now,
                }
                for owner in suggestions.owners
            ]
            area_now = {
                m.source_navn: m.fagomraade_id
                for m in suggestions.fagomraader
                if m.source_navn is not None and m.outcome is not MatchOutcome.NONE
            }
            udgaaede = (
                [
                    {
                        "fagomraade_id": area_now[gone.fagomraade],
                        "navn": gone.navn[:255],
                        "leverandoer": _first(gone.leverandoerer),
                        "anvendelse": gone.anvendelse,
                        "bemaerkning": _clean(gone.bemaerkning),
                    }
                    for gone in suggestions.gone
                    if gone.fagomraade in area_now
                ]
                if kilde is Kilde.SIDSTE_RUNDE
                else []
            )
            for table, rows in (
                (_FORSLAG, forslag),
                (_TILFOEJELSER, tilfoejelser),
                (_EJERE, ejere),
                (_UDGAAEDE, udgaaede),
            ):
                if rows:
                    await session.execute(insert(table), rows)
            return await _oversigt(session, kortlaegning_id, (kilde,))

    async def oversigt(self, tenant_id: str) -> ForslagOversigt:
        """The review of both sources' suggestions; NoKortlaegning before opsæt."""
        async with self._sessions() as session:
            kortlaegning_id = await _kortlaegning_id(session, tenant_id)
            return await _oversigt(session, kortlaegning_id, SOURCE_ORDER)

    async def decide(self, tenant_id: str, forslag_id: int, *, accept: bool) -> bool:
        """Accept or reject a suggested answer; False when it is not this tenant's (or gone)."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(_FORSLAG)
                .where(
                    _FORSLAG.c.id == forslag_id,
                    _FORSLAG.c.it_system_id.in_(_systems_of_tenant(tenant_id)),
                )
                .values(afgjort=_afgjort(accept))
            )
            return _count(result) > 0

    async def decide_tilfoejelse(
        self,
        tenant_id: str,
        tilfoejelse_id: int,
        *,
        accept: bool,
        fagomraade_id: int | None = None,
    ) -> bool:
        """Accept (optionally into a chosen area) or reject a suggested addition.

        False when it is not this tenant's, when the chosen area is not, or when it is
        accepted with no area to be offered in.
        """
        async with self._sessions() as session, session.begin():
            row = (
                await session.execute(
                    select(ForslagTilfoejelseRow.fagomraade_id)
                    .join(
                        KortlaegningRow,
                        KortlaegningRow.id == ForslagTilfoejelseRow.kortlaegning_id,
                    )
                    .where(
                        ForslagTilfoejelseRow.id == tilfoejelse_id,
                        KortlaegningRow.tenant_id == tenant_id,
                    )
                )
            ).first()
            if row is None:
                return False
            values: dict[str, Any] = {"afgjort": _afgjort(accept)}
            if accept and fagomraade_id is not None:
                owned = await session.scalar(
                    select(FagomraadeRow.id)
                    .join(KortlaegningRow, KortlaegningRow.id == FagomraadeRow.kortlaegning_id)
                    .where(
                        FagomraadeRow.id == fagomraade_id, KortlaegningRow.tenant_id == tenant_id
                    )
                )
                if owned is None:
                    return False
                values["fagomraade_id"] = fagomraade_id
            elif accept and row.fagomraade_id is None:
                return False
            await session.execute(
                update(_TILFOEJELSER).where(_TILFOEJELSER.c.id == tilfoejelse_id).values(**values)
            )
            return True

    async def owners(self, tenant_id: str) -> dict[int, tuple[SourcePerson, ...]]:
        """Suggested owners per fagområde id: last round's first, then KITOS', each person
        once (by e-mail, else name); most systems first within a source."""
        async with self._sessions() as session:
            kortlaegning_id = await _kortlaegning_id(session, tenant_id)
            return await _owners(session, kortlaegning_id, SOURCE_ORDER)

    async def clear(self, tenant_id: str) -> None:
        """Drop every suggestion (a new opsæt without them); answers stay as they are."""
        async with self._sessions() as session, session.begin():
            kortlaegning_id = await session.scalar(
                select(KortlaegningRow.id).where(KortlaegningRow.tenant_id == tenant_id)
            )
            if kortlaegning_id is None:
                return
            for kilde in SOURCE_ORDER:
                await _delete(session, kortlaegning_id, kilde)


_FORSLAG = table_of(ForslagRow)
_TILFOEJELSER = table_of(ForslagTilfoejelseRow)
_EJERE = table_of(ForslagEjerRow)
_UDGAAEDE = table_of(ForslagUdgaaetRow)


def _afgjort(accept: bool) -> str:
    return (Afgjort.ACCEPTERET if accept else Afgjort.AFVIST).value


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _first(values: Sequence[str]) -> str | None:
    return values[0][:255] if values else None


def _systems_of_tenant(tenant_id: str) -> Any:
    return (
        select(ItSystemRow.id)
        .join(FagomraadeRow, FagomraadeRow.id == ItSystemRow.fagomraade_id)
        .join(KortlaegningRow, KortlaegningRow.id == FagomraadeRow.kortlaegning_id)
        .where(KortlaegningRow.tenant_id == tenant_id)
    )


async def _kortlaegning_id(session: AsyncSession, tenant_id: str) -> int:
    found = await session.scalar(
        select(KortlaegningRow.id).where(KortlaegningRow.tenant_id == tenant_id)
    )
    if found is None:
        raise NoKortlaegning(tenant_id)
    return found


async def _delete(session: AsyncSession, kortlaegning_id: int, kilde: Kilde) -> None:
    areas = select(FagomraadeRow.id).where(FagomraadeRow.kortlaegning_id == kortlaegning_id)
    systems = select(ItSystemRow.id).where(ItSystemRow.fagomraade_id.in_(areas))
    await session.execute(
        delete(_FORSLAG).where(
            _FORSLAG.c.kilde == kilde.value, _FORSLAG.c.it_system_id.in_(systems)
        )
    )
    await session.execute(
        delete(_TILFOEJELSER).where(
            _TILFOEJELSER.c.kilde == kilde.value,
            _TILFOEJELSER.c.kortlaegning_id == kortlaegning_id,
        )
    )
    await session.execute(
        delete(_EJERE).where(_EJERE.c.kilde == kilde.value, _EJERE.c.fagomraade_id.in_(areas))
    )
    if kilde is Kilde.SIDSTE_RUNDE:
        await session.execute(delete(_UDGAAEDE).where(_UDGAAEDE.c.fagomraade_id.in_(areas)))


async def _oversigt(
    session: AsyncSession, kortlaegning_id: int, kilder: Sequence[Kilde]
) -> ForslagOversigt:
    wanted = [kilde.value for kilde in kilder]
    areas = (
        await session.execute(
            select(FagomraadeRow.id, FagomraadeRow.navn)
            .where(FagomraadeRow.kortlaegning_id == kortlaegning_id)
            .order_by(FagomraadeRow.position, FagomraadeRow.id)
        )
    ).all()
    shown: dict[int, set[int]] = defaultdict(set)
    usikre: dict[int, list[UsikkertForslag]] = defaultdict(list)
    for row in await session.execute(
        select(
            ForslagRow.id,
            ForslagRow.it_system_id,
            ForslagRow.kilde,
            ForslagRow.anvendelse,
            ForslagRow.kilde_navn,
            ForslagRow.sikker,
            ForslagRow.afgjort,
            ItSystemRow.navn,
            ItSystemRow.fagomraade_id,
        )
        .join(ItSystemRow, ItSystemRow.id == ForslagRow.it_system_id)
        .join(FagomraadeRow, FagomraadeRow.id == ItSystemRow.fagomraade_id)
        .where(FagomraadeRow.kortlaegning_id == kortlaegning_id, ForslagRow.kilde.in_(wanted))
        .order_by(ItSystemRow.position, ForslagRow.id)
    ):
        if is_shown(sikker=row.sikker, afgjort=row.afgjort):
            shown[row.fagomraade_id].add(row.it_system_id)
        if not row.sikker:
            usikre[row.fagomraade_id].append(
                UsikkertForslag(
                    id=row.id,
                    navn=row.navn,
                    kilde_navn=row.kilde_navn,
                    anvendelse=row.anvendelse,
                    kilde=Kilde(row.kilde),
                    afgjort=decision(row.afgjort),
                )
            )
    tilfoejelser: dict[int | None, list[ForeslaaetTilfoejelse]] = defaultdict(list)
    for added in await session.scalars(
        select(ForslagTilfoejelseRow)
        .where(
            ForslagTilfoejelseRow.kortlaegning_id == kortlaegning_id,
            ForslagTilfoejelseRow.kilde.in_(wanted),
        )
        .order_by(ForslagTilfoejelseRow.id)
    ):
        tilfoejelse = to_tilfoejelse(added)
        tilfoejelser[tilfoejelse.fagomraade_id].append(tilfoejelse)
    udgaaede: dict[int, list[str]] = defaultdict(list)
    if Kilde.SIDSTE_RUNDE in kilder:
        for fagomraade_id, navn in await session.execute(
            select(ForslagUdgaaetRow.fagomraade_id, ForslagUdgaaetRow.navn)
            .join(FagomraadeRow, FagomraadeRow.id == ForslagUdgaaetRow.fagomraade_id)
            .where(FagomraadeRow.kortlaegning_id == kortlaegning_id)
            .order_by(ForslagUdgaaetRow.id)
        ):
            udgaaede[fagomraade_id].append(navn)
    ejere = await _owners(session, kortlaegning_id, kilder)
    return ForslagOversigt(
        fagomraader=tuple(
            FagomraadeForslag(
                fagomraade_id=area.id,
                navn=area.navn,
                med_forslag=len(shown[area.id]),
                usikre=tuple(usikre[area.id]),
                tilfoejelser=tuple(tilfoejelser[area.id]),
                ejere=ejere.get(area.id, ()),
                udgaaede=tuple(udgaaede[area.id]),
            )
            for area in areas
        ),
        uden_omraade=tuple(tilfoejelser[None]),
    )


async def _owners(
    session: AsyncSession, kortlaegning_id: int, kilder: Sequence[Kilde]
) -> dict[int, tuple[SourcePerson, ...]]:
    rows = (
        await session.execute(
            select(ForslagEjerRow)
            .join(FagomraadeRow, FagomraadeRow.id == ForslagEjerRow.fagomraade_id)
            .where(
                FagomraadeRow.kortlaegning_id == kortlaegning_id,
                ForslagEjerRow.kilde.in_([kilde.value for kilde in kilder]),
            )
        )
    ).scalars()
    ordered = sorted(
        rows, key=lambda r: (SOURCE_ORDER.index(Kilde(r.kilde)), -r.systemer, r.navn, r.id)
    )
    owners: dict[int, dict[str, SourcePerson]] = defaultdict(dict)
    for row in ordered:
        person = SourcePerson(navn=row.navn, email=row.email, person_id=row.person_id)
        owners[row.fagomraade_id].setdefault(person.key, person)
    return {area_id: tuple(people.values()) for area_id, people in owners.items()}
