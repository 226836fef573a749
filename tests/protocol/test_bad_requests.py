"""Malformed requests get a 4xx with a reason in the body, never a 500."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

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


def _nested_too_deep(activity: dict[str, object]) -> bytes:
    """An activity with a value nested 50,000 deep: json.loads hits Python's recursion limit."""
    return (
        json.dumps(activity)[:-1].encode() + b', "value": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    )


def _integer_too_long(activity: dict[str, object]) -> bytes:
    """An activity with a 5,000-digit number: Python refuses ints over 4,300 digits as text."""
    return json.dumps(activity)[:-1].encode() + b', "value": ' + b"9" * 5_000 + b"}"


@pytest.mark.parametrize("spoil", [_nested_too_deep, _integer_too_long])
async def test_a_body_json_cannot_turn_into_values_gets_400_without_an_error_log(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    caplog: pytest.LogCaptureFixture,
    spoil: Callable[[dict[str, object]], bytes],
) -> None:
    response = await bot.client.post(
        "/api/messages",
        data=spoil(activities.message(ANNE, "hjælp")),
        headers={"Content-Type": "application/json"},
    )

    assert response.status == 400
    assert (await response.json()) == {"status": 400, "error": "body is not valid JSON"}
    assert connector.calls == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("service_url", ["not a url", "ftp://smba.example/", "https://"])
async def test_an_activity_whose_service_url_is_not_an_http_url_gets_400(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    caplog: pytest.LogCaptureFixture,
    service_url: str,
) -> None:
    activity = {**activities.message(ANNE, "hjælp"), "serviceUrl": service_url}

    response = await bot.post(activity)

    assert response.status == 400
    assert (await response.json())["error"] == "activity's 'serviceUrl' is not an http(s) URL"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
