"""The reminder runner: each iteration plans what is due, claims it once, and enqueues it.

The plan is pure (storage.domain.reminders); the claim and the outbox row are written in one
transaction (storage.reminders), and the outbox worker delivers. Rendering uses texts/cards.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.outbox import Now, decode_payload, utc_now
from bot.settings import Settings
from dialogs import cards, texts
from dialogs.ports import OutgoingMessage
from storage.domain.progress import FagomraadeProgress
from storage.domain.reminders import DueReminder, ReminderKind, ReminderPlan, plan_reminders
from storage.domain.schedule import danish_holidays
from storage.outbox import OutboxMessage, OutboxRepository
from storage.reminders import ActiveKortlaegning, ClaimKey, ReminderRepository

logger = logging.getLogger(__name__)

REMINDER_KINDS = "reminder."
"""The outbox kinds of scheduled reminders ("reminder.systemejer" ...); the paamind command's
is "reminder", without the dot."""


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One reminder due now, rendered, and whether it was claimed before (sent or on its way)."""

    kortlaegning_id: int
    tenant_id: str
    reminder: DueReminder
    message: OutgoingMessage
    already_claimed: bool

    @property
    def key(self) -> ClaimKey:
        return claim_key(self.reminder)


class ReminderRunner:
    def __init__(
        self,
        reminders: ReminderRepository,
        outbox: OutboxRepository,
        settings: Settings,
        *,
        on_enqueued: Callable[[], None] = lambda: None,
        interval: float | None = None,
        now: Now = utc_now,
    ) -> None:
        self._reminders = reminders
        self._outbox = outbox
        self._settings = settings
        self._on_enqueued = on_enqueued
        self._interval = interval if interval is not None else settings.reminder_interval_seconds
        self._now = now

    async def run(self) -> None:
        """Run an iteration every interval; a failed iteration is logged and retried later."""
        logger.info("reminder runner started: every %ss", self._interval)
        while True:
            try:
                await self.run_once()
            except Exception:
                logger.exception("reminder iteration failed")
            await asyncio.sleep(self._interval)

    async def run_once(self, now_utc: datetime | None = None) -> list[PlannedReminder]:
        """Claim and enqueue every reminder due now that nobody claimed before."""
        now = now_utc or self._now()
        enqueued: list[PlannedReminder] = []
        for planned in await self.plan(now):
            if planned.already_claimed:
                continue
            message_id = await self._reminders.claim(
                kortlaegning_id=planned.kortlaegning_id,
                key=planned.key,
                tenant_id=planned.tenant_id,
                payload=encode_reminder(planned),
                now=now,
                # Due at once, also when `kortlaegning remind --now` plans another moment.
                enqueued_at=self._now(),
            )
            if message_id is not None:
                enqueued.append(planned)
        if enqueued:
            logger.info("reminders enqueued: %d", len(enqueued))
            self._on_enqueued()
        return enqueued

    async def plan(self, now_utc: datetime) -> list[PlannedReminder]:
        """Every reminder due at now_utc, rendered, marked if it was claimed already."""
        planned: list[PlannedReminder] = []
        for kortlaegning in await self._reminders.active_kortlaegninger():
            plan = await self._plan_one(kortlaegning, now_utc)
            if not plan.reminders:
                continue
            claimed = await self._reminders.claimed(kortlaegning.id, plan.today)
            unreachable = await self._unreachable_lines(kortlaegning.tenant_id)
            planned.extend(
                PlannedReminder(
                    kortlaegning_id=kortlaegning.id,
                    tenant_id=kortlaegning.tenant_id,
                    reminder=reminder,
                    message=self._render(reminder.kind, reminder.fagomraader, plan, unreachable),
                    already_claimed=claim_key(reminder) in claimed,
                )
                for reminder in plan.reminders
            )
        return planned

    async def render_when_sent(
        self, message: OutboxMessage, now_utc: datetime
    ) -> OutgoingMessage | None:
        """OutboxWorker's Renderer: a reminder as it reads at now_utc, when it is sent.

        A reminder can wait in the outbox (Teams throttling, an older message to the same
        person first), and its figures must not be the ones of the moment it was planned.
        None when it no longer holds: its fagområder, or the whole round, are submitted.
        A message stored without a reference keeps its text.
        """
        ref = json.loads(message.payload).get("reminder")
        if not isinstance(ref, dict):
            return decode_payload(message.payload, kind=message.kind)
        kortlaegning = next(
            (
                k
                for k in await self._reminders.active_kortlaegninger()
                if k.id == ref["kortlaegning_id"]
            ),
            None,
        )
        if kortlaegning is None:
            return None
        plan = await self._plan_one(kortlaegning, now_utc)
        kind = ReminderKind(ref["kind"])
        if kind is ReminderKind.SYSTEMEJER:
            wanted = set(ref.get("fagomraade_ids") or ())
            areas = [a for a in plan.unfinished if a.fagomraade.id in wanted]
            if not areas:
                return None
            return self._render(kind, areas, plan, [])
        if not plan.unfinished:
            return None
        unreachable = await self._unreachable_lines(kortlaegning.tenant_id)
        return self._render(kind, (), plan, unreachable)

    async def _plan_one(self, kortlaegning: ActiveKortlaegning, now_utc: datetime) -> ReminderPlan:
        settings = self._settings
        today = now_utc.astimezone(settings.zone).date()
        return plan_reminders(
            now_utc=now_utc,
            slutdato=kortlaegning.slutdato,
            started_at=kortlaegning.started_at,
            facts=await self._reminders.facts(kortlaegning.id),
            coordinators=await self._reminders.coordinators(
                kortlaegning.tenant_id, settings.koordinatorer
            ),
            offsets=settings.reminder_offsets,
            at=settings.reminder_time,
            zone=settings.zone,
            helligdage=_helligdage(kortlaegning.slutdato, today),
            risk_working_days=settings.reminder_risk_working_days,
        )

    async def _unreachable_lines(self, tenant_id: str) -> list[str]:
        return [
            texts.unreachable_line(navn=failure.person.navn, reason=failure.reason)
            for failure in await self._outbox.undelivered(tenant_id)
        ]

    def _render(
        self,
        reminder_kind: ReminderKind,
        areas: Sequence[FagomraadeProgress],
        plan: ReminderPlan,
        unreachable: list[str],
    ) -> OutgoingMessage:
        progress = plan.progress
        kind = f"{REMINDER_KINDS}{reminder_kind.value}"
        if reminder_kind is ReminderKind.SYSTEMEJER:
            return OutgoingMessage(
                card=cards.reminders_card(
                    [
                        cards.ReminderArea(
                            area.fagomraade.id,
                            area.fagomraade.navn,
                            unanswered=area.total - area.answered,
                            total=area.total,
                        )
                        for area in areas
                    ],
                    slutdato=plan.slutdato,
                    dage=progress.days_to_slutdato,
                ),
                kind=kind,
            )
        area_lines = [
            texts.reminder_area_line(
                fagomraade=area.fagomraade.navn,
                answered=area.answered,
                total=area.total,
                systemejere=[owner.navn for owner in area.owners],
            )
            for area in plan.unfinished
            if area.owners
        ]
        unassigned = [area.fagomraade.navn for area in plan.unfinished if not area.owners]
        if reminder_kind is ReminderKind.STATUS:
            text = texts.reminder_koordinator(
                slutdato=plan.slutdato,
                dage=progress.days_to_slutdato,
                indsendt=progress.submitted_count,
                fagomraader=len(progress.fagomraader),
                procent=progress.percent,
                area_lines=area_lines,
                at_risk=plan.at_risk,
                arbejdsdage=plan.working_days_left,
                kombit_email=self._settings.kombit_email,
                unreachable=unreachable,
                unassigned=unassigned,
            )
        else:
            text = texts.reminder_forsinket(
                slutdato=plan.slutdato,
                indsendt=progress.submitted_count,
                fagomraader=len(progress.fagomraader),
                area_lines=area_lines,
                kombit_email=self._settings.kombit_email,
                unreachable=unreachable,
                unassigned=unassigned,
            )
        return OutgoingMessage(text=text, kind=kind)


def encode_reminder(planned: PlannedReminder) -> str:
    """The outbox payload: the message as planned, and which reminder it is, so that
    render_when_sent can build it afresh when it is sent."""
    return json.dumps(
        {
            "text": planned.message.text,
            "card": planned.message.card,
            "reminder": {
                "kortlaegning_id": planned.kortlaegning_id,
                "kind": planned.reminder.kind.value,
                "fagomraade_ids": [area.fagomraade.id for area in planned.reminder.fagomraader],
            },
        },
        ensure_ascii=False,
    )


def claim_key(reminder: DueReminder) -> ClaimKey:
    """One reminder per person, day and kind: a systemejer's lists all their areas."""
    return ClaimKey(reminder.reminder_date, reminder.person.id, None, reminder.kind)


def _helligdage(slutdato: date, today: date) -> frozenset[date]:
    # Reminder dates reach up to a year before slutdato, and "today" may lie after it.
    return _holidays_between(min(slutdato, today).year - 1, max(slutdato, today).year)


@functools.lru_cache(maxsize=8)
def _holidays_between(first_year: int, last_year: int) -> frozenset[date]:
    return danish_holidays(range(first_year, last_year + 1))
