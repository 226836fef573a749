"""The Teams app package: manifest against Microsoft's schema, zip layout, icons, refusals."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft4Validator, Draft6Validator, validators
from jsonschema.protocols import Validator
from PIL import Image

from bot import cli
from bot.packaging import (
    ICON_FILES,
    MANIFEST_DIR,
    MANIFEST_VERSION,
    SCHEMA_PATH,
    TEMPLATE_PATH,
    ManifestValues,
    PackagingError,
    PackagingProblem,
    build_manifest,
    load_template,
    manifest_values,
    write_package,
)
from bot.settings import Settings
from dialogs import texts
from dialogs.commands import PERSONAL_MENU, TEAM_MENU, Command

TEAMS_APP_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
BOT_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
PUBLIC_URL = "https://kortlaegning.example.dk"
PACKAGE_ENV = {
    "MicrosoftAppId": BOT_ID,
    "MicrosoftAppPassword": "not-a-real-secret",
    "PUBLIC_URL": PUBLIC_URL,
    "TEAMS_APP_ID": TEAMS_APP_ID,
    "APP_VERSION": "1.4.2",
    "DEVELOPER_NAME": "Eksempel Kommune",
    "DEVELOPER_URL": "https://www.example.dk",
    "PRIVACY_URL": "https://www.example.dk/privatliv",
    "TERMS_URL": "https://www.example.dk/vilkaar",
}
# Every variable Settings reads, so the CLI tests see only what they set.
SETTINGS_VARIABLES = (
    *PACKAGE_ENV,
    "MicrosoftAppType",
    "MicrosoftAppTenantId",
    "DATABASE_URL",
    "HOST",
    "PORT",
    "TIMEZONE",
    "KOORDINATORER",
    "TILLADTE_TENANTS",
    "KOMBIT_EMAIL",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "SMTP_FROM",
    "SIGNING_KEY",
    "MAX_UPLOAD_BYTES",
    "MAX_REQUEST_BYTES",
    "REMINDER_OFFSETS",
    "REMINDER_TIME",
    "REMINDERS_ENABLED",
    "LOG_LEVEL",
    "GRAPH_ENABLED",
    "GRAPH_URL",
    "TEAMS_CATALOG_APP_ID",
)


def _settings(**overrides: str) -> Settings:
    env = {**PACKAGE_ENV, **overrides}
    return Settings.from_env({name: value for name, value in env.items() if value})


def _manifest(**overrides: str) -> dict[str, Any]:
    return build_manifest(manifest_values(_settings(**overrides)), load_template())


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Validator:
    # The schema declares draft-04 but uses draft-06's `const` (manifestVersion); Microsoft's
    # own validator (ajv) enforces it, so ours must too.
    teams_draft4 = validators.extend(
        Draft4Validator, {"const": Draft6Validator.VALIDATORS["const"]}
    )
    teams_draft4.check_schema(schema)
    checker: Validator = teams_draft4(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    return checker


def _errors(validator: Validator, manifest: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(manifest)
    ]


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch


def _load_make_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_icons", MANIFEST_DIR / "make_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the manifest ---


def test_the_vendored_schema_is_draft_04_and_refers_only_to_itself(schema: dict[str, Any]) -> None:
    refs: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            refs.extend(value for key, value in node.items() if key == "$ref")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(schema)
    assert validators.validator_for(schema) is Draft4Validator
    assert refs
    assert [ref for ref in refs if not ref.startswith("#/")] == []


def test_the_generated_manifest_is_valid_against_the_official_schema(
    validator: Validator,
) -> None:
    assert _errors(validator, _manifest()) == []


def test_the_manifest_with_every_default_is_valid_too(validator: Validator) -> None:
    manifest = _manifest(
        TEAMS_APP_ID="",
        APP_VERSION="",
        DEVELOPER_NAME="",
        DEVELOPER_URL="",
        PRIVACY_URL="",
        TERMS_URL="",
    )

    assert _errors(validator, manifest) == []


@pytest.mark.parametrize(
    ("path", "value", "complaint"),
    [
        (("manifestVersion",), "1.21", "1.22"),
        (("description", "short"), "x" * 81, "too long"),
        (
            ("bots", 0, "commandLists", 0, "commands"),
            [{"title": "t", "description": "d"}] * 11,
            "too long",
        ),
        (("bots", 0, "botId"), "kortlaegningsbot", "does not match"),
    ],
)
def test_the_schema_check_catches_what_teams_would_reject(
    validator: Validator, path: tuple[str | int, ...], value: object, complaint: str
) -> None:
    manifest = _manifest()
    parent: Any = manifest
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value

    errors = _errors(validator, manifest)

    assert len(errors) == 1
    assert complaint in errors[0]


def test_the_schema_url_and_manifest_version_name_the_vendored_schema() -> None:
    manifest = _manifest()

    assert manifest["manifestVersion"] == MANIFEST_VERSION
    assert manifest["$schema"] == (
        "https://developer.microsoft.com/json-schemas/teams/"
        f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
    )
    assert SCHEMA_PATH.name == f"MicrosoftTeams.schema.{MANIFEST_VERSION}.json"


def test_every_placeholder_in_the_template_is_filled() -> None:
    assert "{{" in TEMPLATE_PATH.read_text(encoding="utf-8")
    assert "{{" not in json.dumps(_manifest(), ensure_ascii=False)


def test_ids_version_host_and_developer_come_from_the_settings() -> None:
    manifest = _manifest()

    assert manifest["id"] == TEAMS_APP_ID
    assert manifest["version"] == "1.4.2"
    assert [bot["botId"] for bot in manifest["bots"]] == [BOT_ID]
    assert manifest["validDomains"] == ["kortlaegning.example.dk"]
    assert manifest["developer"] == {
        "name": "Eksempel Kommune",
        "websiteUrl": "https://www.example.dk",
        "privacyUrl": "https://www.example.dk/privatliv",
        "termsOfUseUrl": "https://www.example.dk/vilkaar",
    }


def test_unset_developer_details_fall_back_to_the_app_name_and_public_url() -> None:
    values = manifest_values(
        _settings(DEVELOPER_NAME="", DEVELOPER_URL="", PRIVACY_URL="", TERMS_URL="")
    )
    developer = build_manifest(values, load_template())["developer"]

    assert values.defaulted == ("DEVELOPER_URL", "PRIVACY_URL", "TERMS_URL")
    assert developer == {
        "name": "Kortlægningsbot",
        "websiteUrl": "https://kortlaegning.example.dk/",
        "privacyUrl": "https://kortlaegning.example.dk/",
        "termsOfUseUrl": "https://kortlaegning.example.dk/",
    }


def test_without_app_version_the_installed_package_version_is_used() -> None:
    assert _manifest(APP_VERSION="")["version"] == version("kortlaegningsbot")


def test_the_default_teams_app_id_is_stable() -> None:
    assert _manifest(TEAMS_APP_ID="")["id"] == "288dba68-fd43-44f1-87a4-08e5ed91c33b"


def test_the_bot_is_offered_in_personal_chat_and_teams_and_accepts_files() -> None:
    (bot,) = _manifest()["bots"]

    assert bot["scopes"] == ["personal", "team"]
    assert bot["supportsFiles"] is True


def test_the_manifest_menus_are_the_bots_commands_in_danish() -> None:
    lists = {
        tuple(entry["scopes"]): [command["title"] for command in entry["commands"]]
        for entry in _manifest()["bots"][0]["commandLists"]
    }

    assert lists == {
        ("personal",): [texts.COMMAND_WORDS[command] for command in PERSONAL_MENU],
        ("team",): [texts.COMMAND_WORDS[command] for command in TEAM_MENU],
    }
    assert {title for titles in lists.values() for title in titles} == {
        texts.COMMAND_WORDS[command] for command in Command
    }


def test_each_menu_line_is_the_commands_danish_description() -> None:
    for entry in _manifest()["bots"][0]["commandLists"]:
        for line in entry["commands"]:
            (command,) = [c for c in Command if texts.COMMAND_WORDS[c] == line["title"]]
            assert line["description"] == texts.COMMAND_DESCRIPTIONS[command]


def test_the_manifest_speaks_danish() -> None:
    manifest = _manifest()

    assert manifest["localizationInfo"] == {"defaultLanguageTag": "da-dk"}
    assert manifest["name"]["short"] == "Kortlægningsbot"
    assert "KOMBIT" in manifest["description"]["short"]


def test_building_leaves_the_template_unchanged() -> None:
    template = load_template()
    before = json.dumps(template)

    build_manifest(manifest_values(_settings()), template)

    assert json.dumps(template) == before


def test_an_unknown_placeholder_in_the_template_is_an_error() -> None:
    template = {**load_template(), "version": "{{APP_VERSJON}}"}

    with pytest.raises(ValueError, match="APP_VERSJON"):
        build_manifest(manifest_values(_settings()), template)


def test_a_template_for_another_schema_version_is_an_error() -> None:
    template = {**load_template(), "manifestVersion": "1.17"}

    with pytest.raises(ValueError, match=r"1\.17"):
        build_manifest(manifest_values(_settings()), template)


# --- refusals ---


@pytest.mark.parametrize(
    ("overrides", "problems"),
    [
        ({"MicrosoftAppId": ""}, [PackagingProblem.APP_ID_MISSING]),
        ({"MicrosoftAppId": "kortlaegningsbot"}, [PackagingProblem.APP_ID_NOT_GUID]),
        ({"PUBLIC_URL": "http://kortlaegning.example.dk"}, [PackagingProblem.PUBLIC_URL_NOT_HTTPS]),
        ({"PUBLIC_URL": ""}, [PackagingProblem.PUBLIC_URL_NOT_HTTPS]),
        (
            {"MicrosoftAppId": "", "PUBLIC_URL": "http://127.0.0.1:3978"},
            [PackagingProblem.APP_ID_MISSING, PackagingProblem.PUBLIC_URL_NOT_HTTPS],
        ),
    ],
)
def test_settings_teams_cannot_install_are_refused(
    overrides: dict[str, str], problems: list[PackagingProblem]
) -> None:
    with pytest.raises(PackagingError) as raised:
        manifest_values(_settings(**overrides))

    assert list(raised.value.problems) == problems


# --- the zip ---


def test_the_package_holds_exactly_the_manifest_and_the_icons_at_its_root(
    tmp_path: Path,
) -> None:
    manifest = _manifest()

    path = write_package(tmp_path / "out" / "app.zip", manifest)

    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(archive.read("manifest.json").decode("utf-8")) == manifest
        for name in ICON_FILES:
            assert archive.read(name) == (MANIFEST_DIR / name).read_bytes()
    assert list((tmp_path / "out").iterdir()) == [path]


def test_the_same_settings_give_a_byte_identical_package(tmp_path: Path) -> None:
    first = write_package(tmp_path / "first.zip", _manifest()).read_bytes()
    second = write_package(tmp_path / "second.zip", _manifest()).read_bytes()

    assert first == second


# --- the icons ---


def test_the_colour_icon_is_192_pixels_square_and_opaque() -> None:
    with Image.open(MANIFEST_DIR / "color.png") as icon:
        assert icon.format == "PNG"
        assert icon.size == (192, 192)
        alpha = icon.convert("RGBA").getchannel("A")
    assert alpha.getextrema() == (255, 255)


def test_the_outline_icon_is_32_pixels_white_on_transparency() -> None:
    with Image.open(MANIFEST_DIR / "outline.png") as icon:
        assert icon.format == "PNG"
        assert icon.size == (32, 32)
        assert icon.mode == "RGBA"
        pixels = list(icon.get_flattened_data())

    alphas = [a for *_, a in pixels]
    assert min(alphas) == 0 and max(alphas) == 255
    assert [p for p in pixels if p[3] > 0 and p[:3] != (255, 255, 255)] == []


def test_the_committed_icons_are_what_make_icons_draws() -> None:
    make_icons = _load_make_icons()

    for name, drawn in (
        ("color.png", make_icons.draw_color_icon()),
        ("outline.png", make_icons.draw_outline_icon()),
    ):
        with Image.open(MANIFEST_DIR / name) as committed:
            assert committed.convert("RGBA").tobytes() == drawn.convert("RGBA").tobytes(), name


# --- the command line ---


def test_the_package_command_writes_the_zip_and_says_where(
    environ: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in PACKAGE_ENV.items():
        environ.setenv(name, value)
    out = tmp_path / "kortlaegningsbot.zip"

    assert cli.main(["package", "--out", str(out)]) == 0

    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == TEAMS_APP_ID
    printed = capsys.readouterr()
    assert printed.out.strip() == texts.package_written(
        path=str(out), version="1.4.2", teams_app_id=TEAMS_APP_ID
    )
    assert printed.err == ""


def test_the_package_command_warns_about_developer_urls_it_had_to_default(
    environ: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "PUBLIC_URL"):
        environ.setenv(name, PACKAGE_ENV[name])
    environ.setenv("PRIVACY_URL", PACKAGE_ENV["PRIVACY_URL"])

    assert cli.main(["package", "--out", str(tmp_path / "app.zip")]) == 0

    assert capsys.readouterr().err.strip() == texts.package_urls_defaulted(
        variables=["DEVELOPER_URL", "TERMS_URL"]
    )


def test_the_package_command_refuses_without_an_app_id_and_says_why(
    environ: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    environ.setenv("PUBLIC_URL", PUBLIC_URL)
    out = tmp_path / "app.zip"

    assert cli.main(["package", "--out", str(out)]) == 2

    assert capsys.readouterr().err.splitlines() == [
        texts.PACKAGE_APP_ID_MISSING,
        texts.PACKAGE_REFUSED,
    ]
    assert not out.exists()


def test_the_package_command_refuses_a_bad_app_id_and_an_http_address(
    environ: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    environ.setenv("MicrosoftAppId", "kortlaegningsbot")
    environ.setenv("MicrosoftAppPassword", "not-a-real-secret")
    environ.setenv("PUBLIC_URL", "http://kortlaegning.example.dk")
    out = tmp_path / "app.zip"

    assert cli.main(["package", "--out", str(out)]) == 2

    assert capsys.readouterr().err.splitlines() == [
        texts.package_app_id_not_guid(value="kortlaegningsbot"),
        texts.PACKAGE_PUBLIC_URL_NOT_HTTPS,
        texts.PACKAGE_REFUSED,
    ]
    assert not out.exists()


def test_the_package_command_refuses_unreadable_settings_naming_the_variable(
    environ: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    environ.setenv("TEAMS_APP_ID", "kortlaegningsbot")

    assert cli.main(["package", "--out", str(tmp_path / "app.zip")]) == 2

    err = capsys.readouterr().err
    assert "TEAMS_APP_ID" in err
    assert err.splitlines()[-1] == texts.PACKAGE_REFUSED


def test_build_manifest_works_from_plain_values_without_settings() -> None:
    values = ManifestValues(
        teams_app_id=TEAMS_APP_ID,
        bot_id=BOT_ID,
        app_version="3.0.0",
        public_host="bot.example.dk",
        developer_url="https://example.dk",
        privacy_url="https://example.dk/p",
        terms_url="https://example.dk/t",
    )

    manifest = build_manifest(values, load_template())

    assert (manifest["version"], manifest["validDomains"]) == ("3.0.0", ["bot.example.dk"])


def test_the_package_is_built_from_app_id_and_public_url_alone(
    environ: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Teams administrator who builds and uploads the zip needs no client secret."""
    environ.setenv("MicrosoftAppId", BOT_ID)
    environ.setenv("PUBLIC_URL", PUBLIC_URL)
    out = tmp_path / "app.zip"

    assert cli.main(["package", "--out", str(out)]) == 0

    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert "not-a-real-secret" not in json.dumps(manifest)


def test_with_graph_the_manifest_names_the_bots_app_registration(validator: Validator) -> None:
    catalog_id = "8c3a5f0e-7d1b-4b2a-9e6f-0a1b2c3d4e5f"
    with_graph = _manifest(GRAPH_ENABLED="true", TEAMS_CATALOG_APP_ID=catalog_id)

    assert with_graph["webApplicationInfo"] == {"id": BOT_ID}
    assert with_graph["webApplicationInfo"]["id"] == with_graph["bots"][0]["botId"]
    assert _errors(validator, with_graph) == []
    assert "webApplicationInfo" not in _manifest()
