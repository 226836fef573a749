"""Reminders end to end: the runner plans, claims and enqueues; the outbox delivers.

What each person finds in their chat is read at the local connector. Racing runners (two
instances, or the runner beside `kortlaegning remind`) must still send each reminder once.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bootstrap import Storage
from bot.reminders import REMINDER_KINDS, ReminderRunner
from bot.settings import Settings
from dialogs import texts
from storage.db import create_engine_for, make_sessionmaker
from storage.domain.delivery import FailureReason
from storage.domain.model import Anvendelse
from storage.migrate import upgrade_head
from storage.models import AnswerRow, FagomraadeRow, ItSystemRow, PersonRow
from storage.outbox import OutboxRepository
from storage.reminders import ReminderRepository
from tests.protocol.conftest import card_text
from tests.support.activities import TeamsUser
from tests.support.clock import FakeClock
from tests.support.connector import BotConnector, Failure
from tests.support.outbox_delivery import Delivery, build_delivery
from tests.support.seed import Area, Seeded, seed_kortlaegning, seed_personal_chat

ANNE = TeamsUser("Anne Hansen", "aad-anne", "anne@kommune.dk")
BO = TeamsUser("Bo Jensen", "aad-bo", "bo@kommune.dk")
CARL = TeamsUser("Carl Nielsen", "aad-carl", "carl@kommune.dk")
KIRSTEN = TeamsUser("Kirsten Koordinator", "aad-kirsten", "kirsten@kommune.dk")

SLUTDATO = date(2027, 8, 31)  # a Tuesday
STARTED = datetime(2027, 8, 2, 8, 0, tzinfo=UTC)
ONE_WEEK_BEFORE = datetime(2027, 8, 24, 7, 5, tzinfo=UTC)  # 09:05 in Copenhagen, a Tuesday
BEFORE_NINE = datetime(2027, 8, 24, 6, 55, tzinfo=UTC)
TWO_DAYS_LATE = datetime(2027, 9, 2, 7, 30, tzinfo=UTC)  # Thursday after slutdato

AREAS = [
    Area("Økonomi", systems=12, answered=9, owners=(ANNE,)),
    Area("Skole", systems=5, answered=0, owners=(BO, CARL)),
    Area("Miljø", systems=3, answered=3, owners=(CARL,), submitted=True),
]
PEOPLE = [ANNE, BO, CARL, KIRSTEN]


@pytest.fixture
async def seeded(sessions: async_sessionmaker[AsyncSession], connector: BotConnector) -> Seeded:
    seeded = await seed_kortlaegning(
        sessions, slutdato=SLUTDATO, started_at=STARTED, areas=AREAS, koordinatorer=(KIRSTEN,)
    )
    for user in PEOPLE:
        await seed_personal_chat(sessions, user, connector.url)
    return seeded


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
async def delivery(
    sessions: async_sessionmaker[AsyncSession], storage: Storage
) -> AsyncIterator[Delivery]:
    built = build_delivery(storage, FakeClock(ONE_WEEK_BEFORE))
    yield built
    await built.sender.close()


def runner_for(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> ReminderRunner:
    """A runner whose process clock reads ONE_WEEK_BEFORE, as the delivery's does."""
    return ReminderRunner(
        ReminderRepository(sessions),
        OutboxRepository(sessions),
        settings,
        now=lambda: ONE_WEEK_BEFORE,
    )


def cards_in(connector: BotConnector, user: TeamsUser) -> list[dict[str, object]]:
    return [
        attachment["content"]
        for activity in connector.sent(user.personal_conversation)
        for attachment in activity.get("attachments") or []
    ]


async def test_each_systemejer_gets_one_card_with_fortsaet_the_form_and_ikke_mig(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    seeded: Seeded,
    delivery: Delivery,
    connector: BotConnector,
) -> None:
    runner = runner_for(sessions, settings)

    await runner.run_once(ONE_WEEK_BEFORE)
    await runner.run_once(ONE_WEEK_BEFORE)  # the runner wakes again a minute later
    await delivery.worker.drain()

    [anne_card] = cards_in(connector, ANNE)
    assert anne_card["version"] == "1.5"
    assert anne_card["actions"] == [
        {
            "type": "Action.Submit",
            "title": "Fortsæt",
            "style": "positive",
            "data": {"action": "fortsaet", "fagomraade_id": seeded.area_ids["Økonomi"]},
        },
        {
            "type": "Action.Submit",
            "title": "Formular",
            "data": {"action": "form", "fagomraade_id": seeded.area_ids["Økonomi"]},
        },
        {
            "type": "Action.Submit",
            "title": "Ikke mig",
            "data": {"action": "handover", "fagomraade_id": seeded.area_ids["Økonomi"]},
        },
    ]
    body = " ".join(block["text"] for block in anne_card["body"])  # type: ignore[attr-defined]
    assert "**3 af 12**" in body and "**31. august 2027** (om 7 dage)" in body
    assert len(cards_in(connector, BO)) == 1
    [carl_card] = cards_in(connector, CARL)  # Miljø is submitted: only Skole is asked about
    assert carl_card["actions"][0]["data"]["fagomraade_id"] == seeded.area_ids["Skole"]  # type: ignore[index]


