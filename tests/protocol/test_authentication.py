"""With an app id, only requests signed by the Bot Framework reach the bot.

The tokens are real RS256 JWTs, checked by botbuilder's own validation against a local
publisher of the channel's OpenID metadata (tests/support/channel_tokens.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from botframework.connector.auth import ChannelValidation
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from dialogs import texts
from tests.protocol.conftest import APP_ID, OUTGOING_TOKEN, RunningBot, StartBot, turn_rows
from tests.support.activities import Activities, TeamsUser
from tests.support.channel_tokens import KEYS_PATH, METADATA_PATH, ChannelTokenIssuer
from tests.support.connector import BotConnector

ANNE = TeamsUser("Anne Systemejer", "aad-anne", "anne@kommune.dk")


@pytest.fixture
async def secured_bot(
    start_bot: StartBot, authenticated_settings: Settings, token_issuer: ChannelTokenIssuer
) -> RunningBot:
    return await start_bot(authenticated_settings)


async def test_a_message_with_a_valid_channel_token_is_answered_with_the_bot_s_own_token(
    secured_bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    token_issuer: ChannelTokenIssuer,
) -> None:
    token = token_issuer.token(audience=APP_ID, service_url=activities.service_url)

    response = await secured_bot.post(activities.message(ANNE, "hjælp"), token=token)

    assert response.status in (200, 201)
    assert connector.texts(ANNE.personal_conversation) == [texts.HELP]
    assert {call.authorization for call in connector.calls} == {f"Bearer {OUTGOING_TOKEN}"}
    assert token_issuer.requested_paths == [METADATA_PATH, KEYS_PATH]


# How each refused request spoils its Authorization header, given the issuer and the
# activity's serviceUrl. None means no header at all.
SpoiledHeader = Callable[[ChannelTokenIssuer, str], str | None]

REFUSED: dict[str, SpoiledHeader] = {
    "no header": lambda issuer, url: None,
    "expired": lambda issuer, url: (
        "Bearer "
        + issuer.token(audience=APP_ID, service_url=url, expires_in=-timedelta(minutes=10))
    ),
    "another bot's audience": lambda issuer, url: (
        "Bearer " + issuer.token(audience="00000000-0000-0000-0000-000000000001", service_url=url)
    ),
    "signed by a foreign key": lambda issuer, url: (
        "Bearer " + issuer.token(audience=APP_ID, service_url=url, signed_by_a_foreign_key=True)
    ),
    "an unpublished key id": lambda issuer, url: (
        "Bearer " + issuer.token(audience=APP_ID, service_url=url, key_id="retired-key")
    ),
    "another issuer": lambda issuer, url: (
        "Bearer " + issuer.token(audience=APP_ID, service_url=url, issuer="https://evil.example")
    ),
    "another serviceUrl": lambda issuer, url: (
        "Bearer " + issuer.token(audience=APP_ID, service_url="https://smba.evil.example/emea/")
    ),
    "not a JWT": lambda issuer, url: "Bearer not.a.jwt",
    "the Basic scheme": lambda issuer, url: "Basic YWRtaW46YWRtaW4=",
}


@pytest.mark.parametrize("spoil", REFUSED.values(), ids=REFUSED.keys())
async def test_a_request_without_a_valid_channel_token_gets_401_and_no_turn_runs(
    secured_bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    token_issuer: ChannelTokenIssuer,
    db: async_sessionmaker[AsyncSession],
    spoil: SpoiledHeader,
) -> None:
    header = spoil(token_issuer, activities.service_url)
    headers = {"Authorization": header} if header is not None else {}

    response = await secured_bot.client.post(
        "/api/messages", json=activities.message(ANNE, "hjælp"), headers=headers
    )

    assert response.status == 401
    assert await response.json() == {
        "status": 401,
        "error": "missing or invalid Bot Framework token",
    }
    assert connector.calls == []
    assert set((await turn_rows(db)).values()) == {0}


async def test_a_token_cannot_be_checked_while_the_signing_keys_are_unreachable_so_503(
    secured_bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    token_issuer: ChannelTokenIssuer,
    monkeypatch: pytest.MonkeyPatch,
    db: async_sessionmaker[AsyncSession],
) -> None:
    # A port nothing listens on: the keys cannot be fetched. 503 lets the channel retry.
    token_issuer.stop()
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", token_issuer.metadata_url)
    token = token_issuer.token(audience=APP_ID, service_url=activities.service_url)

    response = await secured_bot.post(activities.message(ANNE, "hjælp"), token=token)

    assert response.status == 503
    assert (await response.json())["status"] == 503
    assert connector.calls == []
    assert set((await turn_rows(db)).values()) == {0}


async def test_without_an_app_id_the_local_trial_needs_no_token(
    bot: RunningBot, activities: Activities, connector: BotConnector
) -> None:
    response = await bot.post(activities.message(ANNE, "hjælp"))

    assert response.status in (200, 201)
    assert connector.texts() == [texts.HELP]
    assert connector.calls[0].authorization is None


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"type": "message", "value": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"],
    ids=["not JSON", "nested 50,000 deep"],
)
async def test_a_bad_token_is_refused_before_the_body_is_read(
    secured_bot: RunningBot,
    token_issuer: ChannelTokenIssuer,
    activities: Activities,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    token = token_issuer.token(audience=APP_ID, service_url=activities.service_url, key_id="x")

    response = await secured_bot.client.post(
        "/api/messages",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )

    assert response.status == 401
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
