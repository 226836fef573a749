"""Replies inside a turn keep Teams' limits with the outbox's messages, and are retried alike.

One throttle per process counts every request to the Bot Connector (per tenant and per
conversation); a reply answered 429 is retried after its Retry-After, and a reply Teams holds
back longer than a turn may wait goes to the outbox instead of failing the turn.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import MESSENGER
from bot.settings import Settings
from dialogs import texts
from dialogs.ports import OutgoingMessage
from storage.models import PersonRow
from tests.protocol.conftest import RunningBot, StartBot
from tests.support.activities import TENANT, Activities, TeamsUser
from tests.support.connector import BotConnector, Failure, Limits, running_connector

ANNE = TeamsUser("Anne Hansen", "aad-anne", "anne@kommune.dk")
BO = TeamsUser("Bo Jensen", "aad-bo", "bo@kommune.dk")
CARL = TeamsUser("Carl Nielsen", "aad-carl", "carl@kommune.dk")


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_reply_answered_429_is_retried_after_retry_after_and_arrives_once(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connector.fail_next(
        "send", Failure(429, {"Retry-After": "1"}), target=ANNE.personal_conversation
    )

    response = await bot.post(activities.message(ANNE, "hjælp"))

    assert response.status == 201
    assert connector.texts(ANNE.personal_conversation) == [texts.HELP]
    assert errors(caplog) == []


async def test_a_reply_held_back_longer_than_a_turn_waits_is_sent_by_the_outbox(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await bot.post(activities.message(ANNE, "mine"))  # Anne's chat is known
    connector.fail_next(
        "send", Failure(429, {"Retry-After": "3"}), target=ANNE.personal_conversation
    )

    response = await bot.post(activities.message(ANNE, "hjælp"))

    assert response.status == 201
    assert texts.HELP not in connector.texts(ANNE.personal_conversation)
    async with asyncio.timeout(10):
        while texts.HELP not in connector.texts(ANNE.personal_conversation):
            await asyncio.sleep(0.05)
    assert connector.texts(ANNE.personal_conversation).count(texts.HELP) == 1
    assert errors(caplog) == []


@pytest.fixture
async def strict_connector() -> AsyncIterator[BotConnector]:
    """Teams' limits enforced by the stub: 2 requests per second for the tenant."""
    async for stub in running_connector(Limits(per_tenant=((2, 1.0),))):
        yield stub


async def test_replies_and_outbox_messages_share_the_tenant_s_limit(
    start_bot: StartBot,
    settings: Settings,
    strict_connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = await start_bot(
        dataclasses.replace(settings, tenant_requests_per_second=2), teams_limits=True
    )
    activities = Activities(service_url=strict_connector.url)
    people = (ANNE, BO, CARL)
    for user in people:
        await bot.post(activities.message(user, "mine"))
    async with db() as session:
        ids = dict((await session.execute(select(PersonRow.aad_object_id, PersonRow.id))).all())
    messenger = bot.client.server.app[MESSENGER]

    await asyncio.gather(
        *(bot.post(activities.message(user, "hjælp")) for user in people),
        *(
            messenger.send_to_person(TENANT, ids[user.aad_object_id], OutgoingMessage(text="Hej"))
            for user in people
        ),
    )
    async with asyncio.timeout(10):
        while len(strict_connector.texts()) < 9:
            await asyncio.sleep(0.05)

    assert strict_connector.throttled == 0
    for user in people:
        assert sorted(strict_connector.texts(user.personal_conversation)[1:]) == sorted(
            [texts.HELP, "Hej"]
        )
    assert errors(caplog) == []
