"""Pure reading of KITOS' overview export ("IT Systemer Overblik"): find the columns by meaning.

Stdlib and storage.domain only; kitos_export.py hands in plain cell values. The export's column
titles are the overview grid's titles (docs/kitos.md lists them and where they come from); a
kommune chooses which columns to show, so any may be missing, moved or joined by others.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from storage.domain.answers import normalise
from storage.domain.kitos import SYSTEMEJER_ROLE, KitosPerson, KitosSystem, parse_livscyklus

logger = logging.getLogger(__name__)

# Kendo writes the titles in row 1; a kommune may have added a title above before uploading.
HEADER_SCAN_ROWS = 30
_EXACT = 1.0
_CONTAINS = 0.5


class Column(StrEnum):
    SYSTEM = "system"
    LOKALT_NAVN = "lokalt_navn"
    LOKALT_ID = "lokalt_id"
    LIVSCYKLUS = "livscyklus"
    LEVERANDOER = "leverandoer"
    RETTIGHEDSHAVER = "rettighedshaver"
    ANSVARLIG_ENHED = "ansvarlig_enhed"
    SYSTEMEJER = "systemejer"
    SYSTEMEJER_EMAIL = "systemejer_email"


@dataclass(frozen=True, slots=True)
class _Meaning:
    spellings: tuple[str, ...]
    """Titles that mean the column, exactly (after normalise) or as words within a title."""
    never: frozenset[str] = frozenset()
    """Words that make a title something else: "IT-System (UUID)" is not the system's name."""


_NOT_THE_NAME = frozenset(
    {"uuid", "externt", "beskrivelse", "overordnet", "tidligere", "id", "lokal", "lokalt"}
    | {"version", "kategori", "kle", "type", "email"}
)
_MEANINGS: dict[Column, _Meaning] = {
    Column.SYSTEM: _Meaning(
        ("IT System", "IT-System", "It-systemnavn", "Systemnavn", "System", "Navn"), _NOT_THE_NAME
    ),
    Column.LOKALT_NAVN: _Meaning(
        ("Lokal kaldenavn", "Lokalt kaldenavn", "Kaldenavn", "Lokalt navn", "Lokal systemnavn"),
        frozenset({"id", "uuid"}),
    ),
    Column.LOKALT_ID: _Meaning(("Lokal System ID", "Lokalt system ID", "Lokal ID")),
    # "Status (Livscyklus)" holds Aktivt / Ikke aktivt, not the life cycle.
    Column.LIVSCYKLUS: _Meaning(("Livscyklus", "Livscyklusstatus"), frozenset({"status"})),
    Column.LEVERANDOER: _Meaning(("Leverandør", "Leverandor", "Leverandørnavn")),
    Column.RETTIGHEDSHAVER: _Meaning(("Rettighedshaver",)),
    Column.ANSVARLIG_ENHED: _Meaning(
        ("Ansv. organisationsenhed", "Ansvarlig organisationsenhed", "Ansvarlig enhed")
    ),
    Column.SYSTEMEJER: _Meaning((SYSTEMEJER_ROLE,), frozenset({"email", "mail"})),
    Column.SYSTEMEJER_EMAIL: _Meaning((f"{SYSTEMEJER_ROLE} Email#", f"{SYSTEMEJER_ROLE} e-mail")),
}


class KitosExportErrorKind(StrEnum):
    NOT_XLSX = "not_xlsx"
    LEGACY_XLS = "legacy_xls"
    ENCRYPTED = "encrypted"
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    NO_HEADER = "no_header"
    """No sheet has a column holding the systems' names."""
    NO_SYSTEMS = "no_systems"


