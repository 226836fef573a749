from __future__ import annotations

import io
import zipfile

import pytest

from dialogs import texts
from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind
from storage.bilag1.layout import Bilag1Tilfoejet, Forside
from storage.bilag1.reader import read_bilag1
from storage.catalogue.reference import REFERENCE_BILAG1_IS_EXAMPLE, load_reference_bilag1
from storage.domain.model import Anvendelse
from tests.support.bilag1_workbooks import (
    build,
    compound_file,
    filled_reference,
    one_sheet_layout,
    reference_bytes,
    replace_member,
    varied_sheet_layout,
    zip_bytes,
)


def test_reference_workbook_gives_every_fagomraade_and_system_in_order() -> None:
    bilag1 = read_bilag1(reference_bytes(), filename="reference-bilag1.xlsx")

    assert len(bilag1.fagomraader) == 14
    assert sum(len(area.systemer) for area in bilag1.fagomraader) == 55
    first, *_, last = bilag1.fagomraader
    assert (first.navn, first.sheet) == ("Sags- og dokumenthåndtering (ESDH)", "3 ESDH")
    assert (last.navn, last.sheet) == ("Kultur og bibliotek", "16 Kultur og bibliotek")
    workzone = first.systemer[0]
    assert (workzone.navn, workzone.leverandoer, workzone.beskrivelse, workzone.row) == (
        "WorkZone",
        "KMD",
        "ESDH-system",
        5,
    )
    assert all(system.anvendelse is None for area in bilag1.fagomraader for system in area.systemer)


def test_reference_workbook_keeps_a_system_per_fagomraade_and_empty_vendors() -> None:
    bilag1 = read_bilag1(reference_bytes(), filename="reference-bilag1.xlsx")
    areas_with = {
        name: [area.navn for area in bilag1.fagomraader if name in [s.navn for s in area.systemer]]
        for name in ("Aula", "Nexus", "Cura")
    }
    assert areas_with["Aula"] == ["Skole", "Dagtilbud"]
    assert len(areas_with["Nexus"]) == 2
    tandpleje = next(area for area in bilag1.fagomraader if area.navn == "Tandpleje")
    assert tandpleje.systemer[0].navn == "TK2"
    assert tandpleje.systemer[0].leverandoer is None


def test_reference_workbook_locates_front_page_and_added_systems_table() -> None:
    bilag1 = read_bilag1(reference_bytes(), filename="reference-bilag1.xlsx")
    assert bilag1.forside == Forside()
    assert bilag1.forside_cells is not None
    assert bilag1.forside_cells.sheet == "2 Kommune"
    assert bilag1.forside_cells.navn == (3, 2)
    assert bilag1.forside_cells.dato == (6, 2)
    assert bilag1.tilfoejet_table is not None
    assert (bilag1.tilfoejet_table.sheet, bilag1.tilfoejet_table.header_row) == (
        "17 Tilføjede systemer",
        3,
    )
    assert bilag1.tilfoejede == ()


def test_bundled_catalogue_is_the_reference_workbook_and_says_it_is_an_example() -> None:
    assert load_reference_bilag1() == reference_bytes()
    assert REFERENCE_BILAG1_IS_EXAMPLE is True


def test_filled_workbook_is_read_with_answers_remarks_added_systems_and_front_page() -> None:
    bilag1 = read_bilag1(filled_reference(), filename="udfyldt.xlsx")
    esdh = bilag1.fagomraader[0]
    assert [(s.navn, s.anvendelse, s.bemaerkning) for s in esdh.systemer[:4]] == [
        ("WorkZone", Anvendelse.ANVENDER, "Hovedsystem"),
        ("Acadre", Anvendelse.ANVENDER_IKKE, None),
        ("SBSYS", Anvendelse.SEKUNDAER, None),
        ("eDoc", None, None),
    ]
    assert bilag1.forside.navn == "Aarhus Kommune"
    assert bilag1.forside.dato == "2023-08-31"
    assert bilag1.tilfoejede == (
        Bilag1Tilfoejet(
            fagomraade="Skole",
            navn="Itslearning",
            leverandoer="Itslearning",
            svarer_til="MinUddannelse",
            anvendelse=Anvendelse.ANVENDER,
            bemaerkning=None,
            row=4,
        ),
    )


