"""The infrastrukturansvarlig through /api/messages: set-up, tildeling, start, status, refusals."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from dialogs import cards, texts
from storage.catalogue.reference import load_reference_bilag1
from storage.domain.delivery import FailureReason
from storage.models import FagomraadeRow, ItSystemRow, KortlaegningRow, PersonRow, TildelingRow
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
from tests.support.connector import BotConnector, Failure

KIM = TeamsUser("Kim Koordinator", "aad-kim", "kim@kommune.dk")
ANNE = TeamsUser("Anne Jensen", "aad-anne", "anne.jensen@kommune.dk")
BO = TeamsUser("Bo Hansen", "aad-bo", "bo.hansen@kommune.dk")
TEAM_ID = "19:team-kommune@thread.tacv2"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, reminders_enabled=False, koordinatorer=("kim@kommune.dk",)
    )


@pytest.fixture
def roster(connector: BotConnector) -> None:
    """Everyone is in the municipality's team (a 1:1 chat's roster is its one person)."""
    for user in (KIM, ANNE, BO):
        connector.add_member(TEAM_ID, user.roster_entry())


def last_card(connector: BotConnector, conversation: str) -> dict[str, Any]:
    return [a for a in connector.sent(conversation) if a.get("attachments")][-1]


async def set_up_by_text(
    bot: RunningBot, activities: Activities, slutdato: str = "31-08-2099"
) -> None:
    for text in ("opsæt", "Århus", slutdato, "eksempel"):
        await bot.post(activities.message(KIM, text))
    await bot.post(in_team(activities.message(KIM, "hjælp"), TEAM_ID))  # the bot is in the team


async def test_the_opsaet_card_once_sent_shows_its_choices_and_no_button(
    bot: RunningBot, activities: Activities, connector: BotConnector, roster: None
) -> None:
    await bot.post(activities.message(KIM, "opsæt"))
    card = last_card(connector, KIM.personal_conversation)
    data = {
        **submit_data(card_of(card), texts.OPSAET_SUBMIT),
        "kommune": "751",
        "slutdato": "2099-08-31",
        "skabelon": "eksempel",
    }

    await bot.post(activities.submit(KIM, data, reply_to=card["id"]))

    assert connector.texts(KIM.personal_conversation)[-1] == (
        texts.opsaet_done(
            kommune="Aarhus Kommune",
            slutdato=date(2099, 8, 31),
            fagomraader=14,
            systemer=55,
            eksempel=True,
            bevaret=0,
            fjernet=0,
        )
    )
    [used] = [a for a in connector.chat(KIM.personal_conversation) if a["id"] == card["id"]]
    assert buttons(card_of(used)) == []
    assert card_text(card_of(used)).endswith(
        texts.opsaet_card_used(kommune="Aarhus Kommune", slutdato=date(2099, 8, 31))
    )


async def test_set_up_with_the_bundled_example_asks_step_by_step_and_stores_the_catalogue(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_by_text(bot, activities)

    said = connector.texts(KIM.personal_conversation)
    assert said[0] == texts.OPSAET_ASK_KOMMUNE
    assert texts.opsaet_kommune_chosen(kommune="Aarhus Kommune") in said
    assert said[-1] == texts.opsaet_done(
        kommune="Aarhus Kommune",
        slutdato=date(2099, 8, 31),
        fagomraader=14,
        systemer=55,
        eksempel=True,
        bevaret=0,
        fjernet=0,
    )
    assert "ikke KOMBITs officielle liste" in said[-1]
    async with db() as session:
        kortlaegning = (await session.scalars(select(KortlaegningRow))).one()
    assert (kortlaegning.kommunekode, kortlaegning.slutdato) == ("751", date(2099, 8, 31))
    assert kortlaegning.template == load_reference_bilag1()
    assert await count(db, FagomraadeRow) == 14
    assert await count(db, ItSystemRow) == 55


async def test_bad_kommune_and_dates_get_their_danish_message_and_change_nothing(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    for text in ("opsæt", "Gotham", "frederiks", "Aarhus Kommune", "32/13", "1/1-2020"):
        await bot.post(activities.message(KIM, text))

    said = connector.texts(KIM.personal_conversation)
    assert texts.opsaet_kommune_unknown(query="Gotham") in said
    assert any(s.startswith("Mente du ") and "Frederiksberg Kommune" in s for s in said)
    assert texts.OPSAET_SLUTDATO_UNKNOWN in said
    assert said[-1] == texts.opsaet_slutdato_past(slutdato=date(2020, 1, 1))
    assert await count(db, KortlaegningRow) == 0


async def test_set_up_with_an_uploaded_workbook_reads_it_and_a_bad_file_changes_nothing(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    connector.files["ikke-excel.xlsx"] = b"dette er ikke en Excel-fil"
    connector.files["kombit.xlsx"] = _one_area_workbook()

    for text in ("opsæt", "751", "31/8-2099"):
        await bot.post(activities.message(KIM, text))
    await bot.post(_upload(activities, connector, "ikke-excel.xlsx"))
    refusal = connector.texts(KIM.personal_conversation)[-1]
    assert "ikke-excel.xlsx" in refusal and "ikke en Excel-fil" in refusal
    assert await count(db, KortlaegningRow) == 0

    await bot.post(_upload(activities, connector, "kombit.xlsx"))

    assert "jeres uploadede Bilag 1" in connector.texts(KIM.personal_conversation)[-1]
    async with db() as session:
        kortlaegning = (await session.scalars(select(KortlaegningRow))).one()
        areas = (await session.scalars(select(FagomraadeRow.navn))).all()
    assert kortlaegning.template_filename == "kombit.xlsx"
    assert kortlaegning.template_is_reference is False
    assert len(areas) == 14 and await count(db, ItSystemRow) == 54


def _one_area_workbook() -> bytes:
    """The reference workbook with one system fewer, as KOMBIT's real file would differ."""
    from io import BytesIO

    workbook = load_workbook(BytesIO(load_reference_bilag1()))
    sheet = next(ws for ws in workbook.worksheets if "ESDH" in ws.title)
    sheet.delete_rows(5)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(activities: Activities, connector: BotConnector, name: str) -> dict[str, Any]:
    return activities.file_upload(KIM, f"{connector.url}/files/{name}", name)


