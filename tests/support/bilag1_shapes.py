"""Bilag 1 workbooks in many shapes, built from one catalogue, for the reader's shape tests.

A Shape says how a kommune's copy might look: a sheet per fagområde, one sheet with a
fagområde column, or one sheet with a heading row per fagområde; how the headers are worded
(incl. a two-row header); which row the header is on; extra id, hidden and description
columns; merged titles; blank and hint rows; placeholder answer cells; answered or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from openpyxl import Workbook
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from storage.domain.model import Anvendelse
from tests.support.bilag1_workbooks import workbook_bytes

# (fagområde, sheet name when upper-cased, [(system, leverandør or None)])
CATALOGUE: tuple[tuple[str, str, tuple[tuple[str, str | None], ...]], ...] = (
    ("Økonomi", "ØKONOMI", (("Prisme", "Fujitsu"), ("KMD Opus", "KMD"), ("Indfak", None))),
    (
        "Skole og dagtilbud",
        "SKOLE OG DAGTILBUD",
        (("Aula", "Netcompany"), ("Tabulex", "Tabulex"), ("MinUddannelse", "IST")),
    ),
    ("Sundhed (SUN)", "SUNDHED (SUN)", (("Nexus", "Systematic"), ("TK2", None))),
)
SPELLING = {
    Anvendelse.ANVENDER: "Anvender",
    Anvendelse.ANVENDER_IKKE: "Anvender ikke",
    Anvendelse.SEKUNDAER: "Sekundær anvendelse",
}
_CYCLE = (Anvendelse.ANVENDER, Anvendelse.ANVENDER_IKKE, Anvendelse.SEKUNDAER)


def expected_answer(area: int, system: int) -> Anvendelse:
    return _CYCLE[(area + system) % 3]


class Layout(StrEnum):
    PER_SHEET = "per_sheet"
    AREA_COLUMN = "area_column"
    HEADINGS = "headings"


# Each wording: (system, leverandør, beskrivelse, anvendelse, bemærkning) and a column order.
WORDINGS: tuple[tuple[tuple[str, str, str, str, str], tuple[int, ...]], ...] = (
    (("It-system", "Leverandør", "Beskrivelse", "Anvendelse", "Bemærkning"), (1, 0, 2, 3, 4)),
    (
        (
            "Systemets navn i kommunen",
            "Producent",
            "Formål",
            "Bruger kommunen systemet? (anvender, anvender ikke eller sekundær)",
            "Kommentarer",
        ),
        (0, 1, 2, 3, 4),
    ),
    (("IT-system navn", "Leverandor", "Kort beskrivelse", "Svar", "Note"), (3, 0, 1, 4, 2)),
    (
        (
            "Navn på it-system",
            "Leverandørnavn",
            "Systembeskrivelse",
            "Kommunens anvendelse",
            "Bemærkninger til anvendelsen",
        ),
        (0, 2, 1, 3, 4),
    ),
    # "Status" says nothing: its drop-down with the three answers decides.
    (("System", "Leverandør", "Beskrivelse", "Status", "Kommentar"), (0, 1, 2, 3, 4)),
)
TWO_ROW_WORDING = len(WORDINGS)  # "Kommunens svar" merged over "Anvendelse" and "Bemærkning"
PLACEHOLDERS = (None, "Vælg…", "(vælg i listen)", "-")
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", start_color="FF1F4E78")


@dataclass(frozen=True, slots=True)
class Shape:
    layout: Layout
    wording: int
    header_row: int
    id_column: bool
    hidden_column: bool
    description: bool
    merged_title: bool
    blank_rows: bool
    hint_row: bool
    placeholder: str | None
    answered: bool
    upper_sheet_names: bool
    validation_on_lister: bool
    merged_headings: bool

    @property
    def id(self) -> str:
        flags = "".join(
            letter
            for letter, on in (
                ("i", self.id_column),
                ("h", self.hidden_column),
                ("d", self.description),
                ("m", self.merged_title),
                ("b", self.blank_rows),
                ("t", self.hint_row),
                ("a", self.answered),
                ("u", self.upper_sheet_names),
                ("l", self.validation_on_lister),
                ("g", self.merged_headings),
            )
            if on
        )
        return f"{self.layout}-w{self.wording}-r{self.header_row}-{flags}-p{self.placeholder!r}"


def shapes(count: int = 36) -> list[Shape]:
    """count shapes spread over every dimension (deterministic, so failures reproduce)."""
    layouts = list(Layout)
    return [
        Shape(
            layout=layouts[i % 3],
            wording=(i // 3) % (len(WORDINGS) + 1),
            # A two-row header needs a row above it.
            header_row=max(1 + (i * 5) % 12, 2 if (i // 3) % (len(WORDINGS) + 1) == 5 else 1),
            id_column=i % 2 == 0,
            hidden_column=i % 3 == 1,
            description=i % 4 != 3,
            merged_title=i % 2 == 1,
            blank_rows=i % 3 == 0,
            hint_row=i % 5 == 0,
            placeholder=PLACEHOLDERS[i % 4],
            answered=i % 3 == 2,
            upper_sheet_names=i % 4 == 1,
            validation_on_lister=i % 2 == 0,
            merged_headings=i % 4 < 2,
        )
        for i in range(count)
    ]


@dataclass(frozen=True, slots=True)
class _Columns:
    """1-based column of each part of the table in one shape."""

    order: tuple[str, ...]  # "id", "hidden", "system", "leverandoer", ... left to right

    def of(self, name: str) -> int | None:
        return self.order.index(name) + 1 if name in self.order else None

    @property
    def width(self) -> int:
        return len(self.order)


def _columns(shape: Shape) -> _Columns:
    roles = ("system", "leverandoer", "beskrivelse", "anvendelse", "bemaerkning")
    order_of = WORDINGS[min(shape.wording, len(WORDINGS) - 1)][1]
    order = [roles[i] for i in order_of if roles[i] != "beskrivelse" or shape.description]
    if shape.layout is Layout.AREA_COLUMN:
        order.insert(0, "fagomraade")
    if shape.hidden_column:
        order.insert(1, "hidden")
    if shape.id_column:
        order.insert(0, "id")
    return _Columns(tuple(order))


def _headers(shape: Shape) -> dict[str, str]:
    if shape.wording == TWO_ROW_WORDING:
        names = ("It-system", "Leverandør", "Beskrivelse", "Anvendelse", "Bemærkning")
    else:
        names = WORDINGS[shape.wording][0]
    return {
        "system": names[0],
        "leverandoer": names[1],
        "beskrivelse": names[2],
        "anvendelse": names[3],
        "bemaerkning": names[4],
        "fagomraade": "Fagområde",
        "id": "Nr.",
        "hidden": "Intern kode",
    }


@cache
def build_shape(shape: Shape) -> bytes:
    """The workbook of one shape, holding CATALOGUE (answered when shape.answered)."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = "Vejledning"
    guide["A1"] = "Vælg for hvert it-system Anvender, Anvender ikke eller Sekundær anvendelse."
    forside = workbook.create_sheet("Forside")
    for row, label in enumerate(("Kommune", "Kontaktperson", "E-mail", "Dato"), start=2):
        forside.cell(row=row, column=1, value=label)
    lister = workbook.create_sheet("Lister")
    for row, spelling in enumerate(SPELLING.values(), start=1):
        lister.cell(row=row, column=1, value=spelling)
    lister.sheet_state = "hidden"

    columns = _columns(shape)
    if shape.layout is Layout.PER_SHEET:
        for index, (area, upper, systems) in enumerate(CATALOGUE):
            name = upper if shape.upper_sheet_names else f"{index + 1}. {area}"
            sheet = workbook.create_sheet(name)
            _title(sheet, shape, columns, f"Fagområde: {area}")
            _header(sheet, shape, columns)
            row = _first_data_row(sheet, shape, columns)
            for number, (system, leverandoer) in enumerate(systems):
                _system_row(sheet, shape, columns, row, index, number, system, leverandoer)
                row += 2 if shape.blank_rows and number == 0 else 1
            _note(sheet, row + 1)
            _validation(sheet, shape, columns, row)
    else:
        sheet = workbook.create_sheet("Alle systemer")
        _title(sheet, shape, columns, "Kortlægning af it-systemer")
        _header(sheet, shape, columns)
        row = _first_data_row(sheet, shape, columns)
        for index, (area, _, systems) in enumerate(CATALOGUE):
            if shape.layout is Layout.HEADINGS:
                # In the first column, merged across the table or not: when the system
                # column comes first, an unmerged heading is a name alone on its row.
                _heading(sheet, columns, row, area, merged=shape.merged_headings)
                row += 1
            for number, (system, leverandoer) in enumerate(systems):
                _system_row(sheet, shape, columns, row, index, number, system, leverandoer)
                if shape.layout is Layout.AREA_COLUMN and number == 0:
                    sheet.cell(row=row, column=columns.of("fagomraade") or 1, value=area)
                row += 1
            if shape.blank_rows:
                row += 1
        _note(sheet, row + 1)
        _validation(sheet, shape, columns, row)
    _added_sheet(workbook)
    return workbook_bytes(workbook)


