"""Signed, expiring download links: an HMAC-SHA256 token over a file id and its expiry.

Stdlib only; sign and verify are pure. A token is `<payload>.<mac>`, both unpadded base64url,
where the payload is `<expiry in Unix seconds>:<file id>`. Whoever holds a valid token may
download the file until it expires, so the token is the permission: the MAC covers the file
id and the expiry together, and verification reveals nothing about why a token failed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime

logger = logging.getLogger(__name__)

# Binds a MAC to this purpose and format, so a future signed value made with the same key
# (another kind of link, a v2 format) can never be passed off as a download link.
_PURPOSE = b"kortlaegning/download/v1\x00"
# Far above any real token; anything longer is refused before it costs a MAC.
_MAX_TOKEN_LENGTH = 2048
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


def sign_download(file_id: str, *, expires_at: datetime, key: str) -> str:
    """Make a URL-safe token granting the download of file_id until expires_at."""
    if not file_id:
        raise ValueError("file_id must not be empty")
    if not key:
        raise ValueError("a signing key is required")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    payload = f"{int(expires_at.timestamp())}:{file_id}".encode()
    return f"{_encode(payload)}.{_encode(_mac(payload, key))}"


def verify_download(token: str, *, now: datetime, key: str) -> str | None:
    """Return the file id a token grants, or None when it is tampered, expired or malformed."""
    if not key or len(token) > _MAX_TOKEN_LENGTH:
        return None
    payload_text, dot, mac_text = token.partition(".")
    payload, mac = _decode(payload_text), _decode(mac_text)
    if not dot or payload is None or mac is None:
        return None
    # Constant time, and before the payload is believed: nothing unauthenticated is parsed.
    if not hmac.compare_digest(mac, _mac(payload, key)):
        return None
    try:
        expiry_text, _, file_id = payload.decode("utf-8").partition(":")
    except UnicodeDecodeError:
        return None
    if not _UNIX_SECONDS.fullmatch(expiry_text) or not file_id:
        return None
    if now.timestamp() >= int(expiry_text):
        return None
    return file_id


def download_signing_key(configured: str) -> str:
    """The key to sign download links with: SIGNING_KEY, or a random one for this process.

    Without SIGNING_KEY nothing insecure is derived (not the app password, not a constant):
    the process makes a random key and warns, and its links stop working on a restart and on
    every other instance. Call once at start and keep the result.
    """
    if configured:
        return configured
    logger.warning(
        "SIGNING_KEY is not set: download links are signed with a random key that lives only "
        "as long as this process and is unknown to other instances"
    )
    return secrets.token_urlsafe(32)


def _mac(payload: bytes, key: str) -> bytes:
    return hmac.new(key.encode("utf-8"), _PURPOSE + payload, hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes | None:
    """Strict unpadded base64url: only the one canonical spelling of the bytes is accepted."""
    if not _BASE64URL.fullmatch(text):
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        return None
    # Unused low bits in the last character would give one value several spellings.
    return data if _encode(data) == text else None