async def test_a_systemejer_is_refused_coordinator_commands_politely(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    for text in ("opsæt", "status", "tildel ESDH mig", "koordinator tilføj anne.jensen@kommune.dk"):
        await bot.post(activities.message(ANNE, text))

    expected = texts.not_koordinator(koordinatorer=["kim@kommune.dk"])
    assert connector.texts(ANNE.personal_conversation) == [expected] * 4
    assert "kim@kommune.dk" in expected
    assert await count(db, KortlaegningRow) == 0
    async with db() as session:
        assert (await session.scalars(select(PersonRow.is_koordinator))).all() == [False]


async def test_the_first_person_in_a_local_trial_becomes_coordinator(
    start_bot: StartBot,
    database_url: str,
    activities: Activities,
    connector: BotConnector,
    roster: None,
) -> None:
    trial = await start_bot(Settings(database_url=database_url, reminders_enabled=False))

    await trial.post(activities.message(ANNE, "opsæt"))
    await trial.post(activities.message(BO, "status"))

    assert connector.texts(ANNE.personal_conversation)[:2] == [
        texts.BECAME_KOORDINATOR,
        texts.OPSAET_ASK_KOMMUNE,
    ]
    assert texts.BECAME_KOORDINATOR.endswith(texts.FEM_TRIN)  # her welcome as coordinator
    assert connector.texts(BO.personal_conversation) == [
        texts.not_koordinator(koordinatorer=["Anne Jensen"])
    ]


async def test_assignment_by_email_mention_roster_card_and_mig(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_by_text(bot, activities)

    await bot.post(activities.message(KIM, "tildel økonomi ANNE.JENSEN@kommune.dk"))
    await bot.post(
        in_team(
            activities.message(
                KIM,
                "<at>Kortlægningsbot</at> tildel Løn og personale <at>Bo Hansen</at>",
                entities=[
                    {
                        "type": "mention",
                        "mentioned": {"id": "28:kortlaegningsbot", "name": "Kortlægningsbot"},
                        "text": "<at>Kortlægningsbot</at>",
                    },
                    {
                        "type": "mention",
                        "mentioned": {"id": BO.teams_id, "name": "Bo Hansen"},
                        "text": "<at>Bo Hansen</at>",
                    },
                ],
            ),
            TEAM_ID,
        )
    )
    await bot.post(activities.message(KIM, "tildel beskæftigelse mig"))
    await bot.post(activities.message(KIM, "tildel"))
    card = card_of(last_card(connector, KIM.personal_conversation))
    assert "Økonomi\nAnne Jensen" in card_text(card)
    areas = {
        c["title"]: c["value"]
        for e in card["body"]
        if e.get("id") == "fagomraade_id"
        for c in e["choices"]
    }
    people = {
        c["title"]: c["value"]
        for e in card["body"]
        if e.get("id") == "person"
        for c in e["choices"]
    }
    overview = last_card(connector, KIM.personal_conversation)
    await bot.post(
        activities.submit(
            KIM,
            {
                **submit_data(card, "Tildel"),
                "fagomraade_id": areas["Økonomi"],
                "person": people["Bo Hansen (bo.hansen@kommune.dk)"],
            },
            reply_to=overview["id"],
        )
    )
    # The overview used is updated in place: it shows Bo as well now.
    [used] = [a for a in connector.chat(KIM.personal_conversation) if a["id"] == overview["id"]]
    [owners] = [
        fact["value"]
        for block in card_of(used)["body"]
        if block["type"] == "FactSet"
        for fact in block["facts"]
        if fact["title"] == "Økonomi"
    ]
    assert "Anne Jensen" in owners and "Bo Hansen" in owners

    said = connector.texts(KIM.personal_conversation) + connector.texts(TEAM_ID)
    assert texts.tildel_done(fagomraade="Økonomi", navn="Anne Jensen", inviteret=False) in said
    assert (
        texts.tildel_done(fagomraade="Løn og personale", navn="Bo Hansen", inviteret=False) in said
    )
    assert (
        texts.tildel_done(fagomraade="Beskæftigelse", navn="Kim Koordinator", inviteret=False)
        in said
    )
    assert texts.tildel_done(fagomraade="Økonomi", navn="Bo Hansen", inviteret=False) in said
    async with db() as session:
        rows = await session.execute(
            select(FagomraadeRow.navn, PersonRow.email)
            .join(TildelingRow, TildelingRow.fagomraade_id == FagomraadeRow.id)
            .join(PersonRow, PersonRow.id == TildelingRow.person_id)
            .order_by(TildelingRow.id)
        )
        assert rows.all() == [
            ("Økonomi", "anne.jensen@kommune.dk"),
            ("Løn og personale", "bo.hansen@kommune.dk"),
            ("Beskæftigelse", "kim@kommune.dk"),
            ("Økonomi", "bo.hansen@kommune.dk"),
        ]


async def test_unknown_fagomraade_or_person_is_explained_and_nothing_assigned(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_by_text(bot, activities)

    await bot.post(activities.message(KIM, "tildel Rumfart anne.jensen@kommune.dk"))
    await bot.post(activities.message(KIM, "tildel Økonomi ukendt@kommune.dk"))

    said = connector.texts(KIM.personal_conversation)
    assert said[-2].startswith("Jeg kender intet fagområde, der hedder «Rumfart»")
    assert said[-1] == texts.tildel_unknown_person(
        query="ukendt@kommune.dk", teams=[""], graph=False
    )
    assert await count(db, TildelingRow) == 0


async def test_start_creates_chats_sends_invitations_and_names_the_unreachable(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    sara = TeamsUser("Sara Blokeret", "aad-sara", "sara@kommune.dk")
    connector.add_member(TEAM_ID, sara.roster_entry())
    await set_up_by_text(bot, activities)
    await bot.post(activities.message(ANNE, "hjælp"))  # Anne has a chat with the bot already
    await bot.post(activities.message(KIM, "tildel økonomi anne.jensen@kommune.dk"))
    await bot.post(activities.message(KIM, "tildel Løn og personale bo.hansen@kommune.dk"))
    await bot.post(activities.message(KIM, "tildel Beskæftigelse sara@kommune.dk"))
    # Sara has blocked the bot: Teams refuses to create the chat.
    connector.fail_next("create", Failure(403, code="BotDisabledByAdmin"), target=sara.teams_id)

    await bot.post(activities.message(KIM, "start"))
    question = card_of(last_card(connector, KIM.personal_conversation))
    assert card_text(question).startswith(
        "11 fagområder har ingen systemejer. Send invitationerne til de 3 tildelte nu? De "
        "øvrige inviteres, når du tildeler dem."
    )
    assert [a["title"] for a in question["actions"]] == ["Send nu", "Tildel først"]
    assert connector.created_conversations == []  # nobody is invited before Send nu
    await bot.post(activities.submit(KIM, submit_data(question, "Send nu")))

    for user, area in ((ANNE, "Økonomi"), (BO, "Løn og personale")):
        invitation = card_text(card_of(last_card(connector, user.personal_conversation)))
        assert f"Kortlægning af it-systemer: {area}" in invitation
        assert "Kim Koordinator" in invitation
    created_for = [c["members"][0]["id"] for c in connector.created_conversations]
    assert BO.teams_id in created_for and ANNE.teams_id not in created_for
    said = connector.texts(KIM.personal_conversation)
    assert texts.start_done(inviteret=2) in said
    assert texts.not_reached(people=[("Sara Blokeret", FailureReason.BLOCKED)]) in said
    async with db() as session:
        invited = dict(
            (
                await session.execute(
                    select(PersonRow.email, TildelingRow.invited_at).join(
                        TildelingRow, TildelingRow.person_id == PersonRow.id
                    )
                )
            ).all()
        )
    assert {email for email, at in invited.items() if at is not None} == {
        "anne.jensen@kommune.dk",
        "bo.hansen@kommune.dk",
    }


async def test_start_with_unassigned_areas_offers_to_assign_first_and_invites_nobody(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_by_text(bot, activities)
    await bot.post(activities.message(KIM, "tildel økonomi anne.jensen@kommune.dk"))

    await bot.post(activities.message(KIM, "start"))
    question = card_of(last_card(connector, KIM.personal_conversation))
    assert card_text(question).startswith(
        "13 fagområder har ingen systemejer. Send invitationen til det ene tildelte nu? De "
        "øvrige inviteres, når du tildeler dem."
    )
    await bot.post(activities.submit(KIM, submit_data(question, "Tildel først")))

    overview = card_of(last_card(connector, KIM.personal_conversation))
    assert card_text(overview).startswith(texts.TILDEL_CARD_TITLE)
    assert "Økonomi\nAnne Jensen" in card_text(overview)
    assert connector.sent(ANNE.personal_conversation) == []
    async with db() as session:
        assert (await session.scalars(select(TildelingRow.invited_at))).all() == [None]
        assert (await session.scalars(select(KortlaegningRow.started_at))).all() == [None]


async def test_start_sends_one_invitation_per_person_and_a_later_area_its_own_card(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
) -> None:
    await set_up_by_text(bot, activities)
    await bot.post(activities.message(ANNE, "hjælp"))  # Anne has a chat with the bot
    await bot.post(activities.message(KIM, "tildel økonomi anne.jensen@kommune.dk"))
    await bot.post(activities.message(KIM, "tildel Løn og personale anne.jensen@kommune.dk"))
    await bot.post(activities.message(KIM, "start"))
    await bot.post(
        activities.submit(
            KIM, submit_data(card_of(last_card(connector, KIM.personal_conversation)), "Send nu")
        )
    )

    [invitation] = [
        card_of(a) for a in connector.sent(ANNE.personal_conversation) if a.get("attachments")
    ]
    text = card_text(invitation)
    assert texts.invitations_title(fagomraader=2) in text and "Kim Koordinator" in text
    assert "**Økonomi** – 4 systemer" in text and "**Løn og personale** –" in text
    assert buttons(invitation) == [texts.START, texts.FORM, texts.NOT_ME] * 2
    assert texts.start_done(inviteret=1) in connector.texts(KIM.personal_conversation)

    await bot.post(activities.message(KIM, "tildel Skole anne.jensen@kommune.dk"))

    later = card_text(card_of(last_card(connector, ANNE.personal_conversation)))
    assert texts.invitation_title(fagomraade="Skole") in later

    await bot.post(activities.message(KIM, "påmind"))

    reminder = card_of(last_card(connector, ANNE.personal_conversation))
    assert texts.reminders_title(fagomraader=3) in card_text(reminder)
    assert buttons(reminder) == ["Start", "Formular", "Ikke mig"] * 3
    assert connector.texts(KIM.personal_conversation)[-1] == texts.paamind_done(antal=1)


async def test_status_figures_match_the_answers_in_the_database(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_by_text(bot, activities)
    await bot.post(activities.message(KIM, "tildel økonomi anne.jensen@kommune.dk"))
    async with db() as session:
        okonomi = (
            await session.scalars(select(FagomraadeRow).where(FagomraadeRow.navn == "Økonomi"))
        ).one()
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": okonomi.id}))
    await bot.post(activities.message(ANNE, "ja"))
    await bot.post(activities.message(ANNE, "nej: udfases 2026"))

    await bot.post(activities.message(KIM, "status"))

    status = card_text(card_of(last_card(connector, KIM.personal_conversation)))
    assert (
        texts.status_overall(procent=3, besvaret=2, antal=55, indsendt=0, fagomraader=14) in status
    )
    assert "**Økonomi** · 2/4 · Anne Jensen" in status
    await bot.post(activities.message(KIM, "status økonomi"))
    detail = card_text(card_of(last_card(connector, KIM.personal_conversation)))
    assert "2 af 4 systemer er besvaret." in detail
    # The remark is shown with the answer, for the coordinator too.
    assert "Anvender ikke — «udfases 2026»" in detail


async def test_every_coordinator_is_told_when_the_last_area_is_submitted(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    for text in ("opsæt", "Aarhus", "31/8-2099"):
        await bot.post(activities.message(KIM, text))
    await bot.post(in_team(activities.message(KIM, "hjælp"), TEAM_ID))
    connector.files["kombit.xlsx"] = _single_area_workbook()
    await bot.post(_upload(activities, connector, "kombit.xlsx"))
    await bot.post(activities.message(KIM, "tildel ESDH anne.jensen@kommune.dk"))
    async with db() as session:
        area = (await session.scalars(select(FagomraadeRow))).one()
    await bot.post(activities.submit(ANNE, {"action": "form", "fagomraade_id": area.id}))
    form = card_of(last_card(connector, ANNE.personal_conversation))
    choices = {e["id"]: "anvender" for e in form["body"] if e["type"] == "Input.ChoiceSet"}
    await bot.post(activities.submit(ANNE, {**submit_data(form, "Gem og gå videre"), **choices}))
    await bot.post(activities.message(ANNE, "indsend"))

    said = connector.texts(KIM.personal_conversation)
    assert said[-1] == texts.coordinator_all_submitted(antal=1, version=1)
    notice = card_of(last_card(connector, KIM.personal_conversation))
    assert submit_data(notice, "Send til KOMBIT") == {"action": "bilag1_send"}
    assert said[-2] == texts.coordinator_area_submitted(
        systemejer="Anne Jensen",
        fagomraade="Sags- og dokumenthåndtering (ESDH)",
        besvaret=8,
        antal=8,
    )


def _single_area_workbook() -> bytes:
    from io import BytesIO

    workbook = load_workbook(BytesIO(load_reference_bilag1()))
    for sheet in list(workbook.worksheets):
        if (
            sheet.title[:2].strip().isdigit()
            and int(sheet.title.split()[0]) >= 4
            and "Tilføjede" not in sheet.title
        ):
            workbook.remove(sheet)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


async def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(
    start_bot: StartBot,
    settings: Settings,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    small = await start_bot(dataclasses.replace(settings, max_upload_bytes=64 * 1024))
    connector.files["stor.xlsx"] = load_reference_bilag1() + b"\0" * (128 * 1024)

    for text in ("opsæt", "751", "31/8-2099"):
        await small.post(activities.message(KIM, text))
    await small.post(_upload(activities, connector, "stor.xlsx"))

    assert connector.texts(KIM.personal_conversation)[-1] == texts.opsaet_file_too_large(
        filnavn="stor.xlsx", max_bytes=64 * 1024
    )
    assert await count(db, KortlaegningRow) == 0


async def test_opsaet_again_asks_first_and_nej_changes_nothing(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_by_text(bot, activities)

    await bot.post(activities.message(KIM, "opsæt"))
    assert connector.texts(KIM.personal_conversation)[-1] == texts.OPSAET_RERUN
    await bot.post(activities.message(KIM, "nej"))

    assert connector.texts(KIM.personal_conversation)[-1] == texts.OPSAET_KEPT
    async with db() as session:
        kortlaegning = (await session.scalars(select(KortlaegningRow))).one()
    assert (kortlaegning.kommunekode, kortlaegning.slutdato) == ("751", date(2099, 8, 31))


async def test_opsaet_again_with_ja_keeps_the_answers_of_systems_still_listed(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_by_text(bot, activities)
    await bot.post(activities.message(KIM, "tildel økonomi mig"))
    async with db() as session:
        okonomi = (
            await session.scalars(select(FagomraadeRow).where(FagomraadeRow.navn == "Økonomi"))
        ).one()
    await bot.post(activities.submit(KIM, {"action": "start", "fagomraade_id": okonomi.id}))
    await bot.post(activities.message(KIM, "ja"))

    for text in ("opsæt", "ja", "Odense", "1/9-2099", "eksempel"):
        await bot.post(activities.message(KIM, text))

    assert connector.texts(KIM.personal_conversation)[-1] == texts.opsaet_done(
        kommune="Odense Kommune",
        slutdato=date(2099, 9, 1),
        fagomraader=14,
        systemer=55,
        eksempel=True,
        bevaret=1,
        fjernet=0,
    )
    async with db() as session:
        kortlaegning = (await session.scalars(select(KortlaegningRow))).one()
        answers = (await session.scalars(select(func.count()).select_from(ItSystemRow))).one()
    assert kortlaegning.kommunekode == "461" and answers == 55


async def test_paamind_sends_the_scheduled_reminder_card_with_fortsaet(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await set_up_by_text(bot, activities)
    await bot.post(activities.message(ANNE, "hjælp"))  # Anne has a chat with the bot
    await bot.post(activities.message(KIM, "tildel økonomi anne.jensen@kommune.dk"))
    async with db() as session:
        okonomi = (
            await session.scalars(select(FagomraadeRow).where(FagomraadeRow.navn == "Økonomi"))
        ).one()
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": okonomi.id}))
    await bot.post(activities.message(ANNE, "ja"))

    await bot.post(activities.message(KIM, "påmind"))

    reminder = card_of(last_card(connector, ANNE.personal_conversation))
    today = datetime.now(Settings().zone).date()
    assert reminder == cards.build_reminder_card(
        fagomraade_id=okonomi.id,
        fagomraade="Økonomi",
        unanswered=3,
        total=4,
        slutdato=date(2099, 8, 31),
        dage=(date(2099, 8, 31) - today).days,
    )
    assert "**3 af 4** it-systemer i fagområdet **Økonomi**" in card_text(reminder)
    assert submit_data(reminder, "Fortsæt") == {"action": "fortsaet", "fagomraade_id": okonomi.id}
    assert buttons(reminder) == ["Fortsæt", "Formular", "Ikke mig"]


async def test_a_coordinator_is_welcomed_with_the_five_steps_and_a_systemejer_with_the_answers(
    bot: RunningBot, activities: Activities, connector: BotConnector, roster: None
) -> None:
    await bot.post(activities.installed(KIM))
    await bot.post(activities.installed(ANNE))

    [welcome] = connector.texts(KIM.personal_conversation)
    assert welcome == texts.KOORDINATOR_WELCOME
    steps = [
        line.split("**")[1]
        for line in welcome.splitlines()
        if line[:2] in {"1.", "2.", "3.", "4.", "5."}
    ]
    assert steps == ["opsæt", "tildel", "start", "status", "send"]
    assert connector.texts(ANNE.personal_conversation) == [texts.WELCOME]
    assert "infrastrukturansvarlig" not in texts.WELCOME


async def test_hjaelp_shows_each_command_of_the_askers_role_with_what_it_does(
    bot: RunningBot, activities: Activities, connector: BotConnector, roster: None
) -> None:
    await bot.post(activities.message(KIM, "hjælp"))
    await bot.post(activities.message(ANNE, "hjælp"))

    [koordinator_help] = connector.texts(KIM.personal_conversation)
    [systemejer_help] = connector.texts(ANNE.personal_conversation)
    described = {
        line.split("**")[1]: line.split(" – ", 1)[1]
        for line in koordinator_help.splitlines()
        if line.startswith("- **") and " – " in line
    }
    for word in ("opsæt", "tildel", "start", "status", "påmind", "udkast", "bilag1", "send"):
        assert described[word], word
    for word in ("modtaget", "historik", "ændringer", "koordinator tilføj", "fortsæt", "mine"):
        assert described[word], word
    assert "Sekundær anvendelse" in koordinator_help  # the three answers, for questions
    assert systemejer_help == texts.HELP
    shown = [
        line.split("**")[1] for line in systemejer_help.splitlines() if line.startswith("- **")
    ]
    assert "fortsæt" in shown and "mine" in shown
    assert not {"tildel", "start", "påmind", "send"} & set(shown)


async def test_the_coordinator_who_submits_an_area_is_not_told_so_but_the_others_are(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    roster: None,
    db: async_sessionmaker[AsyncSession],
) -> None:
    for text in ("opsæt", "Aarhus", "31/8-2099"):
        await bot.post(activities.message(KIM, text))
    await bot.post(in_team(activities.message(KIM, "hjælp"), TEAM_ID))
    connector.files["kombit.xlsx"] = _single_area_workbook()
    await bot.post(_upload(activities, connector, "kombit.xlsx"))
    await bot.post(activities.message(KIM, "koordinator tilføj bo.hansen@kommune.dk"))
    await bot.post(activities.message(BO, "hjælp"))  # Bo has a chat with the bot
    await bot.post(activities.message(KIM, "tildel ESDH mig"))
    async with db() as session:
        area = (await session.scalars(select(FagomraadeRow))).one()
    await bot.post(activities.submit(KIM, {"action": "form", "fagomraade_id": area.id}))
    form = card_of(last_card(connector, KIM.personal_conversation))
    choices = {e["id"]: "anvender" for e in form["body"] if e["type"] == "Input.ChoiceSet"}
    await bot.post(activities.submit(KIM, {**submit_data(form, "Gem og gå videre"), **choices}))
    await bot.post(activities.message(KIM, "indsend"))

    notice = texts.coordinator_area_submitted(
        systemejer="Kim Koordinator",
        fagomraade="Sags- og dokumenthåndtering (ESDH)",
        besvaret=8,
        antal=8,
    )
    kim_saw = connector.texts(KIM.personal_conversation)
    assert texts.submitted(
        fagomraade="Sags- og dokumenthåndtering (ESDH)", besvaret=8, antal=8
    ) in (kim_saw)
    assert notice not in kim_saw
    assert notice in connector.texts(BO.personal_conversation)
    # The finished Bilag 1 is news to every coordinator, the one who acted too.
    assert kim_saw[-1] == texts.coordinator_all_submitted(antal=1, version=1)
