"""Pure reading of a Bilag 1 table's rows: which are systems, which name a fagområde.

Stdlib and storage.domain only. A table's data rows are systems, blank rows, decoration (a hint
under the header, a note, a repeated header) or section headings; a fagområde's name comes from
a title cell, a heading row, a fagområde column or the sheet's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from storage.bilag1.columns import SheetFacts, cell_text, header_texts
from storage.domain.answers import normalise

_TITLE = re.compile(r"^\s*fagomr(?:å|aa|a)de\s*[:\-–—]\s*(?P<navn>\S.*?)\s*$", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*\d+\s*[.):\-–—]?\s*")
# An answer cell that only invites a choice: "Vælg…", "(vælg anvendelse)", "-", "…".
_PLACEHOLDER_WORDS = frozenset({"", "vaelg", "vaelg svar", "vaelg anvendelse", "ubesvaret"})
_PROMPT_STARTS = ("vaelg ", "skriv ", "angiv ", "udfyld ", "fx ", "f eks ", "eks ", "eksempel ")
_FOOTNOTE = re.compile(r"^\s*(\*|(nb|note|obs)\s*[:!.])", re.IGNORECASE)
# A note is a sentence, not a name: long, or ending in a full stop after several words.
_NOTE_LENGTH = 80
_SMALL_WORDS = frozenset({"og", "i", "paa", "for", "til", "med", "af", "en", "et", "eller"})


def is_placeholder(text: str | None) -> bool:
    """True for an empty cell or one that only invites an answer; it means unanswered."""
    if text is None:
        return True
    stripped = text.strip()
    if stripped.startswith("(") and stripped.endswith(")"):
        return True
    key = normalise(stripped)
    return key in _PLACEHOLDER_WORDS or (key + " ").startswith(_PROMPT_STARTS)


def is_hint(text: str) -> bool:
    """A hint rather than a name: in parentheses, a prompt ("Vælg …", "Skriv …"), a footnote."""
    return is_placeholder(text) or bool(_FOOTNOTE.match(text))


def is_note(text: str) -> bool:
    """A hint or a sentence (long, or ending in a full stop after several words), not a name."""
    stripped = text.strip()
    return is_hint(stripped) or len(stripped) > _NOTE_LENGTH or _is_sentence(stripped)


def _is_sentence(text: str) -> bool:
    return text.strip().endswith(".") and len(text.split()) > 4


def title_name(text: str | None) -> str | None:
    """The name in a "Fagområde: X" title, or None."""
    match = _TITLE.match(text) if text else None
    return match.group("navn") if match else None


def fagomraade_name(sheet_name: str, rows_above_header: Sequence[Sequence[object]]) -> str:
    """Name a fagområde from a "Fagområde: X" title cell, else from the sheet name."""
    return title_above(rows_above_header) or sheet_area_name(sheet_name)


def title_above(rows_above_header: Sequence[Sequence[object]]) -> str | None:
    """The name in the first "Fagområde: X" cell above a table's header, or None."""
    for cells in rows_above_header:
        for value in cells:
            navn = title_name(cell_text(value))
            if navn:
                return navn
    return None


def sheet_area_name(sheet_name: str) -> str:
    """A sheet's name as a fagområde: without its number, and not shouting when upper-cased.

    In an upper-cased name, short words other than "og", "i" … are acronyms and stay as
    they are: "SAGS- OG DOKUMENTHÅNDTERING (ESDH)" is "Sags- og dokumenthåndtering (ESDH)".
    """
    navn = _LEADING_NUMBER.sub("", sheet_name).strip() or sheet_name.strip()
    if not (navn.isupper() and any(len(word) > 4 for word in navn.split())):
        return navn
    words = [
        word if len(word.strip("()")) <= 4 and normalise(word) not in _SMALL_WORDS else word.lower()
        for word in navn.split()
    ]
    navn = " ".join(words)
    return navn[0].upper() + navn[1:]


@dataclass(frozen=True, slots=True)
class DataRow:
    """A row of a table that names a system: its Excel row, name and cells."""

    row: int
    navn: str
    cells: Sequence[object]
    # Nothing but the name on its row: a system without supplier or answer, or, in a list
    # whose system column comes first, a section heading; layout.py decides by the sheet.
    lone: bool = False


@dataclass(frozen=True, slots=True)
class Heading:
    """A row that names a section (a fagområde in a one-sheet list): Excel row, text, column."""

    row: int
    navn: str
    column: int


def _value(cells: Sequence[object], column: int | None) -> str | None:
    if column is None or column > len(cells):
        return None
    return cell_text(cells[column - 1])


def _merged_span(facts: SheetFacts, row: int, column: int) -> int:
    for min_row, min_col, max_row, max_col in facts.merged:
        if min_row <= row <= max_row and min_col == column:
            return max_col - min_col + 1
    return 1


def classify_rows(
    rows: Sequence[Sequence[object]],
    facts: SheetFacts,
    header_row: int,
    *,
    system: int,
    first_column: int,
) -> Iterator[DataRow | Heading]:
    """Yield the systems and the heading-like rows below a header, skipping everything else.

    A heading-like row holds one text and nothing else, in the table's first used column when
    that is not the system column, in a cell merged across columns, or as "Fagområde: X". A
    blank row, a note, a hint (a prompt or a text in parentheses) and a repeated header are
    skipped. Whether a heading names a fagområde is for the caller to decide.
    """
    header = [normalise(text) for text in header_texts(rows, facts, header_row)]
    for index in range(header_row, len(rows)):
        cells = rows[index]
        row = index + 1
        filled = [
            (column, text)
            for column, value in enumerate(cells, start=1)
            if (text := cell_text(value)) is not None
        ]
        if not filled:
            continue
        if len(filled) == 1:
            column, text = filled[0]
            titled = title_name(text)
            if titled or (
                not is_note(text)
                and (
                    (column == first_column and column != system)
                    or _merged_span(facts, row, column) > 1
                )
            ):
                yield Heading(row, titled or text, column)
                continue
            if _is_sentence(text):
                continue
        navn = _value(cells, system)
        if navn is None or is_hint(navn):
            continue
        if _repeats(cells, header):
            continue
        yield DataRow(row, navn, cells, lone=len(filled) == 1)


def _repeats(cells: Sequence[object], header: Sequence[str]) -> bool:
    """A header printed again (on each page): two or more cells as in the header row."""
    same = 0
    for value, title in zip(cells, header, strict=False):
        text = cell_text(value) if title else None
        # Most cells differ from their header in length already; normalise only the rest.
        if text is not None and abs(len(text) - len(title)) <= 3 and normalise(text) == title:
            same += 1
    return same >= 2
