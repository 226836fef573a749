"""Suggestions through /api/messages: a new round from the last one, KITOS' export and API,
the coordinator's review card, suggested owners on tildel, and status."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from dialogs import texts
from storage.catalogue.reference import load_reference_bilag1
from storage.coordination import CoordinationRepository
from storage.domain.forslag import Afgjort, Kilde
from storage.domain.kitos import KitosError, KitosErrorKind
from storage.domain.model import Anvendelse, CatalogueFagomraade, CatalogueSystem
from storage.models import (
    AnswerRow,
    AuditRow,
    FagomraadeRow,
    ForslagRow,
    ForslagTilfoejelseRow,
    ItSystemRow,
    KortlaegningRow,
    TildelingRow,
)
from storage.survey import SurveyRepository
from tests.protocol.conftest import (
    RunningBot,
    StartBot,
    buttons,
    card_of,
    card_text,
    count,
    in_team,
    submit_data,
)
from tests.support.activities import Activities, TeamsUser
from tests.support.connector import BotConnector
from tests.support.delivery import TENANT, DeliveryWorld, reference_catalogue, set_up_answered
from tests.support.kitos_api import ORGANISATION, TOKEN, Failure, KitosStandIn, usage
from tests.support.kitos_export import Usage, build_kitos_export
from tests.support.rounds import deliver_round

KIM = TeamsUser("Kim Koordinator", "aad-kim", "kim@kommune.dk")
ANNE = TeamsUser("Anne Jensen", "aad-anne", "anne.jensen@kommune.dk")
TEAM_ID = "19:team-kommune@thread.tacv2"
ESDH = "Sags- og dokumenthåndtering (ESDH)"
ANNE_UUID = "30000000-0000-4000-8000-000000000001"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, reminders_enabled=False, koordinatorer=("kim@kommune.dk",)
    )


@pytest.fixture
def roster(connector: BotConnector) -> None:
    """Kim and Anne are in the municipality's team, where the bot is too."""
    for user in (KIM, ANNE):
        connector.add_member(TEAM_ID, user.roster_entry())


@pytest.fixture
async def kitos() -> AsyncIterator[KitosStandIn]:
    stand_in = KitosStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.close()


def last_card(connector: BotConnector, user: TeamsUser) -> dict[str, Any]:
    return [a for a in connector.sent(user.personal_conversation) if a.get("attachments")][-1]


def card_titled(connector: BotConnector, user: TeamsUser, title: str) -> dict[str, Any]:
    """The newest card whose text starts with the title, with its activity id."""
    for activity in reversed(connector.sent(user.personal_conversation)):
        if activity.get("attachments") and card_text(card_of(activity)).startswith(title):
            return activity
    raise AssertionError(f"no card {title!r} was sent")


async def press(
    bot: RunningBot,
    activities: Activities,
    user: TeamsUser,
    activity: dict[str, Any],
    title: str,
    **inputs: Any,
) -> None:
    data = {**submit_data(card_of(activity), title), **inputs}
    await bot.post(activities.submit(user, data, reply_to=activity["id"]))


def upload(activities: Activities, connector: BotConnector, name: str) -> dict[str, Any]:
    return activities.file_upload(KIM, f"{connector.url}/files/{name}", name)


async def set_up_first_round(bot: RunningBot, activities: Activities) -> None:
    await bot.post(in_team(activities.message(KIM, "hjælp"), TEAM_ID))  # the bot is in the team
    for text in ("opsæt", "Århus", "31-08-2099", "eksempel"):
        await bot.post(activities.message(KIM, text))


async def set_up_second_round(
    bot: RunningBot, activities: Activities, connector: BotConnector
) -> None:
    await bot.post(in_team(activities.message(KIM, "hjælp"), TEAM_ID))
    await bot.post(activities.message(KIM, "opsæt"))
    assert connector.texts(KIM.personal_conversation)[-1] == texts.OPSAET_NY_RUNDE
    for text in ("ja", "Århus", "31-08-2100", "eksempel"):
        await bot.post(activities.message(KIM, text))


