from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from storage.domain.schedule import (
    danish_holidays,
    deadline_at_risk,
    due_reminders,
    is_working_day,
    overdue_reminder_due,
    reminder_dates,
    reminder_moment,
    working_days_until,
)

HELLIGDAGE = danish_holidays(range(2023, 2029))
OFFSETS = (14, 7, 3, 1, 0)
NINE = time(9, 0)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2027, 1, 1), "nytaarsdag"),
        (date(2027, 3, 25), "skaertorsdag"),
        (date(2027, 3, 26), "langfredag"),
        (date(2027, 3, 28), "paaskedag"),
        (date(2027, 3, 29), "2. paaskedag"),
        (date(2027, 5, 6), "kristi himmelfartsdag"),
        (date(2027, 5, 16), "pinsedag"),
        (date(2027, 5, 17), "2. pinsedag"),
        (date(2027, 12, 25), "juledag"),
        (date(2027, 12, 26), "2. juledag"),
        (date(2023, 5, 5), "store bededag, before its abolition"),
    ],
)
def test_official_helligdage_are_holidays(day: date, name: str) -> None:
    assert day in HELLIGDAGE, name


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 6, 5), "grundlovsdag"),
        (date(2026, 12, 24), "juleaftensdag"),
        (date(2026, 12, 31), "nytaarsaftensdag"),
        (date(2026, 5, 1), "1. maj"),
        (date(2027, 5, 7), "fredag efter kristi himmelfartsdag"),
        (date(2024, 4, 26), "store bededag, abolished from 2024"),
    ],
)
def test_days_that_are_not_helligdage_in_law_are_working_days(day: date, name: str) -> None:
    assert day.weekday() < 5, "the example must be a weekday to prove anything"
    assert is_working_day(day, HELLIGDAGE), name


def test_2027_has_exactly_its_ten_official_helligdage() -> None:
    assert sorted(danish_holidays([2027])) == [
        date(2027, 1, 1),
        date(2027, 3, 25),
        date(2027, 3, 26),
        date(2027, 3, 28),
        date(2027, 3, 29),
        date(2027, 5, 6),
        date(2027, 5, 16),
        date(2027, 5, 17),
        date(2027, 12, 25),
        date(2027, 12, 26),
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 8, 27), True),  # Friday
        (date(2027, 8, 28), False),  # Saturday
        (date(2027, 8, 29), False),  # Sunday
        (date(2027, 8, 30), True),  # Monday
        (date(2027, 3, 29), False),  # 2. paaskedag, a Monday
    ],
)
def test_weekends_and_holidays_are_not_working_days(day: date, expected: bool) -> None:
    assert is_working_day(day, HELLIGDAGE) is expected


def test_is_working_day_uses_only_the_holidays_it_is_given() -> None:
    assert is_working_day(date(2027, 3, 29), frozenset())
    assert not is_working_day(date(2026, 12, 24), {date(2026, 12, 24)})


@pytest.mark.parametrize(
    ("slutdato", "expected"),
    [
        pytest.param(
            date(2027, 8, 31),
            [
                date(2027, 8, 17),
                date(2027, 8, 24),
                date(2027, 8, 27),
                date(2027, 8, 30),
                date(2027, 8, 31),
            ],
            id="three days before is a saturday, moves to friday",
        ),
        pytest.param(
            date(2027, 3, 2),
            [
                date(2027, 2, 16),
                date(2027, 2, 23),
                date(2027, 2, 26),
                date(2027, 3, 1),
                date(2027, 3, 2),
            ],
            id="across the end of february",
        ),
        pytest.param(
            date(2027, 3, 30),
            [date(2027, 3, 16), date(2027, 3, 23), date(2027, 3, 24), date(2027, 3, 30)],
            id="easter: 1 and 3 days before both fall back to the wednesday before skaertorsdag",
        ),
        pytest.param(
            date(2027, 5, 7),
            [
                date(2027, 4, 23),
                date(2027, 4, 30),
                date(2027, 5, 4),
                date(2027, 5, 5),
                date(2027, 5, 7),
            ],
            id="kristi himmelfartsdag moves the day-before reminder to wednesday",
        ),
        pytest.param(
            date(2027, 5, 18),
            [date(2027, 5, 4), date(2027, 5, 11), date(2027, 5, 14), date(2027, 5, 18)],
            id="2. pinsedag and the weekend collapse 1 and 3 days before onto friday",
        ),
        pytest.param(
            date(2026, 12, 28),
            [date(2026, 12, 14), date(2026, 12, 21), date(2026, 12, 24), date(2026, 12, 28)],
            id="christmas: juleaftensdag is a working day",
        ),
        pytest.param(
            date(2027, 1, 4),
            [date(2026, 12, 21), date(2026, 12, 28), date(2026, 12, 31), date(2027, 1, 4)],
            id="new year: back across the year end to nytaarsaftensdag",
        ),
        pytest.param(
            date(2027, 3, 29),
            [date(2027, 3, 15), date(2027, 3, 22), date(2027, 3, 24)],
            id="slutdato on 2. paaskedag: the day itself moves back past easter",
        ),
        pytest.param(
            date(2027, 8, 29),
            [date(2027, 8, 13), date(2027, 8, 20), date(2027, 8, 26), date(2027, 8, 27)],
            id="slutdato on a sunday: on the day and the day before both become friday",
        ),
    ],
)
def test_reminder_dates_move_back_to_working_days(slutdato: date, expected: list[date]) -> None:
    assert reminder_dates(slutdato, OFFSETS, HELLIGDAGE) == expected


