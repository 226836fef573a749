"""Workbooks sent in the chat: find the file on the activity, and read it off the event loop.

Reading is CPU-bound and the file untrusted, so it runs in a worker thread with a time limit:
the bot and /healthz keep answering other turns while a hostile file is refused.
"""

from __future__ import annotations

import asyncio
import logging

from botbuilder.core import TurnContext

from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind
from storage.bilag1.layout import Bilag1, SheetMapping
from storage.bilag1.reader import TIME_LIMIT_SECONDS, read_bilag1
from storage.suggestions.kitos_export import read_kitos_export
from storage.suggestions.kitos_layout import KitosExport

logger = logging.getLogger(__name__)

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
# The worker thread stops itself at the reader's time limit; this is the turn's own backstop.
_READ_TIMEOUT_SECONDS = TIME_LIMIT_SECONDS + 2


def uploaded_file(context: TurnContext) -> tuple[str, str] | None:
    """The (file name, download URL) of a file sent in the chat, or None."""
    for attachment in context.activity.attachments or []:
        if attachment.content_type == FILE_DOWNLOAD_INFO and isinstance(attachment.content, dict):
            url = attachment.content.get("downloadUrl")
            if url:
                return attachment.name or "bilag1.xlsx", str(url)
    return None


async def read_bilag1_off_loop(
    data: bytes,
    *,
    filename: str,
    max_bytes: int,
    mapping: dict[str, SheetMapping] | None = None,
) -> Bilag1:
    """Read a Bilag 1 upload in a worker thread; Bilag1Error, also when it takes too long."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(
                read_bilag1, data, filename=filename, max_bytes=max_bytes, mapping=mapping
            ),
            timeout=_READ_TIMEOUT_SECONDS,
        )
    except TimeoutError as exc:
        logger.warning("reading an uploaded template timed out")
        raise Bilag1Error(Bilag1ErrorKind.TOO_SLOW, filename=filename) from exc


async def read_kitos_off_loop(data: bytes, *, filename: str, max_bytes: int) -> KitosExport:
    """Read KITOS' export in a worker thread; KitosExportError when it is not one."""
    return await asyncio.to_thread(read_kitos_export, data, filename=filename, max_bytes=max_bytes)