def _title(sheet: Worksheet, shape: Shape, columns: _Columns, text: str) -> None:
    top = shape.header_row - (2 if shape.wording == TWO_ROW_WORDING else 1)
    if top < 1:
        return
    sheet.cell(row=1, column=1, value=text).font = Font(bold=True, size=14)
    if shape.merged_title:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns.width)
    if top >= 3:
        sheet.cell(row=2, column=1, value="Udfyld én række pr. it-system.").font = Font(italic=True)


def _header(sheet: Worksheet, shape: Shape, columns: _Columns) -> None:
    headers = _headers(shape)
    row = shape.header_row
    for column, name in enumerate(columns.order, start=1):
        cell = sheet.cell(row=row, column=column, value=headers[name])
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
        sheet.column_dimensions[get_column_letter(column)].width = 12 + 3 * column
    if shape.hidden_column:
        sheet.column_dimensions[get_column_letter(columns.of("hidden") or 1)].hidden = True
    if shape.wording == TWO_ROW_WORDING and row >= 2:
        # Every column but the answer and remark is merged over both rows; those two sit
        # under "Kommunens svar", merged over the two of them, if they are neighbours.
        answer, remark = columns.of("anvendelse") or 0, columns.of("bemaerkning") or 0
        for column, name in enumerate(columns.order, start=1):
            if name not in ("anvendelse", "bemaerkning"):
                sheet.cell(row=row - 1, column=column, value=headers[name])
                sheet.cell(row=row, column=column, value=None)
                sheet.merge_cells(
                    start_row=row - 1, start_column=column, end_row=row, end_column=column
                )
        if abs(answer - remark) == 1:
            first = min(answer, remark)
            sheet.cell(row=row - 1, column=first, value="Kommunens svar")
            sheet.merge_cells(
                start_row=row - 1, start_column=first, end_row=row - 1, end_column=first + 1
            )
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def _first_data_row(sheet: Worksheet, shape: Shape, columns: _Columns) -> int:
    row = shape.header_row + 1
    if shape.hint_row:
        hint = sheet.cell(row=row, column=columns.of("system") or 1, value="(skriv systemets navn)")
        hint.font = Font(italic=True)
        sheet.cell(
            row=row, column=columns.of("anvendelse") or 1, value="Vælg i listen"
        ).font = Font(italic=True)
        row += 1
    if shape.blank_rows:
        row += 1
    return row


