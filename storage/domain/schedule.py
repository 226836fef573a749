"""Pure reminder schedule: Danish working days, reminder dates and when they fall due.

Stdlib + holidays only. Callers pass the clock in (today, now); nothing here reads it.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import PUBLIC

DEFAULT_RISK_WORKING_DAYS = 5

_ONE_DAY = timedelta(days=1)


def danish_holidays(years: Iterable[int]) -> frozenset[date]:
    """Return the official Danish public holidays (helligdage) in the given years.

    The holidays package's DK calendar, public category, is the source: it tracks the law,
    e.g. Store Bededag is a holiday up to 2023 and abolished from 2024. Grundlovsdag (5 June),
    24 December, 31 December and 1 May are not helligdage in law; the package lists them only
    under its "optional" category, and they stay working days here. Many municipal workplaces
    close on some of them, but which ones varies by agreement, so adding them would be a guess.
    A caller that knows better passes its own wider set wherever ``helligdage`` is taken.

    Cover every year the schedule may touch: the reminder dates reach up to the largest offset
    before slutdato, so a January slutdato needs the previous year too.
    """
    calendar = holidays.country_holidays("DK", years=list(years), categories=(PUBLIC,))
    return frozenset(calendar)


def is_working_day(d: date, helligdage: Container[date]) -> bool:
    """Tell whether d is a Danish working day: Monday to Friday and not a holiday."""
    return d.weekday() < 5 and d not in helligdage


def reminder_dates(
    slutdato: date, offsets: Iterable[int], helligdage: Container[date]
) -> list[date]:
    """Return the sorted, distinct reminder dates for offsets given in days before slutdato.

    An offset landing on a weekend or holiday moves to the previous working day, so the
    reminder still comes before the deadline; offsets that land on the same day give one.
    """
    dates: set[date] = set()
    for offset in offsets:
        if offset < 0:
            raise ValueError(f"reminder offset must be 0 or more days before slutdato: {offset}")
        dates.add(_on_or_before_working_day(slutdato - timedelta(days=offset), helligdage))
    return sorted(dates)


def reminder_moment(d: date, at: time, zone: ZoneInfo) -> datetime:
    """Return the aware UTC instant of local time ``at`` on date d in the given zone.

    Local times that do not exist (skipped when clocks go forward) are read with the offset
    before the change, which lands them later by the skipped hour: 02:30 on the spring-forward
    Sunday in Copenhagen becomes 03:30 summer time. Local times that occur twice (when clocks
    go back) mean the first occurrence. Both follow PEP 495 with ``fold=0``; with the default
    09:00 and no reminders on Sundays neither case arises in Copenhagen.
    """
    if at.tzinfo is not None:
        raise ValueError("reminder time must be a naive local time; the zone is given apart")
    local = datetime.combine(d, at, tzinfo=zone).replace(fold=0)
    return local.astimezone(UTC)


def due_reminders(
    now_utc: datetime,
    slutdato: date,
    offsets: Iterable[int],
    at: time,
    zone: ZoneInfo,
    helligdage: Container[date],
) -> list[date]:
    """Return every reminder date whose moment has come by now_utc, oldest first.

    Reminders already sent are still returned: the caller records each send in the
    database and skips those it finds there, which is what makes a reminder go out once.
    """
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be an aware datetime")
    return [
        d
        for d in reminder_dates(slutdato, offsets, helligdage)
        if reminder_moment(d, at, zone) <= now_utc
    ]


def working_days_until(today: date, slutdato: date, helligdage: Container[date]) -> int:
    """Count working days after today up to and including slutdato; negative once it is past.

    The day before a working-day slutdato gives 1 and slutdato itself 0. After slutdato the
    result counts the working days since it, negated: the next working day gives -1.
    """
    if today <= slutdato:
        return _count_working_days_after(today, slutdato, helligdage)
    return -_count_working_days_after(slutdato, today, helligdage)


def deadline_at_risk(
    today: date,
    slutdato: date,
    helligdage: Container[date],
    *,
    risk_working_days: int = DEFAULT_RISK_WORKING_DAYS,
) -> bool:
    """Tell whether today is on or before slutdato with at most risk_working_days left."""
    return today <= slutdato and (
        working_days_until(today, slutdato, helligdage) <= risk_working_days
    )


def overdue_reminder_due(today: date, slutdato: date, helligdage: Container[date]) -> bool:
    """Tell whether the coordinator is due the after-slutdato reminder today.

    After slutdato the coordinator must tell KOMBIT when the answers will be ready, and is
    reminded of it every working day until then.
    """
    return today > slutdato and is_working_day(today, helligdage)


def _on_or_before_working_day(d: date, helligdage: Container[date]) -> date:
    while not is_working_day(d, helligdage):
        d -= _ONE_DAY
    return d


def _count_working_days_after(start: date, end: date, helligdage: Container[date]) -> int:
    """Count working days in the half-open range (start, end]."""
    days = (end - start).days
    return sum(is_working_day(start + timedelta(days=n), helligdage) for n in range(1, days + 1))
