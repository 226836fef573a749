"""Download tokens: only an untouched, unexpired token signed with our key gives a file id."""

from __future__ import annotations

import base64
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.signing import download_signing_key, sign_download, verify_download

KEY = "test-signing-key-4c1f0b9e7d2a8c5f3e6b1a9d0c7e2f4a"
NOW = datetime(2027, 8, 20, 12, 0, tzinfo=UTC)
EXPIRES = NOW + timedelta(hours=24)
FILE_ID = "bilag1/751/2027-08-20T12:00.xlsx"


def token() -> str:
    return sign_download(FILE_ID, expires_at=EXPIRES, key=KEY)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def with_payload(payload: bytes) -> str:
    """The genuine token's signature on another payload, as a forger would try."""
    return f"{b64(payload)}.{token().split('.')[1]}"


def test_a_valid_token_gives_its_file_id_until_it_expires() -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token())
    assert verify_download(token(), now=NOW, key=KEY) == FILE_ID
    assert verify_download(token(), now=EXPIRES - timedelta(seconds=1), key=KEY) == FILE_ID


def test_a_token_is_dead_from_the_second_it_expires() -> None:
    assert verify_download(token(), now=EXPIRES, key=KEY) is None
    assert verify_download(token(), now=EXPIRES + timedelta(days=30), key=KEY) is None


def test_a_tampered_signature_is_refused() -> None:
    payload, mac = token().split(".")
    flipped = bytes([unb64(mac)[0] ^ 1]) + unb64(mac)[1:]

    assert verify_download(f"{payload}.{b64(flipped)}", now=NOW, key=KEY) is None


def test_a_tampered_file_id_is_refused() -> None:
    forged = f"{int(EXPIRES.timestamp())}:bilag1/101/other-kommune.xlsx".encode()

    assert verify_download(with_payload(forged), now=NOW, key=KEY) is None


def test_a_tampered_expiry_is_refused() -> None:
    later = int((EXPIRES + timedelta(days=365)).timestamp())

    assert verify_download(with_payload(f"{later}:{FILE_ID}".encode()), now=NOW, key=KEY) is None


def test_a_token_signed_with_another_key_is_refused() -> None:
    other = sign_download(FILE_ID, expires_at=EXPIRES, key="another-key-" + KEY)

    assert verify_download(other, now=NOW, key=KEY) is None


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ".",
        "no-dot-at-all",
        "a.b.c",
        "!!!.???",
        "é.ü",
        "x" * 5000,
        "A.A",  # one base64 character is never a whole byte
    ],
)
def test_garbage_is_refused_without_an_exception(garbage: str) -> None:
    assert verify_download(garbage, now=NOW, key=KEY) is None


def test_a_non_canonical_spelling_of_a_genuine_token_is_refused() -> None:
    payload, mac = token().split(".")

    assert verify_download(f"{payload}=.{mac}", now=NOW, key=KEY) is None
    assert verify_download(f"{payload}.{mac} ", now=NOW, key=KEY) is None


def test_file_ids_with_colons_and_dots_survive_the_round_trip() -> None:
    odd = "a:b.c/æøå:1"

    signed = sign_download(odd, expires_at=EXPIRES, key=KEY)

    assert verify_download(signed, now=NOW, key=KEY) == odd


@pytest.mark.parametrize(
    ("file_id", "expires_at", "key"),
    [
        ("", EXPIRES, KEY),
        (FILE_ID, EXPIRES.replace(tzinfo=None), KEY),
        (FILE_ID, EXPIRES, ""),
    ],
    ids=["empty file id", "naive expiry", "no key"],
)
def test_signing_refuses_what_would_make_a_useless_or_ambiguous_link(
    file_id: str, expires_at: datetime, key: str
) -> None:
    with pytest.raises(ValueError):
        sign_download(file_id, expires_at=expires_at, key=key)


def test_verifying_with_no_key_refuses_everything() -> None:
    assert verify_download(token(), now=NOW, key="") is None


def test_a_configured_signing_key_is_used_as_it_is_and_nothing_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert download_signing_key(KEY) == KEY
    assert caplog.records == []


def test_without_a_signing_key_each_process_gets_a_random_one_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, second = download_signing_key(""), download_signing_key("")

    assert first != second and len(first) >= 43  # 32 random bytes, base64url
    [warning, _] = caplog.records
    assert warning.levelno == logging.WARNING and "SIGNING_KEY is not set" in warning.message
    assert first not in caplog.text and second not in caplog.text
