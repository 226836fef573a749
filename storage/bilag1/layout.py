"""Pure Bilag 1 layout: find headers, sheets and rows in plain cell values.

Stdlib and storage.domain only. Never import openpyxl: reader.py hands in plain values, so
every layout rule here is testable without a file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind
from storage.domain.answers import normalise, parse_anvendelse
from storage.domain.model import Anvendelse

logger = logging.getLogger(__name__)

# KOMBIT's workbook vocabulary. This is the file format KOMBIT reads back, not UI text, so it
# lives here beside the rules; dialogs/texts.py shows the same spellings to users.
KOMBIT_ANVENDELSE: Mapping[Anvendelse, str] = {
    Anvendelse.ANVENDER: "Anvender",
    Anvendelse.ANVENDER_IKKE: "Anvender ikke",
    Anvendelse.SEKUNDAER: "Sekundær anvendelse",
}
# The cell comment on an unanswered answer cell in a draft workbook.
MISSING_ANSWER_NOTE = "Mangler svar"

# A header row lies near the top; scanning further would match data cells such as "System".
HEADER_SCAN_ROWS = 30
FORSIDE_SCAN_ROWS = 50


class Role(StrEnum):
    """What a table column holds."""

    SYSTEM = "system"
    LEVERANDOER = "leverandoer"
    BESKRIVELSE = "beskrivelse"
    ANVENDELSE = "anvendelse"
    BEMAERKNING = "bemaerkning"
    FAGOMRAADE = "fagomraade"
    SVARER_TIL = "svarer_til"


def _words(role: Role, *spellings: str) -> dict[str, Role]:
    return {normalise(spelling): role for spelling in spellings}


# Header wordings seen in Bilag 1 versions and hand-made lists, compared after normalise() and
# with any "(...)" removed, so "Svarer til (system på listen)" is "svarer til".
_HEADER_WORDS: dict[str, Role] = {
    **_words(
        Role.SYSTEM,
        "It-system",
        "IT-system navn",
        "It-systemets navn",
        "It-systemnavn",
        "It-systemer",
        "System",
        "Systemnavn",
        "System navn",
        "Navn",
    ),
    **_words(Role.LEVERANDOER, "Leverandør", "Leverandor", "Leverandørnavn", "Leverandører"),
    **_words(Role.BESKRIVELSE, "Beskrivelse", "Systembeskrivelse", "Kort beskrivelse"),
    **_words(Role.ANVENDELSE, "Anvendelse", "Svar", "Anvender", "Kommunens anvendelse"),
    **_words(Role.BEMAERKNING, "Bemærkning", "Bemærkninger", "Kommentar", "Kommentarer", "Note"),
    **_words(Role.FAGOMRAADE, "Fagområde", "Fagomrade", "Område"),
    **_words(Role.SVARER_TIL, "Svarer til", "Svarer til system", "Svarer til systemet"),
}

# Answer cells a template pre-fills to prompt the user: they mean "not answered yet".
_ANSWER_PLACEHOLDERS = frozenset({"", "vaelg", "vaelg svar", "vaelg anvendelse", "ubesvaret"})


class ForsideField(StrEnum):
    """The front-page fields the kommune fills in."""

    NAVN = "navn"
    KONTAKTPERSON = "kontaktperson"
    EMAIL = "email"
    DATO = "dato"


_FORSIDE_LABELS: dict[str, ForsideField] = {
    **{
        normalise(label): ForsideField.NAVN
        for label in ("Kommune", "Kommunenavn", "Kommunens navn", "Kommune navn")
    },
    **{
        normalise(label): ForsideField.KONTAKTPERSON
        for label in ("Kontaktperson", "Infrastrukturansvarlig", "Kontakt", "Udfyldt af")
    },
    **{
        normalise(label): ForsideField.EMAIL
        for label in ("E-mail", "Email", "Mail", "E-mailadresse", "Kontaktpersonens e-mail")
    },
    **{
        normalise(label): ForsideField.DATO
        for label in ("Dato", "Dato for udfyldelse", "Udfyldt dato", "Udfyldelsesdato")
    },
}

_TITLE = re.compile(r"^\s*fagomr(?:å|aa|a)de\s*[:\-–—]\s*(?P<navn>\S.*?)\s*$", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*\d+\s*[.):\-–—]?\s*")
_PARENTHESES = re.compile(r"\([^)]*\)")


# --- Results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SheetContent:
    """One worksheet as plain values: rows[0] is Excel row 1, cells[0] is column A."""

    name: str
    hidden: bool
    rows: Sequence[Sequence[object]]


@dataclass(frozen=True, slots=True)
class Columns:
    """1-based column of each recognised column of a table; None where the table has none."""

    system: int
    anvendelse: int
    leverandoer: int | None = None
    beskrivelse: int | None = None
    bemaerkning: int | None = None
    fagomraade: int | None = None
    svarer_til: int | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """Where a table sits: the writer puts answers at (system row, columns.anvendelse)."""

    sheet: str
    header_row: int
    columns: Columns


@dataclass(frozen=True, slots=True)
class Forside:
    """The kommune's front-page fields. dato is ISO (YYYY-MM-DD) when the cell holds a date."""

    navn: str | None = None
    kontaktperson: str | None = None
    email: str | None = None
    dato: str | None = None


