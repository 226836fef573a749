"""A coordinator and a systemejer in the Agents Playground, scripted over its HTTP/WS interface.

Each reply is read from the Playground's message stream in order, as the user's chat shows it,
and compared with the exact text from dialogs.texts; the answers are read from the database.
"""

from __future__ import annotations

import pytest

from dialogs import texts
from storage.domain.model import Anvendelse
from tests.e2e import stored
from tests.e2e.chat import Chat, Shown, button_data
from tests.e2e.conftest import ANNE, StartStack

pytestmark = pytest.mark.e2e


async def test_installing_the_app_greets_the_coordinator_once_and_hjaelp_lists_her_commands(
    start_stack: StartStack,
) -> None:
    stack = await start_stack(demo=False)  # the Playground's user is KOORDINATORER's Mette
    async with stack.chat() as chat:
        await chat.install()
        assert await chat.next_text() == texts.KOORDINATOR_WELCOME

        await chat.say("hjælp")
        # Strict order: a second welcome (for the conversationUpdate too) would come first.
        assert await chat.next_text() == texts.KOORDINATOR_HELP


async def test_a_systemejer_is_greeted_with_the_three_answers(start_stack: StartStack) -> None:
    stack = await start_stack(acting_as=ANNE)
    async with stack.chat() as chat:
        await chat.install()
        assert await chat.next_text() == texts.WELCOME

        await chat.say("hjælp")
        assert await chat.next_text() == texts.HELP


async def test_a_systemejer_answers_with_buttons_and_typed_text_adds_a_system_and_submits(
    start_stack: StartStack,
) -> None:
    stack = await start_stack(acting_as=ANNE)
    assert stack.demo is not None
    esdh = stack.demo.fagomraader["ESDH"]
    async with stack.chat() as chat:
        await chat.say("mine")
        mine = await chat.next_card()
        assert (
            texts.fagomraade_progress_line(fagomraade="ESDH", besvaret=0, antal=4, indsendt=False)
            in mine.card_text
        )
        await chat.submit(
            mine.message_id, button_data(mine.card or {}, texts.START_AREA, fagomraade_id=esdh.id)
        )

        workzone = await chat.next_card()
        assert texts.system_heading(fagomraade="ESDH", nummer=1, antal=4) in workzone.card_text
        assert "WorkZone" in workzone.card_text
        await chat.press(workzone, "Anvender")
        assert await _confirmation(chat, workzone) == texts.answer_saved(
            system="WorkZone", anvendelse=Anvendelse.ANVENDER
        )

        acadre = await chat.next_card()
        await chat.press(acadre, "Anvender ikke", bemaerkning="Udfaset i 2024")
        assert await _confirmation(chat, acadre) == texts.answer_saved(
            system="Acadre", anvendelse=Anvendelse.ANVENDER_IKKE, bemaerkning="Udfaset i 2024"
        )

        sbsys = await chat.next_card()
        await chat.say("sekundær: kun opslag i gamle sager")
        assert await _confirmation(chat, sbsys) == texts.answer_saved(
            system="SBSYS",
            anvendelse=Anvendelse.SEKUNDAER,
            bemaerkning="kun opslag i gamle sager",
        )

        f2 = await chat.next_card()
        await chat.say("kanon")
        assert await chat.next_text() == texts.ANVENDELSE_HELP
        await chat.say("nej")
        assert await _confirmation(chat, f2) == texts.answer_saved(
            system="F2", anvendelse=Anvendelse.ANVENDER_IKKE
        )

        # The summary asks for additions itself, and carries Indsend.
        first = await chat.next_card()
        assert texts.SUMMARY_ADD_QUESTION in first.card_text
        assert "Acadre\nAnvender ikke — «Udfaset i 2024»" in first.card_text
        await chat.press(
            first,
            texts.TILFOEJ_BUTTON,
            navn="Captia",
            leverandoer="Netcompany",
            svarer_til="WorkZone",
            anvendelse="anvender",
        )
        replaced = await chat.next("updateMessage")
        assert replaced.message_id == first.message_id
        assert replaced.card_text.endswith(texts.CARD_REPLACED)
        assert await chat.next_text() == texts.tilfoejet(navn="Captia")

        summary = await chat.next_card()
        assert texts.summary_counts(besvaret=4, antal=4) in summary.card_text
        assert "Captia: Anvender · Netcompany · svarer til WorkZone" in summary.card_text
        await chat.press(summary, texts.SUBMIT)
        submitted = await chat.next("updateMessage")
        assert submitted.message_id == summary.message_id
        assert submitted.card_text.endswith(texts.SUBMITTED_NOTE)
        assert await chat.next_text() == texts.submitted(fagomraade="ESDH", besvaret=4, antal=4)

    assert await stored.answers(stack.database_url, esdh.id) == {
        "WorkZone": (Anvendelse.ANVENDER, None, ANNE),
        "Acadre": (Anvendelse.ANVENDER_IKKE, "Udfaset i 2024", ANNE),
        "SBSYS": (Anvendelse.SEKUNDAER, "kun opslag i gamle sager", ANNE),
        "F2": (Anvendelse.ANVENDER_IKKE, None, ANNE),
    }
    assert await stored.added_systems(stack.database_url, esdh.id) == [
        ("Captia", "Netcompany", "WorkZone", Anvendelse.ANVENDER)
    ]
    assert await stored.is_submitted(stack.database_url, esdh.id)


async def test_a_systemejer_answers_a_whole_area_on_the_form_card(start_stack: StartStack) -> None:
    stack = await start_stack(acting_as=ANNE)
    assert stack.demo is not None
    skole = stack.demo.fagomraader["Skole"]
    async with stack.chat() as chat:
        await chat.say("mine")
        mine = await chat.next_card()
        await chat.submit(
            mine.message_id,
            button_data(mine.card or {}, texts.FORM_SHORT, fagomraade_id=skole.id),
        )

        form = await chat.next_card()
        assert texts.form_title(fagomraade="Skole", side=1, sider=1) in form.card_text
        choices = {
            e["label"]: e["id"] for e in (form.card or {})["body"] if e["type"] == "Input.ChoiceSet"
        }
        assert list(choices) == [
            "Aula (KOMBIT / Netcompany)",
            "KMD Elev (KMD)",
            "Meebook (Meebook)",
        ]
        await chat.press(
            form,
            texts.FORM_SAVE_LAST,
            **dict(zip(choices.values(), ["anvender", "anvender_ikke", "sekundaer"], strict=True)),
        )
        saved = await chat.next("updateMessage")
        assert saved.message_id == form.message_id
        assert saved.card_text.endswith(texts.form_saved(gemt=3, side=1, sider=1))
        # One form page, then the summary with Indsend.
        assert texts.SUBMIT in (await chat.next_card()).card_text

    assert await stored.answers(stack.database_url, skole.id) == {
        "Aula": (Anvendelse.ANVENDER, None, ANNE),
        "KMD Elev": (Anvendelse.ANVENDER_IKKE, None, ANNE),
        "Meebook": (Anvendelse.SEKUNDAER, None, ANNE),
    }


async def _confirmation(chat: Chat, card: Shown) -> str:
    """The answered system card, replaced in place by the bot, reads as the confirmation."""
    updated = await chat.next("updateMessage")
    assert updated.message_id == card.message_id
    return updated.card_text.splitlines()[-1]
