"""Pure planning of a Bilag 1 write: which value goes in which cell, and what is missing.

Stdlib, storage.domain and layout only. writer.py carries the plan out with openpyxl.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind, MissingAnswers
from storage.bilag1.layout import (
    KOMBIT_ANVENDELSE,
    Bilag1,
    Bilag1Tilfoejet,
    Columns,
    Forside,
    ForsideCells,
    Table,
)
from storage.domain.answers import normalise
from storage.domain.model import Anvendelse

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SystemAnswer:
    """The answer for one listed system, named by fagområde and system (matched normalised)."""

    fagomraade: str
    navn: str
    anvendelse: Anvendelse | None
    bemaerkning: str | None = None


@dataclass(frozen=True, slots=True)
class FilledAnswers:
    """Everything the writer puts into a template."""

    forside: Forside = field(default_factory=Forside)
    answers: tuple[SystemAnswer, ...] = ()
    tilfoejede: tuple[Bilag1Tilfoejet, ...] = ()


@dataclass(frozen=True, slots=True)
class CellWrite:
    """One value for one cell. missing marks an unanswered answer cell in a draft."""

    sheet: str
    row: int
    column: int
    value: str | date | None
    missing: bool = False


@dataclass(frozen=True, slots=True)
class WritePlan:
    """The cells to write, in order (later writes win), and the added-systems table's rows."""

    cells: tuple[CellWrite, ...]
    tilfoejet_table: Table | None
    tilfoejet_rows: int  # added systems written from tilfoejet_table.header_row + 1


def answers_of(bilag1: Bilag1) -> FilledAnswers:
    """Return the answers a filled workbook holds, ready to write into another template."""
    return FilledAnswers(
        forside=bilag1.forside,
        answers=tuple(
            SystemAnswer(fagomraade.navn, system.navn, system.anvendelse, system.bemaerkning)
            for fagomraade in bilag1.fagomraader
            for system in fagomraade.systemer
        ),
        tilfoejede=tuple(
            Bilag1Tilfoejet(
                fagomraade=tilfoejet.fagomraade,
                navn=tilfoejet.navn,
                leverandoer=tilfoejet.leverandoer,
                svarer_til=tilfoejet.svarer_til,
                anvendelse=tilfoejet.anvendelse,
                bemaerkning=tilfoejet.bemaerkning,
            )
            for tilfoejet in bilag1.tilfoejede
        ),
    )


def find_missing_answers(template: Bilag1, answers: FilledAnswers) -> tuple[tuple[str, str], ...]:
    """Return (fagområde, system) for each system, listed or added, still without an answer."""
    given = {
        (normalise(answer.fagomraade), normalise(answer.navn)): answer.anvendelse
        for answer in answers.answers
    }
    listed = [
        (fagomraade.navn, system.navn)
        for fagomraade in template.fagomraader
        for system in fagomraade.systemer
        if given.get((normalise(fagomraade.navn), normalise(system.navn))) is None
    ]
    added = [
        (tilfoejet.fagomraade or "", tilfoejet.navn)
        for tilfoejet in answers.tilfoejede
        if tilfoejet.anvendelse is None
    ]
    return (*listed, *added)


def plan_writes(
    template: Bilag1, answers: FilledAnswers, *, draft: bool, filename: str
) -> WritePlan:
    """Decide every cell the writer sets; refuse (final mode) while answers are missing.

    Every listed system's answer and remark cell is set, so the output holds exactly these
    answers even when the template was itself a filled workbook.
    """
    given = _index_answers(template, answers, filename=filename)
    if not draft and (missing := find_missing_answers(template, answers)):
        raise MissingAnswers(missing)
    table = template.tilfoejet_table
    if answers.tilfoejede and table is None:
        raise Bilag1Error(Bilag1ErrorKind.NO_TILFOEJET_TABLE, filename=filename)

    cells: list[CellWrite] = []
    for fagomraade in template.fagomraader:
        columns = fagomraade.table.columns
        answer_column = _answer_column(fagomraade.table, filename=filename)
        for system in fagomraade.systemer:
            answer = given.get((normalise(fagomraade.navn), normalise(system.navn)))
            anvendelse = answer.anvendelse if answer else None
            cells.append(_answer_cell(fagomraade.sheet, system.row, answer_column, anvendelse))
            if columns.bemaerkning is not None:
                remark = answer.bemaerkning if answer else None
                cells.append(CellWrite(fagomraade.sheet, system.row, columns.bemaerkning, remark))
    if table is not None:
        _answer_column(table, filename=filename)
        cells.extend(_tilfoejet_cells(table, template.tilfoejede, answers.tilfoejede))
    cells.extend(_forside_cells(template.forside_cells, answers.forside))
    return WritePlan(tuple(cells), table, len(answers.tilfoejede))


