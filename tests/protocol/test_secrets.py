"""Secrets never reach a log line or a repr, whichever library does the logging."""

from __future__ import annotations

import logging

import pytest

from bot.app import DOWNLOAD_KEY
from bot.settings import Settings
from dialogs import texts
from storage.db import create_engine_for
from tests.protocol.conftest import APP_ID, OUTGOING_TOKEN, StartBot
from tests.support.activities import Activities, TeamsUser
from tests.support.channel_tokens import ChannelTokenIssuer
from tests.support.connector import BotConnector

ANNE = TeamsUser("Anne Systemejer", "aad-anne", "anne@kommune.dk")

APP_PASSWORD = "app-password-Zq8~secret"
SMTP_PASSWORD = "smtp-password-Kx3!secret"
SIGNING_KEY = "signing-key-9f2c4e7a1b8d6f3e0c5a9b2d7e4f1a8c"
DATABASE_PASSWORD = "database-password-Wm5secret"


def secret_settings(database_url: str) -> Settings:
    # PostgreSQL here trusts local connections, so a password in the URL is accepted unused.
    if database_url.startswith("postgresql"):
        database_url = database_url.replace("postgres@", f"postgres:{DATABASE_PASSWORD}@", 1)
    return Settings.from_env(
        {
            "MicrosoftAppId": APP_ID,
            "MicrosoftAppPassword": APP_PASSWORD,
            "SMTP_HOST": "smtp.kommune.dk",
            "SMTP_USER": "kortlaegning",
            "SMTP_FROM": "kortlaegning@kommune.dk",
            "SMTP_PASSWORD": SMTP_PASSWORD,
            "SIGNING_KEY": SIGNING_KEY,
            "DATABASE_URL": database_url,
            "REMINDERS_ENABLED": "false",
        }
    )


def test_the_settings_repr_hides_every_secret(database_url: str) -> None:
    settings = secret_settings(database_url)

    shown = repr(settings) + repr(settings.bot_auth())

    for secret in (APP_PASSWORD, SMTP_PASSWORD, SIGNING_KEY, DATABASE_PASSWORD):
        assert secret not in shown
    assert APP_ID in shown  # an id is not a secret, and operators need it


async def test_no_secret_or_token_is_logged_by_a_turn_or_a_failing_turn(
    start_bot: StartBot,
    database_url: str,
    token_issuer: ChannelTokenIssuer,
    activities: Activities,
    connector: BotConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, botbuilder's, msrest's, aiohttp's
    bot = await start_bot(secret_settings(database_url))
    token = token_issuer.token(audience=APP_ID, service_url=activities.service_url)

    await bot.post(activities.message(ANNE, "hjælp"), token=token)
    engine = create_engine_for(database_url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("DROP TABLE processed_activity")
    finally:
        await engine.dispose()
    await bot.post(activities.message(ANNE, "hjælp"), token=token)

    assert connector.texts() == [texts.HELP, texts.UNEXPECTED_ERROR]
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)
    logged = caplog.text + "\n".join(
        f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records
    )
    for secret in (APP_PASSWORD, SMTP_PASSWORD, SIGNING_KEY, DATABASE_PASSWORD, OUTGOING_TOKEN):
        assert secret not in logged
    assert token not in logged
    assert token.split(".")[2] not in logged  # not even the signature on its own


async def test_the_configured_signing_key_signs_download_links(
    start_bot: StartBot, database_url: str
) -> None:
    bot = await start_bot(secret_settings(database_url))

    assert bot.client.app[DOWNLOAD_KEY] == SIGNING_KEY


async def test_without_a_signing_key_the_bot_warns_at_start_and_uses_a_random_key(
    start_bot: StartBot, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)

    bot = await start_bot(settings)

    key = bot.client.app[DOWNLOAD_KEY]
    assert len(key) >= 43
    assert any("SIGNING_KEY is not set" in r.getMessage() for r in caplog.records)
    assert key not in caplog.text
