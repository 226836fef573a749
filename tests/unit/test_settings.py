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


def test_delivery_limits_default_to_teams_published_limits() -> None:
    settings = Settings.from_env({})

    assert settings.conversation_send_limits == ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
    assert settings.tenant_requests_per_second == 30
    assert settings.reminder_risk_working_days == 5
    assert settings.reminder_interval_seconds == 60


def test_delivery_limits_and_reminder_knobs_are_read() -> None:
    settings = Settings.from_env(
        {
            "CONVERSATION_SEND_LIMITS": "70/1, 600/30",
            "TENANT_REQUESTS_PER_SECOND": "300",
            "DELIVERY_GIVE_UP_SECONDS": "120",
            "REMINDER_RISK_WORKING_DAYS": "3",
            "REMINDER_INTERVAL_SECONDS": "5",
        }
    )

    assert settings.conversation_send_limits == ((70, 1.0), (600, 30.0))
    assert settings.tenant_requests_per_second == 300
    assert settings.delivery_give_up_seconds == 120
    assert settings.reminder_risk_working_days == 3
    assert settings.reminder_interval_seconds == 5


def test_malformed_send_limits_are_named() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(
            {"CONVERSATION_SEND_LIMITS": "7 per second", "REMINDER_INTERVAL_SECONDS": "0"}
        )

    assert set(raised.value.problems) == {"CONVERSATION_SEND_LIMITS", "REMINDER_INTERVAL_SECONDS"}
