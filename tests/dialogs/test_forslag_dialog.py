"""Suggestions on the systemejer's cards: Uændret, Bekræft alle, the summary's lists, and old
cards pressed late. Suggestions are stored as the coordinator's opsæt stores them."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity
from sqlalchemy import select

from dialogs import texts
from storage.domain.forslag import Kilde
from storage.domain.model import Anvendelse
from storage.domain.suggestions import SourceSystem
from storage.models import AnswerRow, AuditRow, ForslagRow, ItSystemRow
from storage.suggestions.rounds import RoundsRepository
from storage.suggestions.store import ForslagRepository
from tests.dialogs.conftest import Conversation
from tests.support.cards import submit_data
from tests.support.fixtures import TENANT

LAST_ROUND = [
    SourceSystem(
        "SBSYS",
        leverandoerer=("SBSYS",),
        fagomraade="ESDH",
        anvendelse=Anvendelse.ANVENDER,
        bemaerkning="hovedsystem",
    ),
    SourceSystem(
        "Acadre",
        leverandoerer=("Formpipe",),
        fagomraade="ESDH",
        anvendelse=Anvendelse.ANVENDER_IKKE,
    ),
    SourceSystem("Captia", fagomraade="ESDH", anvendelse=Anvendelse.ANVENDER),
    SourceSystem(
        "Eget fagsystem", fagomraade="ESDH", anvendelse=Anvendelse.SEKUNDAER, tilfoejet=True
    ),
]


async def _suggest(conversation: Conversation, kilde: Kilde, sources: list[SourceSystem]) -> None:
    this_round = await RoundsRepository(conversation.sessions).this_round(TENANT)
    await ForslagRepository(conversation.sessions).replace(TENANT, kilde, this_round.match(sources))


def _card(activity: Activity) -> dict[str, Any]:
    return activity.attachments[0].content


def _cards(replies: list[Activity]) -> list[Activity]:
    return [r for r in replies if r.attachments]


def _text_of(card: dict[str, Any]) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "FactSet":
                parts.extend(f"{f['title']}: {f['value']}" for f in node["facts"])
                return
            for key in ("text", "title"):
                if isinstance(node.get(key), str):
                    parts.append(node[key])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    return "\n".join(parts)


def _press(card: dict[str, Any], title: str, **inputs: Any) -> dict[str, Any]:
    """The data a press on the card's button with this title submits."""
    return {**submit_data(card, title), **inputs}


def _buttons(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in card.get("actions", []) if a.get("mode") != "secondary"]


