"""The `kortlaegning export` command: write a kommune's Bilag 1 from the database to a file.

For operators (a backup, or help when Teams is unavailable). A final export is archived like
every other final workbook, so `historik` shows it. Bad input is a Danish message on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path

from bot.bootstrap import open_storage
from bot.settings import Settings
from dialogs import texts
from storage.archive import render_bilag1
from storage.bilag1.errors import Bilag1Error, MissingAnswers
from storage.domain.archive import VersionReason, bilag1_filename

logger = logging.getLogger(__name__)

BAD_INPUT = 2


def export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the workbook of --kommune to OUT (final unless --draft); return the exit code."""
    return asyncio.run(_export(args.kommune, args.out, draft=args.draft, settings=settings))


async def _export(kommunekode: str, out: Path, *, draft: bool, settings: Settings) -> int:
    async with open_storage(settings.database_url, migrate=False) as storage:
        archive = storage.archive
        snapshot = await archive.snapshot_for_kommune(kommunekode)
        if snapshot is None:
            print(texts.export_no_kortlaegning(kommunekode=kommunekode), file=sys.stderr)
            return BAD_INPUT
        today = datetime.now(settings.zone).date()
        try:
            content = await asyncio.to_thread(render_bilag1, snapshot, draft=draft, today=today)
        except MissingAnswers as err:
            print(texts.missing_answers(err), file=sys.stderr)
            return BAD_INPUT
        except Bilag1Error as err:
            print(texts.bilag1_error(err), file=sys.stderr)
            return BAD_INPUT
        try:
            out.write_bytes(content)
        except OSError as exc:
            logger.info("could not write the export: %s", type(exc).__name__)
            print(texts.file_not_writable(filename=str(out)), file=sys.stderr)
            return BAD_INPUT
        print(texts.bilag1_written(filename=str(out), draft=draft, mangler=len(snapshot.missing)))
        if not draft:
            version = await archive.archive(
                snapshot.kortlaegning_id,
                filename_for=lambda nummer: bilag1_filename(
                    snapshot.kommune, today, nummer=nummer, draft=False
                ),
                content=content,
                reason=VersionReason.EXPORT,
                taken_at=snapshot.taken_at,
                by_person_id=None,
            )
            logger.info("export archived as version %d", version.nummer)
            print(texts.export_archived(version=version.nummer))
        return 0
