"""A coordinator and a systemejer in the Agents Playground, scripted over its HTTP/WS interface.

Each reply is read from the Playground's message stream in order, as the user's chat shows it,
and compared with the exact text from dialogs.texts; the answers are read from the database.
"""

from __future__ import annotations

import pytest

from dialogs import cards, texts
from playground import demo
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
            mine.message_id, button_data(mine.card or {}, texts.CONTINUE, fagomraade_id=esdh.id)
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
            system="Acadre", anvendelse=Anvendelse.ANVENDER_IKKE
        )

        sbsys = await chat.next_card()
        await chat.say("sekundær: kun opslag i gamle sager")
        assert await _confirmation(chat, sbsys) == texts.answer_saved(
            system="SBSYS", anvendelse=Anvendelse.SEKUNDAER
        )

        f2 = await chat.next_card()
        await chat.say("kanon")
        assert await chat.next_text() == texts.ANVENDELSE_HELP
        await chat.say("nej")
        assert await _confirmation(chat, f2) == texts.answer_saved(
            system="F2", anvendelse=Anvendelse.ANVENDER_IKKE
        )

        tilfoej = await chat.next_card()
        assert texts.tilfoej_question(fagomraade="ESDH") in tilfoej.card_text
        await chat.press(
            tilfoej,
            texts.TILFOEJ_BUTTON,
            navn="Captia",
            leverandoer="Netcompany",
            svarer_til="WorkZone",
            anvendelse="anvender",
        )
        assert await chat.next_text() == texts.tilfoejet(navn="Captia")
        again = await chat.next_card()
        await chat.press(again, texts.TILFOEJ_DONE)

        summary = await chat.next_card()
        assert texts.summary_counts(besvaret=4, antal=4) in summary.card_text
        assert "Captia" in summary.card_text
        await chat.press(summary, texts.SUBMIT)
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
        # The invitation card offers the form; until `start` sends it (issue 5/6), its button
        # is pressed with the data the real card carries, on the last card Anne has.
        await chat.say("mine")
        mine = await chat.next_card()
        await chat.submit(mine.message_id, _invitation_button(skole.id, texts.FORM))

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
        assert await chat.next_text() == texts.form_saved(gemt=3, side=1, sider=1)
        assert texts.tilfoej_question(fagomraade="Skole") in (await chat.next_card()).card_text

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


def _invitation_button(fagomraade_id: int, title: str) -> dict[str, object]:
    invitation = cards.invitation_card(
        fagomraade_id=fagomraade_id,
        fagomraade="Skole",
        antal=3,
        slutdato=demo.SLUTDATO,
        koordinator="Mette Kristensen",
    )
    return button_data(invitation, title)
