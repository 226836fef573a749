"""The whole HTTP app on a free port, talking to a local Bot Connector."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_app
from bot.settings import Settings
from storage.db import create_engine_for, make_sessionmaker
from storage.migrate import upgrade_head
from tests.support.activities import Activities
from tests.support.connector import BotConnector, running_connector
from tests.support.fixtures import SetUp, set_up_small


@pytest.fixture
async def connector() -> AsyncIterator[BotConnector]:
    async for stub in running_connector():
        yield stub


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, reminders_enabled=False)


@dataclasses.dataclass
class RunningBot:
    client: TestClient
    settings: Settings

    async def post(self, activity: dict[str, Any]) -> web.Response:
        return await self.client.post("/api/messages", json=activity)  # type: ignore[return-value]


StartBot = Callable[..., Awaitable[RunningBot]]


@pytest.fixture
async def start_bot() -> AsyncIterator[StartBot]:
    """Start (and later stop) the real app; call again to simulate a restart."""
    clients: list[TestClient] = []

    async def start(settings: Settings) -> RunningBot:
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
def activities(connector: BotConnector) -> Activities:
    return Activities(service_url=connector.url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the bot's database, for setting up and asserting what is stored."""
    engine = create_engine_for(database_url)
    await upgrade_head(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def world(bot: RunningBot, db: async_sessionmaker[AsyncSession]) -> SetUp:
    """A kortlægning with ESDH (Anne, Bo) and Skole (Anne), as after the coordinator's set-up."""
    return await set_up_small(db)


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card an activity carries."""
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def card_text(card: dict[str, Any]) -> str:
    """All text a person sees on a card, in order, for asserting on."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "label", "value"):
                if isinstance(node.get(key), str) and node.get("type") != "Input.ChoiceSet":
                    parts.append(node[key])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    return "\n".join(parts)


def submit_data(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The data of the card's Action.Submit with this title (searched in show-cards too)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and node.get("title") == title:
                found.append(node["data"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    assert found, f"no button {title!r} on the card"
    return dict(found[0])
