"""This round's systems and last round's delivered Bilag 1 as suggestions, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.archive import ArchiveRepository, render_bilag1
from storage.bilag1.layout import (
    Bilag1,
    Bilag1Fagomraade,
    Bilag1System,
    Bilag1Tilfoejet,
    Columns,
    Forside,
    Table,
)
from storage.catalogue.reference import load_reference_bilag1
from storage.coordination import CoordinationRepository
from storage.domain.archive import SendStatus, VersionReason
from storage.domain.model import Anvendelse, CatalogueFagomraade, CatalogueSystem, NoKortlaegning
from storage.domain.suggestions import MatchOutcome, SourcePerson
from storage.suggestions.rounds import RoundsRepository, sources_from_bilag1
from tests.support.databases import migrate_to
from tests.support.delivery import (
    AARHUS,
    TENANT,
    DeliveryWorld,
    reference_catalogue,
    set_up_answered,
)


async def _archive_final(sessions: async_sessionmaker[AsyncSession], world: DeliveryWorld) -> int:
    archive = ArchiveRepository(sessions)
    snapshot = await archive.snapshot(TENANT)
    version = await archive.archive(
        snapshot.kortlaegning_id,
        filename_for=lambda nummer: f"Bilag1-Aarhus-v{nummer}.xlsx",
        content=render_bilag1(snapshot, draft=False, today=date(2027, 8, 30)),
        reason=VersionReason.SEND,
        taken_at=snapshot.taken_at,
        by_person_id=world.kim.id,
    )
    return version.id


SENT_AT = datetime(2027, 8, 30, 10, 0, tzinfo=UTC)


async def _deliver(
    sessions: async_sessionmaker[AsyncSession], world: DeliveryWorld, version_id: int
) -> None:
    await ArchiveRepository(sessions).mark_delivered(
        version_id,
        status=SendStatus.SENT,
        by_person_id=world.kim.id,
        at=SENT_AT,
        recipient="infrastruktur@kombit.dk",
        subject="Bilag 1",
        mail_filename="E-mail.eml",
        mail=b"From: kim@kommune.dk\r\n\r\n",
        attempts=1,
    )


async def test_this_round_is_every_area_and_system_in_workbook_order(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rounds = RoundsRepository(sessions)
    with pytest.raises(NoKortlaegning):
        await rounds.this_round(TENANT)
    world = await set_up_answered(sessions)

    this_round = await rounds.this_round(TENANT)

    assert [(f.id, f.navn, f.antal_systemer) for f in this_round.fagomraader] == [
        (area.id, area.navn, len(area.systems)) for area in world.areas
    ]
    assert [(s.fagomraade_id, s.navn) for s in this_round.systemer] == [
        (area.id, navn) for area in world.areas for navn in area.systems
    ]


async def test_a_round_not_yet_delivered_suggests_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    await _archive_final(sessions, world)

    assert await RoundsRepository(sessions).last_round(TENANT) is None
    assert await RoundsRepository(sessions).last_round("another-tenant") is None


async def test_the_delivered_workbook_suggests_every_answer_and_owner_of_the_next_round(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    await _deliver(sessions, world, await _archive_final(sessions, world))

    last = await RoundsRepository(sessions).last_round(TENANT)

    assert last is not None
    assert (last.version_nummer, last.filename, last.sent_at) == (
        1,
        "Bilag1-Aarhus-v1.xlsx",
        SENT_AT,
    )
    assert {(s.fagomraade, s.navn): s.anvendelse for s in last.sources} == world.expected
    anne = SourcePerson(world.anne.navn, world.anne.email, world.anne.id)
    assert {s.systemejere for s in last.sources} == {(anne,)}

    this_round = await RoundsRepository(sessions).this_round(TENANT)
    suggestions = this_round.match(last.sources)

    assert {m.outcome for m in suggestions.systemer} == {MatchOutcome.CERTAIN}
    names = {id: (area.navn, navn) for area in world.areas for navn, id in area.systems.items()}
    assert {names[m.it_system_id]: m.anvendelse for m in suggestions.systemer} == world.expected
    assert suggestions.unmatched == ()
    assert {(o.fagomraade_id, o.person.person_id) for o in suggestions.owners} == {
        (area.id, world.anne.id) for area in world.areas
    }


async def test_last_round_s_owners_are_those_assigned_when_it_was_archived(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    await _deliver(sessions, world, await _archive_final(sessions, world))
    coordination = CoordinationRepository(sessions)
    for area in world.areas:
        await coordination.assign(area.id, world.kim.id, by_person_id=world.kim.id)

    last = await RoundsRepository(sessions).last_round(TENANT)

    assert last is not None
    assert {p.person_id for s in last.sources for p in s.systemejere} == {world.anne.id}


async def test_migration_0009_keeps_the_owners_of_versions_archived_before_it(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    world = await set_up_answered(sessions)
    await _deliver(sessions, world, await _archive_final(sessions, world))

    await migrate_to(engine, "0008")
    await migrate_to(engine, "head")

    last = await RoundsRepository(sessions).last_round(TENANT)
    assert last is not None
    assert {p.person_id for s in last.sources for p in s.systemejere} == {world.anne.id}


ANNE = SourcePerson("Anne Holm", "ah@aarhus.dk", 3)


def test_listed_and_added_systems_carry_answer_remark_and_their_areas_owners() -> None:
    esdh = Bilag1Fagomraade(
        navn="ESDH",
        table=Table("ESDH", 3, Columns(system=1, anvendelse=3)),
        systemer=(
            Bilag1System("SBSYS", "Fujitsu", None, Anvendelse.ANVENDER, "Hovedsystem", 4),
            Bilag1System("Captia", None, None, None, None, 5),
        ),
    )
    bilag1 = Bilag1(
        forside=Forside(),
        fagomraader=(esdh,),
        tilfoejede=(
            Bilag1Tilfoejet("ESDH", "Eget arkiv", "Egen drift", None, Anvendelse.SEKUNDAER),
            Bilag1Tilfoejet(None, "Uden område"),
        ),
    )

    sources = sources_from_bilag1(bilag1, {"ESDH": [ANNE]})

    assert [
        (s.fagomraade, s.navn, s.leverandoerer, s.anvendelse, s.bemaerkning, s.tilfoejet)
        for s in sources
    ] == [
        ("ESDH", "SBSYS", ("Fujitsu",), Anvendelse.ANVENDER, "Hovedsystem", False),
        ("ESDH", "Captia", (), None, None, False),
        ("ESDH", "Eget arkiv", ("Egen drift",), Anvendelse.SEKUNDAER, None, True),
        (None, "Uden område", (), None, None, True),
    ]
    assert [s.systemejere for s in sources] == [(ANNE,), (ANNE,), (ANNE,), ()]


async def test_a_second_round_with_renamed_and_removed_systems_asks_about_what_changed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    await _deliver(sessions, world, await _archive_final(sessions, world))
    rounds = RoundsRepository(sessions)
    # Read before the new round is set up: set_up drops areas whose name changed, and with
    # them who owned them.
    last = await rounds.last_round(TENANT)
    assert last is not None

    catalogue = list(reference_catalogue())
    esdh = catalogue[0]
    catalogue[0] = CatalogueFagomraade(
        "Sags- og dokumentstyring (ESDH)",  # was "... dokumenthåndtering (ESDH)"
        (
            CatalogueSystem("WorkZone 2027"),  # renamed
            *(s for s in esdh.systemer[1:] if s.navn != "SBSYS"),  # SBSYS removed
            CatalogueSystem("Nyt ESDH"),  # new
        ),
    )
    await CoordinationRepository(sessions).set_up(
        TENANT,
        kommunekode=AARHUS,
        slutdato=date(2100, 8, 31),
        catalogue=catalogue,
        template=load_reference_bilag1(),
        template_filename="reference-bilag1.xlsx",
        template_is_reference=True,
        by_person_id=world.kim.id,
    )
    this_round = await rounds.this_round(TENANT)
    suggestions = this_round.match(last.sources)

    first = this_round.fagomraader[0]
    assert (suggestions.fagomraader[0].outcome, suggestions.fagomraader[0].source_navn) == (
        MatchOutcome.UNCERTAIN,
        esdh.navn,
    )
    names = {s.id: s.navn for s in this_round.systemer}
    outcomes = {names[m.it_system_id]: m for m in suggestions.for_fagomraade(first.id)}
    assert outcomes["WorkZone 2027"].outcome is MatchOutcome.UNCERTAIN
    assert outcomes["WorkZone 2027"].anvendelse is world.expected[esdh.navn, "WorkZone"]
    assert outcomes["Acadre"].outcome is MatchOutcome.CERTAIN
    assert outcomes["Nyt ESDH"].outcome is MatchOutcome.NONE
    assert [(s.fagomraade, s.navn) for s in suggestions.gone] == [(esdh.navn, "SBSYS")]
    other_areas = [m for m in suggestions.systemer if m.fagomraade_id != first.id]
    assert {m.outcome for m in other_areas} == {MatchOutcome.CERTAIN}