async def round_one_delivered(db: async_sessionmaker[AsyncSession]) -> DeliveryWorld:
    """Round 1: every system answered by Anne (owner of every area) and sent to KOMBIT."""
    world = await set_up_answered(db)
    await deliver_round(db, world.kim.id)
    return world


# --- a new round from the last one ---------------------------------------------------------


async def test_a_new_round_offers_last_rounds_answers_and_answers_nothing(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    world = await round_one_delivered(db)

    await set_up_second_round(bot, activities, connector)

    assert texts.opsaet_ny_runde_done(tildelinger=1) in connector.texts(KIM.personal_conversation)
    assert await count(db, AnswerRow) == 0
    assert await count(db, TildelingRow) == 0
    kilde_card = card_titled(connector, KIM, texts.FORSLAG_KILDE_TITLE)
    assert texts.FORSLAG_SIDSTE_RUNDE in buttons(card_of(kilde_card))
    assert "Sidste runde: Bilag 1 version 1" in card_text(card_of(kilde_card))

    await press(bot, activities, KIM, kilde_card, texts.FORSLAG_SIDSTE_RUNDE)

    systemer = sum(len(area.systems) for area in world.areas)
    assert texts.forslag_loaded(
        kilde="sidste_runde", systemer=systemer, usikre=0, tilfoejelser=0
    ) in connector.texts(KIM.personal_conversation)
    review = card_text(card_of(last_card(connector, KIM)))
    assert review.startswith(texts.FORSLAG_CARD_TITLE)
    assert (
        texts.forslag_area_line(
            fagomraade=ESDH, med_forslag=8, usikre=0, tilfoejelser=0, ejere=["Anne Systemejer"]
        )
        in review
    )
    # The pressed source card now says what was chosen, and has no buttons.
    updated = connector.updates()[-1]
    assert buttons(card_of(updated)) == []
    assert await count(db, ForslagRow) == systemer
    assert await count(db, AnswerRow) == 0


async def test_a_renamed_and_a_removed_system_are_shown_for_review_in_the_next_round(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    """Round 2 has a new slutdato, the ESDH area renamed, WorkZone renamed and SBSYS gone."""
    world = await round_one_delivered(db)
    catalogue = list(reference_catalogue())
    esdh = catalogue[0]
    catalogue[0] = CatalogueFagomraade(
        "Sags- og dokumentstyring (ESDH)",
        (
            CatalogueSystem("WorkZone 2027", "KMD"),
            *(s for s in esdh.systemer[1:] if s.navn != "SBSYS"),
        ),
    )
    result = await CoordinationRepository(db).set_up(
        TENANT,
        kommunekode="751",
        slutdato=date(2100, 8, 31),
        catalogue=catalogue,
        template=load_reference_bilag1(),
        template_filename="reference-bilag1.xlsx",
        template_is_reference=True,
        by_person_id=world.kim.id,
    )
    assert result.ny_runde

    await bot.post(activities.message(KIM, "forslag"))
    await press(bot, activities, KIM, last_card(connector, KIM), texts.FORSLAG_SIDSTE_RUNDE)

    review = last_card(connector, KIM)
    text = card_text(card_of(review))
    assert (
        texts.forslag_udgaaede(fagomraade="Sags- og dokumentstyring (ESDH)", navne=["SBSYS"])
        in text
    )
    assert (
        texts.forslag_usikkert(
            system="WorkZone 2027",
            kilde_navn="WorkZone",
            kilde="sidste_runde",
            anvendelse=world.expected[esdh.navn, "WorkZone"],
            fagomraade="Sags- og dokumentstyring (ESDH)",
        )
        in text
    )
    await press(bot, activities, KIM, review, texts.FORSLAG_SAMME)
    async with db() as session:
        accepted = (
            await session.scalars(
                select(ForslagRow.kilde_navn).where(ForslagRow.afgjort == Afgjort.ACCEPTERET.value)
            )
        ).all()
    assert accepted == ["WorkZone"]
    assert await count(db, AnswerRow) == 0


async def test_tildel_offers_last_rounds_systemejere_and_one_press_assigns_them(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    world = await round_one_delivered(db)
    await set_up_second_round(bot, activities, connector)
    kilde_card = card_titled(connector, KIM, texts.FORSLAG_KILDE_TITLE)
    await press(bot, activities, KIM, kilde_card, texts.FORSLAG_SIDSTE_RUNDE)

    await bot.post(activities.message(KIM, "tildel"))
    overview = last_card(connector, KIM)
    assert texts.tildel_suggested_line(
        fagomraade=ESDH, navne=["Anne Systemejer (anne@kommune.dk)"]
    ) in card_text(card_of(overview))
    await press(bot, activities, KIM, overview, texts.TILDEL_ACCEPT_SUGGESTED)

    async with db() as session:
        owners = (await session.execute(select(TildelingRow.person_id))).scalars().all()
    assert sorted(owners) == [world.anne.id] * len(world.areas)
    said = connector.texts(KIM.personal_conversation)
    assert any(t.startswith(f"✓ {len(world.areas)} fagområder er tildelt") for t in said)
    # The overview used is updated: every area has its owner, nothing left to suggest.
    refreshed = card_text(card_of(connector.updates()[-1]))
    assert texts.TILDEL_FORSLAG not in refreshed


async def test_a_systemejer_whose_systems_did_not_change_finishes_an_area_with_two_presses(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    """The issue's "Done when": round 1 delivered, round 2 set up with last round's answers
    as suggestions, last round's systemejere accepted on tildel, start, and Anne confirms an
    unchanged area with "Bekræft alle som sidste runde" and Indsend."""
    world = await round_one_delivered(db)
    esdh = world.areas[0]
    await set_up_second_round(bot, activities, connector)
    await press(
        bot,
        activities,
        KIM,
        card_titled(connector, KIM, texts.FORSLAG_KILDE_TITLE),
        texts.FORSLAG_SIDSTE_RUNDE,
    )
    await bot.post(activities.message(KIM, "tildel"))
    await press(bot, activities, KIM, last_card(connector, KIM), texts.TILDEL_ACCEPT_SUGGESTED)
    await bot.post(activities.message(KIM, "start"))
    assert any(
        t.startswith("Invitationerne er sendt til 1 systemejer")
        for t in connector.texts(KIM.personal_conversation)
    )
    assert await count(db, AnswerRow) == 0  # nothing is answered before a person presses
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": esdh.id}))

    first = last_card(connector, ANNE)
    await press(bot, activities, ANNE, first, texts.BEKRAEFT_ALLE_SIDSTE_RUNDE)  # press 1
    summary = last_card(connector, ANNE)
    await press(bot, activities, ANNE, summary, texts.SUBMIT)  # press 2

    async with db() as session:
        area = await session.get_one(FagomraadeRow, esdh.id)
        round_two = await session.get_one(KortlaegningRow, area.kortlaegning_id)
        answers = (
            await session.execute(
                select(ItSystemRow.navn, AnswerRow.anvendelse, AnswerRow.kilde)
                .join(ItSystemRow, ItSystemRow.id == AnswerRow.it_system_id)
                .where(ItSystemRow.fagomraade_id == esdh.id)
            )
        ).all()
        audit = (
            await session.execute(
                select(AuditRow.it_system_id, AuditRow.kilde).where(
                    AuditRow.it_system_id.in_(list(esdh.systems.values())),
                    AuditRow.at >= round_two.created_at,
                )
            )
        ).all()
    assert area.indsendt_at is not None
    assert sorted((navn, anvendelse) for navn, anvendelse, _ in answers) == sorted(
        (navn, world.expected[esdh.navn, navn]) for navn in esdh.systems
    )
    assert {kilde for _, _, kilde in answers} == {Kilde.SIDSTE_RUNDE.value}
    assert sorted(system_id for system_id, _ in audit) == sorted(esdh.systems.values())
    assert {kilde for _, kilde in audit} == {Kilde.SIDSTE_RUNDE.value}


async def test_status_counts_confirmed_and_changed_suggestions_per_area(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    world = await round_one_delivered(db)
    await set_up_second_round(bot, activities, connector)
    await press(
        bot,
        activities,
        KIM,
        card_titled(connector, KIM, texts.FORSLAG_KILDE_TITLE),
        texts.FORSLAG_SIDSTE_RUNDE,
    )
    esdh = world.areas[0]
    await bot.post(activities.message(KIM, "tildel"))
    await press(bot, activities, KIM, last_card(connector, KIM), texts.TILDEL_ACCEPT_SUGGESTED)
    survey = SurveyRepository(db)
    workzone, acadre = esdh.systems["WorkZone"], esdh.systems["Acadre"]
    confirmed = world.expected[esdh.navn, "WorkZone"]
    changed = next(a for a in Anvendelse if a is not world.expected[esdh.navn, "Acadre"])
    await survey.record_answer(world.anne.id, workzone, confirmed, kilde=Kilde.SIDSTE_RUNDE)
    await survey.record_answer(world.anne.id, acadre, changed)

    await bot.post(activities.message(KIM, "status"))

    status = card_text(card_of(last_card(connector, KIM)))
    assert texts.status_forslag(bekraeftet=1, aendret=1) in status


# --- KITOS' export ------------------------------------------------------------------------------


def kitos_export() -> bytes:
    anne = [("Anne Jensen", ANNE.email)]
    return build_kitos_export(
        [
            Usage("SBSYS", rettighedshaver="SBSYS-fællesskabet", roles={"Systemejer": anne}),
            Usage("Acadre", "NotInUse", rettighedshaver="Formpipe Software"),
            Usage("WorkZone Cloud", rettighedshaver="KMD", roles={"Systemejer": anne}),
            Usage("Prisme", "Undecided", rettighedshaver="Fujitsu"),
            Usage("Docunote", roles={"Systemejer": anne}),
            Usage("Zoom"),
        ],
        all_columns=True,
    )


async def test_a_kitos_export_is_reviewed_on_one_card_and_answers_nothing(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_first_round(bot, activities)
    kilde_card = card_titled(connector, KIM, texts.FORSLAG_KILDE_TITLE)
    assert texts.FORSLAG_SIDSTE_RUNDE not in buttons(card_of(kilde_card))
    assert texts.FORSLAG_HENT_KITOS not in buttons(card_of(kilde_card))

    await press(bot, activities, KIM, kilde_card, texts.FORSLAG_UPLOAD_KITOS)
    assert connector.texts(KIM.personal_conversation)[-1] == texts.FORSLAG_SEND_KITOS
    connector.files["IT Systemer Overblik.xlsx"] = kitos_export()
    await bot.post(upload(activities, connector, "IT Systemer Overblik.xlsx"))

    # "Care" (Sundhed og ældre) looks like "Acadre": uncertain, for the coordinator to reject.
    assert texts.forslag_loaded(
        kilde="kitos", systemer=2, usikre=2, tilfoejelser=2
    ) in connector.texts(KIM.personal_conversation)
    review = last_card(connector, KIM)
    text = card_text(card_of(review))
    assert (
        texts.forslag_area_line(
            fagomraade=ESDH,
            med_forslag=2,
            usikre=1,
            tilfoejelser=1,
            ejere=["Anne Jensen"],
        )
        in text
    )
    assert (
        texts.forslag_usikkert(
            system="WorkZone",
            kilde_navn="WorkZone Cloud",
            kilde="kitos",
            anvendelse=Anvendelse.ANVENDER,
            fagomraade=ESDH,
        )
        in text
    )
    assert "**Zoom**" in text and "**Docunote**" in text
    assert await count(db, AnswerRow) == 0

    # The uncertain matches: WorkZone is the same system, Care is not Acadre.
    await press(bot, activities, KIM, review, texts.FORSLAG_SAMME)
    review = connector.updates()[-1]
    await press(bot, activities, KIM, review, texts.FORSLAG_IKKE_SAMME)
    async with db() as session:
        decided = (
            await session.execute(
                select(ForslagRow.kilde_navn, ForslagRow.afgjort).where(
                    ForslagRow.sikker.is_(False)
                )
            )
        ).all()
    assert sorted(decided) == [
        ("Acadre", Afgjort.AFVIST.value),
        ("WorkZone Cloud", Afgjort.ACCEPTERET.value),
    ]
    review = connector.updates()[-1]
    assert texts.FORSLAG_SAMME not in buttons(card_of(review))

    # Zoom claims no area: offering it needs one.
    zoom = await _tilfoejelse_id(db, "Zoom")
    await bot.post(
        activities.submit(
            KIM,
            {"action": "tilfoejelse_afgoer", "tilfoejelse_id": zoom, "accept": True},
            reply_to=review["id"],
        )
    )
    assert connector.texts(KIM.personal_conversation)[-1] == texts.FORSLAG_VAELG_OMRAADE
    skole = await _area_id(db, "Skole")
    await bot.post(
        activities.submit(
            KIM,
            {
                "action": "tilfoejelse_afgoer",
                "tilfoejelse_id": zoom,
                "accept": True,
                f"omraade_{zoom}": str(skole),
            },
            reply_to=review["id"],
        )
    )
    async with db() as session:
        row = await session.get_one(ForslagTilfoejelseRow, zoom)
    assert (row.afgjort, row.fagomraade_id) == (Afgjort.ACCEPTERET.value, skole)
    assert await count(db, AnswerRow) == 0

    # KITOS' Systemejer is suggested for the area of their systems, found by e-mail in Teams.
    await bot.post(activities.message(KIM, "tildel"))
    overview = last_card(connector, KIM)
    assert texts.tildel_suggested_line(
        fagomraade=ESDH, navne=[f"Anne Jensen ({ANNE.email})"]
    ) in card_text(card_of(overview))
    await press(bot, activities, KIM, overview, texts.TILDEL_ACCEPT_SUGGESTED)
    assert connector.texts(KIM.personal_conversation)[-1] == texts.tildel_suggested_done(
        tildelt=[(ESDH, "Anne Jensen")], ikke_fundet=[], inviteret=False
    )


async def test_a_file_that_is_no_kitos_export_is_refused_saying_why(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_first_round(bot, activities)
    await press(
        bot,
        activities,
        KIM,
        card_titled(connector, KIM, texts.FORSLAG_KILDE_TITLE),
        texts.FORSLAG_UPLOAD_KITOS,
    )
    connector.files["noter.xlsx"] = b"not a workbook"

    await bot.post(upload(activities, connector, "noter.xlsx"))

    assert connector.texts(KIM.personal_conversation)[-1] == (
        'Filen "noter.xlsx" er ikke en Excel-fil (.xlsx). Eksportér igen fra KITOS\' overblik.'
    )
    assert await count(db, ForslagRow) == 0


async def test_the_coordinator_answering_a_system_meanwhile_is_not_taken_for_a_source(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_first_round(bot, activities)
    await bot.post(activities.message(KIM, "tildel økonomi mig"))
    okonomi = await _area_id(db, "Økonomi")
    await bot.post(activities.submit(KIM, {"action": "start", "fagomraade_id": okonomi}))

    await bot.post(activities.message(KIM, "nej"))

    assert await count(db, AnswerRow) == 1


# --- KITOS' API ---------------------------------------------------------------------------------


@pytest.fixture
def kitos_settings(settings: Settings, kitos: KitosStandIn) -> Settings:
    return dataclasses.replace(settings, kitos_url=kitos.url, kitos_token=TOKEN)


def kitos_usages(kitos: KitosStandIn) -> None:
    kitos.add_user(ANNE_UUID, "Anne Jensen", ANNE.email)
    kitos.usages[ORGANISATION["uuid"]] = [
        usage("SBSYS", number=1, roles=(("Systemejer", ANNE_UUID, "Anne Jensen"),)),
        usage("Acadre", "NotInUse", number=2),
        usage("Aula", "Operational", number=3),
    ]


async def test_hent_fra_kitos_reads_the_api_into_the_review_card(
    start_bot: StartBot,
    kitos_settings: Settings,
    kitos: KitosStandIn,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    bot = await start_bot(kitos_settings)
    kitos_usages(kitos)
    await set_up_first_round(bot, activities)
    kilde_card = card_titled(connector, KIM, texts.FORSLAG_KILDE_TITLE)

    await press(bot, activities, KIM, kilde_card, texts.FORSLAG_HENT_KITOS)

    said = connector.texts(KIM.personal_conversation)
    assert texts.FORSLAG_KITOS_FETCHING in said
    # Aula is listed in two areas (Skole, Dagtilbud): one KITOS system answers in both; Care
    # looks like Acadre, for the coordinator to reject.
    assert texts.forslag_loaded(kilde="kitos", systemer=4, usikre=1, tilfoejelser=0) in said
    assert card_text(card_of(last_card(connector, KIM))).startswith(texts.FORSLAG_CARD_TITLE)
    assert await count(db, AnswerRow) == 0
    assert kitos.calls[0].query["onlyWhereUserHasMembership"] == "true"


@pytest.mark.parametrize(
    ("failure", "token", "error"),
    [
        (None, "expired", KitosError(KitosErrorKind.UNAUTHORIZED, status=401)),
        (
            Failure(429, {"Retry-After": "600"}),
            TOKEN,
            KitosError(KitosErrorKind.UNAVAILABLE, status=429, retry_after=600.0),
        ),
    ],
    ids=["401", "429"],
)
async def test_kitos_refusing_or_throttling_is_told_in_danish_and_stores_nothing(
    start_bot: StartBot,
    kitos_settings: Settings,
    kitos: KitosStandIn,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
    failure: Failure | None,
    token: str,
    error: KitosError,
) -> None:
    bot = await start_bot(dataclasses.replace(kitos_settings, kitos_token=token))
    kitos_usages(kitos)
    await set_up_first_round(bot, activities)
    if failure is not None:
        kitos.fail_next(failure)

    await bot.post(activities.message(KIM, "forslag"))
    await press(bot, activities, KIM, last_card(connector, KIM), texts.FORSLAG_HENT_KITOS)

    assert connector.texts(KIM.personal_conversation)[-1] == texts.kitos_error(
        error, kommune="Aarhus Kommune"
    )
    assert await count(db, ForslagRow) == 0
    # The source card still waits: KITOS' export can be sent instead.
    connector.files["IT Systemer Overblik.xlsx"] = kitos_export()
    await bot.post(upload(activities, connector, "IT Systemer Overblik.xlsx"))
    assert await count(db, ForslagRow) == 4


async def _tilfoejelse_id(db: async_sessionmaker[AsyncSession], navn: str) -> int:
    async with db() as session:
        return int(
            await session.scalar(
                select(ForslagTilfoejelseRow.id).where(ForslagTilfoejelseRow.navn == navn)
            )
            or 0
        )


async def _area_id(db: async_sessionmaker[AsyncSession], navn: str) -> int:
    async with db() as session:
        return int(
            await session.scalar(select(FagomraadeRow.id).where(FagomraadeRow.navn == navn)) or 0
        )
