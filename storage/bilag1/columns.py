"""Pure recognition of a Bilag 1 table's columns by what they mean, with the reasons why.

Stdlib and storage.domain only. Every header cell is scored per role on the words it holds
(after normalise()); evidence below the header — a drop-down listing the three answers, cells
holding answers, id numbers, a hidden column — adds to or rules out a role. The result says which
column holds what, why, and what the reader was unsure of, so a person can be asked instead of
the workbook being refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from storage.domain.answers import normalise


class Role(StrEnum):
    """What a table column holds."""

    SYSTEM = "system"
    LEVERANDOER = "leverandoer"
    BESKRIVELSE = "beskrivelse"
    ANVENDELSE = "anvendelse"
    BEMAERKNING = "bemaerkning"
    FAGOMRAADE = "fagomraade"
    SVARER_TIL = "svarer_til"


# A header row lies near the top; scanning further would match data cells such as "System".
HEADER_SCAN_ROWS = 30
# How many data rows below a header are looked at for evidence (answers, id numbers).
_EVIDENCE_ROWS = 200
# A role's score below this is no claim at all; a system or answer column below SURE is a guess.
_MIN_SCORE = 2.0
_SURE_SCORE = 3.0
# Two candidates for one role closer than this are a real doubt, not a clear winner.
_CLOSE = 2.0
# The first word of a header is usually its head noun: "Bemærkninger til anvendelsen".
_HEAD_WORD_WEIGHT = 1.5
# Words in parentheses explain a header rather than name it: "Svarer til (system på listen)".
_PARENTHESES_WEIGHT = 0.5
_OPTIONS_NAMED_SCORE = 6.0
_VALIDATION_SCORE = 8.0
_ANSWER_VALUES_SCORE = 4.0

# (role, word pattern, weight); None is "some other column" (an owner, a number, a date), which
# competes with the roles so "Systemejer" is not taken for the system column.
_CUES: tuple[tuple[Role | None, re.Pattern[str], float], ...] = tuple(
    (role, re.compile(pattern), weight)
    for role, pattern, weight in (
        (Role.SYSTEM, r"(it)?system(er|et|ets|erne|navn|navne|navnet)?", 3.0),
        (Role.SYSTEM, r"itsystem\w*|navn(e|et|ene)?", 2.0),
        (Role.SYSTEM, r"applikation\w*|loesning\w*|program(met|mer)?|produkt(et|navn)?", 2.0),
        (Role.SYSTEM, r"it", 1.0),
        (Role.LEVERANDOER, r"leverand\w*", 5.0),
        (Role.LEVERANDOER, r"producent\w*|udbyder\w*|forhandler\w*", 4.0),
        (Role.LEVERANDOER, r"firma\w*|virksomhed\w*", 2.0),
        (Role.ANVENDELSE, r"anvend(er|else|elsen|es|t)?", 5.0),
        (Role.ANVENDELSE, r"svar(et|ene)?", 4.0),
        (Role.ANVENDELSE, r"brug(er|es|t)?", 1.0),
        (Role.BEMAERKNING, r"bemaerk\w*|kommentar\w*", 5.0),
        (Role.BEMAERKNING, r"note(r|rne)?", 4.0),
        (Role.BEMAERKNING, r"uddyb\w*", 3.0),
        (Role.BESKRIVELSE, r"\w*beskrivelse\w*", 5.0),
        (Role.BESKRIVELSE, r"formaal\w*", 4.0),
        (Role.BESKRIVELSE, r"anvendelsesomraade\w*|funktion\w*|indhold", 6.0),
        (Role.FAGOMRAADE, r"fagomr\w*", 6.0),
        (Role.FAGOMRAADE, r"omraade\w*", 3.0),
        (Role.FAGOMRAADE, r"forvaltning\w*|kategori\w*|sektor\w*", 2.0),
        (Role.SVARER_TIL, r"erstatter|tilsvarende|svarende", 3.0),
        (None, r"\w*ejer\w*|ansvarlig\w*|kontakt\w*|nr|id|nummer|lbnr|dato|version", 4.0),
        (None, r"antal|pris\w*|kontrakt\w*|udloeb\w*|licens\w*|cvr|intern\w*", 4.0),
    )
)
_SVARER_TIL = re.compile(r"\bsvarer( \w+)? til\b")
_SVARER_TIL_SCORE = 7.0
# The three answers as a header or drop-down names them (normalised), for "names ≥ 2 options".
_OPTION_WORDS: Mapping[str, re.Pattern[str]] = {
    "anvender": re.compile(r"\banvender\b(?! ikke)"),
    "anvender ikke": re.compile(r"\banvender ikke\b"),
    "sekundaer": re.compile(r"\bsekundaer\b"),
}
# KOMBIT's answers as a filled cell holds them; loose spellings such as "1" or "ja" are not
# evidence, as a number column would then look like answers.
_ANSWER_VALUES = frozenset({"anvender", "anvender ikke", "sekundaer anvendelse", "sekundaer"})
_ID_VALUE = re.compile(r"^((id|nr|no|lbnr)[ ._-]*)?\d{1,6}$")
_LONGEST_ANSWER = max(map(len, _ANSWER_VALUES))
_PAREN = re.compile(r"\(([^)]*)\)")
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class ListValidation:
    """A drop-down on some cells: its columns, rows and the options it offers."""

    columns: frozenset[int]
    min_row: int
    max_row: int
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SheetFacts:
    """What the reader knows of a sheet beyond its values: hidden columns, merges, drop-downs.

    merged holds (min_row, min_col, max_row, max_col) of each merged range, 1-based.
    """

    hidden_columns: frozenset[int] = frozenset()
    merged: tuple[tuple[int, int, int, int], ...] = ()
    validations: tuple[ListValidation, ...] = ()


class Evidence(StrEnum):
    """A kind of reason for (or against) a column's role; texts.py says each in Danish."""

    WORDS = "words"  # role (None: another kind of column) and the words that counted
    OPTIONS_NAMED = "options_named"  # the header names two or more of the three answers
    VALIDATION = "validation"  # a drop-down listing the answers
    ANSWER_VALUES = "answer_values"  # detail = how many cells hold answers
    IDS = "ids"  # numbers or ids: never the system column
    HIDDEN = "hidden"
    OTHER_FITS_BETTER = "other_fits_better"  # another column won this role
    CHOSEN = "chosen"  # a person chose this column on the mapping card
    GUESSED = "guessed"  # no header names the systems; the first free column was taken


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a column has (or has not) a role: the evidence, the role it speaks for, details."""

    evidence: Evidence
    role: Role | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ColumnReading:
    """One column of a header: its text, the role taken (if any) and why."""

    column: int
    header: str
    role: Role | None
    score: float
    reasons: tuple[Reason, ...]


class Doubt(StrEnum):
    """Why a reading should be shown to a person before it is used."""

    TWO_CANDIDATES = "two_candidates"
    NO_ANSWER_COLUMN = "no_answer_column"
    LOW_SCORE = "low_score"


@dataclass(frozen=True, slots=True)
class HeaderReading:
    """A table's header row, each column's role with reasons, and any doubts."""

    row: int
    roles: Mapping[Role, int]
    columns: tuple[ColumnReading, ...]
    doubts: tuple[tuple[Doubt, Role], ...] = ()
    candidates: Mapping[Role, tuple[int, ...]] = field(default_factory=dict)


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


def column_letter(column: int) -> str:
    """Excel's name of a 1-based column: 1 is A, 27 is AA."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def options_named(text: str) -> int:
    """How many of the three answers a text names ("anvender, anvender ikke eller sekundær")."""
    key = normalise(text)
    return sum(1 for pattern in _OPTION_WORDS.values() if pattern.search(key))


