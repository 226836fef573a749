"""Who is reminded of what, and when: the pure plan over Danish working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from storage.domain.model import Fagomraade, Person
from storage.domain.progress import FagomraadeFacts
from storage.domain.reminders import ReminderKind, ReminderPlan, plan_reminders
from storage.domain.schedule import danish_holidays

ZONE = ZoneInfo("Europe/Copenhagen")
SLUTDATO = date(2027, 8, 31)  # a Tuesday
STARTED = datetime(2027, 8, 2, 8, 0, tzinfo=UTC)
ANNE = Person(id=1, tenant_id="t", aad_object_id="a", navn="Anne", email=None)
BO = Person(id=2, tenant_id="t", aad_object_id="b", navn="Bo", email=None)
KIRSTEN = Person(id=9, tenant_id="t", aad_object_id="k", navn="Kirsten", email=None)


def area(area_id: int, *, answered: int, owners: tuple[Person, ...], done: bool = False):  # type: ignore[no-untyped-def]
    return FagomraadeFacts(
        fagomraade=Fagomraade(
            id=area_id,
            navn=f"Område {area_id}",
            position=area_id,
            antal_systemer=10,
            indsendt_at=STARTED if done else None,
        ),
        answered=answered,
        owners=owners,
        last_activity=None,
    )


def plan(now: datetime, *areas: FagomraadeFacts, started: datetime = STARTED) -> ReminderPlan:
    return plan_reminders(
        now_utc=now,
        slutdato=SLUTDATO,
        started_at=started,
        facts=areas,
        coordinators=[KIRSTEN],
        offsets=(14, 7, 3, 1, 0),
        at=time(9, 0),
        zone=ZONE,
        helligdage=danish_holidays([2027]),
        risk_working_days=5,
    )


def who(result: ReminderPlan) -> list[tuple[ReminderKind, str, tuple[int, ...]]]:
    return [
        (r.kind, r.person.navn, tuple(a.fagomraade.id for a in r.fagomraader))
        for r in result.reminders
    ]


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def test_owners_of_unfinished_areas_and_the_coordinator_are_reminded_on_a_reminder_date() -> None:
    result = plan(
        at_local(date(2027, 8, 24), 9, 5),
        area(1, answered=3, owners=(ANNE, BO)),
        area(2, answered=10, owners=(BO,), done=True),
    )

    assert who(result) == [
        (ReminderKind.SYSTEMEJER, "Anne", (1,)),
        (ReminderKind.SYSTEMEJER, "Bo", (1,)),
        (ReminderKind.STATUS, "Kirsten", ()),
    ]
    assert result.at_risk and result.working_days_left == 5


def test_nothing_before_the_reminder_time_or_on_a_day_without_a_reminder() -> None:
    unfinished = area(1, answered=0, owners=(ANNE,))

    assert plan(at_local(date(2027, 8, 24), 8, 59), unfinished).reminders == ()
    assert plan(at_local(date(2027, 8, 25), 9, 5), unfinished).reminders == ()


def test_a_reminder_date_missed_while_the_bot_was_down_is_not_sent_the_next_day() -> None:
    # 17 August (14 days before) was missed; the 18th is no reminder date.
    assert (
        plan(at_local(date(2027, 8, 18), 12), area(1, answered=0, owners=(ANNE,))).reminders == ()
    )


def test_no_reminder_on_the_day_the_round_started() -> None:
    started_today = at_local(date(2027, 8, 24), 8)

    result = plan(
        at_local(date(2027, 8, 24), 9, 5),
        area(1, answered=0, owners=(ANNE,)),
        started=started_today,
    )

    assert result.reminders == ()


def test_after_slutdato_only_the_coordinator_is_reminded_and_only_on_working_days() -> None:
    unfinished = area(1, answered=2, owners=(ANNE,))

    assert who(plan(at_local(date(2027, 9, 1), 9, 5), unfinished)) == [
        (ReminderKind.FORSINKET, "Kirsten", ())
    ]
    assert plan(at_local(date(2027, 9, 4), 9, 5), unfinished).reminders == ()  # a Saturday


def test_a_complete_round_reminds_nobody() -> None:
    done = area(1, answered=10, owners=(ANNE,), done=True)

    assert plan(at_local(date(2027, 8, 24), 9, 5), done).reminders == ()
    assert plan(at_local(date(2027, 9, 1), 9, 5), done).reminders == ()


def test_an_owner_of_several_unfinished_areas_gets_one_reminder_listing_them_all() -> None:
    result = plan(
        at_local(date(2027, 8, 24), 9, 5),
        area(1, answered=3, owners=(ANNE, BO)),
        area(2, answered=0, owners=(ANNE,)),
        area(3, answered=10, owners=(ANNE,), done=True),
    )

    assert who(result) == [
        (ReminderKind.SYSTEMEJER, "Anne", (1, 2)),
        (ReminderKind.SYSTEMEJER, "Bo", (1,)),
        (ReminderKind.STATUS, "Kirsten", ()),
    ]
