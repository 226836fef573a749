"""The composition root: what the server, the CLI, the benchmarks and the tests are built from.

Each part is made in one place here, so that a test or a CLI command runs the very wiring
the server runs and replaces only what it must (the clock, the Bot Connector, a port).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.archive import ArchiveRepository
from storage.claims import ActivityClaims
from storage.conversations import ConversationRepository
from storage.coordination import CoordinationRepository
from storage.db import create_engine_for, make_sessionmaker
from storage.migrate import upgrade_head
from storage.outbox import OutboxRepository
from storage.reminders import ReminderRepository
from storage.state_store import StateStore
from storage.suggestions.store import ForslagRepository
from storage.survey import SurveyRepository
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Storage:
    """The database and every repository over it; each repository opens its own sessions."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    units: Callable[[], UnitOfWork]
    """A new unit of work: one turn's transaction (storage.unit_of_work)."""
    states: StateStore
    claims: ActivityClaims
    conversations: ConversationRepository
    coordination: CoordinationRepository
    survey: SurveyRepository
    archive: ArchiveRepository
    outbox: OutboxRepository
    reminders: ReminderRepository
    forslag: ForslagRepository
    """Suggested answers, additions and owners from last round and KITOS."""

    @classmethod
    def over(cls, engine: AsyncEngine) -> Storage:
        sessions = make_sessionmaker(engine)
        return cls(
            engine=engine,
            sessions=sessions,
            units=functools.partial(UnitOfWork, sessions),
            states=StateStore(sessions),
            claims=ActivityClaims(sessions),
            conversations=ConversationRepository(sessions),
            coordination=CoordinationRepository(sessions),
            survey=SurveyRepository(sessions),
            archive=ArchiveRepository(sessions),
            outbox=OutboxRepository(sessions),
            reminders=ReminderRepository(sessions),
            forslag=ForslagRepository(sessions),
        )


@contextlib.asynccontextmanager
async def open_storage(database_url: str, *, migrate: bool = True) -> AsyncIterator[Storage]:
    """The database at the URL, migrated to the newest schema unless told not to, and its
    repositories; the engine is disposed of on leaving."""
    engine = create_engine_for(database_url)
    try:
        if migrate:
            await upgrade_head(engine)
        yield Storage.over(engine)
    finally:
        await engine.dispose()
