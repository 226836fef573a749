"""A systemejer reaches only their own fagområder, and one municipality never another's.

Card submits carry ids, and anyone can send any ids: these tests press cards with values
crafted for areas and systems the person was never given, and find nothing changed.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs import texts
from storage.models import AnswerRow, AuditRow, FagomraadeRow, ItSystemRow, TilfoejetSystemRow
from tests.protocol.conftest import RunningBot, card_of, card_text
from tests.support.activities import Activities, TeamsUser
from tests.support.connector import BotConnector
from tests.support.fixtures import SetUp, set_up_small

ANNE = TeamsUser("Anne Systemejer", "aad-anne", "anne@kommune.dk")
BO = TeamsUser("Bo Systemejer", "aad-bo", "bo@kommune.dk")
OTHER_TENANT = "tenant-kommune-2"


async def changes(db: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Everything a systemejer can change: answers, audit, added systems, submissions."""
    async with db() as session:
        return {
            "answers": await session.scalar(select(func.count()).select_from(AnswerRow)) or 0,
            "audit": await session.scalar(select(func.count()).select_from(AuditRow)) or 0,
            "added": await session.scalar(select(func.count()).select_from(TilfoejetSystemRow))
            or 0,
            "submitted": await session.scalar(
                select(func.count()).where(FagomraadeRow.indsendt_at.is_not(None))
            )
            or 0,
        }


async def system_of(db: async_sessionmaker[AsyncSession], fagomraade_id: int, navn: str) -> int:
    async with db() as session:
        return (
            await session.scalars(
                select(ItSystemRow.id).where(
                    ItSystemRow.fagomraade_id == fagomraade_id, ItSystemRow.navn == navn
                )
            )
        ).one()


async def test_a_systemejer_cannot_answer_a_system_in_someone_else_s_area(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    aula = await system_of(db, world.skole.id, "Aula")  # Skole is Anne's alone
    before = await changes(db)

    # Bo's own area on the card, or Skole's, with Skole's system either way.
    for claimed_area in (world.esdh.id, world.skole.id):
        await bot.post(
            activities.submit(
                BO,
                {
                    "action": "answer",
                    "fagomraade_id": claimed_area,
                    "system_id": aula,
                    "anvendelse": "anvender",
                },
            )
        )

    assert connector.texts(BO.personal_conversation)[-2:] == [texts.not_assigned()] * 2
    assert await changes(db) == before


@pytest.mark.parametrize(
    "value",
    [
        {"action": "start"},
        {"action": "form"},
        {"action": "oversigt"},
        {"action": "indsend", "force": True},
        {"action": "tilfoej", "navn": "WorkZone", "anvendelse": "anvender"},
        {"action": "handover"},
    ],
    ids=lambda value: value["action"],
)
async def test_a_systemejer_cannot_open_submit_or_extend_someone_else_s_area(
    bot: RunningBot,
    activities: Activities,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
    value: dict[str, Any],
) -> None:
    before = await changes(db)

    await bot.post(activities.submit(BO, {**value, "fagomraade_id": world.skole.id}))

    sent = connector.sent(BO.personal_conversation)
    assert [a.get("text") for a in sent] == [texts.not_assigned()]
    assert not any(a.get("attachments") for a in sent)  # no card with Skole's systems
    assert await changes(db) == before


async def test_a_user_of_one_municipality_cannot_reach_another_s_areas(
    bot: RunningBot,
    connector: BotConnector,
    world: SetUp,
    db: async_sessionmaker[AsyncSession],
) -> None:
    # Two municipalities on one deployment. Each has an Anne with the same AAD object id,
    # which is as unlikely as it is harmless: a person is a (tenant, AAD object id) pair.
    theirs = await set_up_small(db, tenant_id=OTHER_TENANT)
    other = Activities(service_url=connector.url, tenant_id=OTHER_TENANT)
    sbsys_in_tenant_1 = await system_of(db, world.esdh.id, "SBSYS")
    before = await changes(db)

    await bot.post(other.submit(ANNE, {"action": "start", "fagomraade_id": world.esdh.id}))
    await bot.post(
        other.submit(
            ANNE,
            {
                "action": "answer",
                "fagomraade_id": world.esdh.id,
                "system_id": sbsys_in_tenant_1,
                "anvendelse": "anvender_ikke",
            },
        )
    )

    assert connector.texts(ANNE.personal_conversation) == [texts.not_assigned()] * 2
    assert await changes(db) == before
    # Her own municipality's ESDH opens as usual: the refusal was about the tenant.
    await bot.post(other.submit(ANNE, {"action": "start", "fagomraade_id": theirs.esdh.id}))
    [card] = [a for a in connector.sent(ANNE.personal_conversation) if a.get("attachments")]
    assert "ESDH · system 1 af 3" in card_text(card_of(card))
    assert world.anne.id != theirs.anne.id
