"""Marking a batch of messages sent in one write, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import OutboxMessageRow
from storage.outbox import OutboxRepository, OutboxStatus, Sent
from tests.support.activities import TENANT, TeamsUser
from tests.support.seed import seed_people

ANNE = TeamsUser("Anne Hansen", "aad-anne", "anne@kommune.dk")
BO = TeamsUser("Bo Jensen", "aad-bo", "bo@kommune.dk")
CARL = TeamsUser("Carl Nielsen", "aad-carl", "carl@kommune.dk")
NOW = datetime(2027, 8, 24, 7, 0, tzinfo=UTC)


async def test_a_batch_marks_each_message_with_its_own_chat_and_only_under_its_own_lease(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    outbox = OutboxRepository(sessions)
    people = await seed_people(sessions, [ANNE, BO, CARL])
    ids = [
        (
            await outbox.enqueue(
                TENANT, person, kind="notice", payload="{}", dedupe_key=f"k{n}", now=NOW
            )
        ).id
        for n, person in enumerate(people.values())
    ]
    lease = timedelta(minutes=2)
    await outbox.claim_due("me", now=NOW, lease=lease, limit=2)
    await outbox.claim_due("someone-else", now=NOW, lease=lease, limit=1)

    marked = await outbox.mark_sent_many(
        "me",
        [Sent(ids[0], "a:1", "activity-1"), Sent(ids[1], "a:2", None), Sent(ids[2], "a:3", "x")],
        now=NOW,
    )

    assert marked == {ids[0], ids[1]}
    async with sessions() as session:
        rows = {
            row.id: (row.status, row.conversation_id, row.activity_id, row.lease_owner)
            for row in await session.scalars(select(OutboxMessageRow))
        }
    assert rows == {
        ids[0]: (OutboxStatus.SENT, "a:1", "activity-1", None),
        ids[1]: (OutboxStatus.SENT, "a:2", None, None),
        ids[2]: (OutboxStatus.PENDING, None, None, "someone-else"),
    }
    assert await outbox.mark_sent_many("me", [Sent(ids[0], "a:1", "again")], now=NOW) == set()
