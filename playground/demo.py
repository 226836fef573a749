"""A demo kortlægning for the Playground's tenant, stored through the project's repositories.

Until the coordinator's `opsæt`, `tildel` and `start` exist, this is how a kortlægning gets
into the database to be answered; the e2e tests seed the same one. The systems are a few
from the bundled reference Bilag 1, not KOMBIT's official list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from openpyxl import Workbook

from playground.tenant import Tenant
from storage.coordination import CoordinationRepository
from storage.db import create_engine_for, make_sessionmaker
from storage.domain.model import CatalogueFagomraade, CatalogueSystem, Fagomraade, Person
from storage.migrate import upgrade_head

KOMMUNEKODE = "751"
SLUTDATO = date(2027, 8, 31)

ESDH = CatalogueFagomraade(
    "ESDH",
    (
        CatalogueSystem("WorkZone", "KMD", "ESDH-system"),
        CatalogueSystem("Acadre", "Formpipe Software", "ESDH-system"),
        CatalogueSystem("SBSYS", "SBSYS", "Sags- og dokumenthåndtering"),
        CatalogueSystem("F2", "cBrain", "ESDH-system"),
    ),
)
SKOLE = CatalogueFagomraade(
    "Skole",
    (
        CatalogueSystem("Aula", "KOMBIT / Netcompany", "Kommunikationsplatform"),
        CatalogueSystem("KMD Elev", "KMD", "Elevadministration"),
        CatalogueSystem("Meebook", "Meebook", "Læringsplatform"),
    ),
)
OEKONOMI = CatalogueFagomraade(
    "Økonomi",
    (
        CatalogueSystem("KMD Opus Økonomi", "KMD", "Økonomisystem (ERP)"),
        CatalogueSystem("Prisme", "Fujitsu", "Økonomisystem"),
    ),
)
BESKAEFTIGELSE = CatalogueFagomraade(
    "Beskæftigelse",
    (
        CatalogueSystem("KMD Momentum", "KMD", "Jobcentrets fagsystem"),
        CatalogueSystem("KMD Opera", "KMD", "Tidligere jobcentersystem"),
    ),
)
CATALOGUE = (ESDH, SKOLE, OEKONOMI, BESKAEFTIGELSE)

KOORDINATOR = "mette.kristensen@kommune.dk"
TILDELINGER: dict[str, tuple[str, ...]] = {
    "anne.jensen@kommune.dk": ("ESDH", "Skole"),
    "lars.nielsen@kommune.dk": ("Økonomi",),
    "sofie.hansen@kommune.dk": ("Beskæftigelse",),
    # The infrastrukturansvarlig often owns an area too; it lets the default Playground
    # user try the survey as well.
    KOORDINATOR: ("ESDH",),
}


def demo_template() -> bytes:
    """A Bilag 1 in KOMBIT's layout holding just the demo's areas, so udkast has a template."""
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None
    instructions.title = "LÆS MIG"
    instructions["A1"] = "Demo-udgave af Bilag 1 til Agents Playground (ikke KOMBITs liste)."
    front = workbook.create_sheet("Kommune")
    for row, label in enumerate(
        ("Kommune", "Kontaktperson (infrastrukturansvarlig)", "E-mail", "Dato for udfyldelse"),
        start=1,
    ):
        front.cell(row=row, column=1, value=label)
    header = ("Leverandør", "It-system", "Beskrivelse", "Anvendelse", "Bemærkning")
    for area in CATALOGUE:
        sheet = workbook.create_sheet(area.navn)
        sheet["A1"] = f"Fagområde: {area.navn}"
        sheet.append([])
        sheet.append([])
        sheet.append(list(header))
        for system in area.systemer:
            sheet.append([system.leverandoer, system.navn, system.beskrivelse, None, None])
    added = workbook.create_sheet("Tilføjede systemer")
    added.append(["Tilføjede systemer"])
    added.append([])
    added.append(
        [
            "Fagområde",
            "Leverandør",
            "It-system",
            "Svarer til (system på listen)",
            "Anvendelse",
            "Bemærkning",
        ]
    )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class Demo:
    koordinator: Person
    people: dict[str, Person]
    fagomraader: dict[str, Fagomraade]


async def seed_demo(database_url: str, tenant: Tenant) -> Demo | None:
    """Set up the demo kortlægning with its people and tildelinger; None if one exists.

    Only the coordinator and the assigned systemejere are stored: the other colleagues are
    known to the bot only through the Teams roster, as in a real municipality.
    """
    engine = create_engine_for(database_url)
    try:
        await upgrade_head(engine)
        repository = CoordinationRepository(make_sessionmaker(engine))
        if await repository.kortlaegning(tenant.tenant_id) is not None:
            return None
        people = {
            user.email: await repository.ensure_person(
                tenant.tenant_id,
                user.aad_object_id,
                navn=user.navn,
                email=user.email,
                teams_user_id=user.teams_id,
            )
            for user in tenant.everyone
            if user.email in TILDELINGER
        }
        koordinator = people[KOORDINATOR]
        await repository.set_up(
            tenant.tenant_id,
            kommunekode=KOMMUNEKODE,
            slutdato=SLUTDATO,
            catalogue=CATALOGUE,
            template=demo_template(),
            template_filename="demo-bilag1.xlsx",
            template_is_reference=True,
            by_person_id=koordinator.id,
        )
        areas = {area.navn: area for area in await repository.fagomraader(tenant.tenant_id)}
        for email, names in TILDELINGER.items():
            for name in names:
                await repository.assign(
                    areas[name].id, people[email].id, by_person_id=koordinator.id
                )
        return Demo(koordinator, people, areas)
    finally:
        await engine.dispose()
