"""What start, påmind and status tell the coordinator about delivery: nothing false.

A message Teams throttled, or that the outbox worker took during the turn, is on its way
("på vej"): the person counts as invited, and the coordinator hears only if delivery finally
fails, with the reason. status names everyone not reached, with the reason, at any time.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs import texts
from storage.domain.delivery import FailureReason
from storage.models import PersonRow, TildelingRow
from tests.protocol.conftest import RunningBot, card_of, card_text, submit_data
from tests.protocol.test_koordinator import (  # noqa: F401 (fixtures)
    ANNE,
    BO,
    KIM,
    last_card,
    roster,
    set_up_by_text,
    settings,
)
from tests.support.activities import Activities
from tests.support.connector import BotConnector, Failure

pytestmark = pytest.mark.usefixtures("roster")

THROTTLED = Failure(429, headers={"Retry-After": "1"}, code="TooManyRequests")


ANNE_ON_ITS_WAY = {
    texts.on_its_way(navne=["Anne Jensen"]),
    # The worker, woken by Anne's retry, may take Bo's message during the turn: on its way too.
    texts.on_its_way(navne=["Anne Jensen", "Bo Hansen"]),
}


async def invited(db: async_sessionmaker[AsyncSession]) -> set[str]:
    async with db() as session:
        rows = await session.execute(
            select(PersonRow.email)
            .join(TildelingRow, TildelingRow.person_id == PersonRow.id)
            .where(TildelingRow.invited_at.is_not(None))
        )
        return set(rows.scalars())


async def said_eventually(connector: BotConnector, text: str, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while text not in connector.texts(KIM.personal_conversation):
            await asyncio.sleep(0.05)


async def start(bot: RunningBot, activities: Activities, connector: BotConnector) -> None:
    """start, and Send nu on the question about the fagområder nobody has."""
    await bot.post(activities.message(KIM, "start"))
    question = card_of(last_card(connector, KIM.personal_conversation))
    await bot.post(activities.submit(KIM, submit_data(question, "Send nu")))


async def start_with_anne_and_bo(bot: RunningBot, activities: Activities) -> None:
    await set_up_by_text(bot, activities)
    await bot.post(activities.message(ANNE, "hjælp"))  # Anne has a chat with the bot already
    await bot.post(activities.message(KIM, "tildel økonomi anne.jensen@kommune.dk"))
    await bot.post(activities.message(KIM, "tildel Løn og personale bo.hansen@kommune.dk"))


async def test_a_throttled_invitation_is_on_its_way_marked_invited_and_arrives_once(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await start_with_anne_and_bo(bot, activities)
    connector.fail_next("send", THROTTLED, target=ANNE.personal_conversation)

    await start(bot, activities, connector)

    said = connector.texts(KIM.personal_conversation)
    assert texts.start_done(inviteret=2) in said
    assert ANNE_ON_ITS_WAY & set(said)
    assert not any("kunne ikke" in line for line in said)
    assert await invited(db) == {"anne.jensen@kommune.dk", "bo.hansen@kommune.dk"}
    await connector.wait_for_sent(len(connector.sent()) + 1)
    invitations = [
        card_text(card_of(a))
        for a in connector.sent(ANNE.personal_conversation)
        if a.get("attachments")
    ]
    assert [i for i in invitations if "Kortlægning af it-systemer: Økonomi" in i] == [
        invitations[-1]
    ]


async def test_an_invitation_that_finally_fails_is_reported_with_the_reason_and_in_status(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await start_with_anne_and_bo(bot, activities)
    blocked = Failure(403, code="ConversationBlockedByUser")
    connector.fail_next("send", THROTTLED, blocked, target=ANNE.personal_conversation)

    await start(bot, activities, connector)
    assert ANNE_ON_ITS_WAY & set(connector.texts(KIM.personal_conversation))

    await said_eventually(
        connector,
        texts.not_delivered(invitation=True, navn="Anne Jensen", reason=FailureReason.BLOCKED),
    )
    await bot.post(activities.message(KIM, "status"))

    assert connector.texts(KIM.personal_conversation)[-1] == texts.unreachable_summary(
        lines=[texts.unreachable_line(navn="Anne Jensen", reason=FailureReason.BLOCKED)]
    )


async def test_paamind_counts_a_throttled_reminder_as_on_its_way(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
) -> None:
    await start_with_anne_and_bo(bot, activities)
    await start(bot, activities, connector)
    connector.fail_next("send", THROTTLED, target=ANNE.personal_conversation)

    await bot.post(activities.message(KIM, "påmind"))

    said = connector.texts(KIM.personal_conversation)
    assert said[-2] == texts.paamind_done(antal=2)
    assert said[-1] in ANNE_ON_ITS_WAY


async def test_a_refused_invitation_is_named_at_once_with_its_reason(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
) -> None:
    await start_with_anne_and_bo(bot, activities)
    connector.fail_next(
        "send", Failure(404, code="ConversationNotFound"), target=ANNE.personal_conversation
    )

    await start(bot, activities, connector)

    said = connector.texts(KIM.personal_conversation)
    assert texts.start_done(inviteret=1) in said
    assert texts.not_reached(people=[("Anne Jensen", FailureReason.NOT_FOUND)]) in said
    assert await invited(db) == {"bo.hansen@kommune.dk"}
