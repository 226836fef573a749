"""The infrastrukturansvarlig's commands: opsæt, tildel, start, status, påmind, koordinator.

Delivering Bilag 1 (udkast, send, modtaget, historik, ændringer) is in dialogs.delivery.

Only coordinators may use them; the check happens here, once, before any command runs.
Set-up is a dialog (it asks for kommune, slutdato and Bilag 1 in turn, or takes one card);
the other commands answer in one turn.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any

from botbuilder.core import MessageFactory, TurnContext

from dialogs import cards, texts
from dialogs.actions import ACTION_KEY, KoordinatorAction
from dialogs.commands import Command
from dialogs.context import Caller, caller_of
from dialogs.delivery import Delivery
from dialogs.ports import (
    DeliveryReport,
    Member,
    Messenger,
    OutgoingMessage,
    Roster,
)
from storage.coordination import CoordinationRepository
from storage.domain.answers import normalise
from storage.domain.delivery import FailureReason
from storage.domain.model import (
    Fagomraade,
    NoKortlaegning,
    Person,
)
from storage.domain.progress import compute_progress
from storage.domain.schedule import danish_holidays
from storage.survey import SurveyRepository

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class KoordinatorConfig:
    """What the coordinator commands need from the settings, as plain values."""

    koordinatorer: tuple[str, ...]
    auth_enabled: bool
    max_upload_bytes: int
    zone: tzinfo
    today: Callable[[], date]


def recognise_koordinator_add(text: str) -> str | None:
    """`koordinator tilføj <person>` → the person part, else None."""
    words = text.strip().split(maxsplit=2)
    if (
        len(words) == 3
        and normalise(words[0]) == "koordinator"
        and normalise(words[1])
        in {
            "tilfoej",
            "tilfoj",
            "add",
        }
    ):
        return words[2]
    return None


class KoordinatorCommands:
    """Role check and the one-turn commands; opsæt is handed to OpsaetDialog."""

    def __init__(
        self,
        coordination: CoordinationRepository,
        survey: SurveyRepository,
        messenger: Messenger,
        roster: Roster,
        config: KoordinatorConfig,
        *,
        delivery: Delivery | None = None,
    ) -> None:
        self._coordination = coordination
        self._survey = survey
        self._messenger = messenger
        self._roster = roster
        self._config = config
        self._delivery = delivery

    async def is_koordinator(self, context: TurnContext) -> bool:
        """Whether the person of this turn is a coordinator; says nothing to anyone."""
        return await self._coordination.is_koordinator(
            caller_of(context).person_id, self._config.koordinatorer
        )

    async def allowed(self, context: TurnContext, *, may_claim: bool) -> bool:
        """True for a coordinator; tells anyone else why not (and who to ask)."""
        caller = caller_of(context)
        configured = self._config.koordinatorer
        if await self._coordination.is_koordinator(caller.person_id, configured):
            return True
        nobody = not configured and not await self._coordination.has_koordinator(caller.tenant_id)
        if nobody and may_claim and not self._config.auth_enabled:
            # A local trial has no settings to name a coordinator: the first to set up is it.
            await self._coordination.make_koordinator(caller.person_id)
            await context.send_activity(texts.BECAME_KOORDINATOR)
            return True
        if nobody and self._config.auth_enabled:
            await context.send_activity(texts.NO_KOORDINATORER_CONFIGURED)
            return False
        named = [
            p.navn or p.email or ""
            for p in await self._coordination.coordinators(caller.tenant_id, configured)
        ]
        await context.send_activity(
            texts.not_koordinator(koordinatorer=[n for n in named if n] or list(configured))
        )
        logger.info("coordinator command refused for person %d", caller.person_id)
        return False

    async def run(self, context: TurnContext, command: Command, text: str) -> None:
        caller = caller_of(context)
        try:
            if command is Command.TILDEL:
                await self._tildel(context, caller, _after_command(text))
            elif command is Command.START:
                await self._start(context, caller, confirmed=False)
            elif command is Command.STATUS:
                await self._status(context, caller, _after_command(text))
            elif command is Command.PAAMIND:
                await self._paamind(context, caller)
        except NoKortlaegning:
            await context.send_activity(texts.NO_KORTLAEGNING)

    async def add_koordinator(self, context: TurnContext, query: str) -> None:
        caller = caller_of(context)
        person = await self._resolve_person(context, caller, query)
        if person is None:
            await context.send_activity(texts.tildel_unknown_person(query=query))
            await context.send_activity(texts.KOORDINATOR_ADD_HOW)
            return
        await self._coordination.make_koordinator(person.id)
        await context.send_activity(texts.koordinator_added(navn=person.navn))

    async def on_card(self, context: TurnContext, value: dict[str, Any]) -> None:
        caller = caller_of(context)
        try:
            if value[ACTION_KEY] == KoordinatorAction.TILDEL:
                area_id = _int(value.get("fagomraade_id"))
                aad = str(value.get("person") or "")
                areas = {a.id: a for a in await self._coordination.fagomraader(caller.tenant_id)}
                member = next(
                    (m for m in await self._roster.members(context) if m.aad_object_id == aad),
                    None,
                )
                if area_id not in areas or member is None:
                    await context.send_activity(texts.TILDEL_HOW)
                    return
                person = await self._person_of(caller, member)
                await self._assign(context, caller, areas[area_id], person)  # type: ignore[index]
            elif value[ACTION_KEY] == KoordinatorAction.START_NU:
                await self._start(context, caller, confirmed=True)
            elif value[ACTION_KEY] == KoordinatorAction.START_TILDEL_FOERST:
                await self._send_tildel_card(
                    context, await self._coordination.fagomraader(caller.tenant_id)
                )
        except NoKortlaegning:
            await context.send_activity(texts.NO_KORTLAEGNING)

    # --- tildel --------------------------------------------------------------------------
    async def _tildel(self, context: TurnContext, caller: Caller, rest: str) -> None:
        areas = await self._coordination.fagomraader(caller.tenant_id)
        mentions = [m for m in _mentions(context) if m["id"] != context.activity.recipient.id]
        cleaned = _MENTION.sub("", rest).strip()
        if not cleaned and not mentions:
            await self._send_tildel_card(context, areas)
            return
        if mentions:
            area_query, person_query = cleaned, ""
        else:
            area_query, _, person_query = cleaned.rpartition(" ")
        if not area_query:
            await context.send_activity(texts.TILDEL_HOW)
            return
        matches = await self._coordination.fagomraade_by_name(caller.tenant_id, area_query)
        if not matches:
            await context.send_activity(
                texts.tildel_unknown_fagomraade(
                    query=area_query, fagomraader=[a.navn for a in areas]
                )
            )
            return
        if len(matches) > 1:
            await context.send_activity(
                texts.tildel_ambiguous_fagomraade(navne=[a.navn for a in matches])
            )
            return
        if mentions:
            member = await self._roster.member(context, mentions[0]["id"])
            person = await self._person_of(caller, member) if member else None
            query = mentions[0].get("name") or ""
        else:
            person = await self._resolve_person(context, caller, person_query)
            query = person_query
        if person is None:
            await context.send_activity(texts.tildel_unknown_person(query=query))
            return
        await self._assign(context, caller, matches[0], person)

    async def _assign(
        self, context: TurnContext, caller: Caller, area: Fagomraade, person: Person
    ) -> None:
        if not await self._coordination.assign(area.id, person.id, by_person_id=caller.person_id):
            await context.send_activity(
                texts.tildel_already(fagomraade=area.navn, navn=person.navn)
            )
            return
        invited = False
        if await self._coordination.is_started(caller.tenant_id):
            # After start, someone added later is invited at once (DESIGN §3).
            invited = bool((await self._invite(context, caller, [(area, person)])).reached)
        await context.send_activity(
            texts.tildel_done(fagomraade=area.navn, navn=person.navn, inviteret=invited)
        )

    async def _send_tildel_card(self, context: TurnContext, areas: Sequence[Fagomraade]) -> None:
        owners = [
            (area, [p.navn for p in await self._coordination.owners(area.id)]) for area in areas
        ]
        members = await self._roster.members(context)
        await context.send_activity(
            MessageFactory.attachment(cards.as_attachment(cards.tildel_card(owners, members)))
        )

    async def _resolve_person(
        self, context: TurnContext, caller: Caller, query: str
    ) -> Person | None:
        query = query.strip()
        if normalise(query) == "mig":
            return await self._coordination.person(caller.person_id)
        if not _EMAIL.match(query):
            return None
        known = await self._coordination.find_person(caller.tenant_id, query)
        if len(known) == 1:
            return known[0]
        member = await self._roster.find(context, query)
        return await self._person_of(caller, member) if member else None

    async def _person_of(self, caller: Caller, member: Member) -> Person:
        return await self._coordination.ensure_person(
            caller.tenant_id,
            member.aad_object_id,
            navn=member.navn,
            email=member.email,
            teams_user_id=member.teams_user_id,
        )

    # --- start og påmind ------------------------------------------------------------------
    async def _start(self, context: TurnContext, caller: Caller, *, confirmed: bool) -> None:
        pending = await self._coordination.uninvited(caller.tenant_id)
        facts = await self._coordination.status_facts(caller.tenant_id)
        # A confirmed start was just shown the areas nobody has; it need not hear them again.
        unassigned = [] if confirmed else [f.fagomraade.navn for f in facts if not f.owners]
        if pending and unassigned and not await self._coordination.is_started(caller.tenant_id):
            # Starting with areas nobody has is often a slip: ask before anyone is invited.
            card = cards.start_confirm_card(
                unassigned=unassigned, tildelte=len({area.id for area, _ in pending})
            )
            await context.send_activity(MessageFactory.attachment(cards.as_attachment(card)))
            return
        if not pending:
            await context.send_activity(texts.START_NOTHING)
            if unassigned:
                await context.send_activity(texts.start_unassigned(fagomraader=unassigned))
            return
        await self._coordination.mark_started(caller.tenant_id)
        sent = await self._invite(context, caller, pending)
        await context.send_activity(texts.start_done(inviteret=len(sent.reached)))
        await _tell_how_it_went(context, sent)
        if unassigned:
            await context.send_activity(texts.start_unassigned(fagomraader=unassigned))

    async def _invite(
        self, context: TurnContext, caller: Caller, pending: Sequence[tuple[Fagomraade, Person]]
    ) -> _Sent:
        """Send invitations; whoever they reached or are on their way to counts as invited."""
        kortlaegning = await self._coordination.kortlaegning(caller.tenant_id)
        assert kortlaegning is not None
        sent = _Sent()
        for area, person in pending:
            report = await self._messenger.send_to_person(
                caller.tenant_id,
                person.id,
                OutgoingMessage(
                    card=cards.invitation_card(
                        fagomraade_id=area.id,
                        fagomraade=area.navn,
                        antal=area.antal_systemer,
                        slutdato=kortlaegning.slutdato,
                        koordinator=caller.navn,
                    ),
                    kind="invitation",
                    dedupe_key=f"invitation:{area.id}:{person.id}",
                ),
            )
            if sent.add(person, report):
                await self._coordination.mark_invited(area.id, person.id)
        return sent

    async def _paamind(self, context: TurnContext, caller: Caller) -> None:
        kortlaegning = await self._coordination.kortlaegning(caller.tenant_id)
        if kortlaegning is None:
            raise NoKortlaegning(caller.tenant_id)
        sent = _Sent()
        for facts in await self._coordination.status_facts(caller.tenant_id):
            area = facts.fagomraade
            if area.indsendt_at is not None:
                continue
            for owner in facts.owners:
                report = await self._messenger.send_to_person(
                    caller.tenant_id,
                    owner.id,
                    OutgoingMessage(
                        # The scheduled reminder's card, so påmind offers Fortsæt too.
                        card=cards.build_reminder_card(
                            fagomraade_id=area.id,
                            fagomraade=area.navn,
                            unanswered=area.antal_systemer - facts.answered,
                            total=area.antal_systemer,
                            slutdato=kortlaegning.slutdato,
                            dage=(kortlaegning.slutdato - self._config.today()).days,
                        ),
                        kind="reminder",
                    ),
                )
                sent.add(owner, report)
        if not sent.reached and not sent.failed:
            await context.send_activity(texts.PAAMIND_NOBODY)
            return
        await context.send_activity(texts.paamind_done(antal=len(sent.reached)))
        await _tell_how_it_went(context, sent)

    # --- status ---------------------------------------------------------------------------
    async def _status(self, context: TurnContext, caller: Caller, rest: str) -> None:
        kortlaegning = await self._coordination.kortlaegning(caller.tenant_id)
        if kortlaegning is None:
            raise NoKortlaegning(caller.tenant_id)
        if rest:
            matches = await self._coordination.fagomraade_by_name(caller.tenant_id, rest)
            if len(matches) != 1:
                areas = await self._coordination.fagomraader(caller.tenant_id)
                await context.send_activity(
                    texts.tildel_unknown_fagomraade(query=rest, fagomraader=[a.navn for a in areas])
                    if not matches
                    else texts.tildel_ambiguous_fagomraade(navne=[a.navn for a in matches])
                )
                return
            overview = await self._survey.read_overview(matches[0].id)
            await context.send_activity(
                MessageFactory.attachment(
                    cards.as_attachment(cards.summary_card(overview, readonly=True))
                )
            )
            return
        today = self._config.today()
        progress = compute_progress(
            await self._coordination.status_facts(caller.tenant_id),
            today=today,
            slutdato=kortlaegning.slutdato,
            helligdage=danish_holidays({today.year, kortlaegning.slutdato.year}),
        )
        # KOMBIT's receipt completes the task (DESIGN §1); the card then says so.
        modtaget = await self._delivery.kombit_receipt(caller.tenant_id) if self._delivery else None
        await context.send_activity(
            MessageFactory.attachment(
                cards.as_attachment(
                    cards.status_card(
                        progress,
                        slutdato=kortlaegning.slutdato,
                        zone=self._config.zone,
                        modtaget=modtaget,
                    )
                )
            )
        )
        undelivered = await self._messenger.undelivered(caller.tenant_id)
        if undelivered:
            await context.send_activity(
                texts.unreachable_summary(
                    lines=[
                        texts.unreachable_line(navn=failure.person.navn, reason=failure.reason)
                        for failure in undelivered
                    ]
                )
            )


@dataclass(slots=True)
class _Sent:
    """What sending one message to each of several people came to, person by person."""

    reached: set[int] = field(default_factory=set)
    """Delivered, or on its way (the outbox is still trying): expected to arrive."""
    on_its_way: dict[int, str] = field(default_factory=dict)
    failed: dict[int, tuple[str, FailureReason]] = field(default_factory=dict)

    def add(self, person: Person, report: DeliveryReport) -> bool:
        """Count one person's report; True when the message reached them or is on its way."""
        navn = person.navn or person.email or "?"
        if report.failure is not None:
            self.failed[person.id] = (navn, report.failure)
            return False
        self.reached.add(person.id)
        if report.on_its_way:
            self.on_its_way[person.id] = navn
        return True


async def _tell_how_it_went(context: TurnContext, sent: _Sent) -> None:
    """Name what is still on its way, and who could not be reached and why."""
    if sent.on_its_way:
        await context.send_activity(texts.on_its_way(navne=list(sent.on_its_way.values())))
    if sent.failed:
        await context.send_activity(texts.not_reached(people=list(sent.failed.values())))


def _mentions(context: TurnContext) -> list[dict[str, Any]]:
    """The people @mentioned in the message, as {"id", "name"}."""
    found = []
    for entity in TurnContext.get_mentions(context.activity):
        # botbuilder deserialises mentions as plain Entity, keeping the fields aside.
        mentioned = getattr(entity, "mentioned", None) or entity.additional_properties.get(
            "mentioned"
        )
        if isinstance(mentioned, dict) and mentioned.get("id"):
            found.append({"id": str(mentioned["id"]), "name": str(mentioned.get("name") or "")})
        elif mentioned is not None and getattr(mentioned, "id", None):
            found.append({"id": mentioned.id, "name": mentioned.name or ""})
    return found


def _after_command(text: str) -> str:
    parts = _MENTION.sub("", text).strip().split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def _int(raw: object) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None
