"""Read KITOS' overview export from untrusted bytes: check the container, then hand values on.

The only module here that imports openpyxl; what the columns mean is kitos_layout.py's job.
"""

from __future__ import annotations

import logging

from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from storage.suggestions.kitos_layout import (
    KitosExport,
    KitosExportError,
    KitosExportErrorKind,
    Sheet,
    parse_kitos_export,
)
from storage.xlsx_container import UnreadableUpload, streamed_upload

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
# A kommune uses a few hundred systems; the largest KITOS organisations have some thousands.
MAX_ROWS = 20_000


def read_kitos_export(
    data: bytes, *, filename: str, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> KitosExport:
    """Read KITOS' "IT Systemer Overblik" export, or raise KitosExportError saying why not."""
    try:
        with streamed_upload(data, max_bytes=max_bytes, passes=KitosExportError) as workbook:
            sheets = [
                _sheet(sheet, filename=filename, max_rows=max_rows)
                for sheet in workbook.worksheets
                if isinstance(sheet, ReadOnlyWorksheet)
            ]
    except UnreadableUpload as exc:
        raise KitosExportError(
            KitosExportErrorKind(exc.problem.value), filename=filename, limit=exc.limit or 0
        ) from exc
    return parse_kitos_export(sheets, filename=filename)


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
