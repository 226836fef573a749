from __future__ import annotations

from datetime import time

import pytest

from bot.settings import DEFAULT_DATABASE_URL, DEFAULT_TEAMS_APP_ID, Settings, SettingsError


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


def test_the_served_tenants_are_guids_compared_without_case() -> None:
    tenant = "72F988BF-86F1-41AF-91AB-2D7CD011DB47"

    settings = Settings.from_env({"TILLADTE_TENANTS": f" {tenant} ,"})

    assert settings.serves_tenant(tenant.lower())
    assert not settings.serves_tenant("0b9a4a8d-0000-4000-8000-000000000000")
    assert Settings().serves_tenant("any-tenant")


def test_a_served_tenant_that_is_not_a_guid_is_named() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"TILLADTE_TENANTS": "kommune.dk"})

    assert raised.value.problems == {"TILLADTE_TENANTS": "tenant ids are GUIDs; not: kommune.dk"}


def test_a_short_signing_key_is_refused() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"SIGNING_KEY": "hemmelig"})

    assert list(raised.value.problems) == ["SIGNING_KEY"]
    assert "hemmelig" not in str(raised.value)
    assert Settings.from_env({"SIGNING_KEY": "k" * 32}).signing_key == "k" * 32


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


def test_the_teams_app_id_has_a_stable_default_and_can_be_overridden() -> None:
    override = "0f8fad5b-d9cb-469f-a165-70867728950e"

    assert Settings.from_env({}).teams_app_id == DEFAULT_TEAMS_APP_ID
    assert Settings.from_env({"TEAMS_APP_ID": override}).teams_app_id == override


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TEAMS_APP_ID", "kortlaegningsbot"),
        ("APP_VERSION", "1.2"),
        ("APP_VERSION", "1.2.0-beta"),
        ("DEVELOPER_NAME", "Informations- og digitaliseringsafdelingen"),
        ("DEVELOPER_URL", "http://www.example.dk"),
        ("PRIVACY_URL", "www.example.dk/privatliv"),
        ("TERMS_URL", "https://"),
    ],
)
def test_package_settings_teams_would_reject_are_named(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({variable: value})

    assert list(raised.value.problems) == [variable]


def test_package_settings_are_read_from_their_variables() -> None:
    settings = Settings.from_env(
        {
            "APP_VERSION": "2.10.0",
            "DEVELOPER_NAME": "Aarhus Kommune",
            "DEVELOPER_URL": "https://www.aarhus.dk",
            "PRIVACY_URL": "https://www.aarhus.dk/privatliv",
            "TERMS_URL": "https://www.aarhus.dk/vilkaar",
        }
    )

    assert (settings.app_version, settings.developer_name) == ("2.10.0", "Aarhus Kommune")
    assert settings.developer_url == "https://www.aarhus.dk"
    assert settings.privacy_url == "https://www.aarhus.dk/privatliv"
    assert settings.terms_url == "https://www.aarhus.dk/vilkaar"


def test_delivery_settings_have_defaults_and_are_read() -> None:
    defaults = Settings.from_env({})
    assert (defaults.kombit_email, defaults.download_link_hours) == ("infrastruktur@kombit.dk", 24)
    assert (defaults.smtp_attempts, defaults.smtp_retry_seconds) == (3, 2)

    settings = Settings.from_env(
        {
            "SMTP_HOST": "smtp.kommune.dk",
            "SMTP_USER": "kortlaegning@kommune.dk",
            "SMTP_ATTEMPTS": "5",
            "SMTP_RETRY_SECONDS": "0",
            "DOWNLOAD_LINK_HOURS": "48",
        }
    )

    assert (settings.smtp_attempts, settings.smtp_retry_seconds) == (5, 0)
    assert settings.download_link_hours == 48


def test_an_smtp_server_without_a_sender_is_named() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"SMTP_HOST": "smtp.kommune.dk", "SMTP_USER": "svc-kortlaegning"})

    assert list(raised.value.problems) == ["SMTP_FROM"]


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


def test_kitos_is_read_when_address_and_token_are_set() -> None:
    settings = Settings.from_env({"KITOS_URL": "https://kitos.dk/", "KITOS_TOKEN": "jwt"})

    assert (settings.kitos_url, settings.kitos_enabled) == ("https://kitos.dk/", True)
    assert "jwt" not in repr(settings)
    assert Settings.from_env({}).kitos_enabled is False


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"KITOS_URL": "https://kitos.dk"}, "KITOS_TOKEN"),
        ({"KITOS_TOKEN": "jwt"}, "KITOS_URL"),
        ({"KITOS_URL": "http://kitos.dk", "KITOS_TOKEN": "jwt"}, "KITOS_URL"),
        ({"KITOS_URL": "kitos.dk", "KITOS_TOKEN": "jwt"}, "KITOS_URL"),
    ],
)
def test_kitos_settings_that_cannot_work_are_named(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(environ)

    assert list(raised.value.problems) == [named]


def test_a_local_kitos_stand_in_may_be_plain_http() -> None:
    settings = Settings.from_env({"KITOS_URL": "http://127.0.0.1:8080", "KITOS_TOKEN": "jwt"})

    assert settings.kitos_enabled is True