async def test_someone_with_several_unfinished_areas_gets_one_card_listing_them_all(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    delivery: Delivery,
    connector: BotConnector,
) -> None:
    seeded = await seed_kortlaegning(
        sessions,
        slutdato=SLUTDATO,
        started_at=STARTED,
        areas=[
            Area("Økonomi", systems=12, answered=9, owners=(ANNE,)),
            Area("Teknik", systems=4, answered=0, owners=(ANNE,)),
        ],
        koordinatorer=(KIRSTEN,),
    )
    await seed_personal_chat(sessions, ANNE, connector.url)

    await runner_for(sessions, settings).run_once(ONE_WEEK_BEFORE)
    await delivery.worker.drain()

    [card] = cards_in(connector, ANNE)
    text = card_text(card)
    assert texts.reminders_title(fagomraader=2) in text
    assert "**Økonomi** – 3 af 12 systemer mangler svar" in text
    assert "**Teknik** – 4 af 4 systemer mangler svar" in text
    assert [(b, d["fagomraade_id"]) for b, d in _submits(card)] == [
        ("Fortsæt", seeded.area_ids["Økonomi"]),
        ("Formular", seeded.area_ids["Økonomi"]),
        ("Ikke mig", seeded.area_ids["Økonomi"]),
        ("Start", seeded.area_ids["Teknik"]),
        ("Formular", seeded.area_ids["Teknik"]),
        ("Ikke mig", seeded.area_ids["Teknik"]),
    ]


def _submits(card: dict[str, object]) -> list[tuple[str, dict[str, object]]]:
    return [
        (action["title"], action["data"])
        for block in card["body"]  # type: ignore[attr-defined]
        if block["type"] == "ActionSet"
        for action in block["actions"]
    ]


async def test_nobody_is_reminded_before_the_reminder_time(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, seeded: Seeded
) -> None:
    assert await runner_for(sessions, settings).run_once(BEFORE_NINE) == []


async def test_the_coordinator_is_told_who_is_late_and_that_the_deadline_is_at_risk(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    seeded: Seeded,
    delivery: Delivery,
    connector: BotConnector,
) -> None:
    await runner_for(sessions, settings).run_once(ONE_WEEK_BEFORE)
    await delivery.worker.drain()

    [summary] = connector.texts(KIRSTEN.personal_conversation)
    assert "1 af 3 fagområder er indsendt" in summary
    assert "- **Økonomi**: 9 af 12 besvaret – Anne Hansen" in summary
    assert "- **Skole**: 0 af 5 besvaret – Bo Jensen, Carl Nielsen" in summary
    assert "**Slutdatoen er i fare:** der er 5 arbejdsdage tilbage" in summary
    assert "infrastruktur@kombit.dk" in summary


@pytest.mark.parametrize(
    ("now", "deadline"),
    [
        # Monday 30 August, 09:05 in Copenhagen: slutdato is the one working day left.
        (datetime(2027, 8, 30, 7, 5, tzinfo=UTC), "der er 1 arbejdsdag tilbage"),
        (datetime(2027, 8, 31, 7, 5, tzinfo=UTC), "i dag er slutdatoen"),
    ],
)
async def test_the_summary_names_unassigned_areas_apart_and_counts_days_in_good_danish(
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    settings: Settings,
    connector: BotConnector,
    now: datetime,
    deadline: str,
) -> None:
    areas = [
        Area("Økonomi", systems=1, answered=0, owners=(ANNE,)),
        Area("Skole", systems=5, answered=0),
        Area("Miljø", systems=3, answered=0),
    ]
    await seed_kortlaegning(
        sessions, slutdato=SLUTDATO, started_at=STARTED, areas=areas, koordinatorer=(KIRSTEN,)
    )
    for user in (ANNE, KIRSTEN):
        await seed_personal_chat(sessions, user, connector.url)

    # A reminder is written as it reads when sent, so the sending process's clock says now.
    delivery = build_delivery(storage, FakeClock(now))
    await runner_for(sessions, settings).run_once(now)
    await delivery.worker.drain()
    await delivery.sender.close()

    [summary] = connector.texts(KIRSTEN.personal_conversation)
    reminded, unassigned, at_risk = summary.split("\n\n")[1:4]
    assert reminded == (
        "0 af 3 fagområder er indsendt, og 0 % af it-systemerne er besvaret. Disse fagområder "
        "mangler, og deres systemejere har fået en påmindelse:\n"
        "- **Økonomi**: 0 af 1 besvaret – Anne Hansen"
    )
    assert unassigned == (
        "2 fagområder har ingen systemejer, så ingen har fået en påmindelse – tildel dem med "
        "**tildel**: Skole, Miljø."
    )
    assert at_risk.startswith(f"**Slutdatoen er i fare:** {deadline}. Hvis I ikke når at blive ")
    [anne_card] = cards_in(connector, ANNE)
    body = " ".join(block["text"] for block in anne_card["body"])  # type: ignore[attr-defined]
    assert "**1 af 1** it-system i fagområdet **Økonomi**" in body


