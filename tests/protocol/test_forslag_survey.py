"""Last round's answers as suggestions, through /api/messages: an area that did not change is
finished with two presses, and every answer is audited as confirmed from last round."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs import texts
from storage.domain.forslag import Kilde
from storage.domain.model import Anvendelse
from storage.domain.suggestions import SourceSystem
from storage.models import AnswerRow, AuditRow, ItSystemRow
from storage.suggestions.rounds import RoundsRepository
from storage.suggestions.store import ForslagRepository
from tests.protocol.conftest import RunningBot, buttons, card_of, card_text, submit_data
from tests.protocol.test_survey import ANNE, last_card, press
from tests.support.activities import Activities
from tests.support.connector import BotConnector
from tests.support.fixtures import TENANT, set_up_one_area

_CYCLE = (Anvendelse.ANVENDER, Anvendelse.ANVENDER_IKKE, Anvendelse.SEKUNDAER)


async def test_an_unchanged_area_takes_bekraeft_alle_and_indsend_and_is_audited_as_such(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    _anne, area = await set_up_one_area(db, antal=10)
    last_round = [
        SourceSystem(
            f"System {n}",
            leverandoerer=("Leverandør A/S",),
            fagomraade="Økonomi",
            anvendelse=_CYCLE[n % 3],
            bemaerkning="udfases 2027" if n == 4 else None,
        )
        for n in range(1, 11)
    ] + [SourceSystem("System 11", fagomraade="Økonomi", anvendelse=Anvendelse.ANVENDER)]
    this_round = await RoundsRepository(db).this_round(TENANT)
    await ForslagRepository(db).replace(TENANT, Kilde.SIDSTE_RUNDE, this_round.match(last_round))

    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": area.id}))
    first = card_text(card_of(last_card(connector, ANNE)))
    assert "Sidste runde\nAnvender ikke" in first
    assert "Uændret" in buttons(card_of(last_card(connector, ANNE)))

    await press(bot, activities, connector, ANNE, "Bekræft alle som sidste runde")
    summary = card_text(card_of(last_card(connector, ANNE)))
    assert "10 af 10 systemer er besvaret." in summary
    assert "✓ 10 svar bekræftet fra sidste runde." in summary
    assert "Anvender ikke — «udfases 2027» · bekræftet fra sidste runde" in summary
    assert "Ikke længere på KOMBITs liste\nSystem 11 (sidste runde: Anvender)" in summary
    await press(bot, activities, connector, ANNE, "Indsend")

    assert connector.texts(ANNE.personal_conversation)[-1] == texts.submitted(
        fagomraade="Økonomi", besvaret=10, antal=10
    )
    async with db() as session:
        answers = (
            await session.execute(
                select(ItSystemRow.navn, AnswerRow.anvendelse, AnswerRow.kilde)
                .join(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
                .order_by(ItSystemRow.position)
            )
        ).all()
        audit = (
            await session.execute(
                select(AuditRow.it_system_id, AuditRow.kilde)
                .where(AuditRow.action == "answer")
                .order_by(AuditRow.id)
            )
        ).all()
    assert answers == [
        (f"System {n}", _CYCLE[n % 3], Kilde.SIDSTE_RUNDE.value) for n in range(1, 11)
    ]
    assert len(audit) == 10 and {kilde for _, kilde in audit} == {"sidste_runde"}
    assert len({system_id for system_id, _ in audit}) == 10
    chat = [card_of(a) for a in connector.chat(ANNE.personal_conversation) if a.get("attachments")]
    # The first system card and the summary, each in its final state with nothing to press.
    assert len(chat) == 2 and all(buttons(card) == [] for card in chat)
    assert texts.bekraeftet_alle(antal=10) in card_text(chat[0])


async def test_bekraeft_alle_redelivered_or_pressed_twice_confirms_once(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    _anne, area = await set_up_one_area(db, antal=3)
    last_round = [
        SourceSystem(f"System {n}", fagomraade="Økonomi", anvendelse=Anvendelse.ANVENDER)
        for n in range(1, 4)
    ]
    this_round = await RoundsRepository(db).this_round(TENANT)
    await ForslagRepository(db).replace(TENANT, Kilde.SIDSTE_RUNDE, this_round.match(last_round))
    await bot.post(activities.submit(ANNE, {"action": "start", "fagomraade_id": area.id}))
    card = last_card(connector, ANNE)
    data = submit_data(card_of(card), "Bekræft alle som sidste runde")
    activity = activities.submit(ANNE, data, reply_to=card["id"])

    await bot.post(activity)
    sent = len(connector.sent())
    await bot.post(activity)  # Teams delivers it again
    await bot.post(activities.submit(ANNE, data, reply_to=card["id"]))  # pressed again

    assert len(connector.sent()) == sent
    async with db() as session:
        audit = (await session.scalars(select(AuditRow).where(AuditRow.action == "answer"))).all()
    assert len(audit) == 3
