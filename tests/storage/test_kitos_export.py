"""KITOS' overview export, built in its real shape, read back by meaning."""

from __future__ import annotations

import io
import zipfile

import pytest

from storage.domain.kitos import KitosPerson, Livscyklus
from storage.suggestions.kitos_export import read_kitos_export
from storage.suggestions.kitos_layout import Column, KitosExportError, KitosExportErrorKind
from tests.support.kitos_export import FILENAME, Usage, build_kitos_export

ANNE = ("Anne Holm", "ah@aarhus.dk")
BO = ("Bo Ravn", "br@aarhus.dk")
USAGES = [
    Usage(
        "SBSYS",
        "Operational",
        leverandoer="Fujitsu A/S",
        rettighedshaver="Fujitsu A/S",
        enhed="Borgerservice",
        lokalt_navn="ESDH",
        lokalt_id="S-17",
        roles={"Systemejer": [ANNE, BO], "Systemansvarlig": [BO]},
    ),
    Usage("Captia", "NotInUse", rettighedshaver="Netcompany A/S", roles={"Systemejer": [BO]}),
    Usage("KMD Nexus", "PhasingOut", leverandoer="KMD A/S"),
    Usage("Aula", "Undecided"),
    Usage("Opus Løn", "Pilot"),
]


def test_the_default_export_gives_names_life_cycles_vendors_and_owners() -> None:
    export = read_kitos_export(build_kitos_export(USAGES), filename=FILENAME)

    assert export.sheet == "IT Systemer Overblik"
    assert export.header_row == 1
    assert [(s.navn, s.livscyklus) for s in export.systemer] == [
        ("SBSYS", Livscyklus.OPERATIONAL),
        ("Captia", Livscyklus.NOT_IN_USE),
        ("KMD Nexus", Livscyklus.PHASING_OUT),
        ("Aula", None),
        ("Opus Løn", Livscyklus.PILOT),
    ]
    sbsys = export.systemer[0]
    assert (sbsys.leverandoer, sbsys.rettighedshaver, sbsys.ansvarlig_enhed) == (
        "Fujitsu A/S",
        "Fujitsu A/S",
        "Borgerservice",
    )
    assert sbsys.systemejere == (KitosPerson(*ANNE), KitosPerson(*BO))
    # The default grid hides the local name and id.
    assert (sbsys.lokalt_navn, sbsys.lokalt_id) == (None, None)
    assert Column.LOKALT_NAVN not in export.columns


def test_an_all_columns_export_also_gives_the_local_name_and_id() -> None:
    export = read_kitos_export(build_kitos_export(USAGES, all_columns=True), filename=FILENAME)

    sbsys = export.systemer[0]
    assert (sbsys.navn, sbsys.lokalt_navn, sbsys.lokalt_id) == ("SBSYS", "ESDH", "S-17")


def test_an_export_with_a_title_above_and_without_owners_still_reads() -> None:
    data = build_kitos_export(
        USAGES, roles=("Systemansvarlig",), rows_above=[("Udtræk fra KITOS 27-11-2026",), ()]
    )

    export = read_kitos_export(data, filename=FILENAME)

    assert export.header_row == 3
    assert len(export.systemer) == 5
    assert all(s.systemejere == () for s in export.systemer)
    assert Column.SYSTEMEJER not in export.columns


def test_an_export_without_the_system_column_is_refused() -> None:
    data = build_kitos_export(USAGES, drop=("IT System",))

    with pytest.raises(KitosExportError) as raised:
        read_kitos_export(data, filename=FILENAME)

    assert raised.value.kind is KitosExportErrorKind.NO_HEADER


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"IT System;Livscyklus\nSBSYS;I drift\n", KitosExportErrorKind.NOT_XLSX),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, KitosExportErrorKind.LEGACY_XLS),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
            KitosExportErrorKind.ENCRYPTED,
        ),
        (b"x" * 2048, KitosExportErrorKind.TOO_LARGE),
    ],
)
def test_what_is_not_a_readable_workbook_says_why(data: bytes, kind: KitosExportErrorKind) -> None:
    with pytest.raises(KitosExportError) as raised:
        read_kitos_export(data, filename="upload.xlsx", max_bytes=1024)

    assert raised.value.kind is kind


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")

    with pytest.raises(KitosExportError) as raised:
        read_kitos_export(output.getvalue(), filename="upload.xlsx")

    assert raised.value.kind is KitosExportErrorKind.NOT_XLSX


def test_an_absurdly_long_sheet_is_refused_while_it_streams() -> None:
    data = build_kitos_export([Usage(f"System {n}") for n in range(30)])

    with pytest.raises(KitosExportError) as raised:
        read_kitos_export(data, filename=FILENAME, max_rows=20)

    assert (raised.value.kind, raised.value.limit) == (KitosExportErrorKind.TOO_MANY_ROWS, 20)