async def test_after_slutdato_only_the_coordinator_is_reminded_to_tell_kombit(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    seeded: Seeded,
    delivery: Delivery,
    connector: BotConnector,
) -> None:
    await runner_for(sessions, settings).run_once(TWO_DAYS_LATE)
    await delivery.worker.drain()

    [reminder] = connector.texts()
    assert connector.sent(KIRSTEN.personal_conversation)
    assert reminder.startswith("**Slutdatoen 31. august 2027 er overskredet.**")
    assert "KOMBIT skal have besked" in reminder and "infrastruktur@kombit.dk" in reminder


async def test_people_the_bot_could_not_reach_are_listed_for_the_coordinator(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    seeded: Seeded,
    delivery: Delivery,
    connector: BotConnector,
) -> None:
    connector.fail_next("send", Failure(403), target=BO.personal_conversation)
    runner = runner_for(sessions, settings)
    await runner.run_once(ONE_WEEK_BEFORE)
    await delivery.worker.drain()

    await runner.run_once(TWO_DAYS_LATE)
    await delivery.worker.drain()

    overdue = connector.texts(KIRSTEN.personal_conversation)[-1]
    assert "- " + texts.unreachable_line(navn="Bo Jensen", reason=FailureReason.BLOCKED) in overdue


async def test_two_instances_racing_send_every_reminder_exactly_once(
    database_url: str, settings: Settings, seeded: Seeded, connector: BotConnector
) -> None:
    instances = []
    for name in ("instance-a", "instance-b"):
        engine = create_engine_for(database_url)
        storage = Storage.over(engine)
        sessions = storage.sessions
        instances.append(
            (
                engine,
                runner_for(sessions, settings),
                build_delivery(storage, FakeClock(ONE_WEEK_BEFORE), owner=name),
            )
        )

    await asyncio.gather(*(runner.run_once(ONE_WEEK_BEFORE) for _, runner, _ in instances))
    await asyncio.gather(*(d.worker.drain() for _, _, d in instances))
    for engine, _, d in instances:
        await d.sender.close()
        await engine.dispose()

    # Anne: Økonomi; Bo: Skole; Carl: Skole; Kirsten: the summary.
    assert connector.sends_per_conversation() == {user.personal_conversation: 1 for user in PEOPLE}


async def test_the_runner_and_the_remind_command_together_send_each_reminder_once(
    sqlite_url: str, connector: BotConnector, tmp_path: Path
) -> None:
    engine = create_engine_for(sqlite_url)
    await upgrade_head(engine)
    storage = Storage.over(engine)
    sessions = storage.sessions
    await seed_kortlaegning(
        sessions, slutdato=SLUTDATO, started_at=STARTED, areas=AREAS, koordinatorer=(KIRSTEN,)
    )
    for user in PEOPLE:
        await seed_personal_chat(sessions, user, connector.url)
    settings = Settings(database_url=sqlite_url)
    # The command's worker keeps the real clock (its --now only plans); so does this one, so
    # that each sees the other's leases as live.
    delivery = build_delivery(storage, FakeClock(datetime.now(UTC)))

    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "remind",
        "--now",
        "2027-08-24T09:05:00",
        env={**os.environ, "DATABASE_URL": sqlite_url, "LOG_LEVEL": "WARNING"},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
    )
    runner = ReminderRunner(ReminderRepository(sessions), OutboxRepository(sessions), settings)
    finished = asyncio.ensure_future(command.communicate())
    while not finished.done():  # the runner keeps waking for as long as the command runs
        await runner.run_once(ONE_WEEK_BEFORE)
        await delivery.worker.drain()
        await asyncio.wait([finished], timeout=0.02)
    output, _ = finished.result()
    await runner.run_once(ONE_WEEK_BEFORE)
    await delivery.worker.drain()
    await delivery.sender.close()
    await engine.dispose()

    assert command.returncode == 0, output
    assert connector.sends_per_conversation() == {user.personal_conversation: 1 for user in PEOPLE}


