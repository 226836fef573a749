"""Build the Teams app package an admin uploads: manifest.json plus the two icons, zipped.

The manifest comes from manifest/manifest.template.json, whose ``{{NAME}}`` placeholders are
filled from Settings, and whose command menus come from dialogs.commands, the list the bot
routes on. Everything but load_template, write_package and package_command (the CLI's
`package`, which prints Danish texts for the operator) is pure. No aiohttp or botbuilder.
"""

from __future__ import annotations

import copy
import json
import re
import sys
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from bot.settings import GUID, Settings, SettingsError, is_https_url
from dialogs import texts
from dialogs.commands import PERSONAL_MENU, TEAM_MENU, Command

MANIFEST_VERSION = "1.22"
MANIFEST_DIR = Path(__file__).resolve().parent.parent / "manifest"
TEMPLATE_PATH = MANIFEST_DIR / "manifest.template.json"
SCHEMA_PATH = MANIFEST_DIR / "schema" / f"MicrosoftTeams.schema.{MANIFEST_VERSION}.json"
ICON_FILES = ("color.png", "outline.png")
DEFAULT_PACKAGE_PATH = Path("build/kortlaegningsbot.zip")

_PLACEHOLDER = re.compile(r"\{\{([A-Za-z_]+)\}\}")
# A fixed timestamp for every zip entry, so the same settings give a byte-identical package.
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


class PackagingProblem(StrEnum):
    """Why the settings cannot make a package Teams would accept. The CLI words them."""

    APP_ID_MISSING = "app_id_missing"
    APP_ID_NOT_GUID = "app_id_not_guid"
    PUBLIC_URL_NOT_HTTPS = "public_url_not_https"


