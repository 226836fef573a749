"""KITOS overview exports as the tests build them, in the shape KITOS' own export has.

The titles, their order and the value spellings are those of KITOS' frontend (os2kitos/
kitos_frontend: it-system-usages.component.ts, role-column-helpers.ts, life-cycle-status.model.ts;
see docs/kitos.md): Kendo writes one sheet, "IT Systemer Overblik", titles in row 1, and a
kommune's visible columns in grid order, each role as "<role>" and "<role> Email#".
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook

SHEET = "IT Systemer Overblik"
FILENAME = "IT Systemer Overblik.xlsx"

# The columns KITOS shows by default, in the grid's order, before the role columns.
DEFAULT_COLUMNS = (
    "Status",
    "Status (Datofelter)",
    "Status (Livscyklus)",
    "Status (Markeret kontrakt)",
    "IT System",
    "Ansv. organisationsenhed",
    "Relevante organisationsenheder",
    "Tidligere systemnavn",
    "Forretningstype",
    "KLE navn",
    "Lokal Reference",
    "DataType",
    "Leverandør",
    "Rettighedshaver",
    "Ibrugtagningsdato",
    "Slutdato for anvendelse",
    "Livscyklus",
)
# Hidden by default; in the export when the user picks "all columns".
ALL_COLUMNS_EXTRA = (
    "Lokal System ID",
    "IT-System (UUID)",
    "IT-System (Beskrivelse)",
    "Version",
    "Lokal kaldenavn",
)
ROLES = ("Systemejer", "Systemansvarlig", "Forretningsejer")

# life-cycle-status.model.ts: the Danish names the grid shows and exports.
LIVSCYKLUS = {
    "NotInUse": "Ikke i drift",
    "Pilot": "Under afprøvning",
    "PhasingIn": "Under indfasning",
    "Operational": "I drift",
    "PhasingOut": "Under udfasning",
    "Undecided": None,
}


@dataclass(frozen=True)
class Usage:
    """One row of the export: a system the kommune uses, with its role holders."""

    navn: str
    livscyklus: str = "Operational"
    leverandoer: str | None = None
    rettighedshaver: str | None = None
    enhed: str | None = None
    lokalt_navn: str | None = None
    lokalt_id: str | None = None
    roles: dict[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    """Role name -> (full name, e-mail) of each holder."""


def build_kitos_export(
    usages: Sequence[Usage],
    *,
    all_columns: bool = False,
    roles: Sequence[str] = ROLES,
    rows_above: Sequence[Sequence[object]] = (),
    drop: Sequence[str] = (),
) -> bytes:
    """An export of the usages; rows_above go before the titles, drop removes columns."""
    titles = [*DEFAULT_COLUMNS]
    if all_columns:
        titles[4:4] = ALL_COLUMNS_EXTRA
    for role in roles:
        titles += [role, f"{role} Email#"]
    titles = [title for title in titles if title not in drop]

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    for row in rows_above:
        sheet.append(list(row))
    sheet.append(titles)
    for usage in usages:
        values = _values(usage, roles)
        sheet.append([values.get(title) for title in titles])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _values(usage: Usage, roles: Sequence[str]) -> dict[str, object]:
    active = usage.livscyklus != "NotInUse"
    values: dict[str, object] = {
        "Status": "Aktivt" if active else "Ikke aktivt",
        "Status (Datofelter)": "Aktivt",
        "Status (Livscyklus)": "Aktivt" if active else "Ikke aktivt",
        "Status (Markeret kontrakt)": "Aktiv" if usage.leverandoer else "Ingen kontrakt",
        "IT System": usage.navn,
        "IT-System (UUID)": "0b4f2f4e-7c1a-4c55-9d55-3f1c8b7a1e01",
        "IT-System (Beskrivelse)": f"Beskrivelse af {usage.navn}",
        "Version": "1.0",
        "Lokal System ID": usage.lokalt_id,
        "Lokal kaldenavn": usage.lokalt_navn,
        "Ansv. organisationsenhed": usage.enhed,
        "Relevante organisationsenheder": usage.enhed,
        "Tidligere systemnavn": f"Gamle {usage.navn}",
        "Forretningstype": "Fagsystem",
        "KLE navn": "Sagsbehandling",
        "Leverandør": usage.leverandoer,
        "Rettighedshaver": usage.rettighedshaver,
        "Ibrugtagningsdato": date(2019, 1, 1).strftime("%d-%m-%Y"),
        "Livscyklus": LIVSCYKLUS[usage.livscyklus],
    }
    for role in roles:
        holders = usage.roles.get(role, ())
        values[role] = ", ".join(name for name, _ in holders) or None
        values[f"{role} Email#"] = ", ".join(mail for _, mail in holders) or None
    return values