@dataclass(frozen=True, slots=True)
class ForsideCells:
    """The (row, column) of each front-page value cell, None where the label is missing."""

    sheet: str
    navn: tuple[int, int] | None = None
    kontaktperson: tuple[int, int] | None = None
    email: tuple[int, int] | None = None
    dato: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Bilag1System:
    """A listed it-system, with its answer when the workbook is filled. row is the Excel row."""

    navn: str
    leverandoer: str | None
    beskrivelse: str | None
    anvendelse: Anvendelse | None
    bemaerkning: str | None
    row: int


@dataclass(frozen=True, slots=True)
class Bilag1Fagomraade:
    """A fagområde and its systems in workbook order."""

    navn: str
    table: Table
    systemer: tuple[Bilag1System, ...]

    @property
    def sheet(self) -> str:
        return self.table.sheet


@dataclass(frozen=True, slots=True)
class Bilag1Tilfoejet:
    """A system the kommune adds to the list. row is set when read from a workbook."""

    fagomraade: str | None
    navn: str
    leverandoer: str | None = None
    svarer_til: str | None = None
    anvendelse: Anvendelse | None = None
    bemaerkning: str | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Bilag1:
    """A Bilag 1 workbook as read: the catalogue, any answers, and where everything sits."""

    forside: Forside
    fagomraader: tuple[Bilag1Fagomraade, ...]
    tilfoejede: tuple[Bilag1Tilfoejet, ...] = ()
    forside_cells: ForsideCells | None = None
    tilfoejet_table: Table | None = None


# --- Recognising ----------------------------------------------------------------------------


