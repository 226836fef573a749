"""Survey and set-up use cases on SQLite and PostgreSQL: what is stored, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.coordination import CoordinationRepository
from storage.domain.model import (
    AlreadySubmitted,
    Anvendelse,
    CatalogueFagomraade,
    CatalogueSystem,
    NotAssigned,
)
from storage.models import AuditRow
from storage.survey import SurveyRepository
from tests.support.fixtures import SMALL_CATALOGUE, TENANT, set_up_small


async def test_an_answer_is_stored_and_audited_and_the_last_one_wins(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    overview = await survey.overview(world.esdh.id, world.anne.id)
    sbsys = overview.systemer[0].system

    await survey.record_answer(world.anne.id, sbsys.id, Anvendelse.ANVENDER)
    change = await survey.record_answer(world.bo.id, sbsys.id, Anvendelse.SEKUNDAER, "kun opslag")

    assert change.changed and change.previous is not None
    after = await survey.overview(world.esdh.id, world.anne.id)
    answer = after.line(sbsys.id).answer  # type: ignore[union-attr]
    assert (answer.anvendelse, answer.bemaerkning, answer.answered_by) == (
        Anvendelse.SEKUNDAER,
        "kun opslag",
        world.bo.id,
    )
    async with sessions() as session:
        audit = (await session.scalars(select(AuditRow).order_by(AuditRow.id))).all()
    assert [(a.person_id, a.old_value, a.new_value) for a in audit] == [
        (world.anne.id, None, "anvender|"),
        (world.bo.id, "anvender|", "sekundaer|kun opslag"),
    ]


async def test_the_same_answer_twice_changes_and_audits_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    system = (await survey.overview(world.esdh.id, world.anne.id)).systemer[1].system

    await survey.record_answer(world.anne.id, system.id, Anvendelse.ANVENDER_IKKE)
    again = await survey.record_answer(world.anne.id, system.id, Anvendelse.ANVENDER_IKKE)

    assert again.changed is False
    async with sessions() as session:
        assert len((await session.scalars(select(AuditRow))).all()) == 1


async def test_someone_not_assigned_cannot_answer(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    aula = (await survey.overview(world.skole.id, world.anne.id)).systemer[0].system

    with pytest.raises(NotAssigned):
        await survey.record_answer(world.bo.id, aula.id, Anvendelse.ANVENDER)


async def test_a_submitted_area_refuses_flow_answers_but_takes_corrections(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    aula, meebook = [
        line.system for line in (await survey.overview(world.skole.id, world.anne.id)).systemer
    ]
    await survey.record_answer(world.anne.id, aula.id, Anvendelse.ANVENDER)

    result = await survey.submit(world.anne.id, world.skole.id)

    assert result.all_submitted is False
    with pytest.raises(AlreadySubmitted):
        await survey.submit(world.anne.id, world.skole.id)
    with pytest.raises(AlreadySubmitted):
        await survey.record_answer(world.anne.id, meebook.id, Anvendelse.ANVENDER)
    correction = await survey.record_answer(
        world.anne.id, aula.id, Anvendelse.ANVENDER_IKKE, expect_open=False
    )
    assert correction.changed


async def test_submitting_the_last_area_says_all_are_submitted(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)

    first = await survey.submit(world.bo.id, world.esdh.id)
    last = await survey.submit(world.anne.id, world.skole.id)

    assert (first.all_submitted, last.all_submitted) == (False, True)


async def test_an_added_system_is_added_once_and_can_be_removed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    added, created = await survey.add_tilfoejet(
        world.anne.id,
        world.esdh.id,
        navn="WorkZone",
        leverandoer="KMD",
        svarer_til="Acadre",
        anvendelse=Anvendelse.ANVENDER,
        bemaerkning=None,
    )

    _, created_again = await survey.add_tilfoejet(
        world.bo.id,
        world.esdh.id,
        navn=" workzone ",
        leverandoer=None,
        svarer_til=None,
        anvendelse=None,
        bemaerkning=None,
    )

    assert (created, created_again) == (True, False)
    assert [t.navn for t in (await survey.overview(world.esdh.id, world.bo.id)).tilfoejede] == [
        "WorkZone"
    ]
    assert await survey.remove_tilfoejet(world.bo.id, added.id) is not None
    assert await survey.remove_tilfoejet(world.bo.id, added.id) is None
    assert (await survey.overview(world.esdh.id, world.bo.id)).tilfoejede == ()


async def test_hand_over_moves_the_area_to_the_colleague(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)

    await survey.hand_over(world.skole.id, from_id=world.anne.id, to_id=world.bo.id)

    assert [a.fagomraade.navn for a in await survey.my_fagomraader(world.bo.id)] == [
        "ESDH",
        "Skole",
    ]
    assert [a.fagomraade.navn for a in await survey.my_fagomraader(world.anne.id)] == ["ESDH"]


async def test_setting_up_again_keeps_answers_whose_system_still_exists(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    sbsys, acadre, _ = [
        line.system for line in (await survey.overview(world.esdh.id, world.anne.id)).systemer
    ]
    await survey.record_answer(world.anne.id, sbsys.id, Anvendelse.ANVENDER)
    await survey.record_answer(world.anne.id, acadre.id, Anvendelse.ANVENDER_IKKE)
    revised = (
        CatalogueFagomraade("esdh", (CatalogueSystem("sbsys"), CatalogueSystem("WorkZone", "KMD"))),
        SMALL_CATALOGUE[1],
    )

    result = await CoordinationRepository(sessions).set_up(
        TENANT,
        kommunekode="751",
        slutdato=date(2027, 9, 1),
        catalogue=revised,
        template=b"",
        template_filename="ny.xlsx",
        template_is_reference=False,
        by_person_id=world.koordinator.id,
    )

    assert (result.answers_kept, result.answers_dropped, result.systemer) == (1, 1, 4)
    overview = await survey.overview(world.esdh.id, world.anne.id)
    assert [(line.system.navn, line.answer is not None) for line in overview.systemer] == [
        ("sbsys", True),
        ("WorkZone", False),
    ]
