from __future__ import annotations

from datetime import time

import pytest

from bot.settings import DEFAULT_DATABASE_URL, Settings, SettingsError


def test_an_empty_environment_gives_the_local_trial() -> None:
    settings = Settings.from_env({})

    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.host, settings.port) == ("127.0.0.1", 3978)
    assert settings.auth_enabled is False
    assert settings.kombit_email == "infrastruktur@kombit.dk"
    assert settings.timezone == "Europe/Copenhagen"


def test_bot_framework_names_are_read_and_exposed_for_botbuilder() -> None:
    settings = Settings.from_env(
        {
            "MicrosoftAppId": "app",
            "MicrosoftAppPassword": "secret",
            "MicrosoftAppType": "SingleTenant",
            "MicrosoftAppTenantId": "tenant",
        }
    )

    auth = settings.bot_auth()
    assert (auth.APP_ID, auth.APP_PASSWORD, auth.APP_TYPE, auth.APP_TENANTID) == (
        "app",
        "secret",
        "SingleTenant",
        "tenant",
    )
    assert "secret" not in repr(settings)


def test_lists_and_times_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "KOORDINATORER": " Anne@Kommune.dk, bo@kommune.dk ,",
            "REMINDER_OFFSETS": "3,14,0",
            "REMINDER_TIME": "08:30",
            "SMTP_STARTTLS": "false",
        }
    )

    assert settings.koordinatorer == ("anne@kommune.dk", "bo@kommune.dk")
    assert settings.reminder_offsets == (14, 3, 0)
    assert settings.reminder_time == time(8, 30)
    assert settings.smtp_starttls is False


def test_every_bad_variable_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(
            {
                "PORT": "http",
                "DATABASE_URL": "mysql://x",
                "MicrosoftAppId": "app",
                "REMINDER_TIME": "ni",
                "TIMEZONE": "Mars/Olympus",
            }
        )

    assert set(raised.value.problems) == {
        "PORT",
        "DATABASE_URL",
        "MicrosoftAppPassword",
        "REMINDER_TIME",
        "TIMEZONE",
    }
