"""Pure Bilag 1 layout: a workbook's fagområder, systems, added systems and front page.

Stdlib and storage.domain only. Never import openpyxl: reader.py hands in plain values (and a
few facts per sheet), so every layout rule is testable without a file. Which column holds what
is decided in columns.py, which rows are systems or headings in rows.py; this module puts a
sheet's table together, names its fagområder and records how it was read, for the mapping card
and `inspect --explain`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from storage.bilag1.columns import (
    ColumnReading,
    Doubt,
    Evidence,
    HeaderReading,
    Reason,
    Role,
    SheetFacts,
    cell_text,
    find_header_row,
    read_header,
)
from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind
from storage.bilag1.rows import (
    DataRow,
    Heading,
    classify_rows,
    is_placeholder,
    sheet_area_name,
    title_above,
)
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
# The longest fagområde, system or leverandør name the database holds (String(255) columns
# in storage/models.py); a longer one is refused naming its sheet and row, never cut.
MAX_NAME_CHARS = 255

FORSIDE_SCAN_ROWS = 50


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


# --- Results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SheetContent:
    """One worksheet as plain values: rows[0] is Excel row 1, cells[0] is column A."""

    name: str
    hidden: bool
    rows: Sequence[Sequence[object]]
    facts: SheetFacts = field(default_factory=SheetFacts)


@dataclass(frozen=True, slots=True)
class Columns:
    """1-based column of each recognised column of a table; None where the table has none.

    anvendelse is None when no column could be taken for the answers: the systems can still be
    read, but nothing can be written until a person says where the answers go.
    """

    system: int
    anvendelse: int | None
    leverandoer: int | None = None
    beskrivelse: int | None = None
    bemaerkning: int | None = None
    fagomraade: int | None = None
    svarer_til: int | None = None

    @classmethod
    def of(cls, system: int, roles: Mapping[Role, int]) -> Columns:
        return cls(
            system=system,
            anvendelse=roles.get(Role.ANVENDELSE),
            leverandoer=roles.get(Role.LEVERANDOER),
            beskrivelse=roles.get(Role.BESKRIVELSE),
            bemaerkning=roles.get(Role.BEMAERKNING),
            fagomraade=roles.get(Role.FAGOMRAADE),
            svarer_til=roles.get(Role.SVARER_TIL),
        )

    def roles(self) -> dict[Role, int]:
        """The columns by role, only those the table has."""
        by_role = {
            Role.SYSTEM: self.system,
            Role.ANVENDELSE: self.anvendelse,
            Role.LEVERANDOER: self.leverandoer,
            Role.BESKRIVELSE: self.beskrivelse,
            Role.BEMAERKNING: self.bemaerkning,
            Role.FAGOMRAADE: self.fagomraade,
            Role.SVARER_TIL: self.svarer_til,
        }
        return {role: column for role, column in by_role.items() if column is not None}


@dataclass(frozen=True, slots=True)
class Table:
    """Where a table sits: the writer puts answers at (system row, columns.anvendelse)."""

    sheet: str
    header_row: int
    columns: Columns


@dataclass(frozen=True, slots=True)
class SheetMapping:
    """Where a person said a sheet's table is: its header row and the column of each role."""

    header_row: int
    roles: Mapping[Role, int]


class BlockSource(StrEnum):
    """Where a block's fagområde name came from."""

    TITLE = "title"  # a "Fagområde: X" cell above the header
    SHEET_NAME = "sheet_name"
    HEADING_ROW = "heading_row"
    COLUMN = "column"  # the table's fagområde column


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive systems of one fagområde on a sheet, for explaining a reading."""

    fagomraade: str
    first_row: int
    last_row: int
    source: BlockSource


@dataclass(frozen=True, slots=True)
class SheetReading:
    """How a sheet's table was read: header, columns with reasons, doubts, blocks of rows."""

    sheet: str
    header: HeaderReading
    columns: Columns
    blocks: tuple[Block, ...]
    first_systems: tuple[str, ...]
    mapped: bool = False  # the roles came from a person's mapping, not from recognition

    @property
    def doubts(self) -> tuple[tuple[Doubt, Role], ...]:
        return () if self.mapped else self.header.doubts


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
    readings: tuple[SheetReading, ...] = ()

    @property
    def doubtful(self) -> tuple[SheetReading, ...]:
        """The sheets a person should look at before the reading is used."""
        return tuple(reading for reading in self.readings if reading.doubts)


# --- Recognising ----------------------------------------------------------------------------

_PARENTHESES = re.compile(r"\([^)]*\)")


def _header_key(value: object) -> str:
    text = cell_text(value)
    return normalise(_PARENTHESES.sub(" ", text)) if text else ""


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
    """Read an answer loosely; an empty or placeholder cell ("Vælg…", "-") is no answer yet."""
    if text is None or is_placeholder(text) or not normalise(text):
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


def _name(text: str | None, *, filename: str, sheet: str, row: int) -> str | None:
    if text is not None and len(text) > MAX_NAME_CHARS:
        raise Bilag1Error(
            Bilag1ErrorKind.TOO_LONG, filename=filename, sheet=sheet, row=row, limit=MAX_NAME_CHARS
        )
    return text


