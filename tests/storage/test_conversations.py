"""Conversation references and the redelivery claims, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.claims import ActivityClaims
from storage.conversations import ConversationRepository
from storage.unit_of_work import UnitOfWork


async def test_the_newest_personal_reference_is_returned(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    repository = ConversationRepository(sessions)
    common = {"tenant_id": "t", "user_key": "aad-anne", "service_url": "http://x"}
    await repository.save_reference(
        conversation_id="19:team", conversation_type="channel", reference="{}", **common
    )
    await repository.save_reference(
        conversation_id="a:1", conversation_type="personal", reference='{"v": 1}', **common
    )
    await repository.save_reference(
        conversation_id="a:1", conversation_type="personal", reference='{"v": 2}', **common
    )

    reference = await repository.personal_reference("t", "aad-anne")

    assert reference is not None
    assert reference.conversation_id == "a:1"
    assert reference.reference == '{"v": 2}'
    assert await repository.personal_reference("other-tenant", "aad-anne") is None


async def test_an_activity_is_claimed_once_and_only_when_its_turn_commits(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    claims, at = ActivityClaims(sessions), datetime(2027, 3, 1, 9, tzinfo=UTC)

    async with UnitOfWork(sessions) as uow:
        assert await claims.claim(uow, "a:1", "act-1", at=at) is True
        # Not committed: a turn that dies here has claimed nothing.
    assert await claims.is_claimed("a:1", "act-1") is False

    async with UnitOfWork(sessions) as uow:
        assert await claims.claim(uow, "a:1", "act-1", at=at) is True
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        assert await claims.claim(uow, "a:1", "act-1", at=at) is False
        assert await claims.claim(uow, "a:2", "act-1", at=at) is True
        await uow.commit()
    assert await claims.is_claimed("a:1", "act-1") is True


async def test_claims_older_than_a_day_are_purged(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    claims, now = ActivityClaims(sessions), datetime(2027, 3, 2, 9, tzinfo=UTC)
    async with UnitOfWork(sessions) as uow:
        await claims.claim(uow, "a:1", "old", at=now - timedelta(hours=25))
        await claims.claim(uow, "a:1", "recent", at=now - timedelta(hours=23))
        await uow.commit()

    assert await claims.purge(now=now) == 1

    assert await claims.is_claimed("a:1", "old") is False
    assert await claims.is_claimed("a:1", "recent") is True
