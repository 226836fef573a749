"""A kortlægning on the bundled Bilag 1 with (nearly) every answer given, and a real SMTP server.

The answers are stored through the real repositories; the last submission is left to the test,
so it goes through the bot and triggers the automatic assembly of the final workbook.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.bilag1.reader import read_bilag1
from storage.catalogue.reference import load_reference_bilag1
from storage.coordination import CoordinationRepository
from storage.domain.model import Anvendelse, CatalogueFagomraade, CatalogueSystem, Person
from storage.models import FagomraadeRow, ItSystemRow
from storage.survey import SurveyRepository

TENANT = "tenant-kommune-1"
AARHUS = "751"
_CYCLE = (Anvendelse.ANVENDER, Anvendelse.ANVENDER_IKKE, Anvendelse.SEKUNDAER)


@dataclass
class Area:
    id: int
    navn: str
    systems: dict[str, int]
    """System name → it_system id, in workbook order."""


@dataclass
class DeliveryWorld:
    kim: Person
    lis: Person
    anne: Person
    areas: list[Area]
    expected: dict[tuple[str, str], Anvendelse] = field(default_factory=dict)
    """(fagområde, system) → the answer stored, for comparing with a workbook read back."""

    @property
    def last(self) -> Area:
        return self.areas[-1]


def reference_catalogue() -> tuple[CatalogueFagomraade, ...]:
    bilag1 = read_bilag1(load_reference_bilag1(), filename="reference-bilag1.xlsx")
    return tuple(
        CatalogueFagomraade(
            f.navn,
            tuple(CatalogueSystem(s.navn, s.leverandoer, s.beskrivelse) for s in f.systemer),
        )
        for f in bilag1.fagomraader
    )


async def set_up_answered(
    sessions: async_sessionmaker[AsyncSession], *, leave_unanswered: int = 0
) -> DeliveryWorld:
    """Aarhus on the reference Bilag 1; Kim and Lis coordinate, Anne owns every area.

    Every system is answered (but the last `leave_unanswered` of the last area) and every
    area but the last is submitted.
    """
    coordination = CoordinationRepository(sessions)
    survey = SurveyRepository(sessions)
    kim = await coordination.ensure_person(
        TENANT, "aad-kim", navn="Kim Koordinator", email="kim@kommune.dk"
    )
    lis = await coordination.ensure_person(
        TENANT, "aad-lis", navn="Lis Koordinator", email="lis@kommune.dk"
    )
    anne = await coordination.ensure_person(
        TENANT, "aad-anne", navn="Anne Systemejer", email="anne@kommune.dk"
    )
    for person in (kim, lis):
        await coordination.make_koordinator(person.id)
    await coordination.set_up(
        TENANT,
        kommunekode=AARHUS,
        slutdato=date(2099, 8, 31),
        catalogue=reference_catalogue(),
        template=load_reference_bilag1(),
        template_filename="reference-bilag1.xlsx",
        template_is_reference=True,
        by_person_id=kim.id,
    )
    areas = await _areas(sessions)
    world = DeliveryWorld(kim=kim, lis=lis, anne=anne, areas=areas)
    index = 0
    for area in areas:
        await coordination.assign(area.id, anne.id, by_person_id=kim.id)
        names = list(area.systems)
        skip = set(names[len(names) - leave_unanswered :]) if area is areas[-1] else set()
        for navn, system_id in area.systems.items():
            if navn in skip:
                continue
            anvendelse = _CYCLE[index % 3]
            index += 1
            await survey.record_answer(anne.id, system_id, anvendelse)
            world.expected[area.navn, navn] = anvendelse
        if area is not areas[-1]:
            await survey.submit(anne.id, area.id)
    return world


async def _areas(sessions: async_sessionmaker[AsyncSession]) -> list[Area]:
    async with sessions() as session:
        areas = (
            await session.scalars(select(FagomraadeRow).order_by(FagomraadeRow.position))
        ).all()
        result = []
        for area in areas:
            systems = await session.scalars(
                select(ItSystemRow)
                .where(ItSystemRow.fagomraade_id == area.id)
                .order_by(ItSystemRow.position)
            )
            result.append(Area(area.id, area.navn, {s.navn: s.id for s in systems}))
        return result


def answers_in(workbook: bytes) -> dict[tuple[str, str], Anvendelse | None]:
    """(fagområde, system) → answer, as the Bilag 1 reader reads a workbook back."""
    bilag1 = read_bilag1(workbook, filename="read-back.xlsx")
    return {(f.navn, s.navn): s.anvendelse for f in bilag1.fagomraader for s in f.systemer}


# --- a real SMTP server ------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps what arrives and can refuse like a busy server."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.rcpt_attempts = 0
        self.refuse_with: str | None = None

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        self.rcpt_attempts += 1
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on 127.0.0.1 and a free port, for the length of the block."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
