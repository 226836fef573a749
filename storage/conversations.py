"""Where people can be reached: the conversation references the bot was given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import dialect_insert
from storage.models import ConversationReferenceRow
from storage.unit_of_work import UnitOfWork

PERSONAL = "personal"


@dataclass(frozen=True, slots=True)
class StoredReference:
    tenant_id: str
    user_key: str
    conversation_id: str
    conversation_type: str
    service_url: str
    reference: str
    updated_at: datetime


class ConversationRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def save_reference(
        self,
        *,
        tenant_id: str,
        user_key: str,
        conversation_id: str,
        conversation_type: str,
        service_url: str,
        reference: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        """Remember (or refresh) how to reach this person in this conversation; in the given
        unit of work (not committed here), else in a transaction of its own."""
        values = {
            "tenant_id": tenant_id,
            "user_key": user_key,
            "conversation_id": conversation_id,
            "conversation_type": conversation_type,
            "service_url": service_url,
            "reference": reference,
            "updated_at": datetime.now(UTC),
        }
        if uow is not None:
            await _upsert_reference(uow.session, values)
            return
        async with UnitOfWork(self._sessions) as own:
            await _upsert_reference(own.session, values)
            await own.commit()

    async def personal_reference(self, tenant_id: str, user_key: str) -> StoredReference | None:
        """The newest 1:1 conversation with this person, if they ever wrote to the bot there."""
        return await self._newest(
            tenant_id, user_key, ConversationReferenceRow.conversation_type == PERSONAL
        )

    async def _newest(
        self, tenant_id: str, user_key: str, condition: object
    ) -> StoredReference | None:
        return await self._newest_where(
            ConversationReferenceRow.tenant_id == tenant_id,
            ConversationReferenceRow.user_key == user_key,
            condition,
        )

    async def _newest_where(self, *conditions: object) -> StoredReference | None:
        async with self._sessions() as session:
            row = await session.scalar(
                select(ConversationReferenceRow)
                .where(*conditions)  # type: ignore[arg-type]
                .order_by(ConversationReferenceRow.updated_at.desc())
                .limit(1)
            )
            return _to_reference(row) if row else None

    async def newest_in_tenant(self, tenant_id: str) -> StoredReference | None:
        """Any conversation of the tenant: its service URL and bot account open new chats."""
        return await self._newest_where(ConversationReferenceRow.tenant_id == tenant_id)


def _to_reference(row: ConversationReferenceRow) -> StoredReference:
    return StoredReference(
        tenant_id=row.tenant_id,
        user_key=row.user_key,
        conversation_id=row.conversation_id,
        conversation_type=row.conversation_type,
        service_url=row.service_url,
        reference=row.reference,
        updated_at=row.updated_at,
    )


async def _upsert_reference(session: AsyncSession, values: dict[str, object]) -> None:
    statement = dialect_insert(session)(ConversationReferenceRow).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "user_key", "conversation_id"],
            set_={
                "service_url": statement.excluded.service_url,
                "reference": statement.excluded.reference,
                "updated_at": statement.excluded.updated_at,
            },
        )
    )
