"""Cross-layer fixtures: test settings and a real database on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.bootstrap import Storage
from storage.db import create_engine_for
from storage.migrate import upgrade_head
from tests.support.databases import fresh_postgres_database, postgres_reachable, skip_or_fail


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'kortlaegning.db'}"
        return
    reason = await postgres_reachable()
    if reason:
        skip_or_fail(reason)
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'kortlaegning.db'}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(database_url)
    await upgrade_head(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def storage(engine: AsyncEngine) -> Storage:
    """The repositories over the test database, as bot.bootstrap gives them to the bot."""
    return Storage.over(engine)


@pytest.fixture
def sessions(storage: Storage) -> async_sessionmaker[AsyncSession]:
    return storage.sessions


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """The CLI configures logging as the real command does; undo it after each test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
