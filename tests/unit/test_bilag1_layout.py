from __future__ import annotations

import pytest

from dialogs import texts
from storage.bilag1.columns import Role, SheetFacts, find_header_row, read_header
from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind
from storage.bilag1.layout import (
    Bilag1,
    Bilag1Tilfoejet,
    Forside,
    SheetContent,
    parse_bilag1,
)
from storage.bilag1.rows import fagomraade_name
from storage.domain.model import Anvendelse
from tests.support.bilag1_rows import HEADER, area_sheet, sheet


def recognise_header(cells: list[object]) -> dict[Role, int]:
    return dict(read_header([cells], SheetFacts(), 1).roles)


def parse(*sheets: SheetContent) -> Bilag1:
    return parse_bilag1(sheets, filename="bilag.xlsx")


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            HEADER,
            {"leverandoer": 1, "system": 2, "beskrivelse": 3, "anvendelse": 4, "bemaerkning": 5},
        ),
        (
            ["IT-system navn", "Leverandor", "Svar"],
            {"system": 1, "leverandoer": 2, "anvendelse": 3},
        ),
        (
            ["  SYSTEM ", "Kommentar", "Anvendelse (vælg)"],
            {"system": 1, "bemaerkning": 2, "anvendelse": 3},
        ),
        (
            ["Fagomrade", "It-system", "Svarer til (system på listen)", "Svar"],
            {"fagomraade": 1, "system": 2, "svarer_til": 3, "anvendelse": 4},
        ),
        ([None, "Intern note", "it system", 7, "svar"], {"system": 3, "anvendelse": 5}),
    ],
)
def test_header_wordings_orders_and_extra_columns_are_recognised(
    cells: list[object], expected: dict[str, int]
) -> None:
    assert recognise_header(cells) == {Role(role): column for role, column in expected.items()}


def test_header_row_is_found_by_its_names_not_its_position() -> None:
    rows = [("Fagområde: ESDH",), (), ("Vælg ét svar pr. system",), (), (), HEADER]
    assert find_header_row(rows, SheetFacts()) == 6


def test_a_single_known_word_is_not_a_header() -> None:
    assert find_header_row([("System",), ("Svar på spørgsmålet",)], SheetFacts()) is None


@pytest.mark.parametrize(
    ("sheet_name", "title", "expected"),
    [
        (
            "3 ESDH",
            "Fagområde: Sags- og dokumenthåndtering (ESDH)",
            "Sags- og dokumenthåndtering (ESDH)",
        ),
        ("4", "FAGOMRAADE - Økonomi", "Økonomi"),
        ("3 ESDH", "Kortlægning af it-systemer", "ESDH"),
        ("03. Skole", None, "Skole"),
        ("12 - Dagtilbud", None, "Dagtilbud"),
        ("Tandpleje", None, "Tandpleje"),
        ("2024", None, "2024"),
    ],
)
def test_fagomraade_is_named_by_its_title_cell_or_else_its_sheet(
    sheet_name: str, title: str | None, expected: str
) -> None:
    assert fagomraade_name(sheet_name, [(None, title)]) == expected


def test_blank_decoration_and_repeated_header_rows_are_skipped() -> None:
    bilag1 = parse(
        area_sheet(
            "ESDH",
            ["KMD", "WorkZone", "ESDH-system", None, None],
            [],
            [None, None, None, None, None],
            ["Øvrige systemer (udfyldes ikke)"],
            HEADER,
            [None, "  Acadre  ", None, None, None],
        )
    )
    [esdh] = bilag1.fagomraader
    assert [(system.navn, system.row) for system in esdh.systemer] == [
        ("WorkZone", 5),
        ("Acadre", 10),
    ]
    assert esdh.systemer[0].leverandoer == "KMD"
    assert esdh.systemer[1].leverandoer is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Anvender", Anvendelse.ANVENDER),
        ("ja", Anvendelse.ANVENDER),
        (1, Anvendelse.ANVENDER),
        ("ANVENDER IKKE", Anvendelse.ANVENDER_IKKE),
        ("Sekundær", Anvendelse.SEKUNDAER),
        (3.0, Anvendelse.SEKUNDAER),
        (None, None),
        ("  ", None),
        ("Vælg", None),
        ("-", None),
    ],
)
def test_answers_are_read_loosely_and_placeholders_mean_no_answer(
    cell: object, expected: Anvendelse | None
) -> None:
    bilag1 = parse(area_sheet("ESDH", ["KMD", "WorkZone", None, cell, None]))
    assert bilag1.fagomraader[0].systemer[0].anvendelse is expected


def test_an_answer_outside_the_three_names_its_sheet_row_and_text() -> None:
    with pytest.raises(Bilag1Error) as caught:
        parse(
            area_sheet(
                "3 ESDH",
                ["KMD", "WorkZone", None, "Anvender", None],
                [None, "F2", None, "måske", None],
            )
        )
    assert (caught.value.kind, caught.value.sheet, caught.value.row) == (
        Bilag1ErrorKind.INVALID_ANSWER,
        "3 ESDH",
        6,
    )
    assert texts.bilag1_error(caught.value) == (
        'Filen "bilag.xlsx", arket "3 ESDH", række 6: "måske" er ikke et gyldigt svar. '
        "Brug Anvender, Anvender ikke eller Sekundær anvendelse."
    )


