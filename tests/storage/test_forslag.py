"""Suggestions stored per source, reviewed and decided, and answers that record their source,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.coordination import CoordinationRepository
from storage.domain.forslag import Afgjort, Kilde
from storage.domain.model import Anvendelse, CatalogueFagomraade, FagomraadeOverview
from storage.domain.suggestions import SourcePerson, SourceSystem
from storage.models import AnswerRow, AuditRow, ForslagRow
from storage.people import fagomraade_facts
from storage.suggestions.rounds import RoundsRepository
from storage.suggestions.store import ForslagRepository
from storage.survey import SurveyRepository
from tests.support.databases import migrate_to
from tests.support.fixtures import SMALL_CATALOGUE, TENANT, SetUp, set_up_small

OTHER_TENANT = "tenant-kommune-2"


def _last_round(world: SetUp) -> list[SourceSystem]:
    anne = SourcePerson("Anne Systemejer", "anne@kommune.dk", world.anne.id)
    return [
        SourceSystem(
            "SBSYS",
            leverandoerer=("SBSYS",),
            fagomraade="ESDH",
            anvendelse=Anvendelse.ANVENDER,
            bemaerkning="hovedsystem",
            systemejere=(anne,),
        ),
        # "Acadre" inside "Acadre CM": alike, not the same name, so the coordinator decides.
        SourceSystem(
            "Acadre CM",
            leverandoerer=("Formpipe",),
            fagomraade="ESDH",
            anvendelse=Anvendelse.ANVENDER_IKKE,
            systemejere=(anne,),
        ),
        SourceSystem("Captia", fagomraade="ESDH", anvendelse=Anvendelse.ANVENDER),
        SourceSystem("Aula", fagomraade="Skole", anvendelse=Anvendelse.SEKUNDAER),
        SourceSystem(
            "Eget fagsystem", fagomraade="ESDH", anvendelse=Anvendelse.ANVENDER, tilfoejet=True
        ),
    ]


def _kitos() -> list[SourceSystem]:
    bo = SourcePerson("Bo Systemejer", "BO@kommune.dk")
    return [
        SourceSystem("Aula", anvendelse=Anvendelse.ANVENDER, systemejere=(bo,)),
        SourceSystem("SBSYS", anvendelse=Anvendelse.ANVENDER_IKKE),
        SourceSystem("Meebook"),  # Undecided in KITOS: no suggestion
        SourceSystem(
            "Skoleintra", leverandoerer=("KMD",), anvendelse=Anvendelse.ANVENDER, systemejere=(bo,)
        ),
        SourceSystem(
            "Zoom",
            anvendelse=Anvendelse.ANVENDER,
            systemejere=(SourcePerson("Ukendt Person", "ukendt@kommune.dk"),),
        ),
    ]


async def _store(sessions: async_sessionmaker[AsyncSession], world: SetUp) -> ForslagRepository:
    this_round = await RoundsRepository(sessions).this_round(TENANT)
    forslag = ForslagRepository(sessions)
    await forslag.replace(TENANT, Kilde.SIDSTE_RUNDE, this_round.match(_last_round(world)))
    await forslag.replace(TENANT, Kilde.KITOS, this_round.match(_kitos()))
    return forslag


async def test_each_source_is_stored_and_the_review_shows_it_per_area(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    this_round = await RoundsRepository(sessions).this_round(TENANT)
    forslag = ForslagRepository(sessions)

    review = await forslag.replace(TENANT, Kilde.SIDSTE_RUNDE, this_round.match(_last_round(world)))

    esdh, skole = review.fagomraader
    assert (esdh.navn, esdh.med_forslag, skole.med_forslag) == ("ESDH", 1, 1)
    assert [(u.navn, u.kilde_navn, u.anvendelse, u.kilde, u.afgjort) for u in esdh.usikre] == [
        ("Acadre", "Acadre CM", Anvendelse.ANVENDER_IKKE, Kilde.SIDSTE_RUNDE, None)
    ]
    assert esdh.udgaaede == ("Captia",)
    assert [(t.navn, t.anvendelse, t.kilde) for t in esdh.tilfoejelser] == [
        ("Eget fagsystem", Anvendelse.ANVENDER, Kilde.SIDSTE_RUNDE)
    ]
    assert [(p.navn, p.person_id) for p in esdh.ejere] == [("Anne Systemejer", world.anne.id)]
    assert review.uden_omraade == ()

    kitos = await forslag.replace(TENANT, Kilde.KITOS, this_round.match(_kitos()))

    # KITOS' own review: SBSYS and Aula suggested, Meebook (undecided) not; Skoleintra goes
    # where its owner Bo owns a matched system; Zoom's owner owns none, so it has no area.
    esdh, skole = kitos.fagomraader
    assert (esdh.med_forslag, skole.med_forslag) == (1, 1)
    assert esdh.udgaaede == () and esdh.tilfoejelser == ()
    assert [t.navn for t in skole.tilfoejelser] == ["Skoleintra"]
    assert [(t.navn, t.fagomraade_id, t.kilde) for t in kitos.uden_omraade] == [
        ("Zoom", None, Kilde.KITOS)
    ]
    both = await forslag.oversigt(TENANT)
    assert [t.navn for t in both.fagomraader[0].tilfoejelser] == ["Eget fagsystem"]
    assert both.fagomraader[0].udgaaede == ("Captia",)
    assert not both.tom


async def test_loading_a_source_again_replaces_only_that_source(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    forslag = await _store(sessions, world)
    this_round = await RoundsRepository(sessions).this_round(TENANT)

    await forslag.replace(
        TENANT,
        Kilde.KITOS,
        this_round.match([SourceSystem("Meebook", anvendelse=Anvendelse.ANVENDER)]),
    )

    async with sessions() as session:
        rows = (await session.execute(select(ForslagRow.kilde, ForslagRow.kilde_navn))).all()
    assert sorted(rows) == [
        ("kitos", "Meebook"),
        ("sidste_runde", "Acadre CM"),
        ("sidste_runde", "Aula"),
        ("sidste_runde", "SBSYS"),
    ]
    review = await forslag.oversigt(TENANT)
    assert review.uden_omraade == ()
    assert review.fagomraader[0].udgaaede == ("Captia",)


async def test_the_coordinator_decides_uncertain_matches_and_additions(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    forslag = await _store(sessions, world)
    review = await forslag.oversigt(TENANT)
    [acadre] = review.fagomraader[0].usikre
    [zoom] = review.uden_omraade
    [skoleintra] = review.fagomraader[1].tilfoejelser

    assert await forslag.decide(TENANT, acadre.id, accept=True)
    assert not await forslag.decide(OTHER_TENANT, acadre.id, accept=False)
    assert not await forslag.decide(TENANT, 999_999, accept=True)
    # Accepting an addition no area claims needs an area; rejecting does not.
    assert not await forslag.decide_tilfoejelse(TENANT, zoom.id, accept=True)
    assert not await forslag.decide_tilfoejelse(
        OTHER_TENANT, zoom.id, accept=True, fagomraade_id=world.esdh.id
    )
    assert await forslag.decide_tilfoejelse(
        TENANT, zoom.id, accept=True, fagomraade_id=world.esdh.id
    )
    assert await forslag.decide_tilfoejelse(TENANT, skoleintra.id, accept=False)

    after = await forslag.oversigt(TENANT)
    esdh, skole = after.fagomraader
    # Acadre's card shows last round's answer now; SBSYS was shown already.
    assert esdh.med_forslag == 2
    assert [(u.navn, u.afgjort) for u in esdh.usikre] == [("Acadre", Afgjort.ACCEPTERET)]
    assert [(t.navn, t.afgjort) for t in esdh.tilfoejelser] == [
        ("Eget fagsystem", None),
        ("Zoom", Afgjort.ACCEPTERET),
    ]
    assert [(t.navn, t.afgjort) for t in skole.tilfoejelser] == [("Skoleintra", Afgjort.AFVIST)]
    assert after.uden_omraade == ()


async def test_suggested_owners_put_last_round_first_and_name_each_person_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    forslag = await _store(sessions, world)
    this_round = await RoundsRepository(sessions).this_round(TENANT)
    bo_last_round = SourcePerson("Bo Systemejer", "bo@kommune.dk", world.bo.id)
    await forslag.replace(
        TENANT,
        Kilde.SIDSTE_RUNDE,
        this_round.match(
            [
                SourceSystem(
                    "Meebook",
                    fagomraade="Skole",
                    anvendelse=Anvendelse.ANVENDER,
                    systemejere=(bo_last_round,),
                )
            ]
        ),
    )

    owners = await forslag.owners(TENANT)

    # Bo is named by both sources for Skole: once, as last round's person.
    assert owners == {world.skole.id: (bo_last_round,)}


async def test_clear_drops_every_suggestion_and_keeps_answers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    forslag = await _store(sessions, world)
    survey = SurveyRepository(sessions)
    sbsys = (await survey.overview(world.esdh.id, world.anne.id)).systemer[0].system
    await survey.record_answer(world.anne.id, sbsys.id, Anvendelse.ANVENDER)

    await forslag.clear(TENANT)
    await forslag.clear(OTHER_TENANT)

    review = await forslag.oversigt(TENANT)
    assert review.tom
    assert await forslag.owners(TENANT) == {}
    async with sessions() as session:
        assert len((await session.scalars(select(AnswerRow))).all()) == 1


async def test_answers_record_their_source_and_status_counts_confirmed_and_changed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    await _store(sessions, world)
    survey = SurveyRepository(sessions)
    esdh = await survey.overview(world.esdh.id, world.anne.id)
    sbsys, acadre, formel = (line.system for line in esdh.systemer)
    skole = await survey.overview(world.skole.id, world.anne.id)
    aula, meebook = (line.system for line in skole.systemer)

    # SBSYS confirmed from last round; Aula answered otherwise than last round's Sekundær
    # (KITOS' Anvender loses to last round); Acadre's uncertain match is shown to nobody, so
    # a different answer there changes no suggestion; Meebook has none.
    await survey.record_answers(
        world.anne.id,
        [(sbsys.id, Anvendelse.ANVENDER), (acadre.id, Anvendelse.ANVENDER)],
        kilder={sbsys.id: Kilde.SIDSTE_RUNDE},
    )
    await survey.record_answer(world.anne.id, aula.id, Anvendelse.ANVENDER)
    await survey.record_answer(world.anne.id, meebook.id, Anvendelse.ANVENDER_IKKE)
    # Confirming what is already answered changes nothing, not even the source.
    repeat = await survey.record_answer(
        world.anne.id, aula.id, Anvendelse.ANVENDER, kilde=Kilde.KITOS
    )

    assert not repeat.changed
    async with sessions() as session:
        answers = {
            row.it_system_id: row.kilde for row in (await session.scalars(select(AnswerRow)))
        }
        audit = (
            await session.execute(
                select(AuditRow.it_system_id, AuditRow.kilde)
                .where(AuditRow.action == "answer")
                .order_by(AuditRow.id)
            )
        ).all()
        facts = {
            f.fagomraade.navn: f for f in await fagomraade_facts(session, esdh.kortlaegning_id)
        }
    assert answers == {
        sbsys.id: "sidste_runde",
        acadre.id: "svar",
        aula.id: "svar",
        meebook.id: "svar",
    }
    assert audit == [
        (sbsys.id, "sidste_runde"),
        (acadre.id, "svar"),
        (aula.id, "svar"),
        (meebook.id, "svar"),
    ]
    after = await survey.overview(world.esdh.id, world.anne.id)
    assert after.line(sbsys.id).answer.kilde is Kilde.SIDSTE_RUNDE  # type: ignore[union-attr]
    assert (facts["ESDH"].bekraeftede_forslag, facts["ESDH"].aendrede_forslag) == (1, 0)
    assert (facts["Skole"].bekraeftede_forslag, facts["Skole"].aendrede_forslag) == (0, 1)
    assert formel.navn == "=SUM(A1)"


async def test_a_system_dropped_by_a_new_opsaet_takes_its_suggestions_along(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    forslag = await _store(sessions, world)
    esdh, skole = SMALL_CATALOGUE

    # SBSYS leaves the list.
    await CoordinationRepository(sessions).set_up(
        TENANT,
        kommunekode="751",
        slutdato=date(2027, 8, 31),
        catalogue=(CatalogueFagomraade(esdh.navn, esdh.systemer[1:]), skole),
        template=b"",
        template_filename="bilag1.xlsx",
        template_is_reference=True,
        by_person_id=world.koordinator.id,
    )

    review = await forslag.oversigt(TENANT)
    assert review.fagomraader[0].med_forslag == 0


async def test_migration_0008_goes_down_and_up_again_and_old_answers_were_typed(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    world = await set_up_small(sessions)
    await _store(sessions, world)
    survey = SurveyRepository(sessions)
    sbsys = (await survey.overview(world.esdh.id, world.anne.id)).systemer[0].system
    await survey.record_answer(world.anne.id, sbsys.id, Anvendelse.ANVENDER, kilde=Kilde.KITOS)

    await migrate_to(engine, "0007")
    await migrate_to(engine, "head")

    async with sessions() as session:
        assert (await session.scalars(select(AnswerRow.kilde))).all() == ["svar"]
    assert (await ForslagRepository(sessions).oversigt(TENANT)).tom


async def test_the_area_read_carries_each_system_s_shown_suggestion_and_the_summary_s_lists(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    forslag = await _store(sessions, world)
    survey = SurveyRepository(sessions)

    esdh = await survey.overview(world.esdh.id, world.anne.id)
    skole = await survey.overview(world.skole.id, world.anne.id)

    def shown(overview: FagomraadeOverview) -> dict[str, tuple[object, ...] | None]:
        return {
            line.system.navn: (
                (
                    line.forslag.kilde,
                    line.forslag.anvendelse,
                    line.forslag.bemaerkning,
                    line.forslag.kilde_navn,
                )
                if line.forslag
                else None
            )
            for line in overview.systemer
        }

    # Last round wins over KITOS (SBSYS, Aula); Acadre's uncertain match waits for the
    # coordinator; Meebook's KITOS life cycle was undecided.
    assert shown(esdh) == {
        "SBSYS": (Kilde.SIDSTE_RUNDE, Anvendelse.ANVENDER, "hovedsystem", "SBSYS"),
        "Acadre": None,
        "=SUM(A1)": None,
    }
    assert shown(skole) == {
        "Aula": (Kilde.SIDSTE_RUNDE, Anvendelse.SEKUNDAER, None, "Aula"),
        "Meebook": None,
    }
    assert [u.navn for u in esdh.udgaaede] == ["Captia"]
    assert esdh.udgaaede[0].anvendelse is Anvendelse.ANVENDER
    # Suggested additions reach the summary only once the coordinator accepted them.
    assert esdh.foreslaaede == () and skole.foreslaaede == ()
    assert [line.system.navn for line in esdh.to_confirm] == ["SBSYS"]

    review = await forslag.oversigt(TENANT)
    [acadre] = review.fagomraader[0].usikre
    [eget] = review.fagomraader[0].tilfoejelser
    [sbsys_last_round] = [line.forslag for line in esdh.systemer if line.forslag]
    assert await forslag.decide(TENANT, acadre.id, accept=True)
    assert await forslag.decide(TENANT, sbsys_last_round.id, accept=False)
    assert await forslag.decide_tilfoejelse(TENANT, eget.id, accept=True)

    after = await survey.overview(world.esdh.id, world.anne.id)
    # SBSYS rejected from last round: KITOS' suggestion shows instead.
    assert shown(after) == {
        "SBSYS": (Kilde.KITOS, Anvendelse.ANVENDER_IKKE, None, "SBSYS"),
        "Acadre": (Kilde.SIDSTE_RUNDE, Anvendelse.ANVENDER_IKKE, None, "Acadre CM"),
        "=SUM(A1)": None,
    }
    assert [(t.navn, t.anvendelse, t.kilde) for t in after.foreslaaede] == [
        ("Eget fagsystem", Anvendelse.ANVENDER, Kilde.SIDSTE_RUNDE)
    ]
    await survey.add_tilfoejet(
        world.anne.id,
        world.esdh.id,
        navn="eget  fagsystem",
        leverandoer=None,
        svarer_til="SBSYS",
        anvendelse=Anvendelse.ANVENDER,
        bemaerkning=None,
    )
    added = await survey.overview(world.esdh.id, world.anne.id)
    assert [t.navn for t in added.tilfoejede] == ["eget  fagsystem"]
    assert added.foreslaaede == ()
