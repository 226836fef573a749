from __future__ import annotations

import pytest

from dialogs import texts
from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind, MissingAnswers

# The kinds that point into a sheet, and so must name the sheet and the row.
_IN_A_ROW = {
    Bilag1ErrorKind.NO_SYSTEM_COLUMN,
    Bilag1ErrorKind.NO_ANSWER_COLUMN,
    Bilag1ErrorKind.MISSING_FAGOMRAADE,
    Bilag1ErrorKind.DUPLICATE_SYSTEM,
    Bilag1ErrorKind.INVALID_ANSWER,
}


@pytest.mark.parametrize("kind", list(Bilag1ErrorKind))
def test_every_error_kind_has_a_danish_message_naming_the_file(kind: Bilag1ErrorKind) -> None:
    in_a_row = kind in _IN_A_ROW
    err = Bilag1Error(
        kind,
        filename="bilag.xlsx",
        sheet="3 ESDH" if in_a_row or kind is Bilag1ErrorKind.TOO_MANY_ROWS else None,
        row=7 if in_a_row else None,
        value="måske",
        fagomraade="ESDH",
        limit=10 * 1024 * 1024,
    )
    message = texts.bilag1_error(err)
    assert '"bilag.xlsx"' in message
    if in_a_row:
        assert message.startswith('Filen "bilag.xlsx", arket "3 ESDH", række 7: ')


def test_size_and_row_limits_are_written_the_danish_way() -> None:
    too_large = Bilag1Error(Bilag1ErrorKind.TOO_LARGE, filename="x.xlsx", limit=10 * 1024 * 1024)
    too_long = Bilag1Error(
        Bilag1ErrorKind.TOO_MANY_ROWS, filename="x.xlsx", sheet="Ark1", limit=20_000
    )
    assert "(over 10 MB)" in texts.bilag1_error(too_large)
    assert texts.bilag1_error(too_long) == (
        'Filen "x.xlsx", arket "Ark1" har over 20.000 udfyldte rækker. '
        "Det er for mange til Bilag 1."
    )


def test_a_long_list_of_missing_answers_is_cut_short() -> None:
    missing = tuple(("ESDH", f"System {n}") for n in range(25))
    lines = texts.missing_answers(MissingAnswers(missing)).splitlines()
    assert lines[0] == "Bilag 1 kan ikke gøres færdigt: 25 it-systemer mangler svar."
    assert lines[1] == "• ESDH: System 0"
    assert lines[-1] == "… og 5 til."
    assert len(lines) == 22
