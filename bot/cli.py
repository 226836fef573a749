"""The `kortlaegning` command: serve the bot and the operators' admin commands.

Each subcommand is a small function taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


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
    del commands
    return parser


if __name__ == "__main__":
    sys.exit(main())
