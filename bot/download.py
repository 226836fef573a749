"""The bot's own download endpoint, GET /download/{token}, and the signed links to it.

A link is the permission (bot.signing): it names one stored file and expires. A tampered or
expired link gets 403 with a short Danish page, never a hint about which check failed.
Implements dialogs.ports.DownloadLinks.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from aiohttp import web

from bot.signing import sign_download, verify_download
from dialogs import texts
from dialogs.ports import Link
from storage.archive import ArchiveRepository
from storage.domain.archive import FileKind

logger = logging.getLogger(__name__)

Now = Callable[[], datetime]

_CONTENT_TYPES = {
    FileKind.UDKAST: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.BILAG1: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.EML: "message/rfc822",
}
# The file is personal data of the municipality: no cache may keep it, no page may embed it.
_FILE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_PAGE_HEADERS = {
    **_FILE_HEADERS,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}
_PAGE = """<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "Segoe UI", system-ui, sans-serif; color: #242424;
       max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{text}</p>
</body>
</html>
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


class SignedLinks:
    def __init__(self, public_url: str, key: str, *, ttl: timedelta, now: Now = utc_now) -> None:
        self._base = public_url.rstrip("/")
        self._key = key
        self._ttl = ttl
        self._now = now

    def link(self, file_id: str) -> Link | None:
        if not self._base:
            return None
        expires_at = self._now() + self._ttl
        token = sign_download(file_id, expires_at=expires_at, key=self._key)
        return Link(url=f"{self._base}/download/{token}", expires_at=expires_at)


class DownloadEndpoint:
    def __init__(self, archive: ArchiveRepository, key: str, *, now: Now = utc_now) -> None:
        self._archive = archive
        self._key = key
        self._now = now

    async def handle(self, request: web.Request) -> web.Response:
        file_id = verify_download(request.match_info["token"], now=self._now(), key=self._key)
        if file_id is None:
            # Never the token in the log: it is the permission itself until it expires.
            logger.info("download refused: link invalid or expired")
            return _page(403, texts.DOWNLOAD_REFUSED_TITLE, texts.DOWNLOAD_REFUSED)
        stored = await self._archive.file(file_id)
        if stored is None:
            logger.info("download of file %s refused: no longer stored", file_id)
            return _page(404, texts.DOWNLOAD_GONE_TITLE, texts.DOWNLOAD_GONE)
        logger.info("download of file %s (%s, %d bytes)", stored.id, stored.kind, stored.size)
        return web.Response(
            body=stored.content,
            content_type=_CONTENT_TYPES[stored.kind],
            headers={**_FILE_HEADERS, "Content-Disposition": content_disposition(stored.filename)},
        )


def content_disposition(filename: str) -> str:
    """An attachment header whose name survives every browser (RFC 6266 with RFC 5987)."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _page(status: int, title: str, text: str) -> web.Response:
    body = _PAGE.format(title=html.escape(title), text=html.escape(text))
    return web.Response(
        status=status, text=body, content_type="text/html", charset="utf-8", headers=_PAGE_HEADERS
    )
