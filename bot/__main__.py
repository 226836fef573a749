"""`python -m bot` and the `kortlaegning` script: the CLI, with an optional .env file first."""

from __future__ import annotations

import sys

from dotenv import load_dotenv

from bot.cli import main


def run() -> None:
    load_dotenv()
    sys.exit(main())


if __name__ == "__main__":
    run()
