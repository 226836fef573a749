"""What a sheet says besides its values: hidden columns, merged ranges and list drop-downs.

openpyxl's streaming reader yields values only, so reader.py hands each sheet's XML part to
read_raw_facts, which scans it with defusedxml without building cells. resolve_facts then turns
each drop-down's formula into its options, looking up ranges and names in the workbook's values.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO

from defusedxml.ElementTree import iterparse

from storage.bilag1.columns import ListValidation, SheetFacts, cell_text
from storage.bilag1.layout import SheetContent

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_X14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"
_XM = "{http://schemas.microsoft.com/office/excel/2006/main}"
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_RANGE = re.compile(
    r"^(?:'?(?P<sheet>(?:[^']|'')+?)'?!)?(?P<first>\$?[A-Za-z]{1,3}\$?\d+)(?::(?P<last>\$?[A-Za-z]{1,3}\$?\d+))?$"
)
_SHEET_DATA_START = re.compile(rb"<(?:\w+:)?sheetData[\s>]")
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData\s*>")
# A list drop-down rarely offers more than a handful of options; more is not the answers list.
_MAX_OPTIONS = 50


@dataclass(frozen=True, slots=True)
class RawValidation:
    """A list drop-down as written: its cell ranges and its formula, not yet resolved."""

    ranges: tuple[tuple[int, int, int, int], ...]  # (min_row, min_col, max_row, max_col)
    formula: str


@dataclass(frozen=True, slots=True)
class RawFacts:
    hidden_columns: frozenset[int] = frozenset()
    merged: tuple[tuple[int, int, int, int], ...] = ()
    validations: tuple[RawValidation, ...] = ()
    defined_names: Mapping[str, str] | None = None


def read_raw_facts(part: IO[bytes], *, defined_names: Mapping[str, str]) -> RawFacts:
    """Scan one worksheet part for <col hidden>, <mergeCell> and list <dataValidation>s.

    Both the plain validations and Excel 2010's x14 ones (which Excel uses for lists on
    another sheet) are read.
    """
    hidden: set[int] = set()
    merged: list[tuple[int, int, int, int]] = []
    validations: list[RawValidation] = []
    for _, element in iterparse(io.BytesIO(_without_cells(part.read())), events=("end",)):
        tag = element.tag
        if tag == f"{_MAIN}row":
            element.clear()  # the cells are streamed by openpyxl; do not keep them here
        elif tag == f"{_MAIN}col" and element.get("hidden") in ("1", "true"):
            first, last = int(element.get("min", "0")), int(element.get("max", "0"))
            hidden.update(range(first, min(last, first + 1000) + 1))
        elif tag == f"{_MAIN}mergeCell":
            cells = parse_ranges(element.get("ref", ""))
            merged.extend(cells[:1])
        elif tag in (f"{_MAIN}dataValidation", f"{_X14}dataValidation"):
            if element.get("type") != "list":
                continue
            formula = element.findtext(f"{_MAIN}formula1") or element.findtext(
                f"{_X14}formula1/{_XM}f"
            )
            sqref = element.get("sqref") or element.findtext(f"{_XM}sqref") or ""
            if formula:
                validations.append(RawValidation(tuple(parse_ranges(sqref)), formula))
    return RawFacts(frozenset(hidden), tuple(merged), tuple(validations), defined_names)


def _without_cells(xml: bytes) -> bytes:
    """The sheet part without its <sheetData>: the cells are openpyxl's to stream, and the
    facts sit before (<cols>) and after it (<mergeCells>, <dataValidations>, <extLst>)."""
    start = _SHEET_DATA_START.search(xml)
    end = _SHEET_DATA_END.search(xml, start.end()) if start else None
    if start is None or end is None:
        return xml
    return xml[: start.start()] + xml[end.end() :]


def parse_ranges(sqref: str) -> list[tuple[int, int, int, int]]:
    """ "A1:B3 D5" as [(min_row, min_col, max_row, max_col), ...]; unreadable parts skipped."""
    ranges = []
    for part in sqref.split():
        first, _, last = part.partition(":")
        start, end = _cell(first), _cell(last or first)
        if start and end:
            ranges.append((start[0], start[1], end[0], end[1]))
    return ranges


def _cell(reference: str) -> tuple[int, int] | None:
    match = _CELL.match(reference.strip())
    if match is None:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match.group(2)), column


def resolve_facts(contents: Sequence[tuple[SheetContent, RawFacts]]) -> list[SheetContent]:
    """Attach each sheet's facts, with every drop-down's options looked up in the workbook."""
    by_name = {sheet.name: sheet for sheet, _ in contents}
    resolved = []
    for sheet, raw in contents:
        validations = tuple(
            ListValidation(
                columns=frozenset(
                    column
                    for _, min_col, _, max_col in v.ranges
                    for column in range(min_col, max_col + 1)
                ),
                min_row=min((r[0] for r in v.ranges), default=0),
                max_row=max((r[2] for r in v.ranges), default=0),
                options=_options(v.formula, sheet.name, by_name, raw.defined_names or {}),
            )
            for v in raw.validations
            if v.ranges
        )
        facts = SheetFacts(raw.hidden_columns, raw.merged, validations)
        resolved.append(replace(sheet, facts=facts))
    return resolved


def _options(
    formula: str,
    sheet: str,
    sheets: Mapping[str, SheetContent],
    defined_names: Mapping[str, str],
    depth: int = 0,
) -> tuple[str, ...]:
    formula = formula.strip().removeprefix("=")
    if formula.startswith('"') and formula.endswith('"'):
        return tuple(option.strip() for option in formula[1:-1].split(",") if option.strip())
    if formula in defined_names and depth == 0:
        return _options(defined_names[formula], sheet, sheets, defined_names, depth=1)
    match = _RANGE.match(formula)
    if match is None:
        return ()
    source = sheets.get((match.group("sheet") or sheet).replace("''", "'"))
    first, last = _cell(match.group("first")), _cell(match.group("last") or match.group("first"))
    if source is None or first is None or last is None:
        return ()
    options: list[str] = []
    for row in range(first[0], min(last[0], first[0] + _MAX_OPTIONS) + 1):
        cells = source.rows[row - 1] if row <= len(source.rows) else ()
        for column in range(first[1], min(last[1], first[1] + _MAX_OPTIONS) + 1):
            text = cell_text(cells[column - 1]) if column <= len(cells) else None
            if text:
                options.append(text)
    return tuple(options)
