"""The infrastrukturansvarlig's commands: opsæt, tildel, start, status, påmind, koordinator.

Delivering Bilag 1 (udkast, send, modtaget, historik, ændringer) is in dialogs.delivery.

Only coordinators may use them; the check happens here, once, before any command runs.
Set-up is a dialog (it asks for kommune, slutdato and Bilag 1 in turn, or takes one card);
the other commands answer in one turn.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from dialogs import cards, texts
from dialogs.actions import ACTION_KEY, KoordinatorAction, card_number
from dialogs.commands import Command
from dialogs.context import Caller, caller_of
from dialogs.delivery import Delivery
from dialogs.ports import (
    DeliveryReport,
    Lookup,
    LookupProblem,
    Member,
    Messenger,
    OutgoingMessage,
    Reacher,
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
from storage.domain.suggestions import SourcePerson
from storage.suggestions.store import ForslagRepository
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
        reacher: Reacher,
        delivery: Delivery | None = None,
        forslag: ForslagRepository | None = None,
    ) -> None:
        self._forslag = forslag
        self._coordination = coordination
        self._survey = survey
        self._messenger = messenger
        self._roster = roster
        self._reacher = reacher
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
        if not isinstance(person, Person):
            await context.send_activity(_not_found(query, person, self._roster.uses_directory))
            await context.send_activity(texts.KOORDINATOR_ADD_HOW)
            return
        await self._coordination.make_koordinator(person.id)
        await context.send_activity(texts.koordinator_added(navn=person.navn))

    async def on_card(self, context: TurnContext, value: dict[str, Any]) -> None:
        caller = caller_of(context)
        try:
            if value[ACTION_KEY] == KoordinatorAction.TILDEL:
                area_id = card_number(value.get("fagomraade_id"))
                aad = str(value.get("person") or "")
                areas = {a.id: a for a in await self._coordination.fagomraader(caller.tenant_id)}
                picked = await self._roster.find(context, aad) if aad else None
                member = picked.members[0] if picked and len(picked.members) == 1 else None
                if area_id not in areas or member is None:
                    await context.send_activity(texts.TILDEL_HOW)
                    return
                person = await self._person_of(caller, member)
                await self._assign(context, caller, areas[area_id], person)
                await self._refresh_tildel_card(context, list(areas.values()))
            elif value[ACTION_KEY] == KoordinatorAction.TILDEL_FORSLAG:
                await self._accept_suggested_owners(context, caller)
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
            matches = await self._coordination.fagomraade_by_name(caller.tenant_id, area_query)
        else:
            area_query, person_query, matches = await self._split_tildel(caller, cleaned)
        if not area_query:
            await context.send_activity(texts.TILDEL_HOW)
            return
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
        found: Person | Lookup
        if mentions:
            member = await self._roster.member(context, mentions[0]["id"])
            found = await self._person_of(caller, member) if member else Lookup()
            query = mentions[0].get("name") or ""
        else:
            found = await self._resolve_person(context, caller, person_query)
            query = person_query
        if not isinstance(found, Person):
            if not found.rosters and not found.problem:
                found = dataclasses.replace(
                    found, rosters=tuple(await self._roster.known_rosters(caller.tenant_id))
                )
            await context.send_activity(_not_found(query, found, self._roster.uses_directory))
            return
        await self._assign(context, caller, matches[0], found)

    async def _split_tildel(self, caller: Caller, text: str) -> tuple[str, str, list[Fagomraade]]:
        """Split "Økonomi Lars Nielsen" into fagområde and person: the longest leading words
        that name exactly one area; "ESDH anne@kommune.dk" as before, the last word a person."""
        words = text.split()
        fallback: tuple[str, str, list[Fagomraade]] | None = None
        for cut in range(len(words) - 1, 0, -1):
            area_query, person_query = " ".join(words[:cut]), " ".join(words[cut:])
            matches = await self._coordination.fagomraade_by_name(caller.tenant_id, area_query)
            if len(matches) == 1 and normalise(matches[0].navn) == normalise(area_query):
                return area_query, person_query, matches
            if fallback is None and len(matches) == 1:
                fallback = (area_query, person_query, matches)
        if fallback is not None:
            return fallback
        area_query, _, person_query = text.rpartition(" ")
        matches = (
            await self._coordination.fagomraade_by_name(caller.tenant_id, area_query)
            if area_query
            else []
        )
        return area_query, person_query, matches

    async def _assign(
        self, context: TurnContext, caller: Caller, area: Fagomraade, person: Person
    ) -> None:
        started = await self._coordination.is_started(caller.tenant_id)
        if started:
            # The invitation goes out at once; one that cannot be delivered would leave the
            # area assigned to someone who never hears of it.
            reach = await self._reacher.prepare(caller.tenant_id, person)
            if reach.reason is not None:
                await context.send_activity(
                    texts.tildel_unreachable(
                        fagomraade=area.navn, navn=person.navn, reason=reach.reason
                    )
                )
                return
        if not await self._coordination.assign(area.id, person.id, by_person_id=caller.person_id):
            await context.send_activity(
                texts.tildel_already(fagomraade=area.navn, navn=person.navn)
            )
            return
        invited = False
        if started:
            # After start, someone added later is invited at once.
            invited = bool((await self._invite(context, caller, [(area, person)])).reached)
        await context.send_activity(
            texts.tildel_done(fagomraade=area.navn, navn=person.navn, inviteret=invited)
        )

    async def _send_tildel_card(self, context: TurnContext, areas: Sequence[Fagomraade]) -> None:
        card = await self._tildel_card(context, areas)
        await context.send_activity(MessageFactory.attachment(cards.as_attachment(card)))

    async def _refresh_tildel_card(self, context: TurnContext, areas: Sequence[Fagomraade]) -> None:
        """Update the overview just used in place, so it shows the owners as they are now."""
        card_id = context.activity.reply_to_id
        if not card_id:
            return
        card = await self._tildel_card(context, areas)
        await context.update_activity(
            Activity(
                id=card_id, type=ActivityTypes.message, attachments=[cards.as_attachment(card)]
            )
        )

    async def _tildel_card(self, context: TurnContext, areas: Sequence[Fagomraade]) -> cards.Card:
        """Every area with its owners and how each will be reached, and the picker."""
        caller = caller_of(context)
        by_area = [(area, await self._coordination.owners(area.id)) for area in areas]
        people = {p.id: p for _, owners in by_area for p in owners}
        reach = await self._reacher.assess(context, caller.tenant_id, list(people.values()))
        owners = [
            (area, [texts.owner_reach(navn=p.navn, reach=reach[p.id]) for p in area_owners])
            for area, area_owners in by_area
        ]
        notes = [
            texts.unreachable_person(navn=people[pid].navn, reason=r.reason)
            for pid, r in reach.items()
            if r.reason is not None
        ]
        members = await self._roster.members(context)
        forslag = [
            (area.navn, [texts.kilde_person(navn=p.navn, email=p.email) for p in people])
            for area, people in await self._suggested_owners(caller.tenant_id, areas)
        ]
        return cards.tildel_card(owners, members, notes=notes, forslag=forslag)

    async def _suggested_owners(
        self, tenant_id: str, areas: Sequence[Fagomraade]
    ) -> list[tuple[Fagomraade, tuple[SourcePerson, ...]]]:
        """The people to assign to each area nobody has: last round's systemejere, else the
        KITOS Systemejer of most of the area's systems."""
        if self._forslag is None:
            return []
        suggested = await self._forslag.owners(tenant_id)
        facts = {f.fagomraade.id: f for f in await self._coordination.status_facts(tenant_id)}
        chosen = []
        for area in areas:
            people = suggested.get(area.id, ())
            if not people or facts[area.id].owners:
                continue
            last_round = tuple(p for p in people if p.person_id is not None)
            chosen.append((area, last_round or people[:1]))
        return chosen

    async def _accept_suggested_owners(self, context: TurnContext, caller: Caller) -> None:
        """One press: assign every suggested systemejer of the areas nobody has yet."""
        areas = await self._coordination.fagomraader(caller.tenant_id)
        started = await self._coordination.is_started(caller.tenant_id)
        found: dict[str, Person | None] = {}
        tildelt: list[tuple[str, str]] = []
        ikke_fundet: list[str] = []
        cannot: dict[int, str] = {}
        new: list[tuple[Fagomraade, Person]] = []
        for area, people in await self._suggested_owners(caller.tenant_id, areas):
            for source in people:
                if source.key not in found:
                    found[source.key] = await self._suggested_person(context, caller, source)
                    if found[source.key] is None:
                        ikke_fundet.append(texts.kilde_person(navn=source.navn, email=source.email))
                person = found[source.key]
                if person is None or person.id in cannot:
                    continue
                if started:
                    # Invited at once, as tildel does: only those the invitation can reach.
                    reach = await self._reacher.prepare(caller.tenant_id, person)
                    if reach.reason is not None:
                        cannot[person.id] = texts.unreachable_person(
                            navn=person.navn, reason=reach.reason
                        )
                        continue
                if await self._coordination.assign(
                    area.id, person.id, by_person_id=caller.person_id
                ):
                    tildelt.append((area.navn, person.navn or person.email or "?"))
                    new.append((area, person))
        logger.info(
            "suggested owners accepted: %d assigned, %d not found", len(new), len(ikke_fundet)
        )
        sent = await self._invite(context, caller, new) if started and new else None
        await context.send_activity(
            texts.tildel_suggested_done(
                tildelt=tildelt, ikke_fundet=ikke_fundet, inviteret=bool(sent and sent.reached)
            )
        )
        if sent is not None:
            await _tell_how_it_went(context, sent)
        if cannot:
            await context.send_activity("\n\n".join(cannot.values()))
        await self._refresh_tildel_card(context, areas)

    async def _suggested_person(
        self, context: TurnContext, caller: Caller, source: SourcePerson
    ) -> Person | None:
        """The person a suggestion names: last round's by id, KITOS' by e-mail (the bot's
        people, then every team and chat it is in and the directory), else by a unique name."""
        if source.person_id is not None:
            return await self._coordination.person(source.person_id)
        query = source.email or source.navn
        if source.email:
            known = await self._coordination.find_person(caller.tenant_id, source.email)
            if len(known) == 1:
                return known[0]
        lookup = await self._roster.find(context, query)
        if len(lookup.members) == 1 and not lookup.problem:
            return await self._person_of(caller, lookup.members[0])
        return None

    async def _resolve_person(
        self, context: TurnContext, caller: Caller, query: str
    ) -> Person | Lookup:
        """The person meant by "mig", an e-mail/UPN or a name; else what the look-up found."""
        query = query.strip()
        if normalise(query) == "mig":
            return await self._coordination.person(caller.person_id)
        if not query:
            return Lookup()
        if _EMAIL.match(query):
            known = await self._coordination.find_person(caller.tenant_id, query)
            if len(known) == 1:
                return known[0]
        lookup = await self._roster.find(context, query)
        if len(lookup.members) == 1 and not lookup.problem:
            return await self._person_of(caller, lookup.members[0])
        return lookup

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
        ready, cannot = await self._prepare(caller, pending)
        sent = await self._invite(context, caller, ready)
        await context.send_activity(texts.start_done(inviteret=len(sent.reached)))
        await _tell_how_it_went(context, sent)
        if cannot:
            await context.send_activity("\n\n".join(cannot.values()))
        if unassigned:
            await context.send_activity(texts.start_unassigned(fagomraader=unassigned))

    async def _prepare(
        self, caller: Caller, pending: Sequence[tuple[Fagomraade, Person]]
    ) -> tuple[list[tuple[Fagomraade, Person]], dict[int, str]]:
        """Make each person reachable before inviting; those who cannot be, with the fix."""
        ready: list[tuple[Fagomraade, Person]] = []
        cannot: dict[int, str] = {}
        for area, person in pending:
            if person.id not in cannot:
                reach = await self._reacher.prepare(caller.tenant_id, person)
                if reach.reason is not None:
                    cannot[person.id] = texts.unreachable_person(
                        navn=person.navn or person.email or "?", reason=reach.reason
                    )
            if person.id not in cannot:
                ready.append((area, person))
        return ready, cannot

    async def _invite(
        self, context: TurnContext, caller: Caller, pending: Sequence[tuple[Fagomraade, Person]]
    ) -> _Sent:
        """Send each person one invitation listing all their areas; whoever it reached or is
        on its way to counts as invited."""
        kortlaegning = await self._coordination.kortlaegning(caller.tenant_id)
        assert kortlaegning is not None
        sent = _Sent()
        areas_of: dict[int, list[Fagomraade]] = {}
        people: dict[int, Person] = {}
        for area, person in pending:
            areas_of.setdefault(person.id, []).append(area)
            people[person.id] = person
        for person_id, areas in areas_of.items():
            person = people[person_id]
            report = await self._messenger.send_to_person(
                caller.tenant_id,
                person.id,
                OutgoingMessage(
                    card=cards.invitations_card(
                        fagomraader=areas,
                        slutdato=kortlaegning.slutdato,
                        koordinator=caller.navn,
                    ),
                    kind="invitation",
                    dedupe_key=f"invitation:{'-'.join(str(a.id) for a in areas)}:{person.id}",
                ),
            )
            if sent.add(person, report):
                for area in areas:
                    await self._coordination.mark_invited(area.id, person.id)
        return sent

    async def _paamind(self, context: TurnContext, caller: Caller) -> None:
        kortlaegning = await self._coordination.kortlaegning(caller.tenant_id)
        if kortlaegning is None:
            raise NoKortlaegning(caller.tenant_id)
        areas_of: dict[int, list[cards.ReminderArea]] = {}
        owners: dict[int, Person] = {}
        for facts in await self._coordination.status_facts(caller.tenant_id):
            area = facts.fagomraade
            if area.indsendt_at is not None:
                continue
            for owner in facts.owners:
                owners[owner.id] = owner
                areas_of.setdefault(owner.id, []).append(
                    cards.ReminderArea(
                        area.id,
                        area.navn,
                        unanswered=area.antal_systemer - facts.answered,
                        total=area.antal_systemer,
                    )
                )
        sent = _Sent()
        for owner_id, areas in areas_of.items():
            report = await self._messenger.send_to_person(
                caller.tenant_id,
                owner_id,
                OutgoingMessage(
                    # The scheduled reminder's card: one per person, every unfinished area.
                    card=cards.reminders_card(
                        areas,
                        slutdato=kortlaegning.slutdato,
                        dage=(kortlaegning.slutdato - self._config.today()).days,
                    ),
                    kind="reminder",
                ),
            )
            sent.add(owners[owner_id], report)
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
        # KOMBIT's receipt completes the task; the card then says so.
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


def _not_found(query: str, lookup: Lookup, directory: bool) -> str:
    """What to tell the coordinator when a look-up gave no single person; directory: whether
    Graph is on (then it was searched, and turning it on is no advice)."""
    if lookup.problem is LookupProblem.DIRECTORY_CONSENT:
        return texts.tildel_directory_consent(query=query)
    if lookup.problem is LookupProblem.DIRECTORY_UNAVAILABLE:
        return texts.tildel_directory_unavailable(query=query)
    if len(lookup.members) > 1:
        return texts.tildel_ambiguous_person(
            query=query,
            navne=[m.navn + (f" ({m.email})" if m.email else "") for m in lookup.members],
        )
    return texts.tildel_unknown_person(query=query, teams=lookup.rosters, graph=directory)


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
