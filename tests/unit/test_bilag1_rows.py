"""Which rows of a Bilag 1 table are systems, headings, hints or placeholders."""

from __future__ import annotations

import pytest

from storage.bilag1.layout import SheetContent, parse_bilag1
from storage.bilag1.rows import is_hint, is_placeholder, sheet_area_name


@pytest.mark.parametrize("text", [None, "", "Vælg…", "vælg svar", "(vælg i listen)", "-", "…"])
def test_an_answer_cell_that_only_invites_a_choice_is_unanswered(text: str | None) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("(skriv systemets navn)", True),
        ("Skriv systemets navn", True),
        ("NB: listen er ikke udtømmende", True),
        ("* se vejledningen", True),
        ("NBI", False),
        ("Obsidian", False),
        ("Aula", False),
    ],
)
def test_a_hint_is_told_from_a_system_name(text: str, hint: bool) -> None:
    assert is_hint(text) is hint


@pytest.mark.parametrize(
    ("sheet", "navn"),
    [
        ("ØKONOMI", "Økonomi"),
        ("SKOLE OG DAGTILBUD", "Skole og dagtilbud"),
        ("SUNDHED (SUN)", "Sundhed (SUN)"),
        ("ESDH", "ESDH"),
        ("3. Løn og personale", "Løn og personale"),
    ],
)
def test_a_sheet_name_names_its_fagomraade_without_number_or_shouting(
    sheet: str, navn: str
) -> None:
    assert sheet_area_name(sheet) == navn


def _areas(*rows: list[object]) -> list[tuple[str, list[str]]]:
    sheet = SheetContent("Alle", False, [list(row) for row in rows])
    bilag1 = parse_bilag1([sheet], filename="x.xlsx")
    return [(area.navn, [s.navn for s in area.systemer]) for area in bilag1.fagomraader]


def test_names_alone_on_their_rows_head_sections_when_fuller_rows_follow_each() -> None:
    assert _areas(
        ["It-system", "Leverandør", "Anvendelse"],
        ["Økonomi"],
        ["Prisme", "Fujitsu", None],
        ["Skole"],
        ["Aula", "Netcompany", "Anvender"],
    ) == [("Økonomi", ["Prisme"]), ("Skole", ["Aula"])]


def test_names_alone_on_their_rows_are_systems_in_a_plain_list() -> None:
    assert _areas(
        ["It-system", "Leverandør", "Anvendelse"],
        ["Prisme", "Fujitsu", None],
        ["Indfak"],
        ["Aula", "Netcompany", "Anvender"],
    ) == [("Alle", ["Prisme", "Indfak", "Aula"])]