def _index_answers(
    template: Bilag1, answers: FilledAnswers, *, filename: str
) -> dict[tuple[str, str], SystemAnswer]:
    known = {
        normalise(fagomraade.navn): {normalise(system.navn) for system in fagomraade.systemer}
        for fagomraade in template.fagomraader
    }
    given: dict[tuple[str, str], SystemAnswer] = {}
    for answer in answers.answers:
        area, navn = normalise(answer.fagomraade), normalise(answer.navn)
        if area not in known:
            raise Bilag1Error(
                Bilag1ErrorKind.UNKNOWN_FAGOMRAADE, filename=filename, value=answer.fagomraade
            )
        if navn not in known[area]:
            raise Bilag1Error(
                Bilag1ErrorKind.UNKNOWN_SYSTEM,
                filename=filename,
                fagomraade=answer.fagomraade,
                value=answer.navn,
            )
        given[area, navn] = answer
    return given


def _answer_column(table: Table, *, filename: str) -> int:
    # A table read without an answer column can be listed, but nothing can be written to it
    # until the coordinator has said on the mapping card where the answers go.
    if table.columns.anvendelse is None:
        raise Bilag1Error(
            Bilag1ErrorKind.NO_ANSWER_COLUMN,
            filename=filename,
            sheet=table.sheet,
            row=table.header_row,
        )
    return table.columns.anvendelse


def _answer_cell(sheet: str, row: int, column: int, anvendelse: Anvendelse | None) -> CellWrite:
    if anvendelse is None:
        return CellWrite(sheet, row, column, None, missing=True)
    return CellWrite(sheet, row, column, KOMBIT_ANVENDELSE[anvendelse])


def _tilfoejet_cells(
    table: Table,
    old: Sequence[Bilag1Tilfoejet],
    new: Sequence[Bilag1Tilfoejet],
) -> list[CellWrite]:
    columns = table.columns
    answer_column = columns.anvendelse or 0  # checked by plan_writes
    cells: list[CellWrite] = []
    # Rows a filled template already holds are emptied first; the new list is written from
    # the top of the table, so a shorter list leaves no stale rows behind.
    for tilfoejet in old:
        if tilfoejet.row is not None:
            cells.extend(
                CellWrite(table.sheet, tilfoejet.row, column, None)
                for column in (*_tilfoejet_values(columns, tilfoejet), answer_column)
            )
    for offset, tilfoejet in enumerate(new, start=1):
        row = table.header_row + offset
        cells.extend(
            CellWrite(table.sheet, row, column, value)
            for column, value in _tilfoejet_values(columns, tilfoejet).items()
        )
        cells.append(_answer_cell(table.sheet, row, answer_column, tilfoejet.anvendelse))
    return cells


def _tilfoejet_values(columns: Columns, tilfoejet: Bilag1Tilfoejet) -> dict[int, str | None]:
    """The text cells of an added system by column; the answer cell is planned separately."""
    values = {
        columns.fagomraade: tilfoejet.fagomraade,
        columns.system: tilfoejet.navn,
        columns.leverandoer: tilfoejet.leverandoer,
        columns.svarer_til: tilfoejet.svarer_til,
        columns.bemaerkning: tilfoejet.bemaerkning,
    }
    return {column: value for column, value in values.items() if column is not None}


def _forside_cells(position: ForsideCells | None, forside: Forside) -> list[CellWrite]:
    if position is None:
        if forside != Forside():
            logger.warning("template has no front page; kommune fields not written")
        return []
    values: list[tuple[tuple[int, int] | None, str | date | None]] = [
        (position.navn, forside.navn),
        (position.kontaktperson, forside.kontaktperson),
        (position.email, forside.email),
        (position.dato, _as_date(forside.dato)),
    ]
    return [
        CellWrite(position.sheet, cell[0], cell[1], value)
        for cell, value in values
        if cell is not None and value is not None
    ]


def _as_date(text: str | None) -> str | date | None:
    # An ISO date becomes a real date cell, so Excel shows it in the reader's locale.
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text