def cell_text(value: object) -> str | None:
    """Return a cell's value as trimmed text, or None when it is empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _header_key(value: object) -> str:
    text = cell_text(value)
    return normalise(_PARENTHESES.sub(" ", text)) if text else ""


def recognise_header(cells: Sequence[object]) -> dict[Role, int]:
    """Map each recognised column role to its 1-based column; the first match of a role wins."""
    roles: dict[Role, int] = {}
    for column, value in enumerate(cells, start=1):
        role = _HEADER_WORDS.get(_header_key(value))
        if role is not None and role not in roles:
            roles[role] = column
    return roles


def find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[Role, int]] | None:
    """Return the first row (1-based) naming at least two table columns, with its roles."""
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        roles = recognise_header(cells)
        if len(roles) >= 2:
            return index + 1, roles
    return None


def fagomraade_name(sheet_name: str, rows_above_header: Sequence[Sequence[object]]) -> str:
    """Name a fagområde from a "Fagområde: X" title cell, else from the sheet name."""
    for cells in rows_above_header:
        for value in cells:
            text = cell_text(value)
            match = _TITLE.match(text) if text else None
            if match:
                return match.group("navn")
    return _LEADING_NUMBER.sub("", sheet_name).strip() or sheet_name.strip()


def _cell(cells: Sequence[object], column: int | None) -> str | None:
    if column is None or column > len(cells):
        return None
    return cell_text(cells[column - 1])


def parse_answer(
    text: str | None,
    *,
    filename: str,
    sheet: str | None,
    row: int | None,
    fagomraade: str | None = None,
) -> Anvendelse | None:
    """Read an answer loosely; an empty or placeholder cell is no answer yet."""
    if text is None or normalise(text) in _ANSWER_PLACEHOLDERS:
        return None
    anvendelse = parse_anvendelse(text)
    if anvendelse is None:
        raise Bilag1Error(
            Bilag1ErrorKind.INVALID_ANSWER,
            filename=filename,
            sheet=sheet,
            row=row,
            value=text,
            fagomraade=fagomraade,
        )
    return anvendelse


def _columns(sheet: str, header_row: int, roles: Mapping[Role, int], filename: str) -> Columns:
    if Role.SYSTEM not in roles:
        raise Bilag1Error(
            Bilag1ErrorKind.NO_SYSTEM_COLUMN, filename=filename, sheet=sheet, row=header_row
        )
    if Role.ANVENDELSE not in roles:
        raise Bilag1Error(
            Bilag1ErrorKind.NO_ANSWER_COLUMN, filename=filename, sheet=sheet, row=header_row
        )
    return Columns(
        system=roles[Role.SYSTEM],
        anvendelse=roles[Role.ANVENDELSE],
        leverandoer=roles.get(Role.LEVERANDOER),
        beskrivelse=roles.get(Role.BESKRIVELSE),
        bemaerkning=roles.get(Role.BEMAERKNING),
        fagomraade=roles.get(Role.FAGOMRAADE),
        svarer_til=roles.get(Role.SVARER_TIL),
    )


def table_rows(
    rows: Sequence[Sequence[object]], header_row: int, columns: Columns
) -> Iterable[tuple[int, str, Sequence[object]]]:
    """Yield (Excel row, system name, cells) for each data row, skipping decoration rows.

    A row without a system name is decoration (a spacer, a section heading merged across the
    table, a note); a row that reads as a header again is a printed header repeat.
    """
    for index in range(header_row, len(rows)):
        cells = rows[index]
        navn = _cell(cells, columns.system)
        if navn is None or len(recognise_header(cells)) >= 2:
            continue
        yield index + 1, navn, cells


def map_systems(
    table: Table, rows: Sequence[Sequence[object]], *, filename: str
) -> list[Bilag1System]:
    """Map a table's data rows to systems, answers read loosely."""
    columns = table.columns
    return [
        Bilag1System(
            navn=navn,
            leverandoer=_cell(cells, columns.leverandoer),
            beskrivelse=_cell(cells, columns.beskrivelse),
            anvendelse=parse_answer(
                _cell(cells, columns.anvendelse), filename=filename, sheet=table.sheet, row=row
            ),
            bemaerkning=_cell(cells, columns.bemaerkning),
            row=row,
        )
        for row, navn, cells in table_rows(rows, table.header_row, columns)
    ]


def map_tilfoejede(
    table: Table, rows: Sequence[Sequence[object]], *, filename: str
) -> tuple[Bilag1Tilfoejet, ...]:
    """Map the added-systems table's filled rows; its empty template rows are skipped."""
    columns = table.columns
    return tuple(
        Bilag1Tilfoejet(
            fagomraade=_cell(cells, columns.fagomraade),
            navn=navn,
            leverandoer=_cell(cells, columns.leverandoer),
            svarer_til=_cell(cells, columns.svarer_til),
            anvendelse=parse_answer(
                _cell(cells, columns.anvendelse), filename=filename, sheet=table.sheet, row=row
            ),
            bemaerkning=_cell(cells, columns.bemaerkning),
            row=row,
        )
        for row, navn, cells in table_rows(rows, table.header_row, columns)
    )


def find_forside(sheet: SheetContent) -> tuple[Forside, ForsideCells] | None:
    """Read the front-page fields from label cells with the value to their right."""
    found: dict[ForsideField, tuple[int, int]] = {}
    for index, row_cells in enumerate(sheet.rows[:FORSIDE_SCAN_ROWS]):
        for column, value in enumerate(row_cells, start=1):
            label = _FORSIDE_LABELS.get(_header_key(value))
            if label is not None and label not in found:
                found[label] = (index + 1, column + 1)
    # One lone "Kommune" in a text is no front page; two labels are.
    if len(found) < 2:
        return None

    def value_at(name: ForsideField) -> str | None:
        position = found.get(name)
        return _cell(sheet.rows[position[0] - 1], position[1]) if position else None

    forside = Forside(
        navn=value_at(ForsideField.NAVN),
        kontaktperson=value_at(ForsideField.KONTAKTPERSON),
        email=value_at(ForsideField.EMAIL),
        dato=value_at(ForsideField.DATO),
    )
    positions = ForsideCells(
        sheet=sheet.name,
        navn=found.get(ForsideField.NAVN),
        kontaktperson=found.get(ForsideField.KONTAKTPERSON),
        email=found.get(ForsideField.EMAIL),
        dato=found.get(ForsideField.DATO),
    )
    return forside, positions


