"""opsæt after last round reached KOMBIT begins a new round; before that it corrects this one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.archive import ArchiveRepository
from storage.catalogue.reference import load_reference_bilag1
from storage.coordination import CoordinationRepository, SetUpResult
from storage.domain.archive import SendStatus
from storage.domain.model import Anvendelse
from storage.models import AnswerRow, AuditRow, FagomraadeRow, TildelingRow, TilfoejetSystemRow
from storage.suggestions.rounds import RoundsRepository
from storage.survey import SurveyRepository
from tests.support.delivery import TENANT, DeliveryWorld, reference_catalogue, set_up_answered
from tests.support.rounds import deliver_round


async def set_up_again(
    sessions: async_sessionmaker[AsyncSession], world: DeliveryWorld, slutdato: date
) -> SetUpResult:
    return await CoordinationRepository(sessions).set_up(
        TENANT,
        kommunekode="751",
        slutdato=slutdato,
        catalogue=reference_catalogue(),
        template=load_reference_bilag1(),
        template_filename="reference-bilag1.xlsx",
        template_is_reference=True,
        by_person_id=world.kim.id,
    )


async def _count(sessions: async_sessionmaker[AsyncSession], table: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_set_up_before_delivery_keeps_answers_and_owners(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    answers = await _count(sessions, AnswerRow)

    result = await set_up_again(sessions, world, date(2099, 9, 30))

    assert not result.ny_runde
    assert result.answers_kept == answers
    assert await _count(sessions, TildelingRow) == len(world.areas)


async def test_a_set_up_after_delivery_begins_a_new_round_and_keeps_the_archive_and_audit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    survey = SurveyRepository(sessions)
    await survey.add_tilfoejet(
        world.anne.id,
        world.last.id,
        navn="Eget system",
        leverandoer="Os",
        svarer_til=None,
        anvendelse=Anvendelse.ANVENDER,
        bemaerkning=None,
    )
    audited = await _count(sessions, AuditRow)
    await deliver_round(sessions, world.kim.id)
    coordination = CoordinationRepository(sessions)
    await coordination.mark_started(TENANT)
    last = await RoundsRepository(sessions).last_round(TENANT)
    assert last is not None

    result = await set_up_again(sessions, world, date(2100, 8, 31))

    assert result.ny_runde
    assert (result.answers_kept, result.answers_dropped) == (0, 0)
    assert await _count(sessions, AnswerRow) == 0
    assert await _count(sessions, TilfoejetSystemRow) == 0
    assert await _count(sessions, TildelingRow) == 0
    assert await _count(sessions, AuditRow) == audited
    async with sessions() as session:
        submitted = await session.scalar(
            select(func.count()).where(FagomraadeRow.indsendt_at.is_not(None))
        )
    assert submitted == 0
    assert not await coordination.is_started(TENANT)
    archive = ArchiveRepository(sessions)
    assert [v.send_status for v in await archive.versions(TENANT)] == [SendStatus.SENT]
    # This round has sent nothing yet: no change report against last round, no receipt.
    assert await archive.last_delivered(TENANT) is None
    assert await archive.kombit_receipt(TENANT) is None
    # Last round is still what the archive suggests from, owners included, though this
    # round's assignments are gone.
    again = await RoundsRepository(sessions).last_round(TENANT)
    assert again is not None and again.version_nummer == last.version_nummer
    assert {p.person_id for s in again.sources for p in s.systemejere} == {world.anne.id}
    assert again.sources == last.sources


async def test_a_set_up_inside_the_new_round_corrects_it_and_keeps_its_answers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    await deliver_round(sessions, world.kim.id)
    await set_up_again(sessions, world, date(2100, 8, 31))
    coordination = CoordinationRepository(sessions)
    area = world.areas[0]
    await coordination.assign(area.id, world.anne.id, by_person_id=world.kim.id)
    first_system = next(iter(area.systems.values()))
    await SurveyRepository(sessions).record_answer(world.anne.id, first_system, Anvendelse.ANVENDER)

    result = await set_up_again(sessions, world, date(2100, 9, 15))

    assert not result.ny_runde
    assert result.answers_kept == 1
    assert [p.id for p in await coordination.owners(area.id)] == [world.anne.id]
