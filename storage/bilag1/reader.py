"""Read a Bilag 1 workbook from untrusted bytes: check the container, then hand layout.py values.

With writer.py, the only modules that import openpyxl. No layout rules here; they are pure.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind
from storage.bilag1.facts import RawFacts, read_raw_facts, resolve_facts
from storage.bilag1.layout import Bilag1, SheetContent, SheetMapping, parse_bilag1
from storage.xlsx_container import UnreadableUpload, streamed_upload

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# No Bilag 1 table lies further down or right than this. A cell beyond (a stray value in row
# 1,048,576, or in column XFD) is refused at once instead of streaming a million empty rows.
MAX_ROW_NUMBER = 2 * MAX_ROWS
MAX_COLUMNS = 200
# A backstop for what the limits above do not catch: reading stops and says so.
TIME_LIMIT_SECONDS = 10.0
_CHECK_CLOCK_EVERY = 500


def read_bilag1(
    data: bytes,
    *,
    filename: str,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    mapping: Mapping[str, SheetMapping] | None = None,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> Bilag1:
    """Read a Bilag 1 workbook, or raise Bilag1Error saying what is wrong and where.

    max_rows bounds the filled rows of any one sheet, and no cell may lie below
    MAX_ROW_NUMBER or right of MAX_COLUMNS; the checks run while rows stream in, so an absurd
    sheet is refused before it is held in memory. Reading stops after time_limit seconds.
    A sheet named in mapping is read where a person said its table is.
    CPU-bound: from async code, call it in a worker thread.
    """
    deadline = time.monotonic() + time_limit
    try:
        with streamed_upload(data, max_bytes=max_bytes, passes=Bilag1Error) as workbook:
            contents = [
                (
                    _sheet_content(sheet, filename=filename, max_rows=max_rows, deadline=deadline),
                    _raw_facts(workbook, sheet),
                )
                for sheet in workbook.worksheets
                if isinstance(sheet, ReadOnlyWorksheet)
            ]
    except UnreadableUpload as exc:
        raise Bilag1Error(
            Bilag1ErrorKind(exc.problem.value), filename=filename, limit=exc.limit
        ) from exc
    bilag1 = parse_bilag1(resolve_facts(contents), filename=filename, mapping=mapping)
    logger.info(
        "bilag1 read: %d fagomraader, %d systems, %d added systems",
        len(bilag1.fagomraader),
        sum(len(fagomraade.systemer) for fagomraade in bilag1.fagomraader),
        len(bilag1.tilfoejede),
    )
    return bilag1


def _raw_facts(workbook: Workbook, sheet: ReadOnlyWorksheet) -> RawFacts:
    # Read-only mode streams cell values only; hidden columns, merged ranges and drop-downs
    # sit in the same sheet part, which facts.py scans without building cells. The part's
    # path and the workbook's archive are openpyxl internals (pinned version).
    names = {name: defined.attr_text for name, defined in workbook.defined_names.items()}
    with workbook._archive.open(sheet._worksheet_path) as part:  # type: ignore[attr-defined]
        return read_raw_facts(part, defined_names=names)


def _sheet_content(
    sheet: ReadOnlyWorksheet, *, filename: str, max_rows: int, deadline: float
) -> SheetContent:
    # The stored <dimension> may be stale (some tools never update it); without it, rows come
    # back as wide as their own cells, which layout.py expects. A row missing from the file
    # comes back empty, so the position in `rows` is the row number.
    sheet.reset_dimensions()
    rows: list[tuple[object, ...]] = []
    filled = 0
    # types-openpyxl types iter_rows for Worksheet only; the read-only sheet has it as well.
    for values in sheet.iter_rows(values_only=True):  # type: ignore[misc]
        if len(rows) >= MAX_ROW_NUMBER:
            raise Bilag1Error(
                Bilag1ErrorKind.TOO_FAR_DOWN,
                filename=filename,
                sheet=sheet.title,
                limit=MAX_ROW_NUMBER,
            )
        if len(values) > MAX_COLUMNS:
            raise Bilag1Error(
                Bilag1ErrorKind.TOO_WIDE,
                filename=filename,
                sheet=sheet.title,
                row=len(rows) + 1,
                limit=MAX_COLUMNS,
            )
        if len(rows) % _CHECK_CLOCK_EVERY == 0 and time.monotonic() > deadline:
            raise Bilag1Error(Bilag1ErrorKind.TOO_SLOW, filename=filename, sheet=sheet.title)
        if any(value is not None for value in values):
            filled += 1
            if filled > max_rows:
                raise Bilag1Error(
                    Bilag1ErrorKind.TOO_MANY_ROWS,
                    filename=filename,
                    sheet=sheet.title,
                    limit=max_rows,
                )
            rows.append(tuple(values))
        else:
            rows.append(())
    return SheetContent(name=sheet.title, hidden=sheet.sheet_state != "visible", rows=rows)