async def _stored(conversation: Conversation) -> dict[str, tuple[Anvendelse, str | None, str]]:
    async with conversation.sessions() as session:
        rows = await session.execute(
            select(
                ItSystemRow.navn, AnswerRow.anvendelse, AnswerRow.bemaerkning, AnswerRow.kilde
            ).join(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
        )
        return {navn: (anvendelse, note, kilde) for navn, anvendelse, note, kilde in rows}


async def _audited(conversation: Conversation) -> list[tuple[str | None, str | None]]:
    async with conversation.sessions() as session:
        rows = await session.execute(
            select(AuditRow.new_value, AuditRow.kilde)
            .where(AuditRow.action == "answer")
            .order_by(AuditRow.id)
        )
        return [(value, kilde) for value, kilde in rows]


async def _start(conversation: Conversation, area_id: int) -> Activity:
    [card] = _cards(await conversation.say(value={"action": "start", "fagomraade_id": area_id}))
    return card


async def test_a_system_card_shows_last_round_s_answer_and_uaendret_confirms_it(
    conversation: Conversation,
) -> None:
    await _suggest(conversation, Kilde.SIDSTE_RUNDE, LAST_ROUND)
    first = await _start(conversation, conversation.world.esdh.id)

    card = _card(first)
    assert "Sidste runde: Anvender — «hovedsystem»" in _text_of(card)
    assert _buttons(card) == ["Uændret", "Anvender", "Anvender ikke", "Sekundær anvendelse"]

    replies = await conversation.say(value=_press(card, "Uændret"), reply_to=first.id)

    assert await _stored(conversation) == {
        "SBSYS": (Anvendelse.ANVENDER, "hovedsystem", "sidste_runde")
    }
    assert await _audited(conversation) == [("anvender|hovedsystem", "sidste_runde")]
    [closed] = conversation.adapter.updated_activities
    assert _text_of(_card(closed)).endswith(
        "✓ SBSYS: Anvender — «hovedsystem» · bekræftet fra sidste runde"
    )
    [following] = _cards(replies)
    assert "Sidste runde: Anvender ikke" in _text_of(_card(following))


async def test_a_remark_typed_on_the_card_goes_with_uaendret_and_kitos_is_named(
    conversation: Conversation,
) -> None:
    await _suggest(
        conversation, Kilde.KITOS, [SourceSystem("Aula", anvendelse=Anvendelse.ANVENDER)]
    )
    first = await _start(conversation, conversation.world.skole.id)
    card = _card(first)
    assert "KITOS: foreslået Anvender" in _text_of(card)

    await conversation.say(
        value=_press(card, "Uændret", bemaerkning="kun forældreintra"), reply_to=first.id
    )

    assert await _stored(conversation) == {
        "Aula": (Anvendelse.ANVENDER, "kun forældreintra", "kitos")
    }


async def test_bekraeft_alle_confirms_every_suggestion_then_asks_the_new_system_and_sums_up(
    conversation: Conversation,
) -> None:
    await _suggest(conversation, Kilde.SIDSTE_RUNDE, LAST_ROUND)
    first = await _start(conversation, conversation.world.esdh.id)
    card = _card(first)
    assert "2 systemer har et forslag" in _text_of(card)
    assert "1 system er nyt eller uden forslag" in _text_of(card)

    replies = await conversation.say(
        value=_press(card, "Bekræft alle som sidste runde"), reply_to=first.id
    )

    assert await _stored(conversation) == {
        "SBSYS": (Anvendelse.ANVENDER, "hovedsystem", "sidste_runde"),
        "Acadre": (Anvendelse.ANVENDER_IKKE, None, "sidste_runde"),
    }
    assert await _audited(conversation) == [
        ("anvender|hovedsystem", "sidste_runde"),
        ("anvender_ikke|", "sidste_runde"),
    ]
    [closed] = conversation.adapter.updated_activities
    assert texts.bekraeftet_alle(antal=2) in _text_of(_card(closed))
    # The system new this round is asked as usual, without a suggestion or a second offer.
    [new] = _cards(replies)
    new_card = _card(new)
    assert "=SUM(A1)" in _text_of(new_card)
    assert _buttons(new_card) == ["Anvender", "Anvender ikke", "Sekundær anvendelse"]

    replies = await conversation.say(value=_press(new_card, "Anvender ikke"), reply_to=new.id)

    [summary] = _cards(replies)
    text = _text_of(_card(summary))
    assert "✓ 2 svar bekræftet fra sidste runde." in text
    assert "SBSYS: Anvender — «hovedsystem» · bekræftet fra sidste runde" in text
    assert "=SUM(A1): Anvender ikke" in text
    assert "Nye i denne runde\n=SUM(A1)" in text
    assert "Ikke længere på KOMBITs liste\nCaptia (sidste runde: Anvender)" in text
    assert "Indsend" in _buttons(_card(summary))
    assert (await _stored(conversation))["=SUM(A1)"][2] == "svar"


async def test_old_cards_pressed_again_change_nothing(conversation: Conversation) -> None:
    await _suggest(conversation, Kilde.SIDSTE_RUNDE, LAST_ROUND)
    first = await _start(conversation, conversation.world.esdh.id)
    card = _card(first)
    await conversation.say(value=_press(card, "Bekræft alle som sidste runde"), reply_to=first.id)
    audited = await _audited(conversation)

    # The same press again (a double press, a second device): nothing left to confirm.
    again = await conversation.say(
        value=_press(card, "Bekræft alle som sidste runde"), reply_to=first.id
    )
    uaendret = await conversation.say(value=_press(card, "Uændret"), reply_to=first.id)

    assert again == [] and uaendret == []
    assert await _audited(conversation) == audited

    # A different answer on the old card is refused, and the live card shown again.
    refused = await conversation.say(value=_press(card, "Sekundær anvendelse"), reply_to=first.id)

    assert refused[0].text == texts.STALE_CARD
    assert (await _stored(conversation))["SBSYS"][0] is Anvendelse.ANVENDER
    assert await _audited(conversation) == audited


async def test_uaendret_after_the_coordinator_rejected_the_suggestion_stores_nothing(
    conversation: Conversation,
) -> None:
    await _suggest(conversation, Kilde.SIDSTE_RUNDE, LAST_ROUND)
    first = await _start(conversation, conversation.world.esdh.id)
    forslag = ForslagRepository(conversation.sessions)
    async with conversation.sessions() as session:
        sbsys = await session.scalar(select(ForslagRow.id).where(ForslagRow.kilde_navn == "SBSYS"))
    assert sbsys is not None and await forslag.decide(TENANT, sbsys, accept=False)

    replies = await conversation.say(value=_press(_card(first), "Uændret"), reply_to=first.id)

    assert replies[0].text == texts.FORSLAG_FINDES_IKKE
    [again] = _cards(replies)
    assert _buttons(_card(again)) == ["Anvender", "Anvender ikke", "Sekundær anvendelse"]
    assert await _stored(conversation) == {}


async def test_an_accepted_addition_is_offered_on_the_summary_filled_in(
    conversation: Conversation,
) -> None:
    await _suggest(conversation, Kilde.SIDSTE_RUNDE, LAST_ROUND)
    forslag = ForslagRepository(conversation.sessions)
    [eget] = (await forslag.oversigt(TENANT)).fagomraader[0].tilfoejelser
    assert await forslag.decide_tilfoejelse(TENANT, eget.id, accept=True)
    area = conversation.world.esdh.id
    [summary] = _cards(await conversation.say(value={"action": "oversigt", "fagomraade_id": area}))
    card = _card(summary)
    assert "Foreslåede tilføjelser" in _text_of(card)
    assert "Eget fagsystem: Sekundær anvendelse (fra sidste runde)" in _text_of(card)
    [offer] = [
        a
        for item in card["body"]
        if item.get("type") == "ActionSet"
        for a in item["actions"]
        if a["title"] == "Tilføj Eget fagsystem"
    ]
    inputs = {
        i["id"]: i.get("value") for i in offer["card"]["body"] if i["type"].startswith("Input")
    }
    assert (inputs["navn"], inputs["anvendelse"]) == ("Eget fagsystem", "sekundaer")

    replies = await conversation.say(
        value=_press(
            offer["card"],
            "Tilføj system",
            navn=inputs["navn"],
            anvendelse=inputs["anvendelse"],
            svarer_til="Acadre",
        ),
        reply_to=summary.id,
    )

    assert replies[0].text == texts.tilfoejet(navn="Eget fagsystem")
    text = _text_of(_card(_cards(replies)[0]))
    assert "Eget fagsystem: Sekundær anvendelse · svarer til Acadre" in text
    assert "Foreslåede tilføjelser" not in text


async def test_the_form_shows_the_suggestion_without_choosing_it(
    conversation: Conversation,
) -> None:
    await _suggest(conversation, Kilde.SIDSTE_RUNDE, LAST_ROUND)

    [form] = _cards(
        await conversation.say(
            value={"action": "form", "fagomraade_id": conversation.world.esdh.id}
        )
    )

    card = _card(form)
    assert "Sidste runde: Anvender — «hovedsystem»" in _text_of(card)
    choices = [i for i in card["body"] if i["type"] == "Input.ChoiceSet"]
    assert [c["value"] for c in choices] == ["", "", ""]


async def test_bekraeft_alle_is_offered_on_the_first_card_only(conversation: Conversation) -> None:
    await _suggest(conversation, Kilde.SIDSTE_RUNDE, LAST_ROUND)
    first = await _start(conversation, conversation.world.esdh.id)

    replies = await conversation.say(value=_press(_card(first), "Anvender"), reply_to=first.id)

    [second] = _cards(replies)
    assert "Acadre" in _text_of(_card(second))
    assert "Bekræft alle som sidste runde" not in _text_of(_card(second))
    assert _buttons(_card(second))[0] == "Uændret"