class PackagingError(Exception):
    """The settings cannot make an installable package; carries every problem, not text."""

    def __init__(self, problems: Sequence[PackagingProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("cannot build the Teams app package: " + ", ".join(self.problems))


@dataclass(frozen=True, slots=True)
class ManifestValues:
    """Everything the template needs, checked. Build it with manifest_values(settings)."""

    teams_app_id: str
    bot_id: str
    app_version: str
    public_host: str
    developer_url: str
    privacy_url: str
    terms_url: str
    # Empty: the app's own short name from the template.
    developer_name: str = ""
    graph_enabled: bool = False
    # Variables that were not set and fell back to PUBLIC_URL; the CLI warns about them.
    defaulted: tuple[str, ...] = ()


def manifest_values(settings: Settings) -> ManifestValues:
    """Check the settings for packaging and resolve defaults; raise PackagingError if unfit.

    Teams needs the bot's Entra app id (a GUID) to route messages, and only calls bots over
    https; an empty or http PUBLIC_URL means the bot is a local trial and cannot be installed.
    """
    problems: list[PackagingProblem] = []
    if not settings.app_id:
        problems.append(PackagingProblem.APP_ID_MISSING)
    elif not GUID.match(settings.app_id):
        problems.append(PackagingProblem.APP_ID_NOT_GUID)
    if not is_https_url(settings.public_url):
        problems.append(PackagingProblem.PUBLIC_URL_NOT_HTTPS)
    if problems:
        raise PackagingError(problems)

    public_url = settings.public_url.rstrip("/") + "/"
    urls = {
        "DEVELOPER_URL": settings.developer_url,
        "PRIVACY_URL": settings.privacy_url,
        "TERMS_URL": settings.terms_url,
    }
    defaulted = tuple(name for name, url in urls.items() if not url)
    return ManifestValues(
        teams_app_id=settings.teams_app_id.lower(),
        bot_id=settings.app_id.lower(),
        app_version=settings.app_version or installed_version(),
        # validDomains takes host names; Teams' bot endpoints are always on port 443.
        public_host=urlsplit(settings.public_url).hostname or "",
        developer_url=settings.developer_url or public_url,
        privacy_url=settings.privacy_url or public_url,
        terms_url=settings.terms_url or public_url,
        developer_name=settings.developer_name,
        graph_enabled=settings.graph_enabled,
        defaulted=defaulted,
    )


def installed_version() -> str:
    """Return the installed kortlaegningsbot version, the app version when APP_VERSION is unset."""
    try:
        return version("kortlaegningsbot")
    except PackageNotFoundError as exc:
        raise RuntimeError("kortlaegningsbot is not installed; set APP_VERSION") from exc


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """Read the manifest template."""
    with path.open(encoding="utf-8") as file:
        template: dict[str, Any] = json.load(file)
    return template


def command_lists() -> list[dict[str, Any]]:
    """Return the manifest's commandLists: one Danish menu per scope, from dialogs.commands."""
    return [
        {"scopes": ["personal"], "commands": _menu(PERSONAL_MENU)},
        {"scopes": ["team"], "commands": _menu(TEAM_MENU)},
    ]


def build_manifest(values: ManifestValues, template: Mapping[str, Any]) -> dict[str, Any]:
    """Fill the template's placeholders and command menus; the template is not changed."""
    if template.get("manifestVersion") != MANIFEST_VERSION:
        raise ValueError(
            f"manifest template is version {template.get('manifestVersion')!r}, "
            f"but the vendored schema is {MANIFEST_VERSION}"
        )
    manifest = copy.deepcopy(dict(template))
    fills = {
        "TEAMS_APP_ID": values.teams_app_id,
        "MicrosoftAppId": values.bot_id,
        "APP_VERSION": values.app_version,
        "PUBLIC_HOST": values.public_host,
        "DEVELOPER_NAME": values.developer_name or manifest["name"]["short"],
        "DEVELOPER_URL": values.developer_url,
        "PRIVACY_URL": values.privacy_url,
        "TERMS_URL": values.terms_url,
    }
    filled: dict[str, Any] = _fill(manifest, fills)
    for bot in filled["bots"]:
        bot["commandLists"] = command_lists()
    if values.graph_enabled:
        # The app registration whose Graph permissions the bot uses is the bot's own: Teams
        # admin center then shows the app and its registration as one.
        filled["webApplicationInfo"] = {"id": values.bot_id}
    return filled


def write_package(
    out_path: Path, manifest: Mapping[str, Any], *, icons_dir: Path = MANIFEST_DIR
) -> Path:
    """Write the zip Teams accepts: manifest.json and the icons at its root, nothing else.

    Written to a temporary name first and renamed, so a failed run never leaves a broken zip
    where an admin might pick it up.
    """
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    entries = [("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())]
    entries += [(name, (icons_dir / name).read_bytes()) for name in ICON_FILES]
    with zipfile.ZipFile(partial, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    partial.replace(out_path)
    return out_path


def package_command(
    out_path: Path,
    environ: Mapping[str, str],
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run `kortlaegning package`: build the zip and tell the operator; 0, or 2 if refused."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        settings = Settings.from_env(environ, secrets_required=False)
    except SettingsError as exc:
        print(texts.package_settings_invalid(problems=exc.problems), file=err)
        print(texts.PACKAGE_REFUSED, file=err)
        return 2
    try:
        values = manifest_values(settings)
    except PackagingError as exc:
        for problem in exc.problems:
            print(_describe(problem, settings), file=err)
        print(texts.PACKAGE_REFUSED, file=err)
        return 2
    if values.defaulted:
        print(texts.package_urls_defaulted(variables=values.defaulted), file=err)
    path = write_package(out_path, build_manifest(values, load_template()))
    print(
        texts.package_written(
            path=str(path), version=values.app_version, teams_app_id=values.teams_app_id
        ),
        file=out,
    )
    return 0


def _describe(problem: PackagingProblem, settings: Settings) -> str:
    match problem:
        case PackagingProblem.APP_ID_MISSING:
            return texts.PACKAGE_APP_ID_MISSING
        case PackagingProblem.APP_ID_NOT_GUID:
            return texts.package_app_id_not_guid(value=settings.app_id)
        case PackagingProblem.PUBLIC_URL_NOT_HTTPS:
            return texts.PACKAGE_PUBLIC_URL_NOT_HTTPS


def _menu(menu: Sequence[Command]) -> list[dict[str, str]]:
    return [
        {"title": texts.COMMAND_WORDS[command], "description": texts.COMMAND_DESCRIPTIONS[command]}
        for command in menu
    ]


def _fill(node: Any, fills: Mapping[str, str]) -> Any:
    """Replace placeholders inside JSON strings, so a value can never break the JSON."""
    if isinstance(node, dict):
        return {key: _fill(value, fills) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(item, fills) for item in node]
    if isinstance(node, str):
        return _PLACEHOLDER.sub(lambda match: _fill_one(match.group(1), fills), node)
    return node


def _fill_one(name: str, fills: Mapping[str, str]) -> str:
    if name not in fills:
        raise ValueError(f"manifest template has an unknown placeholder {{{{{name}}}}}")
    return fills[name]
