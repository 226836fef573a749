from __future__ import annotations

import pytest

from bot.settings import DEFAULT_TEAMS_APP_ID, Settings, SettingsError


def test_an_empty_environment_gives_the_local_trial_defaults() -> None:
    settings = Settings.from_env({})

    assert settings.app_type == "MultiTenant"
    assert settings.timezone == "Europe/Copenhagen"
    assert settings.auth_enabled is False


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
