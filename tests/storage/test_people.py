"""Who coordinates and what is known of each area: status and reminders get the same answer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.coordination import CoordinationRepository
from storage.domain.model import Anvendelse
from storage.reminders import ReminderRepository
from storage.survey import SurveyRepository
from tests.support.fixtures import TENANT, set_up_small


async def test_status_and_reminders_see_the_same_facts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    coordination, survey = CoordinationRepository(sessions), SurveyRepository(sessions)
    sbsys = (await survey.overview(world.esdh.id, world.anne.id)).systemer[0].system
    answer = await survey.record_answer(world.anne.id, sbsys.id, Anvendelse.ANVENDER)
    await survey.submit(world.bo.id, world.esdh.id)

    status = await coordination.status_facts(TENANT)
    kortlaegning = await coordination.kortlaegning(TENANT)
    assert kortlaegning is not None
    reminders = await ReminderRepository(sessions).facts(kortlaegning.id)

    assert status == reminders
    esdh, skole = status
    assert [p.navn for p in esdh.owners] == ["Anne Systemejer", "Bo Systemejer"]
    assert esdh.answered == 1
    submitted = esdh.fagomraade.indsendt_at
    assert submitted is not None and submitted.tzinfo is not None
    assert esdh.last_activity == submitted > answer.answer.answered_at
    assert (skole.answered, skole.last_activity) == (0, None)


async def test_one_answer_to_who_coordinates(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    coordination = CoordinationRepository(sessions)
    await coordination.make_koordinator(world.koordinator.id)
    configured = ("ANNE@Kommune.dk",)

    listed = await coordination.coordinators(TENANT, configured)
    for_reminders = await ReminderRepository(sessions).coordinators(TENANT, configured)
    asked_one_by_one = [
        person.navn
        for person in (world.koordinator, world.anne, world.bo)
        if await coordination.is_koordinator(person.id, configured)
    ]

    assert [p.navn for p in listed] == ["Kim Koordinator", "Anne Systemejer"]
    assert listed == for_reminders
    assert asked_one_by_one == [p.navn for p in listed]