def test_reminder_dates_are_sorted_and_distinct_whatever_the_offset_order() -> None:
    assert reminder_dates(date(2027, 8, 31), [0, 7, 7, 14, 0], HELLIGDAGE) == [
        date(2027, 8, 17),
        date(2027, 8, 24),
        date(2027, 8, 31),
    ]


def test_no_offsets_give_no_reminders() -> None:
    assert reminder_dates(date(2027, 8, 31), [], HELLIGDAGE) == []


def test_a_negative_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="-1"):
        reminder_dates(date(2027, 8, 31), [7, -1], HELLIGDAGE)


@pytest.mark.parametrize(
    ("day", "at", "expected_utc"),
    [
        pytest.param(
            date(2027, 3, 26),
            NINE,
            datetime(2027, 3, 26, 8, 0, tzinfo=UTC),
            id="friday before summer time: 09:00 is 08:00 utc",
        ),
        pytest.param(
            date(2027, 3, 29),
            NINE,
            datetime(2027, 3, 29, 7, 0, tzinfo=UTC),
            id="monday after summer time starts: 09:00 is 07:00 utc",
        ),
        pytest.param(
            date(2026, 10, 23),
            NINE,
            datetime(2026, 10, 23, 7, 0, tzinfo=UTC),
            id="friday before winter time: 09:00 is 07:00 utc",
        ),
        pytest.param(
            date(2026, 10, 26),
            NINE,
            datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
            id="monday after winter time starts: 09:00 is 08:00 utc",
        ),
        pytest.param(
            date(2026, 3, 29),
            time(2, 30),
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            id="a skipped local time is read with winter time, i.e. 03:30 summer time",
        ),
        pytest.param(
            date(2026, 10, 25),
            time(2, 30),
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            id="a repeated local time means its first, summer-time occurrence",
        ),
    ],
)
def test_reminder_moment_is_local_time_as_utc_across_dst(
    day: date, at: time, expected_utc: datetime
) -> None:
    moment = reminder_moment(day, at, COPENHAGEN)

    assert moment == expected_utc
    assert moment.utcoffset() == expected_utc.utcoffset()


def test_reminder_moment_refuses_a_time_that_carries_its_own_zone() -> None:
    with pytest.raises(ValueError, match="naive"):
        reminder_moment(date(2027, 8, 31), time(9, 0, tzinfo=UTC), COPENHAGEN)


@pytest.mark.parametrize(
    ("now_utc", "expected"),
    [
        pytest.param(
            datetime(2027, 8, 17, 6, 59, 59, tzinfo=UTC),
            [],
            id="a second before the first reminder",
        ),
        pytest.param(
            datetime(2027, 8, 17, 7, 0, tzinfo=UTC),
            [date(2027, 8, 17)],
            id="09:00 summer time is 07:00 utc",
        ),
        pytest.param(
            datetime(2027, 8, 26, 12, 0, tzinfo=UTC),
            [date(2027, 8, 17), date(2027, 8, 24)],
            id="the moved friday reminder is not due on thursday",
        ),
        pytest.param(
            datetime(2027, 9, 15, 12, 0, tzinfo=UTC),
            [
                date(2027, 8, 17),
                date(2027, 8, 24),
                date(2027, 8, 27),
                date(2027, 8, 30),
                date(2027, 8, 31),
            ],
            id="after slutdato all are due; the database says which were sent",
        ),
    ],
)
def test_due_reminders_are_those_whose_moment_has_come(
    now_utc: datetime, expected: list[date]
) -> None:
    due = due_reminders(now_utc, date(2027, 8, 31), OFFSETS, NINE, COPENHAGEN, HELLIGDAGE)

    assert due == expected


def test_due_reminders_honour_the_switch_to_winter_time() -> None:
    # 19 October is summer time (09:00 = 07:00 UTC), 26 October winter time (09:00 = 08:00 UTC).
    slutdato = date(2026, 11, 2)

    at_0730_utc = datetime(2026, 10, 26, 7, 30, tzinfo=UTC)
    at_0800_utc = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)

    assert due_reminders(at_0730_utc, slutdato, (14, 7), NINE, COPENHAGEN, HELLIGDAGE) == [
        date(2026, 10, 19)
    ]
    assert due_reminders(at_0800_utc, slutdato, (14, 7), NINE, COPENHAGEN, HELLIGDAGE) == [
        date(2026, 10, 19),
        date(2026, 10, 26),
    ]


