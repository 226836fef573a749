"""Read KITOS' overview export from untrusted bytes: check the container, then hand values on.

The only module here that imports openpyxl; what the columns mean is kitos_layout.py's job.
"""

from __future__ import annotations

import io
import logging
import warnings

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from storage.suggestions.kitos_layout import (
    KitosExport,
    KitosExportError,
    KitosExportErrorKind,
    Sheet,
    parse_kitos_export,
)
from storage.xlsx_container import ContainerProblem, container_problem

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
# A kommune uses a few hundred systems; the largest KITOS organisations have some thousands.
MAX_ROWS = 20_000


def read_kitos_export(
    data: bytes, *, filename: str, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> KitosExport:
    """Read KITOS' "IT Systemer Overblik" export, or raise KitosExportError saying why not."""
    _check_container(data, filename=filename, max_bytes=max_bytes)
    return parse_kitos_export(
        _load_sheets(data, filename=filename, max_rows=max_rows), filename=filename
    )


def _check_container(data: bytes, *, filename: str, max_bytes: int) -> None:
    problem = container_problem(data, max_bytes=max_bytes)
    if problem is not None:
        limit = max_bytes if problem is ContainerProblem.TOO_LARGE else 0
        raise KitosExportError(KitosExportErrorKind(problem.value), filename=filename, limit=limit)


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
