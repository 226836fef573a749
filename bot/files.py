"""Files to and from Teams: downloads of uploaded workbooks (size-limited while streaming) and
uploads into the OneDrive session a file consent opens.

Implements dialogs.ports.Files. Teams hands the bot pre-authenticated URLs for both.
"""

from __future__ import annotations

import logging

import aiohttp

from dialogs.ports import FileTooLarge, FileUnavailable

logger = logging.getLogger(__name__)

_TIMEOUT = aiohttp.ClientTimeout(total=60, connect=10)


class HttpFiles:
    async def download(self, url: str, *, max_bytes: int) -> bytes:
        if not url.lower().startswith(("https://", "http://")):
            raise FileUnavailable("not an http(s) URL")
        try:
            async with (
                aiohttp.ClientSession(timeout=_TIMEOUT) as session,
                session.get(url, allow_redirects=True) as response,
            ):
                if response.status != 200:
                    logger.warning("file download answered %d", response.status)
                    raise FileUnavailable(f"status {response.status}")
                if (response.content_length or 0) > max_bytes:
                    raise FileTooLarge(max_bytes)
                data = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data.extend(chunk)
                    if len(data) > max_bytes:
                        # Stop reading at once: a huge upload is never held in memory.
                        raise FileTooLarge(max_bytes)
                return bytes(data)
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("file download failed: %s", type(exc).__name__)
            raise FileUnavailable(type(exc).__name__) from exc

    async def upload(self, url: str, content: bytes) -> None:
        # One PUT with the whole file: Teams' upload session takes up to 4 MB per request
        # (Bilag 1 is far smaller) and needs Content-Range even for a single chunk.
        if not url.lower().startswith(("https://", "http://")):
            raise FileUnavailable("not an http(s) URL")
        size = len(content)
        headers = {
            "Content-Length": str(size),
            "Content-Range": f"bytes 0-{size - 1}/{size}",
        }
        try:
            async with (
                aiohttp.ClientSession(timeout=_TIMEOUT) as session,
                session.put(url, data=content, headers=headers) as response,
            ):
                if response.status not in (200, 201):
                    logger.warning("file upload answered %d", response.status)
                    raise FileUnavailable(f"status {response.status}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("file upload failed: %s", type(exc).__name__)
            raise FileUnavailable(type(exc).__name__) from exc
