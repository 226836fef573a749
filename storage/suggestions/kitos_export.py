"""Read KITOS' overview export from untrusted bytes: check the container, then hand values on.

The only module here that imports openpyxl; what the columns mean is kitos_layout.py's job.
"""

from __future__ import annotations

import io
import logging
import warnings
import zipfile

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from storage.suggestions.kitos_layout import (
    KitosExport,
    KitosExportError,
    KitosExportErrorKind,
    Sheet,
    parse_kitos_export,
)

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
# A kommune uses a few hundred systems; the largest KITOS organisations have some thousands.
MAX_ROWS = 20_000
# Real workbook XML unpacks to a few times its size, a zip bomb to thousands of times; zipfile
# stops each member at its declared size, so the sum of declared sizes is a true bound.
_MAX_UNPACK_RATIO = 20
# A legacy .xls and a password-protected .xlsx are both OLE compound files; encryption wraps
# the .xlsx in a stream named "EncryptedPackage" (MS-OFFCRYPTO), its name stored in UTF-16LE.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def read_kitos_export(
    data: bytes, *, filename: str, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> KitosExport:
    """Read KITOS' "IT Systemer Overblik" export, or raise KitosExportError saying why not."""
    _check_container(data, filename=filename, max_bytes=max_bytes)
    return parse_kitos_export(
        _load_sheets(data, filename=filename, max_rows=max_rows), filename=filename
    )


def _check_container(data: bytes, *, filename: str, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise KitosExportError(KitosExportErrorKind.TOO_LARGE, filename=filename, limit=max_bytes)
    if data.startswith(_OLE_MAGIC):
        kind = (
            KitosExportErrorKind.ENCRYPTED
            if _ENCRYPTED_PACKAGE in data
            else KitosExportErrorKind.LEGACY_XLS
        )
        raise KitosExportError(kind, filename=filename)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise KitosExportError(KitosExportErrorKind.NOT_XLSX, filename=filename) from exc
    if not any(member.filename == "[Content_Types].xml" for member in members):
        raise KitosExportError(KitosExportErrorKind.NOT_XLSX, filename=filename)
    if sum(member.file_size for member in members) > max_bytes * _MAX_UNPACK_RATIO:
        raise KitosExportError(KitosExportErrorKind.TOO_LARGE, filename=filename, limit=max_bytes)


def _load_sheets(data: bytes, *, filename: str, max_rows: int) -> list[Sheet]:
    # read_only streams rows, so the row limit bites before memory does; data_only gives what
    # Excel shows. openpyxl parses XML through defusedxml, so DTDs and entities are refused.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_vba=False, keep_links=False
            )
            try:
                sheets = [
                    _sheet(sheet, filename=filename, max_rows=max_rows)
                    for sheet in workbook.worksheets
                    if isinstance(sheet, ReadOnlyWorksheet)
                ]
            finally:
                workbook.close()
        except KitosExportError:
            raise
        # openpyxl reports a malformed part with whatever its parser raised (KeyError,
        # ParseError, ValueError, defusedxml's EntitiesForbidden ...); to the user all of them
        # mean the same: not a workbook we can read.
        except Exception as exc:
            logger.info("kitos export could not be parsed: %s", type(exc).__name__)
            raise KitosExportError(KitosExportErrorKind.NOT_XLSX, filename=filename) from exc
    for warning in caught:
        logger.debug("openpyxl while reading: %s", warning.message)
    return sheets


def _sheet(sheet: ReadOnlyWorksheet, *, filename: str, max_rows: int) -> Sheet:
    # Kendo's export may carry a stale <dimension>; without it rows are as wide as their cells.
    sheet.reset_dimensions()
    rows: list[tuple[object, ...]] = []
    # types-openpyxl types iter_rows for Worksheet only; the read-only sheet has it as well.
    rows_read = sheet.iter_rows(values_only=True)  # type: ignore[misc]
    for number, values in enumerate(rows_read, start=1):
        if number > max_rows:
            raise KitosExportError(
                KitosExportErrorKind.TOO_MANY_ROWS, filename=filename, limit=max_rows
            )
        rows.append(tuple(values))
    return Sheet(name=sheet.title, hidden=sheet.sheet_state != "visible", rows=rows)
