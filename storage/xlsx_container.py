"""Open an uploaded .xlsx safely: what is wrong with it before openpyxl reads it (size, zip
bomb, .xls, password), and openpyxl's streaming reader with its errors made one.

Shared by the Bilag 1 reader and the KITOS export reader; each maps UnreadableUpload to its
own error, which its message text words for the user.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
import zipfile
from collections.abc import Iterator
from enum import StrEnum

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

logger = logging.getLogger(__name__)

# A real workbook's XML unpacks to a few times its size; a zip bomb to thousands of times.
# zipfile stops each member at its declared size, so the sum of declared sizes is a true bound.
_MAX_UNPACK_RATIO = 20

# Both a legacy .xls and a password-protected .xlsx are OLE compound files. Encryption wraps the
# real .xlsx in a stream named "EncryptedPackage" (MS-OFFCRYPTO §2.3.4.4); directory entry names
# are UTF-16LE, so finding that name tells the two apart without parsing the whole container.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


class ContainerProblem(StrEnum):
    """Values equal the readers' own error kinds of the same name."""

    TOO_LARGE = "too_large"
    LEGACY_XLS = "legacy_xls"
    ENCRYPTED = "encrypted"
    NOT_XLSX = "not_xlsx"


def container_problem(data: bytes, *, max_bytes: int) -> ContainerProblem | None:
    """Why these bytes are no .xlsx we may open, or None when they are one."""
    if len(data) > max_bytes:
        return ContainerProblem.TOO_LARGE
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            return ContainerProblem.ENCRYPTED
        return ContainerProblem.LEGACY_XLS
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        return ContainerProblem.NOT_XLSX
    if not any(member.filename == "[Content_Types].xml" for member in members):
        return ContainerProblem.NOT_XLSX
    if sum(member.file_size for member in members) > max_bytes * _MAX_UNPACK_RATIO:
        return ContainerProblem.TOO_LARGE
    return None


class UnreadableUpload(Exception):
    """An upload that is no workbook we may read, and why; limit is max_bytes for TOO_LARGE."""

    def __init__(self, problem: ContainerProblem, *, limit: int | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.limit = limit


@contextlib.contextmanager
def streamed_upload(data: bytes, *, max_bytes: int, passes: type[Exception]) -> Iterator[Workbook]:
    """The upload as openpyxl's streaming (read-only) workbook, closed afterwards.

    Raises UnreadableUpload for a bad container, and for whatever openpyxl's parser raises
    while the caller streams it; the caller's own error type, passes, goes through untouched.
    """
    problem = container_problem(data, max_bytes=max_bytes)
    if problem is not None:
        raise UnreadableUpload(
            problem, limit=max_bytes if problem is ContainerProblem.TOO_LARGE else None
        )
    # read_only streams rows, so a reader's row limit bites before memory does. VBA and external
    # links are never kept from an upload; data_only gives what Excel shows, not formulas.
    # openpyxl parses XML through defusedxml (a dependency), so DTDs and entities are refused.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_vba=False, keep_links=False
            )
            try:
                yield workbook
            finally:
                workbook.close()
        except passes:
            raise
        # openpyxl reports a malformed part with whatever its parser raised (KeyError for a
        # missing part, ParseError, ValueError, TypeError, defusedxml's EntitiesForbidden ...);
        # for an upload they all mean the same to the user: not a workbook we can read.
        except Exception as exc:
            # Bad input, answered with a Danish message: INFO for the operator, not a warning.
            logger.info("workbook could not be parsed: %s", type(exc).__name__)
            raise UnreadableUpload(ContainerProblem.NOT_XLSX) from exc
        finally:
            for warning in caught:
                logger.debug("openpyxl while reading: %s", warning.message)
