"""The systemejer's survey through /api/messages: replies at the connector, answers in the DB."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from dialogs import texts
from storage.domain.model import Anvendelse
from storage.models import AnswerRow, AuditRow, FagomraadeRow, ItSystemRow, TilfoejetSystemRow
from tests.protocol.conftest import (
    RunningBot,
    StartBot,
    buttons,
    card_of,
    card_text,
    submit_data,
)
from tests.support.activities import Activities, TeamsUser
from tests.support.commits import turn_commits
from tests.support.connector import BotConnector
from tests.support.fixtures import SetUp, set_up_one_area

ANNE = TeamsUser("Anne Systemejer", "aad-anne", "anne@kommune.dk")
BO = TeamsUser("Bo Systemejer", "aad-bo", "bo@kommune.dk")


async def answers(db: async_sessionmaker[AsyncSession], area_id: int) -> dict[str, Any]:
    async with db() as session:
        rows = await session.execute(
            select(ItSystemRow.navn, AnswerRow.anvendelse, AnswerRow.bemaerkning)
            .join(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
            .where(ItSystemRow.fagomraade_id == area_id)
        )
        return {navn: (anvendelse, bemaerkning) for navn, anvendelse, bemaerkning in rows}


def last_card(connector: BotConnector, user: TeamsUser) -> dict[str, Any]:
    with_cards = [a for a in connector.sent(user.personal_conversation) if a.get("attachments")]
    return with_cards[-1]


async def press(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    user: TeamsUser,
    title: str,
    **inputs: Any,
) -> dict[str, Any]:
    """Press a button on the newest card the user got, with any inputs filled in."""
    activity = last_card(connector, user)
    data = {**submit_data(card_of(activity), title), **inputs}
    response = await bot.post(activities.submit(user, data, reply_to=activity["id"]))
    assert response.status < 300
    return data


async def test_a_whole_area_answered_with_buttons_is_stored_and_submitted(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    first = card_text(card_of(last_card(connector, ANNE)))
    assert "ESDH · system 1 af 3" in first and "SBSYS" in first

    await press(bot, activities, connector, ANNE, "Anvender")
    assert "Acadre" in card_text(card_of(last_card(connector, ANNE)))
    await press(bot, activities, connector, ANNE, "Anvender ikke", bemaerkning="udfaset 2024")
    await press(bot, activities, connector, ANNE, "Sekundær anvendelse")

    summary = card_text(card_of(last_card(connector, ANNE)))
    # The summary asks for additions itself: no separate "Tilføj systemer" step.
    assert "Mangler der et system?" in summary and "Tilføj det" in summary
    assert "Acadre\nAnvender ikke — «udfaset 2024»" in summary
    await press(
        bot,
        activities,
        connector,
        ANNE,
        "Tilføj system",
        navn="WorkZone",
        leverandoer="KMD",
        svarer_til="Acadre",
        anvendelse="anvender",
        bemaerkning="kun arkiv",
    )
    assert texts.tilfoejet(navn="WorkZone") in connector.texts(ANNE.personal_conversation)
    summary = card_text(card_of(last_card(connector, ANNE)))
    assert "3 af 3 systemer er besvaret." in summary
    assert "WorkZone: Anvender · KMD · svarer til Acadre — «kun arkiv»" in summary
    await press(bot, activities, connector, ANNE, "Indsend")

    assert connector.texts(ANNE.personal_conversation)[-1] == texts.submitted(
        fagomraade="ESDH", besvaret=3, antal=3
    )
    assert await answers(db, world.esdh.id) == {
        "SBSYS": (Anvendelse.ANVENDER, None),
        "Acadre": (Anvendelse.ANVENDER_IKKE, "udfaset 2024"),
        "=SUM(A1)": (Anvendelse.SEKUNDAER, None),
    }
    async with db() as session:
        area = await session.get_one(FagomraadeRow, world.esdh.id)
        added = (await session.scalars(select(TilfoejetSystemRow))).one()
    assert area.indsendt_at is not None
    assert (added.navn, added.leverandoer, added.svarer_til, added.anvendelse) == (
        "WorkZone",
        "KMD",
        "Acadre",
        Anvendelse.ANVENDER,
    )
    chat = [card_of(a) for a in connector.chat(ANNE.personal_conversation) if a.get("attachments")]
    # Every card in the chat shows its final state, and none has a button left to press.
    assert [buttons(card) for card in chat] == [[]] * 5
    assert [card_text(card).splitlines()[-1] for card in chat] == [
        "✓ SBSYS: Anvender",
        "✓ Acadre: Anvender ikke — «udfaset 2024»",
        "✓ =SUM(A1): Sekundær anvendelse",
        texts.CARD_REPLACED,
        texts.SUBMITTED_NOTE,
    ]


async def test_typed_answers_work_and_nonsense_gets_the_three_options_explained(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.message(ANNE, "fortsæt"))
    # Anne has two open areas, so she chooses; ESDH first.
    mine = card_of(last_card(connector, ANNE))
    assert "Dine fagområder" in card_text(mine)
    # Areas not begun read Start; each also offers the form and Ikke mig.
    assert buttons(mine) == ["Start", "Formular", "Ikke mig"] * 2
    await press(bot, activities, connector, ANNE, "Start")

    for text in ("ja", "måske", "NEJ: bruges ikke længere", "spring over"):
        await bot.post(activities.message(ANNE, text))

    said = connector.texts(ANNE.personal_conversation)
    assert texts.ANVENDELSE_HELP in said
    assert await answers(db, world.esdh.id) == {
        "SBSYS": (Anvendelse.ANVENDER, None),
        "Acadre": (Anvendelse.ANVENDER_IKKE, "bruges ikke længere"),
    }
    assert "Oversigt: ESDH" in card_text(card_of(last_card(connector, ANNE)))
    await bot.post(activities.message(ANNE, "indsend"))
    missing = card_of(last_card(connector, ANNE))
    assert texts.missing_before_submit(mangler=["=SUM(A1)"]) in card_text(missing)
    assert [a["title"] for a in missing["actions"]][:2] == [
        "Indsend alligevel",
        "Besvar de manglende",
    ]
    await press(bot, activities, connector, ANNE, "Indsend alligevel")
    assert connector.texts(ANNE.personal_conversation)[-1] == texts.submitted(
        fagomraade="ESDH", besvaret=2, antal=3
    )


async def test_the_form_writes_the_same_answers_as_the_buttons(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "form", "fagomraade_id": world.skole.id}))
    form = card_of(last_card(connector, ANNE))
    choice_ids = [e["id"] for e in form["body"] if e["type"] == "Input.ChoiceSet"]
    remark_ids = [e["id"] for e in form["body"] if e["type"] == "Input.Text"]
    assert len(choice_ids) == len(remark_ids) == 2
    assert {e.get("placeholder") for e in form["body"] if e["type"] == "Input.Text"} == {
        texts.FORM_REMARK
    }

    await press(
        bot,
        activities,
        connector,
        ANNE,
        "Gem og gå videre",
        **{choice_ids[0]: "anvender", choice_ids[1]: "sekundaer", remark_ids[1]: "kun 0.-3."},
    )

    chat = connector.chat(ANNE.personal_conversation)
    saved = card_of(chat[0])
    assert card_text(saved).endswith(texts.form_saved(gemt=2, side=1, sider=1))
    assert buttons(saved) == []
    # One form page, then the summary with Indsend: nothing in between.
    summary = card_of(last_card(connector, ANNE))
    assert "Meebook\nSekundær anvendelse — «kun 0.-3.»" in card_text(summary)
    assert "Indsend" in buttons(summary)
    assert await answers(db, world.skole.id) == {
        "Aula": (Anvendelse.ANVENDER, None),
        "Meebook": (Anvendelse.SEKUNDAER, "kun 0.-3."),
    }
    await bot.post(activities.submit(ANNE, {"action": "form", "fagomraade_id": world.skole.id}))
    prefilled = [
        e.get("value")
        for e in card_of(last_card(connector, ANNE))["body"]
        if e["type"] in ("Input.ChoiceSet", "Input.Text")
    ]
    assert prefilled == ["anvender", "", "sekundaer", "kun 0.-3."]


async def test_a_form_saved_with_gaps_names_them_and_fortsaet_goes_to_the_first(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "form", "fagomraade_id": world.esdh.id}))
    form = card_of(last_card(connector, ANNE))
    first = next(e["id"] for e in form["body"] if e["type"] == "Input.ChoiceSet")
    # The description is shown under its system, subtle.
    assert any(
        e.get("text") == "Sags- og dokumenthåndtering" and e.get("isSubtle") for e in form["body"]
    )

    await press(bot, activities, connector, ANNE, "Gem og gå videre", **{first: "anvender"})

    saved = card_text(card_of(connector.chat(ANNE.personal_conversation)[0]))
    assert saved.endswith("✓ Side 1 af 1 er gemt (1 svar). 2 systemer mangler svar.")
    await press(bot, activities, connector, ANNE, "Besvar de manglende")
    assert "ESDH · system 2 af 3\nAcadre" in card_text(card_of(last_card(connector, ANNE)))
    await bot.post(activities.message(ANNE, "pause"))
    await bot.post(activities.submit(ANNE, {"action": "oversigt", "fagomraade_id": world.esdh.id}))

    await bot.post(activities.message(ANNE, "fortsæt"))

    assert "Acadre" in card_text(card_of(last_card(connector, ANNE)))


async def test_pause_and_fortsaet_resume_at_the_same_system_after_a_restart(
    start_bot: StartBot,
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    await bot.post(activities.message(ANNE, "ja"))
    await bot.post(activities.message(ANNE, "spring over"))
    await bot.post(activities.message(ANNE, "pause"))
    assert connector.texts(ANNE.personal_conversation)[-1] == texts.PAUSED
    await bot.client.close()

    restarted = await start_bot(bot.settings)
    await restarted.post(activities.message(ANNE, "fortsæt"))

    resumed = card_text(card_of(last_card(connector, ANNE)))
    assert "ESDH · system 3 af 3" in resumed and "=SUM(A1)" in resumed
    await restarted.post(activities.message(ANNE, "3"))
    assert await answers(db, world.esdh.id) == {
        "SBSYS": (Anvendelse.ANVENDER, None),
        "=SUM(A1)": (Anvendelse.SEKUNDAER, None),
    }


async def test_the_same_activity_delivered_twice_records_and_confirms_once(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    card = last_card(connector, ANNE)
    data = submit_data(card_of(card), "Anvender")
    activity = activities.submit(ANNE, data, reply_to=card["id"])

    await bot.post(activity)
    sent_after_first = len(connector.sent())
    await bot.post(activity)

    assert len(connector.sent()) == sent_after_first
    assert len(connector.updates()) == 1
    async with db() as session:
        assert len((await session.scalars(select(AuditRow))).all()) == 1


async def test_a_double_pressed_card_answers_once_and_a_stale_card_is_refused(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.skole.id}))
    aula_card = last_card(connector, ANNE)
    data = submit_data(card_of(aula_card), "Anvender")
    await bot.post(activities.submit(ANNE, data, reply_to=aula_card["id"]))
    sent = len(connector.sent())

    await bot.post(activities.submit(ANNE, data, reply_to=aula_card["id"]))  # pressed again

    assert len(connector.sent()) == sent
    await bot.post(activities.message(ANNE, "nej"))
    await bot.post(activities.message(ANNE, "indsend"))
    stale = submit_data(card_of(aula_card), "Anvender ikke")

    await bot.post(activities.submit(ANNE, stale, reply_to=aula_card["id"]))

    assert connector.texts(ANNE.personal_conversation)[-1] == texts.already_submitted(
        fagomraade="Skole"
    )
    assert (await answers(db, world.skole.id))["Aula"] == (Anvendelse.ANVENDER, None)
    async with db() as session:
        assert (
            len((await session.scalars(select(AuditRow).where(AuditRow.action == "answer"))).all())
            == 2
        )


async def test_two_people_on_one_area_see_each_other_s_answers_and_the_last_wins(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    await bot.post(activities.message(ANNE, "ja"))
    await bot.post(activities.submit(BO, {"action": "start", "fagomraade_id": world.esdh.id}))
    # Bo starts at the first system Anne has not answered.
    assert "Acadre" in card_text(card_of(last_card(connector, BO)))
    await bot.post(
        activities.submit(
            BO,
            {
                "action": "ret",
                "fagomraade_id": world.esdh.id,
                "system_id": str(await system_id(db, "SBSYS")),
            },
        )
    )
    await bot.post(activities.message(BO, "sekundær"))

    summary = card_text(card_of(last_card(connector, BO)))
    assert "SBSYS\nSekundær anvendelse" in summary
    await bot.post(activities.submit(ANNE, {"action": "oversigt", "fagomraade_id": world.esdh.id}))
    assert "SBSYS\nSekundær anvendelse" in card_text(card_of(last_card(connector, ANNE)))
    async with db() as session:
        audit = (await session.scalars(select(AuditRow).order_by(AuditRow.id))).all()
    assert [(a.person_id, a.new_value) for a in audit] == [
        (world.anne.id, "anvender|"),
        (world.bo.id, "sekundaer|"),
    ]


async def system_id(db: async_sessionmaker[AsyncSession], navn: str) -> int:
    async with db() as session:
        return (await session.scalars(select(ItSystemRow.id).where(ItSystemRow.navn == navn))).one()


async def test_hand_over_moves_the_area_and_invites_the_colleague(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.message(BO, "hjælp"))  # Bo has a 1:1 chat with the bot
    await bot.post(activities.submit(ANNE, {"action": "handover", "fagomraade_id": world.skole.id}))
    assert connector.texts(ANNE.personal_conversation)[-1] == texts.handover_question(
        fagomraade="Skole"
    )

    await bot.post(activities.message(ANNE, "ukendt@kommune.dk"))
    assert connector.texts(ANNE.personal_conversation)[-1] == texts.handover_unknown(
        query="ukendt@kommune.dk"
    )
    await bot.post(activities.message(ANNE, "BO@kommune.dk"))

    assert connector.texts(ANNE.personal_conversation)[-1] == texts.handover_done(
        fagomraade="Skole", kollega="Bo Systemejer"
    )
    invitation = card_text(card_of(last_card(connector, BO)))
    assert "Kortlægning af it-systemer: Skole" in invitation
    async with db() as session:
        from storage.models import TildelingRow

        owners = (
            await session.scalars(
                select(TildelingRow.person_id).where(TildelingRow.fagomraade_id == world.skole.id)
            )
        ).all()
    assert owners == [world.bo.id]


async def test_someone_without_an_area_is_told_who_assigns_them(
    bot: RunningBot, activities: Activities, connector: BotConnector, world: SetUp
) -> None:
    stranger = TeamsUser("Sara Fremmed", "aad-sara", "sara@kommune.dk")

    await bot.post(activities.message(stranger, "fortsæt"))
    await bot.post(activities.submit(stranger, {"action": "start", "fagomraade_id": world.esdh.id}))

    assert connector.texts(stranger.personal_conversation) == [
        texts.NO_FAGOMRAADER,
        texts.not_assigned(),
    ]


async def test_saving_a_form_page_keeps_a_remark_given_with_a_button(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.skole.id}))
    await press(bot, activities, connector, ANNE, "Anvender", bemaerkning="kun til forældre")
    await bot.post(activities.submit(ANNE, {"action": "form", "fagomraade_id": world.skole.id}))
    form = card_of(last_card(connector, ANNE))
    prefilled = {e["id"]: e["value"] for e in form["body"] if e["type"] == "Input.ChoiceSet"}

    await press(bot, activities, connector, ANNE, "Gem og gå videre", **prefilled)

    assert (await answers(db, world.skole.id))["Aula"] == (Anvendelse.ANVENDER, "kun til forældre")
    async with db() as session:
        audit = (await session.scalars(select(AuditRow).where(AuditRow.action == "answer"))).all()
    assert len(audit) == 1


async def test_a_file_sent_mid_survey_gets_the_options_explained_not_silence(
    bot: RunningBot, activities: Activities, connector: BotConnector, world: SetUp
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))

    await bot.post(
        activities.message(
            ANNE,
            "",
            attachments=[{"contentType": "image/png", "contentUrl": "http://x/y.png"}],
        )
    )

    assert connector.texts(ANNE.personal_conversation)[-1] == texts.ANVENDELSE_HELP


async def test_ids_no_card_of_ours_carries_get_a_polite_answer_and_change_nothing(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    huge = 10**30

    await bot.post(
        activities.submit(
            ANNE,
            {
                "action": "answer",
                "fagomraade_id": world.esdh.id,
                "system_id": huge,
                "anvendelse": "anvender",
            },
        )
    )
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": huge}))

    # No column holds such an id: the router refuses the submit before the survey reads it.
    assert connector.texts(ANNE.personal_conversation)[-2:] == [
        texts.NOT_UNDERSTOOD,
        texts.NOT_UNDERSTOOD,
    ]
    assert await answers(db, world.esdh.id) == {}


async def test_an_old_card_pressed_after_pause_and_fortsaet_changes_nothing_and_says_so(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    await press(bot, activities, connector, ANNE, "Anvender")
    acadre = last_card(connector, ANNE)
    await bot.post(activities.message(ANNE, "pause"))
    await bot.post(activities.message(ANNE, "fortsæt"))
    again = last_card(connector, ANNE)
    assert again["id"] != acadre["id"] and "Acadre" in card_text(card_of(again))
    # The first Acadre card was updated when the second was sent: no buttons left.
    [old] = [a for a in connector.chat(ANNE.personal_conversation) if a["id"] == acadre["id"]]
    assert buttons(card_of(old)) == []
    assert card_text(card_of(old)).endswith(texts.CARD_REPLACED)

    # A client that still shows the old buttons (offline, another device) presses one.
    stale = submit_data(card_of(acadre), "Anvender ikke")
    await bot.post(activities.submit(ANNE, stale, reply_to=acadre["id"]))

    assert connector.texts(ANNE.personal_conversation)[-1] == texts.STALE_CARD
    current = last_card(connector, ANNE)
    assert "Acadre" in card_text(card_of(current)) and buttons(card_of(current))[0] == "Anvender"
    assert await answers(db, world.esdh.id) == {"SBSYS": (Anvendelse.ANVENDER, None)}
    await press(bot, activities, connector, ANNE, "Anvender ikke")
    assert (await answers(db, world.esdh.id))["Acadre"] == (Anvendelse.ANVENDER_IKKE, None)


async def test_a_press_is_known_by_its_card_in_a_bot_process_that_did_not_send_it(
    bot: RunningBot,
    start_bot: StartBot,
    settings: Settings,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    await press(bot, activities, connector, ANNE, "Anvender")
    acadre = last_card(connector, ANNE)
    # Another instance (or this one after a restart) never saw the Acadre card being sent.
    other = await start_bot(settings)

    await press(other, activities, connector, ANNE, "Anvender ikke")

    [answered] = [a for a in connector.chat(ANNE.personal_conversation) if a["id"] == acadre["id"]]
    assert buttons(card_of(answered)) == []
    assert "Anvender ikke" in card_text(card_of(answered))
    # The Acadre card as a client that missed the update still shows it: its token is old.
    stale = submit_data(card_of(acadre), "Anvender")
    await other.post(activities.submit(ANNE, stale, reply_to=acadre["id"]))

    assert connector.texts(ANNE.personal_conversation)[-1] == texts.STALE_CARD
    assert await answers(db, world.esdh.id) == {
        "SBSYS": (Anvendelse.ANVENDER, None),
        "Acadre": (Anvendelse.ANVENDER_IKKE, None),
    }


async def test_a_typed_answer_in_another_process_says_what_it_stored_and_the_old_card_refuses(
    bot: RunningBot,
    start_bot: StartBot,
    settings: Settings,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    sbsys = last_card(connector, ANNE)
    other = await start_bot(settings)

    await other.post(activities.message(ANNE, "anvender"))

    # That process cannot update a card it never sent: it says what it recorded instead.
    assert "SBSYS" in connector.texts(ANNE.personal_conversation)[-1]
    assert "Acadre" in card_text(card_of(last_card(connector, ANNE)))
    stale = submit_data(card_of(sbsys), "Anvender ikke")
    await bot.post(activities.submit(ANNE, stale, reply_to=sbsys["id"]))
    assert connector.texts(ANNE.personal_conversation)[-1] == texts.STALE_CARD
    assert await answers(db, world.esdh.id) == {"SBSYS": (Anvendelse.ANVENDER, None)}


async def test_an_answer_by_button_is_one_commit_before_anything_is_sent(
    bot: RunningBot, activities: Activities, connector: BotConnector, world: SetUp
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    sent_before = len(connector.sent()) + len(connector.updates())

    with turn_commits(lambda: len(connector.sent()) + len(connector.updates())) as commits:
        await press(bot, activities, connector, ANNE, "Anvender")

    assert commits == [sent_before]
    assert len(connector.sent()) + len(connector.updates()) == sent_before + 2


async def test_indsend_on_a_summary_already_submitted_is_refused_and_the_card_is_closed(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
) -> None:
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": world.skole.id}))
    await press(bot, activities, connector, ANNE, "Anvender")
    await press(bot, activities, connector, ANNE, "Anvender")
    summary = last_card(connector, ANNE)
    await press(bot, activities, connector, ANNE, "Indsend")

    [closed] = [a for a in connector.chat(ANNE.personal_conversation) if a["id"] == summary["id"]]
    assert buttons(card_of(closed)) == []
    assert card_text(card_of(closed)).endswith(texts.SUBMITTED_NOTE)
    sent = len(connector.sent(ANNE.personal_conversation))
    indsend = submit_data(card_of(summary), "Indsend")
    await bot.post(activities.submit(ANNE, indsend, reply_to=summary["id"]))

    assert connector.texts(ANNE.personal_conversation)[-1] == texts.already_submitted(
        fagomraade="Skole"
    )
    assert len(connector.sent(ANNE.personal_conversation)) == sent + 1


async def test_ten_systems_by_buttons_take_eleven_presses_and_leave_no_live_button(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    _anne, area = await set_up_one_area(db, antal=10)
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": area.id}))
    first = card_of(last_card(connector, ANNE))
    # The three answers are the card's buttons; the rest is quieter, and no Tilbage yet.
    assert [a["title"] for a in first["actions"] if a.get("mode") != "secondary"] == [
        "Anvender",
        "Anvender ikke",
        "Sekundær anvendelse",
    ]
    assert [a["title"] for a in first["actions"] if a.get("mode") == "secondary"] == [
        "Spring over",
        "Pause",
    ]

    presses = 0
    while "Indsend" not in buttons(card_of(last_card(connector, ANNE))):
        await press(bot, activities, connector, ANNE, "Anvender")
        presses += 1
    await press(bot, activities, connector, ANNE, "Indsend")
    presses += 1

    assert presses == 11
    assert connector.texts(ANNE.personal_conversation)[-1] == texts.submitted(
        fagomraade="Økonomi", besvaret=10, antal=10
    )
    chat = [card_of(a) for a in connector.chat(ANNE.personal_conversation) if a.get("attachments")]
    assert len(chat) == 11 and all(buttons(card) == [] for card in chat)
