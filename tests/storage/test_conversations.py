"""Conversation references and the redelivery guard, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.conversations import ConversationRepository


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


async def test_an_activity_is_claimed_once_until_released(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    repository = ConversationRepository(sessions)

    assert await repository.claim_activity("a:1", "act-1") is True
    assert await repository.claim_activity("a:1", "act-1") is False
    assert await repository.claim_activity("a:2", "act-1") is True

    await repository.release_activity("a:1", "act-1")
    assert await repository.claim_activity("a:1", "act-1") is True
