"""The adapter builds botbuilder's ConnectorClient and UserTokenClient only for a turn that
uses one (bot.lazy_clients); replies and look-ups reach the Bot Connector as before."""

from __future__ import annotations

from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity

from bot.bootstrap import Storage, Wiring, wire
from bot.settings import Settings
from tests.support.activities import Activities, TeamsUser
from tests.support.connector import BotConnector

ANNE = TeamsUser("Anne Systemejer", "aad-anne", "anne@kommune.dk")
USER_TOKEN_CLIENT_KEY = "UserTokenClient"


async def _turn(wiring: Wiring, activity: dict[str, Any], logic: Any) -> dict[str, Any]:
    """Run one turn through the adapter as /api/messages does; the turn's state after it."""
    seen: dict[str, Any] = {}

    async def recording(context: TurnContext) -> None:
        await logic(context)
        seen.update(context.turn_state)

    await wiring.adapter.process_activity("", Activity().deserialize(activity), recording)
    return seen


async def test_a_turn_that_only_replies_builds_neither_client(
    storage: Storage, database_url: str, activities: Activities, connector: BotConnector
) -> None:
    wiring = wire(Settings(database_url=database_url), storage)

    async def reply(context: TurnContext) -> None:
        await context.send_activity("Hej Anne")

    try:
        state = await _turn(wiring, activities.message(ANNE, "hej"), reply)
    finally:
        await wiring.close()

    assert connector.texts(ANNE.personal_conversation) == ["Hej Anne"]
    assert not state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY].built
    assert not state[USER_TOKEN_CLIENT_KEY].built


async def test_a_roster_look_up_builds_the_connector_client_and_finds_the_member(
    storage: Storage, database_url: str, activities: Activities, connector: BotConnector
) -> None:
    connector.add_member(ANNE.personal_conversation, ANNE.roster_entry())
    wiring = wire(Settings(database_url=database_url), storage)
    found: list[str] = []

    async def look_up(context: TurnContext) -> None:
        member = await TeamsInfo.get_member(context, ANNE.teams_id)
        found.append(member.user_principal_name)

    try:
        state = await _turn(wiring, activities.message(ANNE, "hej"), look_up)
    finally:
        await wiring.close()

    assert found == [ANNE.email]
    assert state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY].built
    assert not state[USER_TOKEN_CLIENT_KEY].built
