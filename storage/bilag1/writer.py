"""Write answers into a Bilag 1 template, keeping KOMBIT's format; formula-like text stays text.

With reader.py, the only modules that import openpyxl. What goes where is decided by
layout.plan_writes; this module only carries the plan out on the template's own cells.
"""

from __future__ import annotations

import io
import logging
import warnings
import zipfile
from collections.abc import Mapping
from copy import copy
from datetime import date

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.drawing.image import PILImage
from openpyxl.styles import PatternFill
from openpyxl.styles.numbers import is_date_format
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind
from storage.bilag1.layout import MISSING_ANSWER_NOTE, SheetMapping
from storage.bilag1.plan import CellWrite, FilledAnswers, plan_writes
from storage.bilag1.reader import read_bilag1

logger = logging.getLogger(__name__)

# Excel turns these first characters into a formula (OWASP "CSV injection" applies to xlsx too).
_FORMULA_STARTS = ("=", "+", "-", "@")
# Excel's own "Bad" fill: the colour a reader already associates with "look here".
_MISSING_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
_COMMENT_AUTHOR = "Kortlaegningsbot"
_DATE_FORMAT = "dd-mm-yyyy"


def write_bilag1(
    template: bytes,
    answers: FilledAnswers,
    *,
    draft: bool,
    filename: str = "bilag1.xlsx",
    mapping: Mapping[str, SheetMapping] | None = None,
) -> bytes:
    """Return the template with the answers, remarks, added systems and front page filled in.

    Final mode (draft=False) raises MissingAnswers naming every system still without an
    answer. In a draft those answer cells stay empty but get a fill and a "Mangler svar" note.
    Raises Bilag1Error when the template cannot be read or the answers do not fit it. mapping
    is the coordinator's confirmed columns, the same as when the template was read.
    """
    layout = read_bilag1(template, filename=filename, mapping=mapping)
    plan = plan_writes(layout, answers, draft=draft, filename=filename)
    workbook = _load_template(template, filename=filename)
    if plan.tilfoejet_table is not None and plan.tilfoejet_rows:
        table = plan.tilfoejet_table
        _make_room(workbook[table.sheet], table.header_row, table.header_row + plan.tilfoejet_rows)
    for write in plan.cells:
        _write_cell(workbook[write.sheet], write, draft=draft)
    output = io.BytesIO()
    workbook.save(output)
    logger.info("bilag1 written: %d cells, draft=%s", len(plan.cells), draft)
    return output.getvalue()


def _load_template(template: bytes, *, filename: str) -> Workbook:
    # Full mode (not read_only) is what can be saved again with styles, validations and
    # panes. rich_text keeps formatted instruction text as it is. No VBA, no external links.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            workbook = load_workbook(
                io.BytesIO(template), keep_vba=False, keep_links=False, rich_text=True
            )
        # The template was just read by read_bilag1, so this only fails on a part the
        # streaming reader never touched; xlsx_container.streamed_upload says why any error
        # is one.
        except Exception as exc:
            logger.warning("template could not be loaded: %s", type(exc).__name__)
            raise Bilag1Error(Bilag1ErrorKind.NOT_XLSX, filename=filename) from exc
    # Without Pillow openpyxl drops a template's images (a logo) silently, so say it here.
    if PILImage is None and _has_images(template):
        logger.warning("template images are dropped: Pillow is not installed")
    # openpyxl warns when it drops a part it cannot write back (e.g. x14 data validations):
    # the output then differs from KOMBIT's format, which operators must hear about.
    for warning in caught:
        logger.warning("openpyxl while loading the template: %s", warning.message)
    return workbook


def _has_images(template: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(template)) as archive:
        return any(name.startswith("xl/media/") for name in archive.namelist())


def _write_cell(sheet: Worksheet, write: CellWrite, *, draft: bool) -> None:
    cell = sheet.cell(row=write.row, column=write.column)
    if isinstance(cell, MergedCell):
        logger.warning(
            "cell %s!R%dC%d is merged; not written", sheet.title, write.row, write.column
        )
        return
    _set_value(cell, write.value)
    if write.missing and draft:
        cell.fill = _MISSING_FILL
        cell.comment = Comment(MISSING_ANSWER_NOTE, _COMMENT_AUTHOR)


def _set_value(cell: Cell, value: str | date | None) -> None:
    if not isinstance(value, str):
        # openpyxl gives a date in a General cell its ISO format; Danes read dd-mm-yyyy, but
        # a date format the template chose itself is kept.
        keep_format = is_date_format(cell.number_format)
        cell.value = value
        if isinstance(value, date) and not keep_format:
            cell.number_format = _DATE_FORMAT
        return
    # Control characters cannot be stored in the XML at all; a remark typed in chat may hold one.
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = text
    if text.startswith(_FORMULA_STARTS):
        # openpyxl made it a formula; a string cell is shown literally, and the quote prefix
        # keeps it text when someone edits the cell in Excel.
        cell.data_type = "s"
        cell.quotePrefix = True


def _make_room(sheet: Worksheet, header_row: int, last_row: int) -> None:
    """Give the added-systems table rows down to last_row, styled like its last template row."""
    template_last = sheet.max_row
    if last_row <= template_last:
        return
    # A table with no empty template rows has only its header to copy from; plain is better.
    source = template_last if template_last > header_row else None
    if source is not None:
        width = sheet.max_column
        height = sheet.row_dimensions[source].height
        for row in range(template_last + 1, last_row + 1):
            for column in range(1, width + 1):
                source_cell = sheet.cell(row=source, column=column)
                if source_cell.has_style:
                    # The style array as a whole, as openpyxl copies styles itself; the
                    # stubs do not declare this private attribute.
                    target = sheet.cell(row=row, column=column)
                    target._style = copy(source_cell._style)  # type: ignore[union-attr]
            if height is not None:
                sheet.row_dimensions[row].height = height
        _extend_validations(sheet, source, last_row)
    logger.info("added-systems table grown by %d rows", last_row - template_last)


def _extend_validations(sheet: Worksheet, source_row: int, last_row: int) -> None:
    # The drop-downs of the last template row must reach the new rows too.
    for validation in sheet.data_validations.dataValidation:
        ranges: list[CellRange] = []
        for cell_range in validation.sqref.ranges:
            if cell_range.min_row <= source_row <= cell_range.max_row < last_row:
                cell_range = CellRange(
                    min_col=cell_range.min_col,
                    min_row=cell_range.min_row,
                    max_col=cell_range.max_col,
                    max_row=last_row,
                )
            ranges.append(cell_range)
        validation.sqref = MultiCellRange(ranges)
