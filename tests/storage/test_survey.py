"""Survey and set-up use cases on SQLite and PostgreSQL: what is stored, and what is refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.claims import ActivityClaims
from storage.coordination import CoordinationRepository
from storage.domain.model import (
    AlreadySubmitted,
    Anvendelse,
    CatalogueFagomraade,
    CatalogueSystem,
    NotAssigned,
)
from storage.domain.place import Phase, SurveyPlace
from storage.models import AnswerRow, AuditRow
from storage.survey import SurveyRepository, UnknownSystem
from storage.unit_of_work import UnitOfWork
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
        world.anne.id, aula.id, Anvendelse.ANVENDER_IKKE, correcting=True
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


async def answer_rows(
    sessions: async_sessionmaker[AsyncSession],
) -> dict[int, tuple[Anvendelse, str | None, int]]:
    async with sessions() as session:
        rows = await session.execute(
            select(
                AnswerRow.it_system_id,
                AnswerRow.anvendelse,
                AnswerRow.bemaerkning,
                AnswerRow.answered_by,
            )
        )
        return {sid: (anvendelse, bem, by) for sid, anvendelse, bem, by in rows}


async def answer_audit(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[object, ...]]:
    async with sessions() as session:
        rows = await session.scalars(
            select(AuditRow).where(AuditRow.action == "answer").order_by(AuditRow.id)
        )
        return [(a.person_id, a.it_system_id, a.old_value, a.new_value) for a in rows]


async def test_a_form_page_of_answers_is_stored_and_audited_in_one_call(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    sbsys, acadre, summen = (
        line.system for line in (await survey.overview(world.esdh.id, world.anne.id)).systemer
    )
    # SBSYS already has an answer with a remark, which the form (no remark field) keeps.
    await survey.record_answer(world.bo.id, sbsys.id, Anvendelse.ANVENDER, "kun opslag")

    changes = await survey.record_answers(
        world.anne.id,
        [
            (sbsys.id, Anvendelse.SEKUNDAER),
            (acadre.id, Anvendelse.ANVENDER_IKKE),
            (summen.id, Anvendelse.ANVENDER),
        ],
        keep_bemaerkning=True,
    )

    assert [c.changed for c in changes] == [True, True, True]
    assert [c.answer.it_system_id for c in changes] == [sbsys.id, acadre.id, summen.id]
    assert changes[0].previous is not None and changes[0].previous.answered_by == world.bo.id
    assert await answer_rows(sessions) == {
        sbsys.id: (Anvendelse.SEKUNDAER, "kun opslag", world.anne.id),
        acadre.id: (Anvendelse.ANVENDER_IKKE, None, world.anne.id),
        summen.id: (Anvendelse.ANVENDER, None, world.anne.id),
    }
    assert await answer_audit(sessions) == [
        (world.bo.id, sbsys.id, None, "anvender|kun opslag"),
        (world.anne.id, sbsys.id, "anvender|kun opslag", "sekundaer|kun opslag"),
        (world.anne.id, acadre.id, None, "anvender_ikke|"),
        (world.anne.id, summen.id, None, "anvender|"),
    ]


async def test_a_form_page_saved_again_changes_and_audits_only_what_differs(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    sbsys, acadre, _summen = (
        line.system for line in (await survey.overview(world.esdh.id, world.anne.id)).systemer
    )
    page = [(sbsys.id, Anvendelse.ANVENDER), (acadre.id, Anvendelse.ANVENDER)]
    await survey.record_answers(world.anne.id, page, keep_bemaerkning=True)

    again = await survey.record_answers(
        world.anne.id,
        [(sbsys.id, Anvendelse.ANVENDER), (acadre.id, Anvendelse.SEKUNDAER)],
        keep_bemaerkning=True,
    )

    assert [c.changed for c in again] == [False, True]
    assert await answer_rows(sessions) == {
        sbsys.id: (Anvendelse.ANVENDER, None, world.anne.id),
        acadre.id: (Anvendelse.SEKUNDAER, None, world.anne.id),
    }
    assert [(sid, old, new) for _p, sid, old, new in await answer_audit(sessions)] == [
        (sbsys.id, None, "anvender|"),
        (acadre.id, None, "anvender|"),
        (acadre.id, "anvender|", "sekundaer|"),
    ]


async def test_a_form_page_is_stored_whole_or_not_at_all(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    sbsys = (await survey.overview(world.esdh.id, world.anne.id)).systemer[0].system
    aula = (await survey.overview(world.skole.id, world.anne.id)).systemer[0].system

    with pytest.raises(NotAssigned):
        # Bo has ESDH but not Skole.
        await survey.record_answers(
            world.bo.id, [(sbsys.id, Anvendelse.ANVENDER), (aula.id, Anvendelse.ANVENDER)]
        )
    with pytest.raises(UnknownSystem):
        await survey.record_answers(
            world.anne.id, [(sbsys.id, Anvendelse.ANVENDER), (999_999, Anvendelse.ANVENDER)]
        )
    await survey.submit(world.anne.id, world.esdh.id)
    with pytest.raises(AlreadySubmitted):
        await survey.record_answers(world.anne.id, [(sbsys.id, Anvendelse.ANVENDER)])

    assert await answer_rows(sessions) == {}
    assert await answer_audit(sessions) == []
    assert await survey.record_answers(world.anne.id, []) == []


async def test_a_submitted_area_takes_a_form_page_as_a_correction(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    sbsys = (await survey.overview(world.esdh.id, world.anne.id)).systemer[0].system
    await survey.submit(world.anne.id, world.esdh.id)

    [change] = await survey.record_answers(
        world.anne.id, [(sbsys.id, Anvendelse.SEKUNDAER)], correcting=True
    )

    assert change.changed
    assert await answer_rows(sessions) == {sbsys.id: (Anvendelse.SEKUNDAER, None, world.anne.id)}


async def test_the_overview_refuses_someone_not_assigned(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)

    with pytest.raises(NotAssigned):
        await survey.overview(world.skole.id, world.bo.id)
    overview = await survey.read_overview(world.skole.id)
    assert overview.fagomraade.navn == "Skole"
    assert overview.slutdato == (await survey.overview(world.skole.id, world.anne.id)).slutdato
    assert overview.slutdato is not None


async def test_an_answer_given_while_another_is_being_stored_sees_it_as_previous(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time; there is nothing to interleave")
    world = await set_up_small(sessions)
    survey = SurveyRepository(sessions)
    sbsys = (await survey.overview(world.esdh.id, world.anne.id)).systemer[0].system
    await survey.record_answer(world.anne.id, sbsys.id, Anvendelse.ANVENDER)

    async with sessions() as first, first.begin():
        # Someone else's answer, stored but not yet committed, holding the row.
        row = await first.scalar(
            select(AnswerRow).where(AnswerRow.it_system_id == sbsys.id).with_for_update()
        )
        assert row is not None
        row.anvendelse = Anvendelse.SEKUNDAER
        await first.flush()
        second = asyncio.create_task(
            survey.record_answer(world.bo.id, sbsys.id, Anvendelse.ANVENDER)
        )
        await asyncio.sleep(0.3)
        assert not second.done()
    change = await second

    # Bo's answer is not a no-op against the stale "anvender": it replaces "sekundaer".
    assert change.changed
    assert change.previous is not None and change.previous.anvendelse is Anvendelse.SEKUNDAER
    assert (await answer_rows(sessions))[sbsys.id] == (Anvendelse.ANVENDER, None, world.bo.id)


async def test_a_place_is_stored_per_person_and_forgotten(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey, at = SurveyRepository(sessions), datetime(2027, 3, 1, 9, tzinfo=UTC)
    reopened = SurveyPlace(world.skole.id, Phase.SYSTEM, system_id=None, correcting=True)

    async with UnitOfWork(sessions) as uow:
        await survey.save_place(
            uow, world.anne.id, SurveyPlace(world.esdh.id, Phase.FORM, page=1), at=at
        )
        await survey.save_place(uow, world.anne.id, reopened, at=at)
        await survey.save_place(uow, world.bo.id, SurveyPlace(world.esdh.id), at=at)
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        assert await survey.place(uow, world.anne.id) == reopened
        assert await survey.place(uow, world.bo.id) == SurveyPlace(world.esdh.id)
        await survey.save_place(uow, world.bo.id, None, at=at)
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        assert await survey.place(uow, world.bo.id) is None


async def test_the_card_on_screen_is_stored_with_the_place_and_kept_when_it_moves(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey, at = SurveyRepository(sessions), datetime(2027, 3, 1, 9, tzinfo=UTC)
    shown = SurveyPlace(world.esdh.id).showing("token-1")
    async with UnitOfWork(sessions) as uow:
        await survey.save_place(uow, world.anne.id, shown, at=at)
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        place = await survey.place(uow, world.anne.id)
        assert place == shown and place.card_id is None
        # A later turn learns the card's activity id and moves on, keeping the card.
        moved = place.known_as("activity-7").at(Phase.SUMMARY)
        await survey.save_place(uow, world.anne.id, moved, at=at)
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        assert await survey.place(uow, world.anne.id) == SurveyPlace(
            world.esdh.id, Phase.SUMMARY, card_id="activity-7", card_token="token-1"
        )


async def test_a_unit_of_work_left_without_commit_stores_nothing_of_the_turn(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_small(sessions)
    survey, claims = SurveyRepository(sessions), ActivityClaims(sessions)
    at = datetime(2027, 3, 1, 9, tzinfo=UTC)
    overview = await survey.overview(world.esdh.id, world.anne.id)
    sbsys = overview.systemer[0].system

    with pytest.raises(RuntimeError):
        async with UnitOfWork(sessions) as uow:
            assert await claims.claim(uow, "a:1", "act-1", at=at)
            await survey.record_answer(world.anne.id, sbsys.id, Anvendelse.ANVENDER, uow=uow)
            await survey.save_place(uow, world.anne.id, SurveyPlace(world.esdh.id), at=at)
            raise RuntimeError("the turn fails before its commit")

    assert await claims.is_claimed("a:1", "act-1") is False
    async with sessions() as session:
        assert (await session.scalars(select(AnswerRow))).all() == []
        assert (await session.scalars(select(AuditRow))).all() == []
    async with UnitOfWork(sessions) as uow:
        assert await survey.place(uow, world.anne.id) is None