def _is_tilfoejet_sheet(sheet_name: str, roles: Mapping[Role, int]) -> bool:
    return Role.SVARER_TIL in roles or "tilfoej" in normalise(sheet_name)


def parse_bilag1(sheets: Sequence[SheetContent], *, filename: str) -> Bilag1:
    """Recognise a whole workbook: fagområder in sheet order, added systems and front page.

    Hidden sheets are helper lists. A visible sheet is a fagområde when it has a system table,
    the list of all systems when that table has a fagområde column, the added systems when it
    has a "svarer til" column or says "tilføjede" in its name, else instructions or front page.
    """
    fagomraader: list[Bilag1Fagomraade] = []
    tilfoejet_table: Table | None = None
    tilfoejede: tuple[Bilag1Tilfoejet, ...] = ()
    forside: tuple[Forside, ForsideCells] | None = None

    for sheet in sheets:
        if sheet.hidden:
            continue
        header = find_header(sheet.rows)
        if header is None:
            forside = forside or find_forside(sheet)
            continue
        header_row, roles = header
        table = Table(sheet.name, header_row, _columns(sheet.name, header_row, roles, filename))
        if _is_tilfoejet_sheet(sheet.name, roles):
            if tilfoejet_table is not None:
                logger.warning("second added-systems sheet %r ignored", sheet.name)
                continue
            tilfoejet_table = table
            tilfoejede = map_tilfoejede(table, sheet.rows, filename=filename)
        elif table.columns.fagomraade is not None:
            fagomraader.extend(_group_by_fagomraade(table, sheet.rows, filename=filename))
        else:
            navn = fagomraade_name(sheet.name, sheet.rows[: header_row - 1])
            systemer = tuple(map_systems(table, sheet.rows, filename=filename))
            fagomraader.append(Bilag1Fagomraade(navn, table, systemer))

    if not fagomraader:
        raise Bilag1Error(Bilag1ErrorKind.NO_FAGOMRAADE, filename=filename)
    _check_unique(fagomraader, filename=filename)
    return Bilag1(
        forside=forside[0] if forside else Forside(),
        fagomraader=tuple(fagomraader),
        tilfoejede=tilfoejede,
        forside_cells=forside[1] if forside else None,
        tilfoejet_table=tilfoejet_table,
    )


def _group_by_fagomraade(
    table: Table, rows: Sequence[Sequence[object]], *, filename: str
) -> list[Bilag1Fagomraade]:
    # An empty fagområde cell continues the one above, counting rows without a system too:
    # lists are written with the area once as a heading or in a vertically merged cell, and a
    # merged cell reads as one value followed by blanks.
    area_of_row: dict[int, str | None] = {}
    current: str | None = None
    for index in range(table.header_row, len(rows)):
        current = _cell(rows[index], table.columns.fagomraade) or current
        area_of_row[index + 1] = current
    groups: dict[str, tuple[str, list[Bilag1System]]] = {}
    for system in map_systems(table, rows, filename=filename):
        navn = area_of_row[system.row]
        if navn is None:
            raise Bilag1Error(
                Bilag1ErrorKind.MISSING_FAGOMRAADE,
                filename=filename,
                sheet=table.sheet,
                row=system.row,
            )
        groups.setdefault(normalise(navn), (navn, []))[1].append(system)
    return [Bilag1Fagomraade(navn, table, tuple(systemer)) for navn, systemer in groups.values()]


def _check_unique(fagomraader: Sequence[Bilag1Fagomraade], *, filename: str) -> None:
    seen_areas: set[str] = set()
    for fagomraade in fagomraader:
        if normalise(fagomraade.navn) in seen_areas:
            raise Bilag1Error(
                Bilag1ErrorKind.DUPLICATE_FAGOMRAADE,
                filename=filename,
                sheet=fagomraade.sheet,
                value=fagomraade.navn,
            )
        seen_areas.add(normalise(fagomraade.navn))
        seen_systems: set[str] = set()
        for system in fagomraade.systemer:
            key = normalise(system.navn)
            if key in seen_systems:
                raise Bilag1Error(
                    Bilag1ErrorKind.DUPLICATE_SYSTEM,
                    filename=filename,
                    sheet=fagomraade.sheet,
                    row=system.row,
                    fagomraade=fagomraade.navn,
                    value=system.navn,
                )
            seen_systems.add(key)
