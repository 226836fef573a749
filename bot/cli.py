"""The `kortlaegning` command: serve the bot and the operators' admin commands.

Each subcommand is a small function taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import packaging


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
        default=packaging.DEFAULT_PACKAGE_PATH,
        help=f"where to write the zip (default: {packaging.DEFAULT_PACKAGE_PATH})",
    )
    package.set_defaults(handler=lambda args: packaging.package_command(args.out, os.environ))


if __name__ == "__main__":
    sys.exit(main())