def test_one_sheet_layout_with_merged_fagomraade_cells_is_read() -> None:
    bilag1 = read_bilag1(one_sheet_layout(), filename="alle.xlsx")

    assert [(area.navn, [s.navn for s in area.systemer]) for area in bilag1.fagomraader] == [
        ("ESDH", ["SBSYS", "WorkZone"]),
        ("Økonomi", ["Prisme", "KMD Opus Økonomi"]),
        ("Skole", ["Aula"]),
    ]
    esdh, okonomi, skole = bilag1.fagomraader
    assert [s.anvendelse for s in esdh.systemer] == [Anvendelse.ANVENDER, Anvendelse.ANVENDER_IKKE]
    assert esdh.systemer[1].bemaerkning == "Udfaset 2022"
    assert okonomi.systemer[0].anvendelse is Anvendelse.SEKUNDAER
    assert skole.systemer[0].leverandoer == "KOMBIT"
    assert bilag1.forside_cells is not None and bilag1.forside_cells.sheet == "Forside"
    assert bilag1.tilfoejet_table is not None and bilag1.tilfoejet_table.sheet == "Tilføjede"


def test_varied_headers_merged_titles_and_blank_rows_are_read() -> None:
    bilag1 = read_bilag1(varied_sheet_layout(), filename="varieret.xlsx")

    esdh, skole = bilag1.fagomraader
    assert esdh.navn == "Sager og dokumenter"
    assert [(s.navn, s.leverandoer, s.anvendelse, s.bemaerkning, s.row) for s in esdh.systemer] == [
        ("Acadre", "Formpipe", None, None, 7),
        ("eDoc", "Fujitsu", Anvendelse.ANVENDER_IKKE, None, 10),
        ("Captia", None, Anvendelse.SEKUNDAER, "gammel", 12),
    ]
    assert (skole.navn, [s.navn for s in skole.systemer]) == ("Skole", ["Aula"])


def refusal(data: bytes, filename: str = "bilag.xlsx", **limits: int) -> tuple[Bilag1Error, str]:
    with pytest.raises(Bilag1Error) as caught:
        read_bilag1(data, filename=filename, **limits)
    return caught.value, texts.bilag1_error(caught.value)


def test_a_legacy_xls_file_is_told_to_be_saved_as_xlsx() -> None:
    err, message = refusal(compound_file(["Workbook", "SummaryInformation"]), "gammel.xls")
    assert err.kind is Bilag1ErrorKind.LEGACY_XLS
    assert message == (
        'Filen "gammel.xls" er en gammel Excel-fil (.xls). Gem den som .xlsx og prøv igen.'
    )


def test_a_password_protected_workbook_is_recognised_as_such() -> None:
    err, message = refusal(compound_file(["EncryptionInfo", "EncryptedPackage"]), "hemmelig.xlsx")
    assert err.kind is Bilag1ErrorKind.ENCRYPTED
    assert message.startswith('Filen "hemmelig.xlsx" er beskyttet med adgangskode.')


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Leverandor;It-system;Anvendelse\nKMD;WorkZone;Anvender\n",
        zip_bytes({"word/document.xml": b"<w:document/>"}),
        zip_bytes({"[Content_Types].xml": b"<Types/>"}),
    ],
    ids=["empty", "csv", "zip-without-content-types", "zip-without-workbook"],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused_by_name(data: bytes) -> None:
    err, message = refusal(data, "liste.xlsx")
    assert err.kind is Bilag1ErrorKind.NOT_XLSX
    assert message.startswith('Filen "liste.xlsx" er ikke en Excel-fil (.xlsx)')


