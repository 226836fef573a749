"""A bot process killed mid-turn (kill -9) and Teams' redelivery: no answer lost, none doubled.

The bot runs as a real subprocess (`python -m bot serve`) against the local Bot Connector, so
the kill leaves exactly what a crash leaves: whatever the database had committed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from dialogs import texts
from storage.db import create_engine_for, make_sessionmaker
from storage.domain.model import Anvendelse
from storage.migrate import upgrade_head
from storage.models import AnswerRow, AuditRow
from storage.survey import SurveyRepository
from tests.support.activities import Activities, TeamsUser
from tests.support.connector import BotConnector
from tests.support.fixtures import SetUp, set_up_small

ANNE = TeamsUser("Anne Systemejer", "aad-anne", "anne@kommune.dk")


class BotProcess:
    """`python -m bot serve` on a free port, stopped with SIGKILL as a crash would stop it."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self._database_url = database_url
        self._workdir = workdir
        self.url = ""
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        environment = {
            **os.environ,
            "DATABASE_URL": self._database_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "REMINDERS_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
        }
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", env=environment, cwd=self._workdir
        )
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError("the bot process did not start")

    def kill(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)

    async def wait(self) -> None:
        if self._process is not None:
            await self._process.wait()


@pytest.fixture
async def processes(tmp_path: Path) -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for process in started:
        if process._process is not None and process._process.returncode is None:
            process.kill()
        await process.wait()


async def _post(http: aiohttp.ClientSession, bot: BotProcess, activity: dict[str, Any]) -> int:
    async with http.post(f"{bot.url}/api/messages", json=activity) as response:
        await response.read()
        return response.status


async def _stored(database_url: str) -> tuple[int, int]:
    engine = create_engine_for(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            answers = await session.scalar(select(func.count()).select_from(AnswerRow))
            audits = await session.scalar(
                select(func.count()).select_from(AuditRow).where(AuditRow.action == "answer")
            )
            return int(answers or 0), int(audits or 0)
    finally:
        await engine.dispose()


async def test_an_answer_waiting_behind_a_slow_turn_survives_kill_9_and_redelivery(
    database_url: str,
    connector: BotConnector,
    processes: list[BotProcess],
    tmp_path: Path,
) -> None:
    engine = create_engine_for(database_url)
    await upgrade_head(engine)
    sessions = make_sessionmaker(engine)
    world: SetUp = await set_up_small(sessions)
    skole = await SurveyRepository(sessions).overview(world.skole.id, world.anne.id)
    await engine.dispose()
    activities = Activities(connector.url)
    chat = ANNE.personal_conversation
    first = BotProcess(database_url, tmp_path)
    processes.append(first)
    await first.start()

    async with aiohttp.ClientSession() as http:
        # A turn of Anne's chat whose reply the Bot Connector is slow to take ...
        connector.slow_next(chat, 60)
        start = activities.submit(ANNE, {"action": "start", "fagomraade_id": world.skole.id})
        slow_turn = asyncio.ensure_future(_post(http, first, start))
        while chat not in connector.held:
            await asyncio.sleep(0.02)  # until the slow reply is under way
        # ... and her answer, delivered meanwhile, waits for that turn to finish.
        aula = skole.systemer[0].system
        answer = activities.submit(
            ANNE,
            {
                "action": "answer",
                "fagomraade_id": world.skole.id,
                "system_id": aula.id,
                "anvendelse": "anvender",
            },
        )
        waiting_turn = asyncio.ensure_future(_post(http, first, answer))
        await asyncio.sleep(1.0)  # long enough for the bot to receive it; not a timing claim

        first.kill()
        await first.wait()
        for request in (slow_turn, waiting_turn):
            with pytest.raises(aiohttp.ClientError):
                await request

        assert await _stored(database_url) == (0, 0)
        sent_before = len(connector.sent(chat))
        second = BotProcess(database_url, tmp_path)
        processes.append(second)
        await second.start()

        # Teams delivers the answer again, and once more for good measure.
        assert await _post(http, second, answer) in (200, 201)
        assert await _post(http, second, answer) in (200, 201)

    assert await _stored(database_url) == (1, 1)
    # One answer to it: the confirmation and the next system's card, each once.
    replies = connector.sent(chat)[sent_before:]
    assert [r.get("text") for r in replies] == [
        texts.answer_saved(system="Aula", anvendelse=Anvendelse.ANVENDER),
        None,
    ]
    assert replies[1]["attachments"][0]["content"]["body"][1]["text"] == "Meebook"
