"""A set-up kortlægning with people and assignments, built through the real repositories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.coordination import CoordinationRepository
from storage.domain.model import CatalogueFagomraade, CatalogueSystem, Fagomraade, Person

TENANT = "tenant-kommune-1"

SMALL_CATALOGUE = (
    CatalogueFagomraade(
        "ESDH",
        (
            CatalogueSystem("SBSYS", "SBSYS", "Sags- og dokumenthåndtering"),
            CatalogueSystem("Acadre", "Formpipe", None),
            CatalogueSystem("=SUM(A1)", None, None),
        ),
    ),
    CatalogueFagomraade(
        "Skole",
        (CatalogueSystem("Aula", "Netcompany", None), CatalogueSystem("Meebook", None, None)),
    ),
)


@dataclass
class SetUp:
    koordinator: Person
    anne: Person
    bo: Person
    esdh: Fagomraade
    skole: Fagomraade


async def set_up_small(
    sessions: async_sessionmaker[AsyncSession],
    *,
    tenant_id: str = TENANT,
    slutdato: date = date(2027, 8, 31),
) -> SetUp:
    """Two areas; Anne and Bo own ESDH, Anne also owns Skole."""
    repository = CoordinationRepository(sessions)
    koordinator = await repository.ensure_person(
        tenant_id, "aad-kim", navn="Kim Koordinator", email="kim@kommune.dk"
    )
    anne = await repository.ensure_person(
        tenant_id, "aad-anne", navn="Anne Systemejer", email="anne@kommune.dk"
    )
    bo = await repository.ensure_person(
        tenant_id, "aad-bo", navn="Bo Systemejer", email="bo@kommune.dk"
    )
    await repository.set_up(
        tenant_id,
        kommunekode="751",
        slutdato=slutdato,
        catalogue=SMALL_CATALOGUE,
        template=b"",
        template_filename="bilag1.xlsx",
        template_is_reference=True,
        by_person_id=koordinator.id,
    )
    esdh, skole = await repository.fagomraader(tenant_id)
    await repository.assign(esdh.id, anne.id, by_person_id=koordinator.id)
    await repository.assign(esdh.id, bo.id, by_person_id=koordinator.id)
    await repository.assign(skole.id, anne.id, by_person_id=koordinator.id)
    return SetUp(koordinator, anne, bo, esdh, skole)


async def set_up_one_area(
    sessions: async_sessionmaker[AsyncSession], *, antal: int, tenant_id: str = TENANT
) -> tuple[Person, Fagomraade]:
    """One area, Økonomi, of `antal` systems, assigned to Anne only."""
    repository = CoordinationRepository(sessions)
    koordinator = await repository.ensure_person(
        tenant_id, "aad-kim", navn="Kim Koordinator", email="kim@kommune.dk"
    )
    anne = await repository.ensure_person(
        tenant_id, "aad-anne", navn="Anne Systemejer", email="anne@kommune.dk"
    )
    systems = tuple(
        CatalogueSystem(f"System {n}", "Leverandør A/S", None) for n in range(1, antal + 1)
    )
    await repository.set_up(
        tenant_id,
        kommunekode="751",
        slutdato=date(2027, 8, 31),
        catalogue=(CatalogueFagomraade("Økonomi", systems),),
        template=b"",
        template_filename="bilag1.xlsx",
        template_is_reference=True,
        by_person_id=koordinator.id,
    )
    [area] = await repository.fagomraader(tenant_id)
    await repository.assign(area.id, anne.id, by_person_id=koordinator.id)
    return anne, area