def test_xml_entity_expansion_is_refused_not_expanded() -> None:
    workbook = build([("ESDH", [["It-system", "Anvendelse"], ["SBSYS", "Anvender"]])])
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    doctype = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    bomb = sheet_xml.replace("<worksheet", doctype + "<worksheet", 1).replace("SBSYS", "&b;")
    err, _ = refusal(replace_member(workbook, "xl/worksheets/sheet1.xml", bomb.encode()))
    assert err.kind is Bilag1ErrorKind.NOT_XLSX


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed() -> None:
    err, message = refusal(reference_bytes(), max_bytes=20_000)
    assert (err.kind, err.limit) == (Bilag1ErrorKind.TOO_LARGE, 20_000)
    assert message.startswith('Filen "bilag.xlsx" er for stor')


def test_a_small_file_that_unpacks_to_a_huge_one_is_refused() -> None:
    xlsx = build([("ESDH", [["It-system", "Anvendelse"]])])
    padded = replace_member(xlsx, "docProps/padding.xml", b" " * 5_000_000)
    assert len(padded) < 100_000
    err, _ = refusal(padded, max_bytes=100_000)
    assert err.kind is Bilag1ErrorKind.TOO_LARGE


def test_a_sheet_with_an_absurd_number_of_rows_is_refused_naming_it() -> None:
    rows: list[list[object]] = [["It-system", "Anvendelse"]]
    rows += ([f"System {n}", None] for n in range(60))
    err, message = refusal(build([("Alt", rows)]), max_rows=50)
    assert (err.kind, err.sheet, err.limit) == (Bilag1ErrorKind.TOO_MANY_ROWS, "Alt", 50)
    assert message == (
        'Filen "bilag.xlsx", arket "Alt" har over 50 udfyldte rækker. Det er for mange til Bilag 1.'
    )


def test_a_workbook_without_a_system_table_has_no_fagomraade() -> None:
    err, message = refusal(build([("Ark1", [["Indkøbsliste"], ["Mælk", "Brød"]])]), "ark.xlsx")
    assert err.kind is Bilag1ErrorKind.NO_FAGOMRAADE
    assert message.startswith('Filen "ark.xlsx" har ingen fagområder med it-systemer.')


def test_a_table_without_a_system_column_names_sheet_and_header_row() -> None:
    data = build([("3 ESDH", [["Fagområde: ESDH"], [], ["Leverandør", "Anvendelse"]])])
    err, message = refusal(data)
    assert err.kind is Bilag1ErrorKind.NO_SYSTEM_COLUMN
    assert message.startswith('Filen "bilag.xlsx", arket "3 ESDH", række 3: tabellen har ingen')


def test_duplicate_system_names_within_an_area_name_the_second_row() -> None:
    rows: list[list[object]] = [["It-system", "Anvendelse"], ["SBSYS", None], ["WorkZone", None]]
    rows.append(["SBSYS ", None])
    err, message = refusal(build([("ESDH", rows)]))
    assert err.kind is Bilag1ErrorKind.DUPLICATE_SYSTEM
    assert message == (
        'Filen "bilag.xlsx", arket "ESDH", række 4: "SBSYS" står to gange under fagområdet '
        '"ESDH". Slet eller omdøb det ene.'
    )


def test_an_answer_that_is_none_of_the_three_names_sheet_row_and_text() -> None:
    rows = [["It-system", "Anvendelse"], ["SBSYS", "Anvender"], ["WorkZone", "måske"]]
    err, message = refusal(build([("3 ESDH", rows)]))
    assert err.kind is Bilag1ErrorKind.INVALID_ANSWER
    assert message == (
        'Filen "bilag.xlsx", arket "3 ESDH", række 3: "måske" er ikke et gyldigt svar. '
        "Brug Anvender, Anvender ikke eller Sekundær anvendelse."
    )
