"""The `kortlaegning` command: serve the bot and the operators' admin commands.

Each subcommand is a small function taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import bilag1_cli


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
    _add_bilag1_commands(commands)
    return parser


def _add_bilag1_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inspect = commands.add_parser("inspect", help="show what a Bilag 1 workbook holds")
    inspect.add_argument("file", type=Path, metavar="FILE", help="the workbook (.xlsx)")
    inspect.add_argument("--json", action="store_true", help="print the whole workbook as JSON")
    inspect.set_defaults(handler=bilag1_cli.inspect)

    fill = commands.add_parser("fill", help="write a filled Bilag 1 from answers in JSON")
    fill.add_argument("template", type=Path, metavar="TEMPLATE", help="the Bilag 1 template")
    fill.add_argument("answers", type=Path, metavar="ANSWERS", help="answers, as inspect --json")
    fill.add_argument("out", type=Path, metavar="OUT", help="where to save the workbook")
    fill.add_argument(
        "--draft", action="store_true", help="allow missing answers and mark them in the sheet"
    )
    fill.set_defaults(handler=bilag1_cli.fill)


if __name__ == "__main__":
    sys.exit(main())
