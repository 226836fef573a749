"""What the bot stored, read from its database after the conversation."""

from __future__ import annotations

from sqlalchemy import select

from bot.bootstrap import open_storage
from storage.domain.model import Anvendelse
from storage.models import (
    AnswerRow,
    FagomraadeRow,
    ItSystemRow,
    PersonRow,
    TilfoejetSystemRow,
)

Stored = dict[str, tuple[Anvendelse, str | None, str]]


async def answers(database_url: str, fagomraade_id: int) -> Stored:
    """System name → (anvendelse, bemærkning, e-mail of who answered)."""
    async with open_storage(database_url, migrate=False) as storage, storage.sessions() as session:
        rows = await session.execute(
            select(ItSystemRow.navn, AnswerRow.anvendelse, AnswerRow.bemaerkning, PersonRow.email)
            .join(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
            .join(PersonRow, PersonRow.id == AnswerRow.answered_by)
            .where(ItSystemRow.fagomraade_id == fagomraade_id)
        )
        return {navn: (anvendelse, note, email) for navn, anvendelse, note, email in rows}


async def added_systems(database_url: str, fagomraade_id: int) -> list[tuple[object, ...]]:
    """(navn, leverandør, svarer til, anvendelse) of each system added to the area."""
    async with open_storage(database_url, migrate=False) as storage, storage.sessions() as session:
        rows = await session.scalars(
            select(TilfoejetSystemRow).where(TilfoejetSystemRow.fagomraade_id == fagomraade_id)
        )
        return [(r.navn, r.leverandoer, r.svarer_til, r.anvendelse) for r in rows]


async def is_submitted(database_url: str, fagomraade_id: int) -> bool:
    async with open_storage(database_url, migrate=False) as storage, storage.sessions() as session:
        area = await session.get_one(FagomraadeRow, fagomraade_id)
        return area.indsendt_at is not None


async def answer_sources(database_url: str, fagomraade_id: int) -> dict[str, str]:
    """System name → where its answer came from (answer.kilde: svar, sidste_runde, kitos)."""
    async with open_storage(database_url, migrate=False) as storage, storage.sessions() as session:
        rows = await session.execute(
            select(ItSystemRow.navn, AnswerRow.kilde)
            .join(AnswerRow, AnswerRow.it_system_id == ItSystemRow.id)
            .where(ItSystemRow.fagomraade_id == fagomraade_id)
        )
        return {navn: kilde for navn, kilde in rows}
