"""A started kortlaegning in the database, as the coordinator's set-up would leave it.

Tests that need people, fagomraader, answers and stored conversation references build
them here, through the ORM rows, so each test states only what matters to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.conversations import ConversationRepository
from storage.domain.model import Anvendelse
from storage.models import (
    AnswerRow,
    FagomraadeRow,
    ItSystemRow,
    KortlaegningRow,
    PersonRow,
    TildelingRow,
)
from tests.support.activities import BOT_ID, TENANT, TeamsUser

EPOCH = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)


@dataclass
class Area:
    navn: str
    systems: int
    answered: int = 0
    owners: tuple[TeamsUser, ...] = ()
    submitted: bool = False


@dataclass
class Seeded:
    kortlaegning_id: int
    person_ids: dict[str, int] = field(default_factory=dict)
    """By aad object id."""
    area_ids: dict[str, int] = field(default_factory=dict)
    """By fagomraade name."""


async def seed_people(
    sessions: async_sessionmaker[AsyncSession],
    users: list[TeamsUser],
    *,
    koordinatorer: tuple[TeamsUser, ...] = (),
    tenant_id: str = TENANT,
) -> dict[str, int]:
    async with sessions() as session, session.begin():
        rows = [
            PersonRow(
                tenant_id=tenant_id,
                aad_object_id=user.aad_object_id,
                teams_user_id=user.teams_id,
                navn=user.name,
                email=user.email,
                is_koordinator=user in koordinatorer,
                created_at=EPOCH,
            )
            for user in users
        ]
        session.add_all(rows)
        await session.flush()
        return {row.aad_object_id: row.id for row in rows}


async def seed_kortlaegning(
    sessions: async_sessionmaker[AsyncSession],
    *,
    slutdato: date,
    started_at: datetime,
    areas: list[Area],
    koordinatorer: tuple[TeamsUser, ...] = (),
    tenant_id: str = TENANT,
) -> Seeded:
    """A round with these fagomraader, owners and answers; the coordinators as persons."""
    users = list(dict.fromkeys([*koordinatorer, *(o for a in areas for o in a.owners)]))
    person_ids = await seed_people(
        sessions, users, koordinatorer=koordinatorer, tenant_id=tenant_id
    )
    async with sessions() as session, session.begin():
        kortlaegning = KortlaegningRow(
            tenant_id=tenant_id,
            kommunekode="0751",
            slutdato=slutdato,
            template=b"",
            template_filename="bilag1.xlsx",
            template_is_reference=True,
            started_at=started_at,
            created_at=EPOCH,
            updated_at=EPOCH,
        )
        session.add(kortlaegning)
        await session.flush()
        seeded = Seeded(kortlaegning.id, person_ids)
        for position, area in enumerate(areas):
            row = FagomraadeRow(
                kortlaegning_id=kortlaegning.id,
                navn=area.navn,
                position=position,
                indsendt_at=started_at if area.submitted else None,
            )
            session.add(row)
            await session.flush()
            seeded.area_ids[area.navn] = row.id
            for owner in area.owners:
                session.add(
                    TildelingRow(
                        fagomraade_id=row.id,
                        person_id=person_ids[owner.aad_object_id],
                        assigned_at=EPOCH,
                    )
                )
            systems = [
                ItSystemRow(fagomraade_id=row.id, navn=f"{area.navn} system {n}", position=n)
                for n in range(area.systems)
            ]
            session.add_all(systems)
            await session.flush()
            answerer = person_ids[area.owners[0].aad_object_id] if area.owners else None
            for system in systems[: area.answered]:
                assert answerer is not None, "answers need an owner to have given them"
                session.add(
                    AnswerRow(
                        it_system_id=system.id,
                        anvendelse=Anvendelse.ANVENDER,
                        answered_by=answerer,
                        answered_at=started_at,
                    )
                )
    return seeded


async def seed_personal_chat(
    sessions: async_sessionmaker[AsyncSession],
    user: TeamsUser,
    service_url: str,
    *,
    tenant_id: str = TENANT,
) -> None:
    """Store the reference the bot keeps after the person wrote to it in a 1:1 chat."""
    reference = ConversationReference(
        activity_id="act-0",
        user=ChannelAccount(id=user.teams_id, name=user.name, aad_object_id=user.aad_object_id),
        bot=ChannelAccount(id=BOT_ID, name="Kortlaegningsbot"),
        conversation=ConversationAccount(
            id=user.personal_conversation, conversation_type="personal", tenant_id=tenant_id
        ),
        channel_id="msteams",
        service_url=service_url,
    )
    await ConversationRepository(sessions).save_reference(
        tenant_id=tenant_id,
        user_key=user.aad_object_id,
        conversation_id=user.personal_conversation,
        conversation_type="personal",
        service_url=service_url,
        reference=json.dumps(reference.serialize()),
    )
