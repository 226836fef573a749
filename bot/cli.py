"""The `kortlaegning` command: serve the bot and the operators' admin commands.

Each subcommand is a small function taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.packaging import (
    DEFAULT_PACKAGE_PATH,
    PackagingError,
    PackagingProblem,
    build_manifest,
    load_template,
    manifest_values,
    write_package,
)
from bot.settings import Settings, SettingsError
from dialogs import texts


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    return int(args.handler(args))


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kortlaegning", description=__doc__)
    commands = parser.add_subparsers(metavar="COMMAND")
    _add_package_command(commands)
    return parser


def _add_package_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    package = commands.add_parser("package", help="build the Teams app package (zip) to upload")
    package.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_PACKAGE_PATH,
        help=f"where to write the zip (default: {DEFAULT_PACKAGE_PATH})",
    )
    package.set_defaults(handler=_package)


def _package(args: argparse.Namespace) -> int:
    """Build the zip from the settings; exit 2 with Danish reasons if Teams would reject it."""
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        print(texts.package_settings_invalid(problems=exc.problems), file=sys.stderr)
        print(texts.PACKAGE_REFUSED, file=sys.stderr)
        return 2
    try:
        values = manifest_values(settings)
    except PackagingError as exc:
        for problem in exc.problems:
            print(_describe_packaging_problem(problem, settings), file=sys.stderr)
        print(texts.PACKAGE_REFUSED, file=sys.stderr)
        return 2
    if values.defaulted:
        print(texts.package_urls_defaulted(variables=values.defaulted), file=sys.stderr)
    path = write_package(args.out, build_manifest(values, load_template()))
    print(
        texts.package_written(
            path=str(path), version=values.app_version, teams_app_id=values.teams_app_id
        )
    )
    return 0


def _describe_packaging_problem(problem: PackagingProblem, settings: Settings) -> str:
    match problem:
        case PackagingProblem.APP_ID_MISSING:
            return texts.PACKAGE_APP_ID_MISSING
        case PackagingProblem.APP_ID_NOT_GUID:
            return texts.package_app_id_not_guid(value=settings.app_id)
        case PackagingProblem.PUBLIC_URL_NOT_HTTPS:
            return texts.PACKAGE_PUBLIC_URL_NOT_HTTPS


if __name__ == "__main__":
    sys.exit(main())
