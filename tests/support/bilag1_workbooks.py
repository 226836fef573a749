"""Workbooks the Bilag 1 tests build: other layouts, varied headers, and broken files."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Border, Font, Side

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference-bilag1.xlsx"
KOMBIT_LIST = '"Anvender,Anvender ikke,Sekundær anvendelse"'


def reference_bytes() -> bytes:
    return REFERENCE.read_bytes()


def workbook_bytes(workbook: Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def build(sheets: Sequence[tuple[str, Sequence[Sequence[object]]]], *, hidden: str = "") -> bytes:
    """A workbook with one sheet per (name, rows); rows start at A1; `hidden` names a sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets:
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if name == hidden:
            sheet.sheet_state = "hidden"
    return workbook_bytes(workbook)


def one_sheet_layout() -> bytes:
    """All systems on one sheet with a fagområde column; fagområde cells merged downwards."""
    workbook = Workbook()
    laes = workbook.active
    laes.title = "Vejledning"
    laes.append(["Sådan udfylder I skemaet: vælg Anvender, Anvender ikke eller Sekundær."])
    forside = workbook.create_sheet("Forside")
    for label in ("Kommunenavn", "Udfyldt af", "Email", "Dato"):
        forside.append([label, None])

    systemer = workbook.create_sheet("Systemer")
    systemer.append(["Kortlægning af it-systemer"])
    systemer.merge_cells("A1:F1")
    systemer.append([])
    systemer.append(
        ["Fagomrade", "IT-system navn", "Leverandor", "Intern note", "Svar", "Kommentar"]
    )
    rows = [
        ("ESDH", "SBSYS", "SBSYS", "x", "ja", None),
        (None, "WorkZone", "KMD", None, "nej", "Udfaset 2022"),
        (None, None, None, None, None, None),
        ("Økonomi", "Prisme", "Fujitsu", None, "Sekundaer", None),
        (None, "KMD Opus Økonomi", "KMD", None, None, None),
        ("Skole", "Aula", "KOMBIT", None, "ANVENDER", None),
    ]
    for values in rows:
        systemer.append(list(values))
    systemer.merge_cells("A4:A5")  # ESDH spans its two systems
    systemer.merge_cells("A7:A8")

    tilfoejede = workbook.create_sheet("Tilføjede")
    tilfoejede.append(["Fagområde", "System", "Leverandør", "Svarer til", "Svar", "Bemærkning"])
    thin = Side(style="thin")
    for row in range(2, 4):
        for column in range(1, 7):
            tilfoejede.cell(row=row, column=column).border = Border(left=thin, bottom=thin)

    lister = workbook.create_sheet("Hjælp")
    lister.append(["Fagområde", "It-system", "Anvendelse"])  # looks like a table, but hidden
    lister.append(["ESDH", "Skjult system", "Anvender"])
    lister.sheet_state = "hidden"
    return workbook_bytes(workbook)


def varied_sheet_layout() -> bytes:
    """A sheet per fagområde with merged titles, moved header rows and shuffled columns."""
    workbook = Workbook()
    esdh = workbook.active
    esdh.title = "1 ESDH"
    esdh["A1"] = "Fagområde:  Sager og dokumenter"
    esdh["A1"].font = Font(bold=True)
    esdh.merge_cells("A1:F2")
    esdh["A4"] = "Udfyld kolonnen Svar."
    esdh.append([])
    esdh.append(["Bemærkning", "Svar", "Ekstra kolonne", "  IT-SYSTEM ", "Leverandør"])
    esdh.append([None, None, "ignoreres", "Acadre", "Formpipe"])
    esdh.append([])
    esdh.append(["Øvrige systemer"])  # a section heading, no system name
    esdh.append([None, "Anvender ikke", None, "eDoc", "Fujitsu"])
    esdh.append(["Bemærkning", "Svar", None, "It-system", "Leverandør"])  # header repeated
    esdh.append(["gammel", "delvis", None, "Captia", None])

    skole = workbook.create_sheet("03. Skole")
    skole.append(["System", "Anvendelse"])
    skole.append(["Aula", None])
    return workbook_bytes(workbook)


def filled_reference() -> bytes:
    """The reference workbook filled in by hand, with loose spellings and added systems."""
    workbook = load_workbook(REFERENCE)
    esdh = workbook["3 ESDH"]
    esdh["D5"] = "Anvender"
    esdh["E5"] = "Hovedsystem"
    esdh["D6"] = "anvender ikke"
    esdh["D7"] = "Sekundær"
    workbook["2 Kommune"]["B3"] = "Aarhus Kommune"
    workbook["2 Kommune"]["B6"] = date(2023, 8, 31)
    added = workbook["17 Tilføjede systemer"]
    added["A4"], added["B4"], added["C4"] = "Skole", "Itslearning", "Itslearning"
    added["D4"], added["E4"], added["F4"] = "MinUddannelse", "Anvender", None
    return workbook_bytes(workbook)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def replace_member(xlsx: bytes, name: str, data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[name] = data
    return zip_bytes(members)


# --- OLE compound files ------------------------------------------------------------------------
# A legacy .xls and a password-protected .xlsx are both OLE compound files (MS-CFB). This builds
# a minimal, structurally valid one (version 3, 512-byte sectors) holding empty streams.

_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(stream_names: Sequence[str]) -> bytes:
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    struct.pack_into("<109I", header, 76, 0, *([_FREE] * 108))
    fat = struct.pack("<128I", _FAT, _END, *([_FREE] * 126))

    def entry(name: str, kind: int, left: int, right: int, child: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, left, right, child,
            b"", 0, 0, 0, _END, 0,
        )  # fmt: skip

    entries = [entry("Root Entry", 5, _NONE, _NONE, 1 if stream_names else _NONE)]
    for index, name in enumerate(stream_names, start=1):
        right = index + 1 if index < len(stream_names) else _NONE
        entries.append(entry(name, 2, _NONE, right, _NONE))
    directory = b"".join(entries).ljust(512, b"\0")
    return bytes(header) + fat + directory
