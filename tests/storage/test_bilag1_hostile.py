"""Hostile and oversized uploads: refused by sheet and row at once, or stored whole."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs import texts
from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind
from storage.bilag1.layout import MAX_NAME_CHARS
from storage.bilag1.reader import MAX_ROW_NUMBER, read_bilag1
from storage.coordination import CoordinationRepository
from storage.domain.model import CatalogueFagomraade, CatalogueSystem
from storage.models import ItSystemRow
from tests.support.bilag1_workbooks import build, replace_member, workbook_bytes

EXCEL_TEXT_LIMIT = 32_767
HEADER = ["It-system", "Leverandør", "Beskrivelse", "Anvendelse"]


def refusal(data: bytes) -> tuple[Bilag1Error, str]:
    with pytest.raises(Bilag1Error) as caught:
        read_bilag1(data, filename="ondsindet.xlsx")
    return caught.value, texts.bilag1_error(caught.value)


def one_cell(coordinate: str) -> bytes:
    workbook = Workbook()
    workbook.active.title = "ESDH"
    workbook.active.append(HEADER)
    workbook.active.append(["SBSYS", "SBSYS", None, None])
    workbook.active[coordinate] = "x"
    return workbook_bytes(workbook)


def test_one_cell_in_the_last_row_of_a_sheet_is_refused_naming_the_sheet() -> None:
    err, message = refusal(one_cell("A1048576"))
    assert (err.kind, err.sheet, err.limit) == (
        Bilag1ErrorKind.TOO_FAR_DOWN,
        "ESDH",
        MAX_ROW_NUMBER,
    )
    assert message.startswith('Filen "ondsindet.xlsx", arket "ESDH" har celler under række 40.000.')


def test_a_row_number_beyond_excels_limit_is_refused_too() -> None:
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>It-system</t></is></c></row>'
        b'<row r="5000000"><c r="A5000000" t="inlineStr"><is><t>x</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    err, _ = refusal(replace_member(one_cell("A3"), "xl/worksheets/sheet1.xml", sheet))
    assert err.kind is Bilag1ErrorKind.TOO_FAR_DOWN


def test_one_cell_in_the_last_column_is_refused_naming_sheet_and_row() -> None:
    err, message = refusal(one_cell("XFD2"))
    assert (err.kind, err.sheet, err.row) == (Bilag1ErrorKind.TOO_WIDE, "ESDH", 2)
    assert "række 2" in message and "kolonne 200" in message


def test_a_system_name_longer_than_the_database_holds_is_refused_by_sheet_and_row() -> None:
    data = build([("ESDH", [HEADER, ["SBSYS", None], ["W" * (MAX_NAME_CHARS + 1), "KMD"]])])
    err, message = refusal(data)
    assert (err.kind, err.sheet, err.row) == (Bilag1ErrorKind.TOO_LONG, "ESDH", 3)
    assert message.startswith('Filen "ondsindet.xlsx", arket "ESDH", række 3: navnet er over 255')


async def test_a_description_as_long_as_excel_allows_is_stored_whole(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    long_text = "æ" * EXCEL_TEXT_LIMIT
    name = "N" * MAX_NAME_CHARS
    data = build([("ESDH", [HEADER, [name, "L" * MAX_NAME_CHARS, long_text, None]])])
    [area] = read_bilag1(data, filename="lang.xlsx").fagomraader
    [system] = area.systemer
    assert (system.navn, system.beskrivelse) == (name, long_text)

    repository = CoordinationRepository(sessions)
    kim = await repository.ensure_person("t", "aad-kim", navn="Kim", email=None)
    await repository.set_up(
        "t",
        kommunekode="751",
        slutdato=date(2099, 8, 31),
        catalogue=(
            CatalogueFagomraade(
                area.navn, (CatalogueSystem(system.navn, system.leverandoer, system.beskrivelse),)
            ),
        ),
        template=data,
        template_filename="lang.xlsx",
        template_is_reference=False,
        by_person_id=kim.id,
    )
    async with sessions() as session:
        stored = (await session.scalars(select(ItSystemRow))).one()
    assert (stored.navn, stored.leverandoer, stored.beskrivelse) == (
        name,
        "L" * MAX_NAME_CHARS,
        long_text,
    )


def test_the_name_limit_is_the_database_column_length() -> None:
    for column in (ItSystemRow.navn, ItSystemRow.leverandoer):
        assert column.type.length == MAX_NAME_CHARS  # type: ignore[attr-defined]
