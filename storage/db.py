"""Async engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Result, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

logger = logging.getLogger(__name__)


SQLITE_POOL_TIMEOUT_S = 60.0
"""How long a turn may queue for the SQLite connection before the request fails."""


def create_engine_for(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the engine; for SQLite make the folder, turn on WAL and foreign keys, and give
    the process one connection.

    SQLite has one writer. Pooled connections racing for it wait in SQLite's busy handler,
    which sleeps in steps of up to 100 ms whether or not the lock came free meanwhile; under
    load that idled the bot a third of the time. With one connection, this process's
    statements queue on the event loop instead, first come first served, and each takes
    microseconds. busy_timeout remains for other processes (the CLI, a second instance).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_async_engine(url, pool_pre_ping=True, **kwargs)
        event.listen(engine.sync_engine, "before_cursor_execute", _without_nul, retval=True)
        return engine

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs = {
            "pool_size": 1,
            "max_overflow": 0,
            "pool_timeout": SQLITE_POOL_TIMEOUT_S,
            **kwargs,
        }
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "before_cursor_execute", _without_nul, retval=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers run beside the single writer; busy_timeout makes a second
        # writer (another process, the CLI) wait instead of failing at once.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _without_nul(
    _connection: Any,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    _executemany: bool,
) -> tuple[str, Any]:
    """Drop NUL (U+0000) from every text written or looked up, on both databases.

    PostgreSQL's text cannot hold it (asyncpg raises, and the turn that wrote a remark or a
    name from Teams would fail); nothing a person types needs it. Removed here, once, rather
    than at each of the many ways text arrives (messages, card inputs, Teams' rosters,
    workbooks), and on SQLite too, so both store the same.
    """
    return statement, _clean(parameters)


def _clean(parameters: Any) -> Any:
    if isinstance(parameters, str):
        return parameters.replace("\x00", "") if "\x00" in parameters else parameters
    if isinstance(parameters, tuple):
        return tuple(_clean(p) for p in parameters) if _has_nul(parameters) else parameters
    if isinstance(parameters, list):
        return [_clean(p) for p in parameters]
    if isinstance(parameters, dict):
        return (
            {k: _clean(v) for k, v in parameters.items()}
            if _has_nul(parameters.values())
            else parameters
        )
    return parameters


def _has_nul(values: Any) -> bool:
    return any(isinstance(v, str) and "\x00" in v for v in values)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit, so no implicit IO happens afterwards."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def database_answers(engine: AsyncEngine) -> bool:
    """Whether the database answers a trivial query now (for /healthz)."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        # A health check must answer, whatever the driver raises; the cause is logged.
        logger.exception("health check: database unreachable")
        return False
    return True


def dialect_insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which has on_conflict_do_nothing/do_update on both databases."""
    return insert_for(dialect_of(session))


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert_for(dialect_name: str) -> Any:
    """dialect_insert by the dialect's name, for statements built once per dialect."""
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert


def rows_matched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched (its result is a CursorResult)."""
    return cast(CursorResult[Any], result).rowcount