def _system(table: Table, item: DataRow, *, filename: str) -> Bilag1System:
    columns, cells = table.columns, item.cells
    return Bilag1System(
        navn=_name(item.navn, filename=filename, sheet=table.sheet, row=item.row) or item.navn,
        leverandoer=_name(
            _cell(cells, columns.leverandoer), filename=filename, sheet=table.sheet, row=item.row
        ),
        beskrivelse=_cell(cells, columns.beskrivelse),
        anvendelse=parse_answer(
            _cell(cells, columns.anvendelse), filename=filename, sheet=table.sheet, row=item.row
        ),
        bemaerkning=_cell(cells, columns.bemaerkning),
        row=item.row,
    )


def _tilfoejet(table: Table, item: DataRow, *, filename: str) -> Bilag1Tilfoejet:
    system = _system(table, item, filename=filename)
    return Bilag1Tilfoejet(
        fagomraade=_cell(item.cells, table.columns.fagomraade),
        navn=system.navn,
        leverandoer=system.leverandoer,
        svarer_til=_cell(item.cells, table.columns.svarer_til),
        anvendelse=system.anvendelse,
        bemaerkning=system.bemaerkning,
        row=item.row,
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


def parse_bilag1(
    sheets: Sequence[SheetContent],
    *,
    filename: str,
    mapping: Mapping[str, SheetMapping] | None = None,
) -> Bilag1:
    """Recognise a whole workbook: fagområder in sheet order, added systems and front page.

    Hidden sheets are helper lists. A visible sheet is a fagområde when it has a system table,
    several when that table has a fagområde column or section heading rows, the added systems
    when it has a "svarer til" column or says "tilføjede" in its name, else instructions or
    front page. A sheet in `mapping` is read where a person said its table is.
    """
    fagomraader: list[Bilag1Fagomraade] = []
    readings: list[SheetReading] = []
    tilfoejet_table: Table | None = None
    tilfoejede: tuple[Bilag1Tilfoejet, ...] = ()
    forside: tuple[Forside, ForsideCells] | None = None

    for sheet in sheets:
        if sheet.hidden:
            continue
        header = _header_of(sheet, (mapping or {}).get(sheet.name))
        if header is None:
            forside = forside or find_forside(sheet)
            continue
        if Role.SYSTEM not in header.roles:
            header = _guess_system_column(header) or header
        system = header.roles.get(Role.SYSTEM)
        if system is None:
            raise Bilag1Error(
                Bilag1ErrorKind.NO_SYSTEM_COLUMN,
                filename=filename,
                sheet=sheet.name,
                row=header.row,
            )
        table = Table(sheet.name, header.row, Columns.of(system, header.roles))
        items = list(
            classify_rows(
                sheet.rows,
                sheet.facts,
                header.row,
                system=system,
                first_column=next((c.column for c in header.columns if c.header), system),
            )
        )
        systems = [item for item in items if isinstance(item, DataRow)]
        blocks: list[Block]
        if _is_tilfoejet_sheet(sheet.name, header.roles):
            if tilfoejet_table is not None:
                logger.warning("second added-systems sheet %r ignored", sheet.name)
                continue
            tilfoejet_table = table
            tilfoejede = tuple(_tilfoejet(table, item, filename=filename) for item in systems)
            blocks = []
        else:
            areas = _areas(sheet, table, items, filename=filename)
            fagomraader.extend(area for area, _ in areas)
            blocks = [block for _, block in areas]
        readings.append(
            SheetReading(
                sheet=sheet.name,
                header=header,
                columns=table.columns,
                blocks=tuple(blocks),
                first_systems=tuple(item.navn for item in systems[:3]),
                mapped=sheet.name in (mapping or {}),
            )
        )

    if not fagomraader:
        visible = ", ".join(f"«{sheet.name}»" for sheet in sheets if not sheet.hidden)
        raise Bilag1Error(Bilag1ErrorKind.NO_FAGOMRAADE, filename=filename, value=visible)
    _check_unique(fagomraader, filename=filename)
    return Bilag1(
        forside=forside[0] if forside else Forside(),
        fagomraader=tuple(fagomraader),
        tilfoejede=tilfoejede,
        forside_cells=forside[1] if forside else None,
        tilfoejet_table=tilfoejet_table,
        readings=tuple(readings),
    )


def _header_of(sheet: SheetContent, mapped: SheetMapping | None) -> HeaderReading | None:
    if mapped is None:
        header_row = find_header_row(sheet.rows, sheet.facts)
        return None if header_row is None else read_header(sheet.rows, sheet.facts, header_row)
    reading = read_header(sheet.rows, sheet.facts, mapped.header_row)
    chosen = {column: role for role, column in mapped.roles.items()}
    return HeaderReading(
        row=mapped.header_row,
        roles=dict(mapped.roles),
        columns=tuple(
            ColumnReading(
                c.column,
                c.header,
                chosen.get(c.column),
                c.score,
                (Reason(Evidence.CHOSEN, chosen[c.column]),) if c.column in chosen else (),
            )
            for c in reading.columns
        ),
    )


def _guess_system_column(header: HeaderReading) -> HeaderReading | None:
    # No header names the systems: take the first visible column that no role claims and
    # whose cells are not ids; it is a doubt, so a person confirms it on the mapping card.
    for reading in header.columns:
        unfit = {reason.evidence for reason in reading.reasons} & {Evidence.IDS, Evidence.HIDDEN}
        if reading.role is None and reading.header and not unfit:
            guessed = replace(
                reading, role=Role.SYSTEM, reasons=(*reading.reasons, Reason(Evidence.GUESSED))
            )
            return replace(
                header,
                roles={**header.roles, Role.SYSTEM: reading.column},
                columns=tuple(guessed if c is reading else c for c in header.columns),
                doubts=(*header.doubts, (Doubt.LOW_SCORE, Role.SYSTEM)),
            )
    return None


def _areas(
    sheet: SheetContent, table: Table, items: Sequence[DataRow | Heading], *, filename: str
) -> list[tuple[Bilag1Fagomraade, Block]]:
    """The fagområder of one table: by its fagområde column, its heading rows, or the sheet."""
    if table.columns.fagomraade is not None:
        return _group_by_column(sheet, table, items, filename=filename)
    title = title_above(sheet.rows[: table.header_row - 1])
    first = next(iter(items), None)
    if title is None and isinstance(first, Heading):
        return _group_by_headings(table, items, filename=filename)
    if title is None and _lone_names_are_headings(items):
        headings = [
            Heading(item.row, item.navn, table.columns.system)
            if isinstance(item, DataRow) and item.lone
            else item
            for item in items
        ]
        return _group_by_headings(table, headings, filename=filename)
    navn = title or sheet_area_name(sheet.name)
    systems = tuple(
        _system(table, item, filename=filename) for item in items if isinstance(item, DataRow)
    )
    rows = [system.row for system in systems] or [table.header_row]
    source = BlockSource.TITLE if title else BlockSource.SHEET_NAME
    return [(Bilag1Fagomraade(navn, table, systems), Block(navn, rows[0], rows[-1], source))]


def _lone_names_are_headings(items: Sequence[DataRow | Heading]) -> bool:
    """A list that starts with a name alone on its row, where each such row is followed by
    fuller rows (with a supplier, description or answer), uses those rows as headings."""
    rows = [item for item in items if isinstance(item, DataRow)]
    if not rows or not rows[0].lone or len(rows) != len(items):
        return False
    lone = [index for index, item in enumerate(rows) if item.lone]
    followed = all(index + 1 < len(rows) and not rows[index + 1].lone for index in lone)
    return len(lone) >= 2 and followed


def _group_by_headings(
    table: Table, items: Sequence[DataRow | Heading], *, filename: str
) -> list[tuple[Bilag1Fagomraade, Block]]:
    # Each heading row starts a fagområde. A heading straight after another one, or further
    # right than the first heading, is a sub-heading within the fagområde, and is skipped.
    groups: list[tuple[str, list[Bilag1System]]] = []
    area_column: int | None = None
    for item in items:
        if isinstance(item, Heading):
            if area_column is None:
                area_column = item.column
            sub = item.column > area_column or (groups and not groups[-1][1])
            if not sub:
                navn = _name(item.navn, filename=filename, sheet=table.sheet, row=item.row)
                groups.append((navn or item.navn, []))
            continue
        groups[-1][1].append(_system(table, item, filename=filename))
    return [
        (
            Bilag1Fagomraade(navn, table, tuple(systems)),
            Block(navn, systems[0].row, systems[-1].row, BlockSource.HEADING_ROW),
        )
        for navn, systems in groups
        if systems
    ]


def _group_by_column(
    sheet: SheetContent, table: Table, items: Sequence[DataRow | Heading], *, filename: str
) -> list[tuple[Bilag1Fagomraade, Block]]:
    # An empty fagområde cell continues the one above, counting rows without a system too:
    # lists are written with the area once as a heading or in a vertically merged cell, and a
    # merged cell reads as one value followed by blanks.
    area_of_row: dict[int, str | None] = {}
    current: str | None = None
    for index in range(table.header_row, len(sheet.rows)):
        current = _cell(sheet.rows[index], table.columns.fagomraade) or current
        area_of_row[index + 1] = current
    groups: dict[str, tuple[str, list[Bilag1System]]] = {}
    for item in items:
        if not isinstance(item, DataRow):
            continue
        navn = area_of_row[item.row]
        if navn is None:
            raise Bilag1Error(
                Bilag1ErrorKind.MISSING_FAGOMRAADE,
                filename=filename,
                sheet=table.sheet,
                row=item.row,
            )
        navn = _name(navn, filename=filename, sheet=table.sheet, row=item.row) or navn
        system = _system(table, item, filename=filename)
        groups.setdefault(normalise(navn), (navn, []))[1].append(system)
    return [
        (
            Bilag1Fagomraade(navn, table, tuple(systems)),
            Block(navn, systems[0].row, systems[-1].row, BlockSource.COLUMN),
        )
        for navn, systems in groups.values()
    ]


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