def score_header(text: str) -> tuple[dict[Role | None, float], list[Reason]]:
    """Score a header text per role on its words; return the scores and the words that counted."""
    scores, reasons = _scored(text)
    return dict(scores), list(reasons)


@lru_cache(maxsize=4096)
def _scored(text: str) -> tuple[tuple[tuple[Role | None, float], ...], tuple[Reason, ...]]:
    # Cached: a sheet's cells are scored while looking for its header, and texts repeat.
    scores: dict[Role | None, float] = {}
    words: dict[Role | None, list[str]] = {}
    outside = _PAREN.sub(" ", text)
    inside = " ".join(_PAREN.findall(text))
    for part, weight in ((outside, 1.0), (inside, _PARENTHESES_WEIGHT)):
        key = normalise(part)
        if _SVARER_TIL.search(key):
            scores[Role.SVARER_TIL] = scores.get(Role.SVARER_TIL, 0.0) + _SVARER_TIL_SCORE * weight
            words.setdefault(Role.SVARER_TIL, []).append("svarer til")
            key = _SVARER_TIL.sub(" ", key)
        # Words are matched normalised but reported as written ("Leverandør", not "leverandoer").
        tokens = [
            (word, token) for token in _TOKEN.findall(part) for word in normalise(token).split()
        ]
        spoken = set(key.split())
        for position, (word, token) in enumerate(t for t in tokens if t[0] in spoken):
            cue = _cue(word)
            if cue is not None:
                role, cue_weight = cue
                head = _HEAD_WORD_WEIGHT if position == 0 and weight == 1.0 else 1.0
                scores[role] = scores.get(role, 0.0) + cue_weight * weight * head
                words.setdefault(role, []).append(token)
    reasons = [Reason(Evidence.WORDS, role, ", ".join(found)) for role, found in words.items()]
    if options_named(text) >= 2:
        scores[Role.ANVENDELSE] = scores.get(Role.ANVENDELSE, 0.0) + _OPTIONS_NAMED_SCORE
        reasons.append(Reason(Evidence.OPTIONS_NAMED, Role.ANVENDELSE))
    return tuple(scores.items()), tuple(reasons)


