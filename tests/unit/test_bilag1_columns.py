"""Columns recognised by meaning: header words, drop-downs, values, hidden and id columns."""

from __future__ import annotations

import pytest

from storage.bilag1.columns import (
    Doubt,
    Evidence,
    ListValidation,
    Reason,
    Role,
    SheetFacts,
    find_header_row,
    read_header,
)

ANSWERS = ("Anvender", "Anvender ikke", "Sekundær anvendelse")


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Bruger kommunen systemet? (anvender, anvender ikke eller sekundær)", Role.ANVENDELSE),
        ("Anvender / Anvender ikke / Sekundær", Role.ANVENDELSE),
        ("Kommunens svar", Role.ANVENDELSE),
        ("Systemets navn i kommunen", Role.SYSTEM),
        ("Navn på it-system", Role.SYSTEM),
        ("Producent", Role.LEVERANDOER),
        ("Leverandørens navn", Role.LEVERANDOER),
        ("Bemærkninger til anvendelsen", Role.BEMAERKNING),
        ("Formål", Role.BESKRIVELSE),
        ("Systembeskrivelse", Role.BESKRIVELSE),
        ("Fagområde", Role.FAGOMRAADE),
        ("Svarer til (system på listen)", Role.SVARER_TIL),
        ("Systemejer", None),
        ("Nr.", None),
        ("Intern note", None),
    ],
)
def test_a_header_is_recognised_by_its_words(header: str, role: Role | None) -> None:
    assert read_header([(header,)], SheetFacts(), 1).columns[0].role is role


def test_a_question_header_naming_the_options_is_the_answer_column() -> None:
    header = ("It-system", "Leverandør", "Bruger kommunen systemet? (anvender eller sekundær)")
    reading = read_header([header, ("Aula", "Netcompany", None)], SheetFacts(), 1)
    assert reading.roles == {Role.SYSTEM: 1, Role.LEVERANDOER: 2, Role.ANVENDELSE: 3}
    assert Reason(Evidence.OPTIONS_NAMED, Role.ANVENDELSE) in reading.columns[2].reasons
    assert reading.doubts == ()


def test_a_drop_down_with_the_three_answers_makes_a_silent_header_the_answer_column() -> None:
    rows = [("System", "Leverandør", "Status"), ("Aula", "Netcompany", None)]
    facts = SheetFacts(validations=(ListValidation(frozenset({3}), 2, 50, ANSWERS),))
    reading = read_header(rows, facts, 1)
    assert reading.roles[Role.ANVENDELSE] == 3
    assert Reason(Evidence.VALIDATION, Role.ANVENDELSE) in reading.columns[2].reasons


def test_cells_holding_answers_make_a_column_the_answer_column() -> None:
    rows = [("System", "Leverandør", "Kolonne C"), ("Aula", "X", "Anvender"), ("Nexus", "Y", None)]
    assert read_header(rows, SheetFacts(), 1).roles[Role.ANVENDELSE] == 3


def test_a_column_of_numbers_is_never_the_system_column() -> None:
    rows = [("Navn", "Kode", "Anvendelse"), (1, "Aula", None), (2, "Nexus", None)]
    reading = read_header(rows, SheetFacts(), 1)
    assert Role.SYSTEM not in reading.roles or reading.roles[Role.SYSTEM] != 1


def test_a_hidden_column_is_not_the_system_column_when_a_visible_one_fits() -> None:
    rows = [("Systemnavn", "System", "Anvendelse"), ("gammel", "Aula", None)]
    reading = read_header(rows, SheetFacts(hidden_columns=frozenset({1})), 1)
    assert reading.roles[Role.SYSTEM] == 2


def test_two_equally_good_system_columns_are_a_doubt() -> None:
    reading = read_header([("It-system", "System", "Anvendelse")], SheetFacts(), 1)
    assert (Doubt.TWO_CANDIDATES, Role.SYSTEM) in reading.doubts


def test_a_table_without_an_answer_column_is_a_doubt_not_a_refusal() -> None:
    reading = read_header([("It-system", "Leverandør", "Pris")], SheetFacts(), 1)
    assert (Doubt.NO_ANSWER_COLUMN, Role.ANVENDELSE) in reading.doubts


def test_a_two_row_header_under_a_merged_group_heading_is_read() -> None:
    rows = [
        ("It-system", "Leverandør", "Kommunens svar", None),
        (None, None, "Anvendelse", "Bemærkning"),
        ("Aula", "Netcompany", None, None),
    ]
    facts = SheetFacts(merged=((1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 4)))
    assert find_header_row(rows, facts) == 2
    assert read_header(rows, facts, 2).roles == {
        Role.SYSTEM: 1,
        Role.LEVERANDOER: 2,
        Role.ANVENDELSE: 3,
        Role.BEMAERKNING: 4,
    }
