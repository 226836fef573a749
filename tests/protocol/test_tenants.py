"""Only the municipalities in TILLADTE_TENANTS are served; anyone else is refused untouched."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from dialogs import texts
from tests.protocol.conftest import StartBot, turn_rows
from tests.support.activities import TENANT, Activities, TeamsUser
from tests.support.connector import BotConnector

ANNE = TeamsUser("Anne Systemejer", "aad-anne", "anne@kommune.dk")
OTHER_TENANT = "tenant-another-kommune"


@pytest.fixture
def one_tenant(settings: Settings) -> Settings:
    return dataclasses.replace(settings, tilladte_tenants=(TENANT.upper(),))


async def test_an_activity_from_a_tenant_not_served_gets_403_and_stores_nothing(
    start_bot: StartBot,
    one_tenant: Settings,
    connector: BotConnector,
    db: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = await start_bot(one_tenant)
    foreign = Activities(service_url=connector.url, tenant_id=OTHER_TENANT)
    caplog.set_level(logging.INFO)

    installed = await bot.post(foreign.installed(ANNE))
    message = await bot.post(foreign.message(ANNE, "hjælp"))

    assert (installed.status, message.status) == (403, 403)
    assert await message.json() == {"status": 403, "error": "this bot does not serve the tenant"}
    assert connector.calls == []
    assert set((await turn_rows(db)).values()) == {0}
    refusals = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.getMessage().startswith("activity refused")
    ]
    assert refusals == [f"activity refused: tenant {OTHER_TENANT!r} is not in TILLADTE_TENANTS"] * 2
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert ANNE.aad_object_id not in logged and ANNE.name not in logged


async def test_a_configured_tenant_is_served_whatever_the_case_of_its_id(
    start_bot: StartBot, one_tenant: Settings, activities: Activities, connector: BotConnector
) -> None:
    bot = await start_bot(one_tenant)

    response = await bot.post(activities.message(ANNE, "hjælp"))

    assert response.status in (200, 201)
    assert connector.texts(ANNE.personal_conversation) == [texts.HELP]


async def test_with_no_tenants_configured_every_tenant_is_served(
    start_bot: StartBot, settings: Settings, connector: BotConnector
) -> None:
    bot = await start_bot(settings)

    await bot.post(Activities(connector.url, tenant_id=OTHER_TENANT).message(ANNE, "hjælp"))

    assert connector.texts() == [texts.HELP]


@pytest.mark.parametrize(
    ("tilladte_tenants", "warned"), [((), True), ((TENANT,), False)], ids=["none", "one"]
)
async def test_a_secured_bot_serving_every_tenant_warns_at_start(
    start_bot: StartBot,
    authenticated_settings: Settings,
    caplog: pytest.LogCaptureFixture,
    tilladte_tenants: tuple[str, ...],
    warned: bool,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.app")

    await start_bot(dataclasses.replace(authenticated_settings, tilladte_tenants=tilladte_tenants))

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("TILLADTE_TENANTS is empty" in w for w in warnings) is warned
