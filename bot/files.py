"""Files to and from Teams: downloads of uploaded workbooks (size-limited while streaming) and
uploads into the OneDrive session a file consent opens.

Implements dialogs.ports.Files. Teams hands the bot pre-authenticated URLs for both.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import urllib.parse
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from dialogs.ports import FileAddressRefused, FileTooLarge, FileUnavailable

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressCheck = Callable[[IPAddress], bool]

_TIMEOUT = aiohttp.ClientTimeout(total=60, connect=10)
_MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class HttpFiles:
    """Downloads and uploads over HTTP; with public_only, downloads only from the internet.

    An attachment's URL comes from the activity, so a forged or forwarded message can point
    it anywhere, also at this server's own network (a coordinator tricked into forwarding a
    doctored file). With public_only (set when the bot has an app id) a download goes only
    over https, only to public (global) addresses (never loopback, link-local or private), on every
    redirect, and the check is on the address actually connected to, not only on the name.
    Without an app id (a local trial, the tests' connector) any http(s) URL is fetched.
    """

    def __init__(
        self,
        *,
        public_only: bool = False,
        is_public: AddressCheck = lambda address: address.is_global,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._public_only = public_only
        self._is_public = is_public
        """Which addresses are the internet: global ones (a test lets a local one stand in)."""
        self._ssl = ssl_context

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        if not url.lower().startswith(("https://", "http://")):
            raise FileUnavailable("not an http(s) URL")
        connector = (
            aiohttp.TCPConnector(
                resolver=_PublicOnlyResolver(self._is_public), ssl=self._ssl or True
            )
            if self._public_only
            else None
        )
        try:
            async with aiohttp.ClientSession(timeout=_TIMEOUT, connector=connector) as session:
                for _ in range(_MAX_REDIRECTS + 1):
                    self._check(url)
                    async with session.get(url, allow_redirects=False) as response:
                        location = response.headers.get("Location")
                        if response.status in _REDIRECTS and location:
                            url = urllib.parse.urljoin(str(response.url), location)
                            continue
                        return await _body(response, max_bytes)
                raise FileUnavailable("too many redirects")
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, _NotPublic):
                logger.warning("file download refused: %s", exc.os_error)
                raise FileAddressRefused(str(exc.os_error)) from exc
            logger.warning("file download failed: %s", type(exc).__name__)
            raise FileUnavailable(type(exc).__name__) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("file download failed: %s", type(exc).__name__)
            raise FileUnavailable(type(exc).__name__) from exc

    def _check(self, url: str) -> None:
        if not self._public_only:
            return
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https":
            logger.warning("file download refused: not https")
            raise FileAddressRefused("not https")
        address = _ip(parts.hostname or "")
        if address is not None and not self._is_public(address):
            # aiohttp connects to an address given literally without asking the resolver.
            logger.warning("file download refused: %s is not a public address", address)
            raise FileAddressRefused("not a public address")

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


async def _body(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
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


class _NotPublic(OSError):
    """A name resolved only to addresses downloads may not go to."""


class _PublicOnlyResolver(AbstractResolver):
    """aiohttp's resolver, keeping only public addresses: what is connected to is checked."""

    def __init__(self, is_public: AddressCheck) -> None:
        self._resolver = DefaultResolver()
        self._is_public = is_public

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        allowed = [entry for entry in found if (ip := _ip(entry["host"])) and self._is_public(ip)]
        if not allowed:
            raise _NotPublic(f"{host} resolves to no public address")
        return allowed

    async def close(self) -> None:
        await self._resolver.close()


def _ip(host: str) -> IPAddress | None:
    try:
        address: Any = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    # ::ffff:127.0.0.1 is 127.0.0.1.
    return address.ipv4_mapped or address if address.version == 6 else address
