"""Why a Bilag 1 workbook (or the answers for one) could not be used, as structured data.

Stdlib and storage.domain only. The Danish wording lives in dialogs/texts.py, never here.
"""

from __future__ import annotations

from enum import StrEnum

from storage.domain.model import KortlaegningError


class Bilag1ErrorKind(StrEnum):
    """What is wrong. Each kind has one Danish message in texts.bilag1_error."""

    # The file itself (no sheet or row).
    TOO_LARGE = "too_large"  # limit = the byte limit
    LEGACY_XLS = "legacy_xls"
    ENCRYPTED = "encrypted"
    NOT_XLSX = "not_xlsx"
    NO_FAGOMRAADE = "no_fagomraade"
    # A sheet or a row of it.
    TOO_MANY_ROWS = "too_many_rows"  # sheet, limit
    TOO_FAR_DOWN = "too_far_down"  # sheet, limit = the last row a table may use
    TOO_WIDE = "too_wide"  # sheet, row, limit = the last column a table may use
    TOO_SLOW = "too_slow"  # sheet where reading ran out of time
    NO_SYSTEM_COLUMN = "no_system_column"  # sheet, row = the header row
    NO_ANSWER_COLUMN = "no_answer_column"  # sheet, row = the header row
    MISSING_FAGOMRAADE = "missing_fagomraade"  # sheet, row (one-sheet layout, no area yet)
    DUPLICATE_FAGOMRAADE = "duplicate_fagomraade"  # sheet, value = area name
    DUPLICATE_SYSTEM = "duplicate_system"  # sheet, row, fagomraade, value = system name
    TOO_LONG = "too_long"  # sheet, row, limit = the longest name the database holds
    INVALID_ANSWER = "invalid_answer"  # sheet, row, value = the text (sheet None: answers file)
    # Answers that do not fit the template.
    UNKNOWN_FAGOMRAADE = "unknown_fagomraade"  # value = area name
    UNKNOWN_SYSTEM = "unknown_system"  # fagomraade, value = system name
    NO_TILFOEJET_TABLE = "no_tilfoejet_table"
    # The answers file of `kortlaegning fill`.
    NOT_JSON = "not_json"
    BAD_JSON_SHAPE = "bad_json_shape"  # value = where in the JSON, e.g. fagomraader[2].navn


class Bilag1Error(KortlaegningError):
    """A workbook or answers file we cannot use. Carries where and what, never user text."""

    def __init__(
        self,
        kind: Bilag1ErrorKind,
        *,
        filename: str,
        sheet: str | None = None,
        row: int | None = None,
        value: str | None = None,
        fagomraade: str | None = None,
        limit: int | None = None,
    ) -> None:
        where = ", ".join(
            f"{name}={part!r}"
            for name, part in (("sheet", sheet), ("row", row), ("limit", limit))
            if part is not None
        )
        super().__init__(f"bilag1 {kind} in {filename!r}" + (f" ({where})" if where else ""))
        self.kind = kind
        self.filename = filename
        self.sheet = sheet
        self.row = row
        self.value = value
        self.fagomraade = fagomraade
        self.limit = limit


class MissingAnswers(KortlaegningError):
    """The final workbook was asked for while listed systems still lack an answer."""

    def __init__(self, missing: tuple[tuple[str, str], ...]) -> None:
        super().__init__(f"{len(missing)} systems have no anvendelse")
        # (fagomraade, system) in workbook order.
        self.missing = missing
