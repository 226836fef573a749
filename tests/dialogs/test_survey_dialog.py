"""The survey dialog on its own: replies and stored answers, with the messenger faked."""

from __future__ import annotations

from dialogs import texts
from storage.domain.model import Anvendelse
from storage.survey import SurveyRepository
from tests.dialogs.conftest import Conversation


def _card(activity) -> dict:  # type: ignore[no-untyped-def]
    return activity.attachments[0].content


async def test_start_shows_the_first_system_and_a_typed_answer_moves_on(
    conversation: Conversation,
) -> None:
    [first] = await conversation.say(
        value={"action": "start", "fagomraade_id": conversation.world.esdh.id}
    )
    assert _card(first)["body"][1]["text"] == "SBSYS"

    replies = await conversation.say("Sekundær: kun opslag")

    assert [_card(r)["body"][1]["text"] for r in replies] == ["Acadre"]
    overview = await SurveyRepository(conversation.sessions).overview(
        conversation.world.esdh.id, conversation.world.anne.id
    )
    answer = overview.systemer[0].answer
    assert answer is not None
    assert (answer.anvendelse, answer.bemaerkning) == (Anvendelse.SEKUNDAER, "kun opslag")


async def test_tilbage_on_the_first_system_says_so(conversation: Conversation) -> None:
    await conversation.say(value={"action": "start", "fagomraade_id": conversation.world.skole.id})

    replies = await conversation.say("tilbage")

    assert replies[0].text == texts.FIRST_SYSTEM


async def test_submitting_tells_the_coordinators(conversation: Conversation) -> None:
    area = conversation.world.skole.id
    await conversation.say(value={"action": "start", "fagomraade_id": area})
    await conversation.say("ja")
    await conversation.say("nej")
    await conversation.say("videre")

    replies = await conversation.say("indsend")

    assert replies[-1].text == (
        "Tak! Fagområdet **Skole** er indsendt med 2 af 2 svar. Du kan stadig rette et svar "
        "via **mine**, også når Bilag 1 er sendt til KOMBIT: den infrastrukturansvarlige "
        "sender så rettelsen til KOMBIT som en ændringsrapport."
    )
    [notice] = conversation.messenger.to_coordinators
    assert notice.text == texts.coordinator_area_submitted(
        systemejer="Anne Systemejer", fagomraade="Skole", besvaret=2, antal=2
    )
