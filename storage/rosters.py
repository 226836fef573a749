"""The teams and group chats the bot is installed in: the rosters where colleagues are found.

A 1:1 chat's roster holds only its one person, so the people a coordinator assigns are looked
up in these. Kept when the bot is removed (marked, not deleted), so the coordinator can still
be told which teams the bot was in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import dialect_insert
from storage.models import KnownRosterRow


class RosterKind(StrEnum):
    TEAM = "team"
    GROUP_CHAT = "groupChat"
    """Teams' own conversationType value for a group chat."""


@dataclass(frozen=True, slots=True)
class KnownRoster:
    tenant_id: str
    conversation_id: str
    kind: RosterKind
    navn: str
    service_url: str
    seen_at: datetime
    removed_at: datetime | None = None

    @property
    def installed(self) -> bool:
        return self.removed_at is None


class RosterRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def remember(
        self,
        *,
        tenant_id: str,
        conversation_id: str,
        kind: RosterKind,
        navn: str,
        service_url: str,
    ) -> None:
        """Record that the bot is in this team or chat now; a name already known is kept
        when Teams sends none (most activities in a team carry only its id)."""
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            insert = dialect_insert(session)
            statement = insert(KnownRosterRow).values(
                tenant_id=tenant_id,
                conversation_id=conversation_id,
                kind=kind.value,
                navn=navn,
                service_url=service_url,
                seen_at=now,
                removed_at=None,
            )
            changes = {
                "service_url": statement.excluded.service_url,
                "seen_at": statement.excluded.seen_at,
                "removed_at": None,
            }
            if navn:
                changes["navn"] = statement.excluded.navn
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["tenant_id", "conversation_id"], set_=changes
                )
            )

    async def mark_removed(self, tenant_id: str, conversation_id: str) -> None:
        """The bot was removed from the team or chat: its roster can no longer be read."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(KnownRosterRow)
                .where(
                    KnownRosterRow.tenant_id == tenant_id,
                    KnownRosterRow.conversation_id == conversation_id,
                )
                .values(removed_at=datetime.now(UTC))
            )

    async def known(self, tenant_id: str) -> list[KnownRoster]:
        """Every team and group chat of the tenant, installed ones first, then by name."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(KnownRosterRow).where(KnownRosterRow.tenant_id == tenant_id)
            )
            found = [_to_roster(row) for row in rows]
        return sorted(found, key=lambda r: (not r.installed, r.navn.casefold(), r.conversation_id))


def _to_roster(row: KnownRosterRow) -> KnownRoster:
    return KnownRoster(
        tenant_id=row.tenant_id,
        conversation_id=row.conversation_id,
        kind=RosterKind(row.kind),
        navn=row.navn,
        service_url=row.service_url,
        seen_at=row.seen_at,
        removed_at=row.removed_at,
    )
