"""The whole HTTP app on a free port, talking to a local Bot Connector."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import Settings
from tests.support.activities import Activities
from tests.support.connector import BotConnector, running_connector


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
