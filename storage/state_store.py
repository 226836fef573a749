"""Key → JSON document store with e_tags, for the bot's conversation and user state.

The botbuilder-facing adapter is bot/dialog_state.py; this module is only the SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import rows_matched
from storage.domain.model import KortlaegningError
from storage.models import BotStateRow, table_of

# Every turn reads and writes its states, so the statements are Core and built once: the
# ORM's bulk-update path and building a statement per call cost more than the SQL. In the
# UPDATEs, the parameters not named in the WHERE are the columns to SET.
_STATE = table_of(BotStateRow)
_READ = select(_STATE.c.key, _STATE.c.data, _STATE.c.e_tag).where(
    _STATE.c.key.in_(bindparam("keys", expanding=True))
)
_OVERWRITE = update(_STATE).where(_STATE.c.key == bindparam("k"))
_REPLACE = update(_STATE).where(
    _STATE.c.key == bindparam("k"), _STATE.c.e_tag == bindparam("expected")
)
_CREATE = insert(_STATE)


class StateConflict(KortlaegningError):
    """Someone else wrote the document since it was read (optimistic concurrency)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"e_tag conflict on state key {key!r}")
        self.key = key


@dataclass(frozen=True, slots=True)
class StoredDocument:
    data: str
    e_tag: str


class StateStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def read(self, keys: Iterable[str]) -> dict[str, StoredDocument]:
        keys = list(keys)
        if not keys:
            return {}
        async with self._sessions() as session:
            rows = await session.execute(_READ, {"keys": keys})
            return {key: StoredDocument(data, e_tag) for key, data, e_tag in rows}

    async def write(self, documents: Mapping[str, tuple[str, str | None]]) -> dict[str, str]:
        """Write each key's JSON; an expected e_tag other than None/"*" must still match.

        All keys are written in one transaction and the new e_tags are returned.
        """
        now = datetime.now(UTC)
        new_tags: dict[str, str] = {}
        async with self._sessions() as session, session.begin():
            for key, (data, expected) in documents.items():
                new_tag = uuid.uuid4().hex
                await _write_one(session, key, data, expected, new_tag, now)
                new_tags[key] = new_tag
        return new_tags

    async def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if not keys:
            return
        async with self._sessions() as session, session.begin():
            await session.execute(delete(BotStateRow).where(BotStateRow.key.in_(keys)))


async def _write_one(
    session: AsyncSession,
    key: str,
    data: str,
    expected: str | None,
    new_tag: str,
    now: datetime,
) -> None:
    document = {"data": data, "e_tag": new_tag, "updated_at": now}
    if expected is None or expected == "*":
        updated = await session.execute(_OVERWRITE, {"k": key, **document})
        if rows_matched(updated):
            return
        try:
            async with session.begin_nested():
                await session.execute(_CREATE, {"key": key, **document})
        except IntegrityError as exc:
            # Another writer created the key between our update and insert.
            raise StateConflict(key) from exc
        return
    updated = await session.execute(_REPLACE, {"k": key, "expected": expected, **document})
    if not rows_matched(updated):
        raise StateConflict(key)
