from __future__ import annotations

import pytest

from storage.domain.kitos import KitosPerson, Livscyklus
from storage.suggestions.kitos_layout import (
    Column,
    KitosExportError,
    KitosExportErrorKind,
    Sheet,
    parse_kitos_export,
    score_title,
)


@pytest.mark.parametrize(
    ("title", "column", "score"),
    [
        ("IT System", Column.SYSTEM, 1.0),
        ("It-system", Column.SYSTEM, 1.0),
        ("Systemnavn", Column.SYSTEM, 1.0),
        ("IT-System (UUID)", Column.SYSTEM, 0.0),
        ("IT-System (Externt UUID)", Column.SYSTEM, 0.0),
        ("IT-System (Beskrivelse)", Column.SYSTEM, 0.0),
        ("Tidligere systemnavn", Column.SYSTEM, 0.0),
        ("Overordnet IT System", Column.SYSTEM, 0.0),
        ("KLE navn", Column.SYSTEM, 0.0),
        ("Systemejer", Column.SYSTEM, 0.0),
        ("Lokal kaldenavn", Column.LOKALT_NAVN, 1.0),
        ("Lokal System ID", Column.LOKALT_NAVN, 0.0),
        ("Lokal System ID", Column.LOKALT_ID, 1.0),
        ("Livscyklus", Column.LIVSCYKLUS, 1.0),
        ("Status (Livscyklus)", Column.LIVSCYKLUS, 0.0),
        ("Leverandør", Column.LEVERANDOER, 1.0),
        ("Rettighedshaver", Column.RETTIGHEDSHAVER, 1.0),
        ("Ansv. organisationsenhed", Column.ANSVARLIG_ENHED, 1.0),
        ("Relevante organisationsenheder", Column.ANSVARLIG_ENHED, 0.0),
        ("Systemejer", Column.SYSTEMEJER, 1.0),
        ("Systemejer Email#", Column.SYSTEMEJER, 0.0),
        ("Systemejer Email#", Column.SYSTEMEJER_EMAIL, 1.0),
        ("Systemansvarlig", Column.SYSTEMEJER, 0.0),
        ("Nuværende systemejer", Column.SYSTEMEJER, 0.5),
        (None, Column.SYSTEM, 0.0),
        (42, Column.SYSTEM, 0.0),
    ],
)
def test_a_title_means_a_column_by_its_words(title: object, column: Column, score: float) -> None:
    assert score_title(title, column) == score


def test_the_table_is_found_below_a_title_and_among_other_columns() -> None:
    rows = [
        ("IT Systemer i Aarhus Kommune",),
        (),
        (
            "Status",
            "IT-System (UUID)",
            "IT System",
            "Livscyklus",
            "Systemejer",
            "Systemejer Email#",
        ),
        ("Aktivt", "f1", "SBSYS", "I drift", "Anne Holm, Bo Ravn", "ah@k.dk, br@k.dk"),
        ("Aktivt", "f2", None, "I drift", None, None),
        ("Ikke aktivt", "f3", "Captia", "Ikke i drift", "Bo Ravn", None),
    ]

    export = parse_kitos_export([Sheet("Ark1", False, rows)], filename="x.xlsx")

    assert export.header_row == 3
    assert [(s.navn, s.livscyklus) for s in export.systemer] == [
        ("SBSYS", Livscyklus.OPERATIONAL),
        ("Captia", Livscyklus.NOT_IN_USE),
    ]
    assert export.systemer[0].systemejere == (
        KitosPerson("Anne Holm", "ah@k.dk"),
        KitosPerson("Bo Ravn", "br@k.dk"),
    )
    assert export.systemer[1].systemejere == (KitosPerson("Bo Ravn"),)
    assert Column.LEVERANDOER not in export.columns


def test_a_hidden_sheet_is_not_read() -> None:
    sheet = Sheet("Skjult", True, [("IT System",), ("SBSYS",)])

    with pytest.raises(KitosExportError) as raised:
        parse_kitos_export([sheet], filename="x.xlsx")

    assert raised.value.kind is KitosExportErrorKind.NO_HEADER


def test_titles_without_rows_are_no_systems() -> None:
    with pytest.raises(KitosExportError) as raised:
        parse_kitos_export([Sheet("Ark1", False, [("IT System", "Livscyklus")])], filename="x")

    assert raised.value.kind is KitosExportErrorKind.NO_SYSTEMS
