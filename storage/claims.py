"""Which activities were already handled, so Teams' redelivery is not handled twice.

A claim is written in the turn's own transaction (storage/unit_of_work.py): it commits with
the turn's effects or not at all. A turn that fails, or a process killed mid-turn, leaves no
claim, and the redelivery is handled as the first delivery would have been.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import insert_for
from storage.models import ProcessedActivityRow
from storage.unit_of_work import UnitOfWork

KEPT_FOR = timedelta(days=1)
"""How long a claim is kept. Teams redelivers within minutes; a day is plenty."""

_CLAIMS = ProcessedActivityRow.__table__
_IS_CLAIMED = select(_CLAIMS.c.activity_id).where(
    _CLAIMS.c.conversation_id == bindparam("conversation_id"),
    _CLAIMS.c.activity_id == bindparam("activity_id"),
)


class ActivityClaims:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def claim(
        self, uow: UnitOfWork, conversation_id: str, activity_id: str, *, at: datetime
    ) -> bool:
        """Claim the activity in the turn's transaction; False when it was handled before.

        On PostgreSQL a second delivery handled at the same time by another instance waits
        here for the first one's transaction, then finds its claim (or takes over if it
        rolled back). SQLite has one writer, so the same holds there.
        """
        session = uow.session
        result = await session.execute(
            _claim_statement(session.bind.dialect.name),
            {"conversation_id": conversation_id, "activity_id": activity_id, "received_at": at},
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def is_claimed(self, conversation_id: str, activity_id: str) -> bool:
        """Whether a committed turn already handled the activity (a read, no lock)."""
        async with self._sessions() as session:
            found = await session.scalar(
                _IS_CLAIMED, {"conversation_id": conversation_id, "activity_id": activity_id}
            )
            return found is not None

    async def purge(self, *, now: datetime) -> int:
        """Forget claims older than KEPT_FOR, so the table does not grow for ever."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(ProcessedActivityRow).where(
                    ProcessedActivityRow.received_at < now - KEPT_FOR
                )
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]


@functools.cache
def _claim_statement(dialect_name: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING into the claims, built once: it runs every turn."""
    return insert_for(dialect_name)(_CLAIMS).on_conflict_do_nothing()
