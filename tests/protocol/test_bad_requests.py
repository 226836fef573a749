"""Malformed requests get a 4xx with a reason in the body, never a 500."""

from __future__ import annotations

import pytest

from tests.protocol.conftest import RunningBot
from tests.support.activities import Activities, TeamsUser
from tests.support.connector import BotConnector

ANNE = TeamsUser("Anne Systemejer", "aad-anne", "anne@kommune.dk")


async def test_a_body_that_is_not_json_gets_400(bot: RunningBot, connector: BotConnector) -> None:
    response = await bot.client.post(
        "/api/messages", data=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status == 400
    assert (await response.json())["error"] == "body is not valid JSON"
    assert connector.calls == []


async def test_a_body_that_is_not_declared_json_gets_415(bot: RunningBot) -> None:
    response = await bot.client.post("/api/messages", data=b"hej")

    assert response.status == 415
    assert "application/json" in (await response.json())["error"]


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ("type", "activity has no 'type'"),
        ("serviceUrl", "activity has no 'serviceUrl'"),
        ("conversation", "activity has no 'conversation.id'"),
    ],
)
async def test_an_activity_without_a_required_field_gets_400(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    missing: str,
    reason: str,
) -> None:
    activity = activities.message(ANNE, "hjælp")
    del activity[missing]

    response = await bot.post(activity)

    assert response.status == 400
    assert (await response.json()) == {"status": 400, "error": reason}
    assert connector.calls == []


async def test_an_activity_with_a_malformed_field_gets_400(
    bot: RunningBot, activities: Activities, connector: BotConnector
) -> None:
    activity = {**activities.message(ANNE, "hjælp"), "timestamp": "i går"}

    response = await bot.post(activity)

    assert response.status == 400
    assert (await response.json())["error"] == "body is not a Bot Framework activity"
    assert connector.calls == []


async def test_a_json_array_gets_400(bot: RunningBot) -> None:
    response = await bot.client.post("/api/messages", json=[1, 2])

    assert response.status == 400


async def test_an_oversized_body_gets_413(bot: RunningBot, connector: BotConnector) -> None:
    huge = "x" * (bot.settings.max_request_bytes + 10)

    response = await bot.client.post(
        "/api/messages", data=huge, headers={"Content-Type": "application/json"}
    )

    assert response.status == 413
    assert (await response.json())["status"] == 413
    assert connector.calls == []


async def test_get_on_the_messages_endpoint_is_405_with_a_body(bot: RunningBot) -> None:
    response = await bot.client.get("/api/messages")

    assert response.status == 405
    assert (await response.json())["status"] == 405
