"""The whole HTTP app on a free port, talking to a local Bot Connector."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth import (
    ChannelValidation,
    JwtTokenExtractor,
    MicrosoftAppCredentials,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_app
from bot.bootstrap import open_storage
from bot.settings import Settings
from storage.models import (
    AnswerRow,
    AuditRow,
    BotStateRow,
    ConversationReferenceRow,
    PersonRow,
    ProcessedActivityRow,
)
from tests.support.activities import Activities
from tests.support.cards import buttons, card_text, submit_data
from tests.support.channel_tokens import ChannelTokenIssuer
from tests.support.connector import BotConnector, running_connector
from tests.support.fixtures import SetUp, set_up_small

APP_ID = "6f1f7c4e-6a3b-4d55-9c61-2b0d8e0a7c11"
"""The Azure Bot's app id in tests with authentication on."""

OUTGOING_TOKEN = "token-the-bot-got-from-entra-id"
"""What the bot presents to the Bot Connector; Entra ID (login.microsoftonline.com) is offline."""


@pytest.fixture
async def connector() -> AsyncIterator[BotConnector]:
    async for stub in running_connector():
        yield stub
        assert not stub.invalid_cards, "\n".join(stub.invalid_cards)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, reminders_enabled=False)


@dataclasses.dataclass
class RunningBot:
    client: TestClient
    settings: Settings

    async def post(self, activity: dict[str, Any], *, token: str | None = None) -> web.Response:
        """POST an activity, with `Authorization: Bearer <token>` when a token is given."""
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return await self.client.post(  # type: ignore[return-value]
            "/api/messages", json=activity, headers=headers
        )


StartBot = Callable[..., Awaitable[RunningBot]]


UNHURRIED = {"conversation_send_limits": ((1000, 1.0),), "tenant_requests_per_second": 10_000}
"""Limits no test reaches: tests post turns far faster than anyone types, and Teams' real
limits (which the bot keeps for replies too) would make them wait for seconds."""


@pytest.fixture
async def start_bot() -> AsyncIterator[StartBot]:
    """Start (and later stop) the real app; call again to simulate a restart.

    Teams' limits apply only where a test asks for them (teams_limits=True).
    """
    clients: list[TestClient] = []

    async def start(settings: Settings, *, teams_limits: bool = False) -> RunningBot:
        if not teams_limits:
            settings = dataclasses.replace(settings, **UNHURRIED)  # type: ignore[arg-type]
        client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return RunningBot(client, settings)

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
async def bot(start_bot: StartBot, settings: Settings) -> RunningBot:
    return await start_bot(settings)


@pytest.fixture
def token_issuer(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChannelTokenIssuer]:
    """Point botbuilder's channel-token validation and its outgoing tokens at local stand-ins.

    ChannelValidation.open_id_metadata_endpoint is botbuilder's own override of the public
    metadata URL. The metadata cache is a class-level dict keyed by URL, so each test gets an
    empty one. Outgoing calls need an Entra ID token from MSAL; it is replaced by a fixed string
    that the connector stub records, which is how the tests see the reply was authenticated.
    """
    issuer = ChannelTokenIssuer()
    issuer.start()
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", issuer.metadata_url)
    monkeypatch.setattr(JwtTokenExtractor, "metadataCache", {})
    monkeypatch.setattr(
        MicrosoftAppCredentials,
        "get_access_token",
        lambda self, force_refresh=False: OUTGOING_TOKEN,
    )
    yield issuer
    issuer.stop()


@pytest.fixture
def authenticated_settings(settings: Settings) -> Settings:
    """The test settings as in production: an app id and password, so tokens are required."""
    return dataclasses.replace(settings, app_id=APP_ID, app_password="app-password-in-tests")


@pytest.fixture
def activities(connector: BotConnector) -> Activities:
    return Activities(service_url=connector.url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the bot's database, for setting up and asserting what is stored."""
    async with open_storage(database_url) as storage:
        yield storage.sessions


@pytest.fixture
async def world(bot: RunningBot, db: async_sessionmaker[AsyncSession]) -> SetUp:
    """A kortlægning with ESDH (Anne, Bo) and Skole (Anne), as after the coordinator's set-up."""
    return await set_up_small(db)


TURN_TABLES = (
    PersonRow,
    ConversationReferenceRow,
    ProcessedActivityRow,
    BotStateRow,
    AnswerRow,
    AuditRow,
)
"""Every table a turn writes to: who wrote, where to reach them, the redelivery guard, the
dialog state, and the answers with their audit trail."""


async def turn_rows(db: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """How many rows each table a turn writes to holds, by table name."""
    return {table.__tablename__: await count(db, table) for table in TURN_TABLES}


async def count(db: async_sessionmaker[AsyncSession], row: type) -> int:
    """How many rows a table holds."""
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(row)) or 0)


def in_team(activity: dict[str, Any], team_id: str) -> dict[str, Any]:
    """The same message, written in a team's channel instead of the 1:1 chat."""
    return {
        **activity,
        "conversation": {
            "id": team_id,
            "conversationType": "channel",
            "tenantId": activity["conversation"]["tenantId"],
        },
        "channelData": {
            **activity["channelData"],
            "team": {"id": team_id},
            "channel": {"id": team_id},
        },
    }


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card an activity carries."""
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


__all__ = ["buttons", "card_text", "submit_data"]  # the card readers, for the protocol tests