@lru_cache(maxsize=8192)
def _cue(word: str) -> tuple[Role | None, float] | None:
    """The first cue a normalised word matches: its role and weight."""
    for role, pattern, weight in _CUES:
        if pattern.fullmatch(word):
            return role, weight
    return None


def _best_role(scores: Mapping[Role | None, float]) -> tuple[Role | None, float]:
    best: Role | None = None
    best_score = 0.0
    for role, score in scores.items():
        if role is not None and score > best_score:
            best, best_score = role, score
    if best is None or best_score < _MIN_SCORE or scores.get(None, 0.0) >= best_score:
        return None, 0.0
    return best, best_score


def _merged_value(
    rows: Sequence[Sequence[object]], facts: SheetFacts, row: int, column: int
) -> tuple[object, int]:
    """The value shown at (row, column) — a merged range's top-left value — and its width."""
    for min_row, min_col, max_row, max_col in facts.merged:
        if min_row <= row <= max_row and min_col <= column <= max_col:
            return _value(rows, min_row, min_col), max_col - min_col + 1
    return _value(rows, row, column), 1


def _value(rows: Sequence[Sequence[object]], row: int, column: int) -> object:
    if row < 1 or row > len(rows) or column > len(rows[row - 1]):
        return None
    return rows[row - 1][column - 1]


def header_texts(rows: Sequence[Sequence[object]], facts: SheetFacts, row: int) -> list[str]:
    """The header text of each column at a header row, taking merged two-row headers in.

    A cell inside a vertically merged header cell ("It-system" over two rows) has its text. A
    cell whose own words name no role, under a group heading merged over two or three columns
    ("Kommunens svar" over "Anvendelse" and "Bemærkning"), gets the group's words in front. A
    title merged across the whole table is no group heading.
    """
    width = max(len(rows[row - 1]) if row <= len(rows) else 0, _merged_width(facts, row))
    texts: list[str] = []
    for column in range(1, width + 1):
        own = cell_text(_merged_value(rows, facts, row, column)[0]) or ""
        above, span = _merged_value(rows, facts, row - 1, column) if row > 1 else (None, 1)
        above_text = cell_text(above)
        if (
            above_text
            and 1 < span <= 3
            and (not own or _best_role(score_header(own)[0])[0] is None)
        ):
            own = f"{above_text} {own}".strip()
        texts.append(own)
    return texts


def _merged_width(facts: SheetFacts, row: int) -> int:
    return max(
        (max_col for min_row, _, max_row, max_col in facts.merged if min_row <= row <= max_row),
        default=0,
    )


def roles_of_row(texts: Sequence[str]) -> dict[Role, tuple[int, float]]:
    """Each role's best column (1-based) and score among header texts; words only."""
    found: dict[Role, tuple[int, float]] = {}
    for column, text in enumerate(texts, start=1):
        if not text:
            continue
        role, score = _best_role(score_header(text)[0])
        if role is not None and (role not in found or score > found[role][1]):
            found[role] = (column, score)
    return found


def looks_like_header(texts: Sequence[str]) -> bool:
    """Two roles, one of them the system or the answer: a table's header (or its repeat)."""
    roles = roles_of_row(texts)
    return len(roles) >= 2 and (Role.SYSTEM in roles or Role.ANVENDELSE in roles)


def find_header_row(rows: Sequence[Sequence[object]], facts: SheetFacts) -> int | None:
    """Return the best-scoring header row (1-based) near the top of a sheet, or None."""
    best_row, best_score = None, 0.0
    first_found: int | None = None
    for row in range(1, min(len(rows), HEADER_SCAN_ROWS) + 1):
        # A header's second row (or a better one just below) follows it; data comes after.
        if first_found is not None and row > first_found + 2:
            break
        texts = header_texts(rows, facts, row)
        if not looks_like_header(texts):
            continue
        first_found = first_found or row
        score = sum(score for _, score in roles_of_row(texts).values())
        if score > best_score:
            best_row, best_score = row, score
    return best_row