def test_due_reminders_go_by_the_given_now_not_the_wall_clock() -> None:
    given_now = datetime(2027, 8, 20, 12, 0, tzinfo=UTC)

    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        due = due_reminders(given_now, date(2027, 8, 31), OFFSETS, NINE, COPENHAGEN, HELLIGDAGE)

    assert due == [date(2027, 8, 17)]


def test_due_reminders_accept_an_aware_now_in_any_zone() -> None:
    # 08:59 in Copenhagen is 06:59 UTC in summer: the reminder at 09:00 is not yet due.
    now_local = datetime(2027, 8, 17, 8, 59, tzinfo=COPENHAGEN)

    assert due_reminders(now_local, date(2027, 8, 31), OFFSETS, NINE, COPENHAGEN, HELLIGDAGE) == []


def test_due_reminders_refuse_a_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_reminders(
            datetime(2027, 8, 20, 12, 0), date(2027, 8, 31), OFFSETS, NINE, COPENHAGEN, HELLIGDAGE
        )


@pytest.mark.parametrize(
    ("today", "slutdato", "expected"),
    [
        pytest.param(date(2027, 8, 31), date(2027, 8, 31), 0, id="on slutdato"),
        pytest.param(date(2027, 8, 30), date(2027, 8, 31), 1, id="the day before"),
        pytest.param(date(2027, 8, 27), date(2027, 8, 31), 2, id="friday to tuesday"),
        pytest.param(date(2027, 8, 28), date(2027, 8, 30), 1, id="saturday to monday"),
        pytest.param(date(2027, 8, 17), date(2027, 8, 31), 10, id="two weeks"),
        pytest.param(date(2027, 3, 24), date(2027, 3, 30), 1, id="over easter"),
        pytest.param(date(2026, 12, 23), date(2027, 1, 4), 6, id="over christmas and new year"),
        pytest.param(date(2027, 9, 1), date(2027, 8, 31), -1, id="the day after"),
        pytest.param(date(2027, 9, 6), date(2027, 8, 31), -4, id="a weekend after"),
    ],
)
def test_working_days_until_counts_working_days_up_to_slutdato(
    today: date, slutdato: date, expected: int
) -> None:
    assert working_days_until(today, slutdato, HELLIGDAGE) == expected


@pytest.mark.parametrize(
    ("today", "slutdato", "expected"),
    [
        pytest.param(date(2027, 8, 23), date(2027, 8, 31), False, id="six working days left"),
        pytest.param(date(2027, 8, 24), date(2027, 8, 31), True, id="five working days left"),
        pytest.param(date(2027, 8, 31), date(2027, 8, 31), True, id="on slutdato"),
        pytest.param(date(2027, 9, 1), date(2027, 8, 31), False, id="past is overdue, not at risk"),
        pytest.param(
            date(2027, 3, 22),
            date(2027, 3, 31),
            True,
            id="nine calendar days over easter are four working days",
        ),
    ],
)
def test_deadline_is_at_risk_within_five_working_days(
    today: date, slutdato: date, expected: bool
) -> None:
    assert deadline_at_risk(today, slutdato, HELLIGDAGE) is expected


def test_the_risk_window_can_be_narrowed() -> None:
    slutdato = date(2027, 8, 31)

    assert not deadline_at_risk(date(2027, 8, 27), slutdato, HELLIGDAGE, risk_working_days=1)
    assert deadline_at_risk(date(2027, 8, 30), slutdato, HELLIGDAGE, risk_working_days=1)


@pytest.mark.parametrize(
    ("today", "slutdato", "expected"),
    [
        pytest.param(date(2027, 8, 31), date(2027, 8, 31), False, id="on slutdato"),
        pytest.param(date(2027, 9, 1), date(2027, 8, 31), True, id="the working day after"),
        pytest.param(date(2027, 9, 4), date(2027, 8, 31), False, id="a saturday after"),
        pytest.param(date(2027, 9, 6), date(2027, 8, 31), True, id="the monday after"),
        pytest.param(date(2027, 10, 29), date(2027, 8, 31), True, id="weeks after, still daily"),
        pytest.param(date(2027, 3, 25), date(2027, 3, 24), False, id="skaertorsdag after"),
        pytest.param(
            date(2027, 3, 30), date(2027, 3, 24), True, id="first working day after easter"
        ),
        pytest.param(date(2027, 8, 30), date(2027, 8, 31), False, id="before slutdato"),
    ],
)
def test_overdue_reminder_is_due_on_every_working_day_after_slutdato(
    today: date, slutdato: date, expected: bool
) -> None:
    assert overdue_reminder_due(today, slutdato, HELLIGDAGE) is expected
