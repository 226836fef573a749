"""The two sides a suggestion joins: this round's systems, and last round's answers.

Last round is the newest Bilag 1 delivered to KOMBIT, read back: each round KOMBIT receives a
final workbook, archived with its file (storage.archive), and that file holds every answer and
remark as KOMBIT got them. The coordinator may upload last round's workbook instead;
sources_from_bilag1 serves both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.bilag1.layout import Bilag1
from storage.bilag1.mapping import mapping_from_json
from storage.bilag1.reader import read_bilag1
from storage.domain.archive import SendStatus
from storage.domain.model import Fagomraade, ItSystem, NoKortlaegning
from storage.domain.suggestions import (
    SourcePerson,
    SourceSystem,
    Suggestions,
    match_suggestions,
)
from storage.models import (
    Bilag1VersionRow,
    Bilag1VersionSystemejerRow,
    FagomraadeRow,
    ItSystemRow,
    KortlaegningRow,
    PersonRow,
    StoredFileRow,
)
from storage.rows import aware, to_fagomraade

_DELIVERED = [status.value for status in SendStatus if status.delivered]


@dataclass(frozen=True, slots=True)
class LastRound:
    """What last round's delivered workbook suggests, and which version it was."""

    version_nummer: int
    filename: str
    sent_at: datetime | None
    sources: tuple[SourceSystem, ...]


def sources_from_bilag1(
    bilag1: Bilag1, owners: Mapping[str, Sequence[SourcePerson]] | None = None
) -> list[SourceSystem]:
    """Every listed and added system of a filled workbook, with its answer, remark and owners.

    owners maps a fagområde's name to its systemejere; an area it does not name has none.
    """
    owners = owners or {}
    listed = [
        SourceSystem(
            navn=system.navn,
            leverandoerer=(system.leverandoer,) if system.leverandoer else (),
            fagomraade=fagomraade.navn,
            anvendelse=system.anvendelse,
            bemaerkning=system.bemaerkning,
            systemejere=tuple(owners.get(fagomraade.navn, ())),
        )
        for fagomraade in bilag1.fagomraader
        for system in fagomraade.systemer
    ]
    added = [
        SourceSystem(
            navn=tilfoejet.navn,
            leverandoerer=(tilfoejet.leverandoer,) if tilfoejet.leverandoer else (),
            fagomraade=tilfoejet.fagomraade,
            anvendelse=tilfoejet.anvendelse,
            bemaerkning=tilfoejet.bemaerkning,
            systemejere=tuple(owners.get(tilfoejet.fagomraade or "", ())),
            tilfoejet=True,
        )
        for tilfoejet in bilag1.tilfoejede
    ]
    return listed + added


@dataclass(frozen=True, slots=True)
class ThisRound:
    """This round's fagområder and listed systems, in workbook order: what suggestions fill."""

    fagomraader: tuple[Fagomraade, ...]
    systemer: tuple[ItSystem, ...]

    def match(self, sources: Sequence[SourceSystem]) -> Suggestions:
        """Match a source's systems (KITOS' or last round's) to this round's."""
        return match_suggestions(self.fagomraader, self.systemer, sources)


class RoundsRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def this_round(self, tenant_id: str) -> ThisRound:
        """This round's areas and systems; NoKortlaegning before opsæt."""
        async with self._sessions() as session:
            kortlaegning_id = await session.scalar(
                select(KortlaegningRow.id).where(KortlaegningRow.tenant_id == tenant_id)
            )
            if kortlaegning_id is None:
                raise NoKortlaegning(tenant_id)
            rows = (
                await session.execute(
                    select(FagomraadeRow, ItSystemRow)
                    .outerjoin(ItSystemRow, ItSystemRow.fagomraade_id == FagomraadeRow.id)
                    .where(FagomraadeRow.kortlaegning_id == kortlaegning_id)
                    .order_by(FagomraadeRow.position, ItSystemRow.position)
                )
            ).all()
        systemer = tuple(
            ItSystem(
                id=system.id,
                fagomraade_id=system.fagomraade_id,
                navn=system.navn,
                leverandoer=system.leverandoer,
                beskrivelse=system.beskrivelse,
                position=system.position,
            )
            for _, system in rows
            if system is not None
        )
        areas = {area.id: area for area, _ in rows}
        fagomraader = tuple(
            to_fagomraade(area, sum(1 for s in systemer if s.fagomraade_id == area.id))
            for area in areas.values()
        )
        return ThisRound(fagomraader, systemer)

    async def last_round(self, tenant_id: str) -> LastRound | None:
        """The newest delivered workbook as sources, or None when nothing reached KOMBIT yet.

        Owners are the people assigned to each fagområde when that version was archived.
        Raises Bilag1Error if the archived file cannot be read back.
        """
        async with self._sessions() as session:
            found = (
                await session.execute(
                    select(Bilag1VersionRow, StoredFileRow, KortlaegningRow.template_mapping)
                    .join(StoredFileRow, StoredFileRow.id == Bilag1VersionRow.file_id)
                    .join(KortlaegningRow, KortlaegningRow.id == Bilag1VersionRow.kortlaegning_id)
                    .where(
                        KortlaegningRow.tenant_id == tenant_id,
                        Bilag1VersionRow.send_status.in_(_DELIVERED),
                    )
                    .order_by(Bilag1VersionRow.nummer.desc())
                    .limit(1)
                )
            ).first()
            if found is None:
                return None
            version, file, mapping = found
            owners = await _owners_by_area(session, version.id)
        # Reading a workbook is CPU-bound; keep the event loop free for other turns. The file
        # is the filled template, so the columns the coordinator confirmed for it still hold.
        bilag1 = await asyncio.to_thread(
            read_bilag1, file.content, filename=file.filename, mapping=mapping_from_json(mapping)
        )
        return LastRound(
            version_nummer=version.nummer,
            filename=file.filename,
            sent_at=aware(version.sent_at),
            sources=tuple(sources_from_bilag1(bilag1, owners)),
        )


async def _owners_by_area(session: AsyncSession, version_id: int) -> dict[str, list[SourcePerson]]:
    rows = await session.execute(
        select(Bilag1VersionSystemejerRow.fagomraade, PersonRow)
        .join(PersonRow, PersonRow.id == Bilag1VersionSystemejerRow.person_id)
        .where(Bilag1VersionSystemejerRow.version_id == version_id)
        .order_by(Bilag1VersionSystemejerRow.fagomraade, PersonRow.id)
    )
    owners: dict[str, list[SourcePerson]] = {}
    for navn, person in rows:
        owners.setdefault(navn, []).append(
            SourcePerson(navn=person.navn, email=person.email, person_id=person.id)
        )
    return owners