async def test_remind_dry_run_prints_who_would_get_what_and_sends_nothing(
    sqlite_url: str, connector: BotConnector, tmp_path: Path
) -> None:
    engine = create_engine_for(sqlite_url)
    await upgrade_head(engine)
    await seed_kortlaegning(
        make_sessionmaker(engine),
        slutdato=SLUTDATO,
        started_at=STARTED,
        areas=AREAS,
        koordinatorer=(KIRSTEN,),
    )
    await engine.dispose()

    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "remind",
        "--dry-run",
        "--now",
        "2027-08-24T09:05:00+02:00",
        env={**os.environ, "DATABASE_URL": sqlite_url, "LOG_LEVEL": "WARNING"},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await command.communicate()

    lines = output.decode().splitlines()
    assert any("Anne Hansen" in line and "'Økonomi': 3 of 12 unanswered" in line for line in lines)
    assert any("Kirsten Koordinator" in line and "koordinator_status" in line for line in lines)
    assert lines[-1].startswith("4 reminder(s) due")
    assert connector.calls == []


async def test_remind_now_sends_at_once_what_it_planned_for_that_moment(
    sqlite_url: str, connector: BotConnector, tmp_path: Path
) -> None:
    engine = create_engine_for(sqlite_url)
    await upgrade_head(engine)
    storage = Storage.over(engine)
    sessions = storage.sessions
    await seed_kortlaegning(
        sessions, slutdato=SLUTDATO, started_at=STARTED, areas=AREAS, koordinatorer=(KIRSTEN,)
    )
    for user in PEOPLE:
        await seed_personal_chat(sessions, user, connector.url)
    await engine.dispose()

    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "remind",
        "--now",
        "2027-08-24T09:05:00",
        env={**os.environ, "DATABASE_URL": sqlite_url},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await command.communicate()

    assert output.decode().splitlines()[-1] == (
        "4 reminder(s) enqueued; delivered 4, retrying later 0, failed 0"
    )
    assert connector.sends_per_conversation() == {user.personal_conversation: 1 for user in PEOPLE}


async def test_a_reminder_is_built_when_it_is_sent_and_dropped_if_it_no_longer_holds(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    seeded: Seeded,
    delivery: Delivery,
    connector: BotConnector,
) -> None:
    runner = runner_for(sessions, settings)
    delivery.worker.render_when_sent(REMINDER_KINDS, runner.render_when_sent)
    await runner.run_once(ONE_WEEK_BEFORE)
    # Before the worker gets to them: Anne answers two more, and Skole is submitted.
    async with sessions() as session, session.begin():
        unanswered = (
            await session.scalars(
                select(ItSystemRow.id)
                .where(ItSystemRow.fagomraade_id == seeded.area_ids["Økonomi"])
                .where(~ItSystemRow.id.in_(select(AnswerRow.it_system_id)))
                .order_by(ItSystemRow.id)
                .limit(2)
            )
        ).all()
        anne = (
            await session.scalars(select(PersonRow.id).where(PersonRow.email == ANNE.email))
        ).one()
        session.add_all(
            AnswerRow(
                it_system_id=system_id,
                anvendelse=Anvendelse.ANVENDER,
                answered_by=anne,
                answered_at=ONE_WEEK_BEFORE,
            )
            for system_id in unanswered
        )
        skole = await session.get_one(FagomraadeRow, seeded.area_ids["Skole"])
        skole.indsendt_at = ONE_WEEK_BEFORE

    await delivery.worker.drain()

    [anne_card] = cards_in(connector, ANNE)
    body = " ".join(block["text"] for block in anne_card["body"])  # type: ignore[attr-defined]
    assert "**1 af 12**" in body
    assert connector.sent(BO.personal_conversation) == []
    assert connector.sent(CARL.personal_conversation) == []
    [summary] = connector.texts(KIRSTEN.personal_conversation)
    assert "2 af 3 fagområder er indsendt" in summary
    assert "- **Økonomi**: 11 af 12 besvaret – Anne Hansen" in summary
