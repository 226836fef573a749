"""Who is reminded of what on a given moment: the pure reminder plan. Stdlib + holidays only.

Builds on schedule (when) and progress (what is missing); storage claims each planned
reminder once and the bot layer renders and sends it.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from storage.domain.model import Person
from storage.domain.progress import FagomraadeFacts, FagomraadeProgress, Progress, compute_progress
from storage.domain.schedule import (
    deadline_at_risk,
    due_reminders,
    overdue_reminder_due,
    reminder_moment,
    working_days_until,
)


class ReminderKind(StrEnum):
    """Stored in reminder_claim; the values never change."""

    SYSTEMEJER = "systemejer"
    """An owner of a fagomraade not yet submitted, on a reminder date."""
    STATUS = "koordinator_status"
    """The coordinator's summary of who is late, on a reminder date."""
    FORSINKET = "koordinator_forsinket"
    """The coordinator, every working day after slutdato until all is submitted."""


@dataclass(frozen=True, slots=True)
class DueReminder:
    kind: ReminderKind
    reminder_date: date
    person: Person
    fagomraader: tuple[FagomraadeProgress, ...] = ()
    """Every unfinished fagomraade of the person, in workbook order: a SYSTEMEJER reminder
    lists them all on one card. Empty for the coordinator."""


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    """The reminders due now, with the progress the coordinator's texts summarise."""

    today: date
    slutdato: date
    progress: Progress
    at_risk: bool
    working_days_left: int
    reminders: tuple[DueReminder, ...]

    @property
    def unfinished(self) -> tuple[FagomraadeProgress, ...]:
        return tuple(area for area in self.progress.fagomraader if not area.submitted)


def plan_reminders(
    *,
    now_utc: datetime,
    slutdato: date,
    started_at: datetime,
    facts: Iterable[FagomraadeFacts],
    coordinators: Sequence[Person],
    offsets: Iterable[int],
    at: time,
    zone: ZoneInfo,
    helligdage: Container[date],
    risk_working_days: int,
) -> ReminderPlan:
    """Plan the reminders due at now_utc for one kortlaegning.

    Only today's reminder date counts: a date missed while the bot was down is stale by the
    next day, and the next date (or the coordinator's summary) covers it. Nothing is sent on
    the day the round started, when the invitations have only just gone out. Before and on
    slutdato every owner of an unfinished fagomraade gets one reminder listing them all, and each
    coordinator a summary; after slutdato only the coordinators hear from the bot, every
    working day, until all fagomraader are submitted.
    """
    today = now_utc.astimezone(zone).date()
    progress = compute_progress(
        facts,
        today=today,
        slutdato=slutdato,
        helligdage=helligdage,
        risk_working_days=risk_working_days,
    )
    unfinished = [area for area in progress.fagomraader if not area.submitted]
    reminders: list[DueReminder] = []
    started_on = started_at.astimezone(zone).date()
    if unfinished and today > started_on:
        if today <= slutdato:
            due = due_reminders(now_utc, slutdato, offsets, at, zone, helligdage)
            if today in due:
                areas_of: dict[int, tuple[Person, list[FagomraadeProgress]]] = {}
                for area in unfinished:
                    for owner in area.owners:
                        areas_of.setdefault(owner.id, (owner, []))[1].append(area)
                reminders.extend(
                    DueReminder(ReminderKind.SYSTEMEJER, today, owner, tuple(areas))
                    for owner, areas in areas_of.values()
                )
                reminders.extend(
                    DueReminder(ReminderKind.STATUS, today, person) for person in coordinators
                )
        elif overdue_reminder_due(today, slutdato, helligdage) and (
            reminder_moment(today, at, zone) <= now_utc
        ):
            reminders.extend(
                DueReminder(ReminderKind.FORSINKET, today, person) for person in coordinators
            )
    return ReminderPlan(
        today=today,
        slutdato=slutdato,
        progress=progress,
        at_risk=bool(unfinished)
        and deadline_at_risk(today, slutdato, helligdage, risk_working_days=risk_working_days),
        working_days_left=working_days_until(today, slutdato, helligdage),
        reminders=tuple(reminders),
    )
