"""Downloads of files a coordinator uploads in Teams, size-limited while streaming.

Implements dialogs.ports.Files. Teams hands the bot a pre-authenticated download URL.
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