def _system_row(
    sheet: Worksheet,
    shape: Shape,
    columns: _Columns,
    row: int,
    area: int,
    number: int,
    system: str,
    leverandoer: str | None,
) -> None:
    values = {
        "system": system,
        "leverandoer": leverandoer,
        "beskrivelse": f"Beskrivelse af {system}",
        "anvendelse": SPELLING[expected_answer(area, number)]
        if shape.answered
        else shape.placeholder,
        "bemaerkning": f"Bemærkning {area}.{number}" if shape.answered else None,
        "id": area * 10 + number + 1,
        "hidden": f"K-{area}{number}",
    }
    for column, name in enumerate(columns.order, start=1):
        cell = sheet.cell(row=row, column=column, value=values.get(name))
        cell.border = _BORDER


def _heading(sheet: Worksheet, columns: _Columns, row: int, area: str, *, merged: bool) -> None:
    cell = sheet.cell(row=row, column=1, value=area)
    cell.font = Font(bold=True)
    if merged:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns.width)


def _note(sheet: Worksheet, row: int) -> None:
    sheet.cell(row=row, column=1, value="Bemærk: listen er ikke udtømmende, tilføj jeres egne.")


def _validation(sheet: Worksheet, shape: Shape, columns: _Columns, last_row: int) -> None:
    formula = (
        "Lister!$A$1:$A$3"
        if shape.validation_on_lister
        else '"Anvender,Anvender ikke,Sekundær anvendelse"'
    )
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    column = get_column_letter(columns.of("anvendelse") or 1)
    validation.add(f"{column}{shape.header_row + 1}:{column}{last_row}")
    sheet.add_data_validation(validation)


def _added_sheet(workbook: Workbook) -> None:
    sheet = workbook.create_sheet("Tilføjede systemer")
    sheet.append(["Fagområde", "It-system", "Leverandør", "Svarer til", "Anvendelse", "Bemærkning"])
    for row in range(2, 7):
        for column in range(1, 7):
            sheet.cell(row=row, column=column).border = _BORDER


def catalogue_rows() -> Sequence[tuple[str, str, str | None]]:
    """(fagområde, system, leverandør) in workbook order."""
    return [
        (area, system, leverandoer)
        for area, _, systems in CATALOGUE
        for system, leverandoer in systems
    ]