class KitosExportError(Exception):
    """Why an upload is not a KITOS export we can read. Carries data; texts.py words it."""

    def __init__(self, kind: KitosExportErrorKind, *, filename: str, limit: int = 0) -> None:
        super().__init__(f"{filename}: {kind.value}")
        self.kind = kind
        self.filename = filename
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet as plain values: rows[0] is Excel row 1."""

    name: str
    hidden: bool
    rows: Sequence[Sequence[object]]


@dataclass(frozen=True, slots=True)
class KitosExport:
    systemer: tuple[KitosSystem, ...]
    sheet: str
    header_row: int
    columns: frozenset[Column]
    """The columns found: without LIVSCYKLUS nothing suggests an answer, without SYSTEMEJER
    nothing suggests an owner, and the coordinator should hear so."""


def parse_kitos_export(sheets: Sequence[Sheet], *, filename: str) -> KitosExport:
    """Find the export's table on the best sheet and read one KitosSystem per row."""
    headers = [(_find_header(sheet.rows), sheet) for sheet in sheets if not sheet.hidden]
    (_, header_row, columns), sheet = max(
        headers, key=lambda h: h[0][0], default=((0.0, 0, {}), None)
    )
    if sheet is None or not columns:
        raise KitosExportError(KitosExportErrorKind.NO_HEADER, filename=filename)
    systemer = tuple(
        system
        for values in sheet.rows[header_row:]
        if (system := _system(values, columns)) is not None
    )
    if not systemer:
        raise KitosExportError(KitosExportErrorKind.NO_SYSTEMS, filename=filename)
    logger.info(
        "kitos export read: %d systems, columns %s",
        len(systemer),
        ",".join(sorted(columns)),
    )
    return KitosExport(systemer, sheet.name, header_row, frozenset(columns))


def score_title(title: object, column: Column) -> float:
    """How surely a header cell's title means a column: 1 exactly, 0.5 as words within, else 0."""
    if not isinstance(title, str):
        return 0.0
    key = normalise(title)
    words = set(key.split())
    meaning = _MEANINGS[column]
    if words & meaning.never:
        return 0.0
    spellings = [normalise(spelling) for spelling in meaning.spellings]
    if key in spellings:
        return _EXACT
    if any(set(spelling.split()) <= words for spelling in spellings):
        return _CONTAINS
    return 0.0


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[float, int, dict[Column, int]]:
    """Score, 1-based row and 0-based column of each meaning of the best header row.

    A header row must name the systems; the columns are empty when no row does.
    """
    best: tuple[float, int, dict[Column, int]] = (0.0, 0, {})
    for number, values in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        columns, total = _assign(values)
        if Column.SYSTEM in columns and total > best[0]:
            best = (total, number, columns)
    return best


def _assign(values: Sequence[object]) -> tuple[dict[Column, int], float]:
    """Give each meaning its best-scoring cell, each cell one meaning, best scores first."""
    scored = sorted(
        (
            (score, index, column)
            for index, value in enumerate(values)
            for column in Column
            if (score := score_title(value, column)) > 0
        ),
        key=lambda s: (-s[0], s[1]),
    )
    columns: dict[Column, int] = {}
    total = 0.0
    for score, index, column in scored:
        if column not in columns and index not in columns.values():
            columns[column] = index
            total += score
    return columns, total


def _system(values: Sequence[object], columns: dict[Column, int]) -> KitosSystem | None:
    def cell(column: Column) -> str | None:
        index = columns.get(column)
        if index is None or index >= len(values):
            return None
        return _text(values[index])

    navn = cell(Column.SYSTEM)
    if navn is None:
        return None
    return KitosSystem(
        navn=navn,
        lokalt_navn=cell(Column.LOKALT_NAVN),
        lokalt_id=cell(Column.LOKALT_ID),
        livscyklus=parse_livscyklus(cell(Column.LIVSCYKLUS)),
        leverandoer=cell(Column.LEVERANDOER),
        rettighedshaver=cell(Column.RETTIGHEDSHAVER),
        ansvarlig_enhed=cell(Column.ANSVARLIG_ENHED),
        systemejere=_people(cell(Column.SYSTEMEJER), cell(Column.SYSTEMEJER_EMAIL)),
    )


def _people(names: str | None, emails: str | None) -> tuple[KitosPerson, ...]:
    """KITOS joins a role's holders with ", " and their e-mails likewise, in the same order."""
    navne = [n.strip() for n in (names or "").split(",") if n.strip()]
    mails = [e.strip() for e in (emails or "").split(",") if e.strip()]
    if len(mails) != len(navne):
        # Not pairable: keep the names, or the addresses as names when there are no names.
        return tuple(KitosPerson(navn) for navn in navne) or tuple(
            KitosPerson(mail, mail) for mail in mails
        )
    return tuple(KitosPerson(navn, mail) for navn, mail in zip(navne, mails, strict=True))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    text = " ".join(str(value).split())
    return text or None