def read_header(
    rows: Sequence[Sequence[object]], facts: SheetFacts, header_row: int
) -> HeaderReading:
    """Decide each column's role at a header row from its words and the evidence below it."""
    texts = header_texts(rows, facts, header_row)
    data = rows[header_row : header_row + _EVIDENCE_ROWS]
    width = max([len(texts), *(len(cells) for cells in data)], default=0)
    texts += [""] * (width - len(texts))
    readings: list[ColumnReading] = []
    id_columns: set[int] = set()
    for column, text in enumerate(texts, start=1):
        scores, reasons = score_header(text) if text else ({}, [])
        values = [cell_text(cells[column - 1]) for cells in data if column <= len(cells)]
        filled = [value for value in values if value is not None]
        if _validates_answers(facts, column, header_row):
            scores[Role.ANVENDELSE] = scores.get(Role.ANVENDELSE, 0.0) + _VALIDATION_SCORE
            reasons.append(Reason(Evidence.VALIDATION, Role.ANVENDELSE))
        answers = [value for value in filled if _is_answer(value)]
        if answers and len(answers) * 2 >= len(filled):
            scores[Role.ANVENDELSE] = scores.get(Role.ANVENDELSE, 0.0) + _ANSWER_VALUES_SCORE
            reasons.append(Reason(Evidence.ANSWER_VALUES, Role.ANVENDELSE, str(len(answers))))
        ids = sum(bool(_ID_VALUE.match(value.casefold())) for value in filled)
        if filled and ids * 5 >= len(filled) * 4:
            id_columns.add(column)
            reasons.append(Reason(Evidence.IDS, Role.SYSTEM))
        if column in facts.hidden_columns:
            reasons.append(Reason(Evidence.HIDDEN))
        role, score = _best_role(scores)
        if role is Role.SYSTEM and column in id_columns:
            role, score = None, 0.0
        readings.append(ColumnReading(column, text, role, score, tuple(reasons)))
    return _assign(header_row, readings, facts.hidden_columns)


def _assign(
    header_row: int, readings: Sequence[ColumnReading], hidden: frozenset[int]
) -> HeaderReading:
    candidates: dict[Role, list[ColumnReading]] = {}
    for reading in readings:
        if reading.role is not None:
            candidates.setdefault(reading.role, []).append(reading)
    roles: dict[Role, int] = {}
    doubts: list[tuple[Doubt, Role]] = []
    for role, found in candidates.items():
        # Highest score first; a hidden column only when nothing visible fits (for the system).
        ranked = sorted(
            found,
            key=lambda r: (role is Role.SYSTEM and r.column in hidden, -r.score, r.column),
        )
        roles[role] = ranked[0].column
        close = [r for r in ranked[1:] if ranked[0].score - r.score < _CLOSE]
        if close and role in (Role.SYSTEM, Role.ANVENDELSE, Role.LEVERANDOER):
            doubts.append((Doubt.TWO_CANDIDATES, role))
        if role in (Role.SYSTEM, Role.ANVENDELSE) and ranked[0].score < _SURE_SCORE:
            doubts.append((Doubt.LOW_SCORE, role))
    if Role.ANVENDELSE not in roles:
        doubts.append((Doubt.NO_ANSWER_COLUMN, Role.ANVENDELSE))
    chosen = {column: role for role, column in roles.items()}
    final = tuple(
        ColumnReading(
            r.column,
            r.header,
            chosen.get(r.column),
            r.score,
            r.reasons
            + (
                ()
                if chosen.get(r.column) == r.role
                else (Reason(Evidence.OTHER_FITS_BETTER, r.role),)
            ),
        )
        if r.role is not None
        else r
        for r in readings
    )
    return HeaderReading(
        row=header_row,
        roles=roles,
        columns=final,
        doubts=tuple(doubts),
        candidates={role: tuple(r.column for r in found) for role, found in candidates.items()},
    )


def _is_answer(text: str) -> bool:
    # Most cells are names or descriptions: only short ones can be one of the answers.
    return len(text) <= _LONGEST_ANSWER + 4 and normalise(text) in _ANSWER_VALUES


def _validates_answers(facts: SheetFacts, column: int, header_row: int) -> bool:
    return any(
        column in validation.columns
        and validation.max_row > header_row
        and sum(options_named(option) for option in validation.options) >= 2
        for validation in facts.validations
    )
