"""The real bot process and the Agents Playground on free ports, one pair per test.

Without Node, the installed Playground or (for the browser tests) Chromium, the tests skip
with the reason, except under CI=true, where a missing piece is a failure.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from playground.demo import KOORDINATOR, Demo, seed_demo
from playground.launcher import (
    REPO,
    free_port,
    playground_missing,
    start_bot,
    start_playground,
    stop,
)
from playground.tenant import CONFIG_PATH, Tenant, User, load_tenant, write_config_as
from tests.e2e.chat import Chat
from tests.support.databases import skip_or_fail

ARTIFACTS = REPO / "test-artifacts"
ANNE = "anne.jensen@kommune.dk"


@dataclass(frozen=True, slots=True)
class Stack:
    """A running bot and Playground; `user` is who the Playground's page and API act as."""

    url: str
    database_url: str
    tenant: Tenant
    demo: Demo | None
    artifacts: Path

    @property
    def user(self) -> User:
        return self.tenant.current_user

    def chat(self) -> Chat:
        return Chat(self.url, self.tenant.personal_chat_id, self.user.teams_id)


StartStack = Callable[..., Awaitable[Stack]]


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """test-artifacts/<test>/: the processes' logs and the screenshots, kept for CI."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
async def start_stack(tmp_path: Path, artifacts: Path) -> AsyncIterator[StartStack]:
    missing = playground_missing()
    if missing:
        skip_or_fail(missing)
    processes: list[subprocess.Popen[bytes]] = []

    async def start(*, acting_as: str | None = None, demo: bool = True) -> Stack:
        config = CONFIG_PATH
        if acting_as:
            config = write_config_as(acting_as, artifacts / "m365agentsplayground.yml")
        tenant = load_tenant(config)
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'kortlaegning.db'}"
        seeded = await seed_demo(database_url, tenant) if demo else None
        bot_port, playground_port = free_port(), free_port()
        # Started side by side: the Playground itself waits (up to 15 s) for the bot.
        results = await asyncio.gather(
            asyncio.to_thread(
                start_bot, bot_port, artifacts / "bot.log", _bot_environment(database_url, bot_port)
            ),
            asyncio.to_thread(
                start_playground,
                bot_port,
                playground_port,
                config,
                artifacts / "playground.log",
                artifacts / "playground-activities.log",
            ),
            return_exceptions=True,
        )
        processes.extend(r for r in results if isinstance(r, subprocess.Popen))
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return Stack(f"http://127.0.0.1:{playground_port}", database_url, tenant, seeded, artifacts)

    yield start
    for process in reversed(processes):
        stop(process)


def _bot_environment(database_url: str, port: int) -> dict[str, str]:
    """A clean environment: empty values win over a developer's .env (dotenv never overrides)."""
    inherited = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TZ") if k in os.environ}
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "MicrosoftAppId": "",
        "MicrosoftAppPassword": "",
        "TILLADTE_TENANTS": "",
        "KOORDINATORER": KOORDINATOR,
        "SMTP_HOST": "",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "REMINDERS_ENABLED": "false",
        "LOG_LEVEL": "INFO",
    }