def test_the_same_system_twice_in_one_area_is_refused_even_spelled_differently() -> None:
    with pytest.raises(Bilag1Error) as caught:
        parse(area_sheet("ESDH", [None, "WorkZone"], [None, "Acadre"], [None, "workzone "]))
    assert caught.value.kind is Bilag1ErrorKind.DUPLICATE_SYSTEM
    assert (caught.value.row, caught.value.value, caught.value.fagomraade) == (
        7,
        "workzone",
        "ESDH",
    )


def test_the_same_system_in_two_areas_is_two_systems() -> None:
    bilag1 = parse(area_sheet("Skole", [None, "Aula"]), area_sheet("Dagtilbud", [None, "Aula"]))
    assert [area.systemer[0].navn for area in bilag1.fagomraader] == ["Aula", "Aula"]


def test_a_table_without_a_system_column_names_its_header_row() -> None:
    with pytest.raises(Bilag1Error) as caught:
        parse(sheet("ESDH", ["Fagområde: ESDH"], ["Leverandør", "Anvendelse"], ["KMD", "Anvender"]))
    assert (caught.value.kind, caught.value.sheet, caught.value.row) == (
        Bilag1ErrorKind.NO_SYSTEM_COLUMN,
        "ESDH",
        2,
    )


def test_one_sheet_with_a_fagomraade_column_gives_areas_in_order_of_appearance() -> None:
    bilag1 = parse(
        sheet(
            "Alle systemer",
            ["Fagområde", "System", "Svar"],
            ["ESDH", "SBSYS", "ja"],
            [None, "WorkZone", None],  # a merged or omitted fagområde cell continues the one above
            ["Skole", "Aula", "nej"],
            ["esdh", "Acadre", None],
        )
    )
    assert [(area.navn, [s.navn for s in area.systemer]) for area in bilag1.fagomraader] == [
        ("ESDH", ["SBSYS", "WorkZone", "Acadre"]),
        ("Skole", ["Aula"]),
    ]


def test_a_fagomraade_written_once_as_a_heading_row_covers_the_rows_below() -> None:
    bilag1 = parse(
        sheet(
            "Alle systemer",
            ["Fagområde", "System", "Svar"],
            ["ESDH"],
            [None, "SBSYS", None],
            [None, "System", None],  # a system may be called "System"; only a header row repeats
        )
    )
    assert [(a.navn, [s.navn for s in a.systemer]) for a in bilag1.fagomraader] == [
        ("ESDH", ["SBSYS", "System"])
    ]


def test_a_system_before_any_fagomraade_in_the_one_sheet_layout_is_refused() -> None:
    with pytest.raises(Bilag1Error) as caught:
        parse(sheet("Alle", ["Fagområde", "System", "Svar"], [None, "SBSYS", None]))
    assert (caught.value.kind, caught.value.sheet, caught.value.row) == (
        Bilag1ErrorKind.MISSING_FAGOMRAADE,
        "Alle",
        2,
    )


def test_hidden_sheets_instructions_and_front_page_are_not_fagomraader() -> None:
    bilag1 = parse(
        sheet("LÆS MIG", ["Vælg for hvert it-system Anvender, Anvender ikke eller Sekundær."]),
        sheet("Kommune", ["Kommune", "Aarhus Kommune"], ["E-mail", "it@aarhus.dk"]),
        area_sheet("ESDH", [None, "SBSYS"]),
        sheet("Lister", ["It-system", "Anvendelse"], ["Skjult", "Anvender"], hidden=True),
    )
    assert [area.navn for area in bilag1.fagomraader] == ["ESDH"]
    assert bilag1.forside == Forside(navn="Aarhus Kommune", email="it@aarhus.dk")


def test_a_workbook_without_any_system_table_has_no_fagomraade() -> None:
    with pytest.raises(Bilag1Error) as caught:
        parse(sheet("Ark1", ["Hej"]), sheet("Lister", HEADER, hidden=True))
    assert caught.value.kind is Bilag1ErrorKind.NO_FAGOMRAADE


def test_added_systems_sheet_is_recognised_by_its_svarer_til_column() -> None:
    bilag1 = parse(
        area_sheet("ESDH", [None, "SBSYS"]),
        sheet(
            "Ekstra",
            ["Fagområde", "Leverandør", "It-system", "Svarer til", "Anvendelse", "Bemærkning"],
            ["ESDH", "Netcompany", "GetOrganized", "SBSYS", "delvis", "=pilot"],
            [None, None, None, None, None, None],
        ),
    )
    assert bilag1.tilfoejede == (
        Bilag1Tilfoejet(
            "ESDH", "GetOrganized", "Netcompany", "SBSYS", Anvendelse.SEKUNDAER, "=pilot", row=2
        ),
    )
    assert bilag1.tilfoejet_table is not None and bilag1.tilfoejet_table.header_row == 1
