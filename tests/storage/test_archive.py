"""The archive repository and `kortlaegning export` on both databases."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import export_cli
from bot.cli import _build_parser
from bot.settings import Settings
from dialogs import texts
from storage.archive import ArchiveRepository
from storage.domain.archive import ChangeKind, SendStatus, VersionReason, net_changes
from storage.domain.model import Anvendelse, Kilde
from storage.models import Bilag1VersionRow
from storage.survey import SurveyRepository
from tests.support.delivery import TENANT, DeliveryWorld, answers_in, set_up_answered


async def archived(archive: ArchiveRepository, world: DeliveryWorld) -> int:
    snapshot = await archive.snapshot(TENANT)
    version = await archive.archive(
        snapshot.kortlaegning_id,
        filename_for=lambda nummer: f"v{nummer}.xlsx",
        content=b"workbook",
        reason=VersionReason.SEND,
        taken_at=snapshot.taken_at,
        by_person_id=world.kim.id,
    )
    return version.id


async def test_versions_are_numbered_and_sent_once_however_often_send_is_pressed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    archive = ArchiveRepository(sessions)
    first, second = await archived(archive, world), await archived(archive, world)
    now = datetime.now(UTC)

    assert [v.nummer for v in await archive.versions(TENANT)] == [2, 1]
    assert await archive.claim_send(TENANT, second, now=now) is True
    assert await archive.claim_send(TENANT, second, now=now) is False
    assert await archive.claim_send("another-tenant", first, now=now) is False
    # A send that died with its process is taken over once its claim is old.
    assert await archive.claim_send(TENANT, second, now=now + timedelta(minutes=11)) is True
    version = await archive.mark_send_failed(second, attempts=3, error="smtp 451")
    assert (version.send_status, version.send_attempts) == (SendStatus.FAILED, 3)
    assert await archive.claim_send(TENANT, second, now=now) is True


async def test_receipt_and_the_change_notice_belong_to_the_newest_delivered_version(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    archive = ArchiveRepository(sessions)
    assert await archive.record_receipt(
        TENANT, by_person_id=world.kim.id, at=datetime.now(UTC)
    ) == (
        None,
        False,
    )
    assert await archive.claim_change_notice(TENANT) is None
    version_id = await archived(archive, world)
    await archive.mark_delivered(
        version_id,
        status=SendStatus.EML,
        by_person_id=world.kim.id,
        at=datetime.now(UTC),
        recipient="infrastruktur@kombit.dk",
        subject="[Aarhus Kommune/kortlægning af it-systemer]",
        mail_filename="mail.eml",
        mail=b"From: x",
        attempts=0,
    )

    notice = await archive.claim_change_notice(TENANT)
    assert notice is not None and notice.id == version_id
    assert await archive.claim_change_notice(TENANT) is None
    version, recorded = await archive.record_receipt(
        TENANT, by_person_id=world.kim.id, at=datetime.now(UTC)
    )
    assert version is not None and recorded
    assert (await archive.record_receipt(TENANT, by_person_id=world.kim.id, at=datetime.now(UTC)))[
        1
    ] is False
    assert await archive.kombit_receipt(TENANT) is not None


async def test_an_area_read_tells_whether_a_delivered_version_waits_for_its_change_notice(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    archive = ArchiveRepository(sessions)
    survey = SurveyRepository(sessions)
    area_id = world.last.id

    assert not (await survey.read_overview(area_id)).change_unannounced
    version_id = await archived(archive, world)
    assert not (await survey.read_overview(area_id)).change_unannounced  # archived, not sent
    await archive.mark_delivered(
        version_id,
        status=SendStatus.SENT,
        by_person_id=world.kim.id,
        at=datetime.now(UTC),
        recipient="infrastruktur@kombit.dk",
        subject="[Aarhus Kommune/kortlægning af it-systemer]",
        mail_filename="mail.eml",
        mail=b"From: x",
        attempts=1,
    )
    assert (await survey.read_overview(area_id)).change_unannounced
    assert await archive.claim_change_notice(TENANT) is not None
    assert not (await survey.read_overview(area_id)).change_unannounced


async def test_changes_after_a_version_come_from_the_audit_and_net_out(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    archive = ArchiveRepository(sessions)
    survey = SurveyRepository(sessions)
    snapshot = await archive.snapshot(TENANT)
    area = world.areas[0]
    (first, first_id), (second, second_id) = list(area.systems.items())[:2]
    before_second = world.expected[area.navn, second]

    # Corrections of submitted areas, as the survey makes them (correcting=True).
    await survey.record_answer(
        world.anne.id, first_id, Anvendelse.SEKUNDAER, "kun opslag", correcting=True
    )
    changed_back = (
        Anvendelse.ANVENDER if before_second is not Anvendelse.ANVENDER else (Anvendelse.SEKUNDAER)
    )
    await survey.record_answer(world.anne.id, second_id, changed_back, correcting=True)
    await survey.record_answer(world.anne.id, second_id, before_second, correcting=True)
    await survey.add_tilfoejet(
        world.anne.id,
        area.id,
        navn="WorkZone",
        leverandoer="KMD",
        svarer_til=first,
        anvendelse=Anvendelse.ANVENDER,
        bemaerkning=None,
    )

    assert await archive.changed_since(snapshot.kortlaegning_id, snapshot.taken_at)
    changes = net_changes(await archive.change_entries(snapshot.kortlaegning_id, snapshot.taken_at))
    assert [(c.kind, c.system, c.before, c.after, c.after_bemaerkning, c.by) for c in changes] == [
        (
            ChangeKind.ANSWER,
            first,
            Anvendelse.ANVENDER,
            Anvendelse.SEKUNDAER,
            "kun opslag",
            "Anne Systemejer",
        ),
        (ChangeKind.ADDED, "WorkZone", None, Anvendelse.ANVENDER, None, "Anne Systemejer"),
    ]


async def test_a_change_keeps_its_source_in_aendringer_and_the_change_report(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await set_up_answered(sessions)
    archive = ArchiveRepository(sessions)
    survey = SurveyRepository(sessions)
    snapshot = await archive.snapshot(TENANT)
    area = world.areas[0]
    (first, first_id), (second, second_id) = list(area.systems.items())[:2]

    def another(system: str) -> Anvendelse:
        return next(a for a in Anvendelse if a is not world.expected[area.navn, system])

    await survey.record_answer(
        world.anne.id, first_id, another(first), correcting=True, kilde=Kilde.KITOS
    )
    await survey.record_answer(world.anne.id, second_id, another(second), "x", correcting=True)

    changes = net_changes(await archive.change_entries(snapshot.kortlaegning_id, snapshot.taken_at))

    zone = ZoneInfo("Europe/Copenhagen")
    lines = {c.system: texts.change_line(c, zone) for c in changes}
    assert {c.system: c.kilde for c in changes} == {first: Kilde.KITOS, second: Kilde.SVAR}
    assert lines[first].endswith(", bekræftet fra KITOS)")
    assert "bekræftet" not in lines[second]


def _args(kommune: str, out: Path, *, draft: bool) -> argparse.Namespace:
    return argparse.Namespace(kommune=kommune, out=out, draft=draft)


def test_the_export_command_is_registered() -> None:
    args = _build_parser().parse_args(["export", "--kommune", "751", "ud.xlsx", "--draft"])

    assert (args.kommune, args.out, args.draft) == ("751", Path("ud.xlsx"), True)


async def test_export_writes_the_final_workbook_and_archives_it(
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = await set_up_answered(sessions)
    out = tmp_path / "bilag1.xlsx"

    code = await export_cli._export(
        "751", out, draft=False, settings=Settings(database_url=database_url)
    )

    assert code == 0
    assert answers_in(out.read_bytes()) == world.expected
    assert capsys.readouterr().out.splitlines() == [
        texts.bilag1_written(filename=str(out), draft=False, mangler=0),
        texts.export_archived(version=1),
    ]
    async with sessions() as session:
        [version] = (await session.scalars(select(Bilag1VersionRow))).all()
    assert (version.reason, version.created_by) == ("export", None)


async def test_export_refuses_a_final_with_missing_answers_but_writes_a_draft(
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await set_up_answered(sessions, leave_unanswered=1)
    settings = Settings(database_url=database_url)

    final = await export_cli._export("751", tmp_path / "f.xlsx", draft=False, settings=settings)
    draft = await export_cli._export("751", tmp_path / "d.xlsx", draft=True, settings=settings)
    unknown = await export_cli._export("101", tmp_path / "x.xlsx", draft=True, settings=settings)

    assert (final, draft, unknown) == (2, 0, 2)
    err = capsys.readouterr().err
    assert "Bilag 1 kan ikke gøres færdigt: 1 it-system mangler svar." in err
    assert texts.export_no_kortlaegning(kommunekode="101") in err
    assert not (tmp_path / "f.xlsx").exists()
    assert list(answers_in((tmp_path / "d.xlsx").read_bytes()).values()).count(None) == 1
    async with sessions() as session:
        assert (await session.scalars(select(Bilag1VersionRow))).all() == []
