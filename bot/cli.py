"""The `kortlaegning` command: serve the bot and the operators' admin commands.

Each subcommand is a small function taking the parsed arguments and returning an exit code.
This is the one place that reads the environment (through Settings) and configures logging.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot import bilag1_cli, export_cli, packaging
from bot.log_context import configure_logging
from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from bot.reminders import PlannedReminder

logger = logging.getLogger(__name__)

_VERBOSITY = ("WARNING", "INFO", "DEBUG")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    # A command speaks to its user in Danish on stdout/stderr; English log lines are for an
    # operator who asks for them (-v, -vv). Only warnings and errors show otherwise.
    configure_logging(_VERBOSITY[min(args.verbose, len(_VERBOSITY) - 1)])
    try:
        return int(args.handler(args))
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kortlaegning", description=__doc__)
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log what the command does (-v) and more (-vv); serve logs at LOG_LEVEL",
    )
    commands = parser.add_subparsers(metavar="COMMAND")

    serve = commands.add_parser("serve", help="start the bot (HTTP server)")
    serve.set_defaults(handler=_serve)

    db = commands.add_parser("db", help="database administration")
    db_commands = db.add_subparsers(metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply migrations up to the newest schema")
    upgrade.set_defaults(handler=_db_upgrade)

    _add_package_command(commands)
    _add_bilag1_commands(commands)
    _add_export_command(commands)
    remind = commands.add_parser(
        "remind",
        help="send the reminders due now (each goes out once, also beside a running bot)",
    )
    remind.add_argument(
        "--dry-run", action="store_true", help="only print who would be reminded of what"
    )
    remind.add_argument(
        "--now",
        type=_moment,
        metavar="ISO-TIME",
        help="pretend it is this moment (local time unless it has an offset)",
    )
    remind.set_defaults(handler=_remind)
    return parser


def _moment(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO time: {raw!r}") from exc


def _settings() -> Settings:
    return Settings.from_env(os.environ)


def _serve(_args: argparse.Namespace) -> int:
    from bot.app import create_app

    settings = _settings()
    configure_logging(settings.log_level)
    logger.info("starting on http://%s:%d/api/messages", settings.host, settings.port)
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)
    return 0


def _db_upgrade(_args: argparse.Namespace) -> int:
    from storage.db import create_engine_for
    from storage.migrate import upgrade_head

    settings = _settings()

    async def upgrade() -> None:
        engine = create_engine_for(settings.database_url)
        try:
            await upgrade_head(engine)
        finally:
            await engine.dispose()

    asyncio.run(upgrade())
    logger.info("database is at the newest schema")
    return 0


def _add_package_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    package = commands.add_parser("package", help="build the Teams app package (zip) to upload")
    package.add_argument(
        "--out",
        type=Path,
        default=packaging.DEFAULT_PACKAGE_PATH,
        help=f"where to write the zip (default: {packaging.DEFAULT_PACKAGE_PATH})",
    )
    package.set_defaults(handler=lambda args: packaging.package_command(args.out, os.environ))


def _add_bilag1_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inspect = commands.add_parser("inspect", help="show what a Bilag 1 workbook holds")
    inspect.add_argument("file", type=Path, metavar="FILE", help="the workbook (.xlsx)")
    inspect.add_argument("--json", action="store_true", help="print the whole workbook as JSON")
    inspect.add_argument(
        "--explain",
        action="store_true",
        help="per sheet: the header row, each column's role and why, each block's area",
    )
    inspect.set_defaults(handler=bilag1_cli.inspect)

    fill = commands.add_parser("fill", help="write a filled Bilag 1 from answers in JSON")
    fill.add_argument("template", type=Path, metavar="TEMPLATE", help="the Bilag 1 template")
    fill.add_argument("answers", type=Path, metavar="ANSWERS", help="answers, as inspect --json")
    fill.add_argument("out", type=Path, metavar="OUT", help="where to save the workbook")
    fill.add_argument(
        "--draft", action="store_true", help="allow missing answers and mark them in the sheet"
    )
    fill.set_defaults(handler=bilag1_cli.fill)


def _add_export_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export", help="write a kommune's Bilag 1 from the database (a final one is archived)"
    )
    export.add_argument("--kommune", required=True, metavar="KODE", help="kommunekode, e.g. 751")
    export.add_argument("out", type=Path, metavar="OUT", help="where to save the workbook")
    export.add_argument(
        "--draft", action="store_true", help="allow missing answers and mark them in the sheet"
    )
    export.set_defaults(handler=lambda args: export_cli.export(args, _settings()))


def _remind(args: argparse.Namespace) -> int:
    settings = _settings()
    now = args.now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=settings.zone)
    return asyncio.run(_remind_at(settings, now.astimezone(UTC), dry_run=args.dry_run))


async def _remind_at(settings: Settings, now: datetime, *, dry_run: bool) -> int:
    from bot.bootstrap import open_storage, wire

    async with open_storage(settings.database_url) as storage:
        # The bot as the server builds it, without its background work. The runner plans for
        # `now`; what it enqueues is due at once, and the worker keeps the real clock for its
        # leases and backoff, so a running bot's worker and this one never disagree about
        # whose lease is live.
        wiring = wire(settings, storage)
        try:
            if dry_run:
                planned = await wiring.runner.plan(now)
                for item in planned:
                    print(_describe(item, done=item.already_claimed))
                print(f"{len(planned)} reminder(s) due at {now.isoformat()} (dry run: none sent)")
                return 0
            enqueued = await wiring.runner.run_once(now)
            for item in enqueued:
                print(_describe(item, done=False))
            # Deliver what is due now, including messages a running bot left behind; the
            # leases keep this and the bot's own worker from sending the same message.
            result = await wiring.worker.drain(until_idle=False)
        finally:
            await wiring.close()
        print(
            f"{len(enqueued)} reminder(s) enqueued; delivered {result.delivered}, "
            f"retrying later {result.retrying}, failed {result.failed}"
        )
        return 0


def _describe(item: PlannedReminder, *, done: bool) -> str:
    reminder = item.reminder
    what = (
        "; ".join(
            f"fagomraade {area.fagomraade.navn!r}: {area.total - area.answered} of "
            f"{area.total} unanswered"
            for area in reminder.fagomraader
        )
        or "status of the whole kortlaegning"
    )
    state = " (already claimed)" if done else ""
    return (
        f"{reminder.reminder_date.isoformat()} {reminder.kind.value:<22} "
        f"{reminder.person.navn} [person {reminder.person.id}] - {what}{state}"
    )


if __name__ == "__main__":
    sys.exit(main())
