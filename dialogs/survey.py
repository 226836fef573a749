"""The systemejer's survey of one fagområde: system by system or as a form, then additions,
summary and submission. No SQL, no Danish literals and no rules: storage decides, texts speak.

Every survey turn is the same plain sequence, in one transaction (storage/unit_of_work.py):
claim the activity → load the person's SurveyPlace → apply the card action or typed text →
write the answer and the new place → commit → reply. Replies go out only after the commit,
so a turn that dies half-way has stored nothing, claimed nothing and said nothing, and
Teams' redelivery is handled as the first delivery. Card submits carry their own ids, so a
card pressed late, twice, or after a restart is understood on its own terms.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from dialogs import cards, texts
from dialogs.actions import ACTION_KEY, Action
from dialogs.context import Caller, caller_of, claim_of
from dialogs.ports import DeliveryHooks, Messenger, OutgoingMessage
from dialogs.survey_words import SurveyWord, recognise_survey_word, split_answer
from storage.coordination import CoordinationRepository
from storage.domain.answers import parse_anvendelse
from storage.domain.model import (
    AlreadySubmitted,
    Anvendelse,
    FagomraadeOverview,
    ItSystem,
    NotAssigned,
)
from storage.domain.place import Phase, SurveyPlace
from storage.survey import SurveyRepository, UnknownSystem
from storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

Units = Callable[[], UnitOfWork]
"""Makes the unit of work of one turn."""


@dataclass(frozen=True, slots=True)
class Next:
    """Where a turn leaves the person: a place (None forgets it) and whether to show it."""

    place: SurveyPlace | None
    show: bool = True


class Replies:
    """What a survey turn says, collected while it decides and sent after it commits."""

    def __init__(self) -> None:
        self._items: list[tuple[str, Any, str | None]] = []

    def text(self, text: str) -> None:
        self._items.append(("text", text, None))

    def card(self, card: cards.Card, *, on_screen: bool = False) -> None:
        """Send a card; `on_screen` marks the system card a typed answer later replaces."""
        self._items.append(("card_on_screen" if on_screen else "card", card, None))

    def replace(self, activity_id: str, card: cards.Card) -> None:
        """Update a card the bot sent earlier in place, so it cannot be pressed again."""
        self._items.append(("replace", card, activity_id))

    async def send(self, context: TurnContext) -> str | None:
        """Send everything in order; the activity id of the card now on screen, if one."""
        on_screen: str | None = None
        for kind, content, activity_id in self._items:
            if kind == "text":
                await context.send_activity(content)
            elif kind == "replace" and activity_id:
                await context.update_activity(
                    Activity(
                        id=activity_id,
                        type=ActivityTypes.message,
                        attachments=[cards.as_attachment(content)],
                    )
                )
            else:
                sent = await context.send_activity(
                    MessageFactory.attachment(cards.as_attachment(content))
                )
                if kind == "card_on_screen" and sent is not None:
                    on_screen = sent.id
        return on_screen


@dataclass
class Turn:
    """One survey turn: who, in which transaction, from which place, and what it will say."""

    context: TurnContext
    uow: UnitOfWork
    caller: Caller
    place: SurveyPlace | None
    replies: Replies = field(default_factory=Replies)
    notices: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    """Messages to others (coordinators, a colleague), sent after the commit and the replies."""
    known_overview: FagomraadeOverview | None = None
    """The area as this turn last read or wrote it."""

    def forget_overview(self) -> None:
        """Called before every write, so the next read in this turn sees it."""
        self.known_overview = None

    def overview_is(self, overview: FagomraadeOverview) -> FagomraadeOverview:
        """What this turn's write made of the area, known without reading it again."""
        self.known_overview = overview
        return overview


Handler = Callable[[Turn, SurveyPlace, dict[str, Any]], Awaitable[Next]]


class Survey:
    """The systemejer's survey; every answer is committed before the reply is sent."""

    def __init__(
        self,
        survey: SurveyRepository,
        coordination: CoordinationRepository,
        messenger: Messenger,
        delivery: DeliveryHooks,
        units: Units,
    ) -> None:
        self._survey = survey
        self._coordination = coordination
        self._messenger = messenger
        self._delivery = delivery
        self._units = units
        self._cards_on_screen: dict[int, str] = {}
        """person id -> activity id of the system card last sent to them by this process.

        Lets a typed answer replace the card it answers, as a press does (Teams gives a
        press the card's id; typed text has none). Kept in memory: after a restart or on
        another instance a typed answer is confirmed by a line of text instead.
        """
        # Card actions, each to its handler: one table instead of a chain of ifs.
        self._on_action: dict[Action, Handler] = {
            Action.START: self._restart,
            Action.FORTSAET: self._restart,
            Action.FORM: self._go(Phase.FORM),
            Action.HANDOVER: self._go(Phase.HANDOVER),
            Action.TILFOEJ_VIS: self._go(Phase.TILFOEJ),
            Action.VIDERE: self._go(Phase.SUMMARY),
            Action.OVERSIGT: self._go(Phase.SUMMARY),
            Action.ANSWER: self._answer_card,
            Action.SKIP: self._skip_card,
            Action.BACK: self._back_card,
            Action.PAUSE: self._pause,
            Action.TILFOEJ: self._add_system,
            Action.FJERN: self._remove_system,
            Action.RET: self._correct,
            Action.INDSEND: self._submit_card,
            Action.FORM_GEM: self._save_form_page,
        }
        # Typed text, by the part of the survey the person is in.
        self._on_text: dict[Phase, Callable[[Turn, SurveyPlace, str], Awaitable[Next]]] = {
            Phase.SYSTEM: self._system_text,
            Phase.FORM: self._help(texts.FORM_HELP),
            Phase.TILFOEJ: self._tilfoej_text,
            Phase.SUMMARY: self._summary_text,
            Phase.HANDOVER: self._hand_over,
        }

    # --- entry points (the router's) ------------------------------------------------------
    async def on_card(self, context: TurnContext, value: dict[str, Any]) -> None:
        """A press on one of the survey's cards, whether or not the survey is under way."""

        async def decide(turn: Turn) -> Next:
            action = _action(value)
            area_id = _int(value.get("fagomraade_id"))
            if area_id is None and turn.place is not None and "fagomraade_id" not in value:
                area_id = turn.place.fagomraade_id
            if action is None or area_id is None:
                logger.warning("card submit with an unknown action or id ignored")
                turn.replies.text(texts.NOT_UNDERSTOOD)
                return Next(turn.place, show=False)
            place = turn.place
            if place is None or place.fagomraade_id != area_id:
                # A card from another area: follow it, as the person clearly wants that one.
                place = SurveyPlace(area_id)
            return await self._on_action[action](turn, place, value)

        await self._run(context, decide)

    async def on_text(self, context: TurnContext, text: str) -> None:
        """Typed text while no other dialog waits: an answer or a word that steers."""

        async def decide(turn: Turn) -> Next:
            if turn.place is None:
                turn.replies.text(texts.NOT_UNDERSTOOD)
                return Next(None, show=False)
            if recognise_survey_word(text) is SurveyWord.PAUSE:
                return await self._pause(turn, turn.place, {})
            return await self._on_text[turn.place.phase](turn, turn.place, text)

        await self._run(context, decide)

    async def resume(self, context: TurnContext) -> None:
        """`fortsæt`: exactly where the person left off, or their one open area, or a list."""

        async def decide(turn: Turn) -> Next:
            if turn.place is not None:
                return Next(turn.place)
            overviews = await self._survey.my_fagomraader(turn.caller.person_id, uow=turn.uow)
            open_areas = [o for o in overviews if o.fagomraade.indsendt_at is None]
            if not overviews:
                turn.replies.text(texts.NO_FAGOMRAADER)
            elif not open_areas:
                turn.replies.text(texts.NO_OPEN_FAGOMRAADER)
            elif len(open_areas) == 1:
                return Next(SurveyPlace(open_areas[0].fagomraade.id))
            else:
                turn.replies.card(cards.mine_card(overviews))
            return Next(None, show=False)

        await self._run(context, decide)

    # --- the turn -------------------------------------------------------------------------
    async def _run(self, context: TurnContext, decide: Callable[[Turn], Awaitable[Next]]) -> None:
        caller = caller_of(context)
        async with self._units() as uow:
            if not await claim_of(context).take(uow):
                return  # handled before: the first delivery replied
            before = await self._survey.place(uow, caller.person_id)
            turn = Turn(context, uow, caller, before)
            try:
                following = await decide(turn)
                place = following.place
                if place is not None and following.show:
                    place = await self._show(turn, place)
            except NotAssigned:
                turn.replies.text(texts.not_assigned())
                place = None
            if place != before:
                await self._survey.save_place(uow, caller.person_id, place, at=_now())
            await uow.commit()
        on_screen = await turn.replies.send(context)
        if on_screen is not None:
            self._cards_on_screen[caller.person_id] = on_screen
        elif place is None:
            self._cards_on_screen.pop(caller.person_id, None)
        for notice in turn.notices:
            await notice()

    async def _overview(self, turn: Turn, area_id: int) -> FagomraadeOverview:
        """The area as stored; read once per turn unless this turn has written since."""
        known = turn.known_overview
        if known is not None and known.fagomraade.id == area_id:
            return known
        return turn.overview_is(
            await self._survey.overview(area_id, turn.caller.person_id, uow=turn.uow)
        )

    async def _show(self, turn: Turn, place: SurveyPlace) -> SurveyPlace:
        """Say where the person is; the place as shown (the system asked about filled in)."""
        overview = await self._overview(turn, place.fagomraade_id)
        if place.phase is Phase.SYSTEM:
            system = _current_system(place, overview)
            if system is None:
                return await self._show(turn, place.at(Phase.TILFOEJ))
            turn.replies.card(cards.system_card(overview, system), on_screen=True)
            return place.at(Phase.SYSTEM, system_id=system.id, correcting=place.correcting)
        if place.phase is Phase.FORM:
            turn.replies.card(cards.form_card(overview, place.page))
        elif place.phase is Phase.TILFOEJ:
            turn.replies.card(cards.tilfoej_card(overview))
        elif place.phase is Phase.SUMMARY:
            turn.replies.card(cards.summary_card(overview))
        elif place.phase is Phase.HANDOVER:
            turn.replies.text(texts.handover_question(fagomraade=overview.fagomraade.navn))
        return place

    # --- card actions ---------------------------------------------------------------------
    async def _restart(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        return Next(SurveyPlace(place.fagomraade_id))

    @staticmethod
    def _go(phase: Phase) -> Handler:
        async def go(turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
            return Next(place.at(phase))

        return go

    async def _pause(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        # The place stays, so `fortsæt` resumes at this very system.
        turn.replies.text(texts.PAUSED)
        return Next(turn.place if turn.place is not None else place, show=False)

    async def _correct(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        return Next(place.at(Phase.SYSTEM, system_id=_int(value.get("system_id")), correcting=True))

    async def _answer_card(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        system_id = _int(value.get("system_id"))
        anvendelse = parse_anvendelse(value.get("anvendelse"))
        if system_id is None or anvendelse is None:
            turn.replies.text(texts.ANVENDELSE_HELP)
            return Next(place, show=False)
        is_current = place.system_id in (None, system_id) or place.phase is not Phase.SYSTEM
        return await self._answer(
            turn,
            place,
            system_id,
            anvendelse,
            value.get("bemaerkning"),
            card_activity_id=turn.context.activity.reply_to_id,
            is_current=is_current,
        )

    async def _skip_card(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        return await self._skip(turn, place, _int(value.get("system_id")))

    async def _back_card(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        return await self._back(turn, place, _int(value.get("system_id")))

    async def _submit_card(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        return await self._submit(turn, place, force=bool(value.get("force")))

    # --- typed text -----------------------------------------------------------------------
    async def _system_text(self, turn: Turn, place: SurveyPlace, text: str) -> Next:
        word = recognise_survey_word(text)
        if word is SurveyWord.SPRING_OVER:
            return await self._skip(turn, place, place.system_id)
        if word is SurveyWord.TILBAGE:
            return await self._back(turn, place, place.system_id)
        anvendelse, bemaerkning = split_answer(text)
        if anvendelse is None or place.system_id is None:
            turn.replies.text(texts.ANVENDELSE_HELP)
            return Next(place, show=False)
        return await self._answer(
            turn,
            place,
            place.system_id,
            anvendelse,
            bemaerkning,
            card_activity_id=self._cards_on_screen.get(turn.caller.person_id),
            is_current=True,
        )

    async def _tilfoej_text(self, turn: Turn, place: SurveyPlace, text: str) -> Next:
        if recognise_survey_word(text) in (SurveyWord.VIDERE, SurveyWord.NEJ):
            return Next(place.at(Phase.SUMMARY))
        turn.replies.text(texts.TILFOEJ_HELP)
        return Next(place, show=False)

    async def _summary_text(self, turn: Turn, place: SurveyPlace, text: str) -> Next:
        if recognise_survey_word(text) is SurveyWord.INDSEND:
            return await self._submit(turn, place, force=False)
        turn.replies.text(texts.SUMMARY_HELP)
        return Next(place, show=False)

    @staticmethod
    def _help(text: str) -> Callable[[Turn, SurveyPlace, str], Awaitable[Next]]:
        async def help_(turn: Turn, place: SurveyPlace, _typed: str) -> Next:
            turn.replies.text(text)
            return Next(place, show=False)

        return help_

    # --- use cases ------------------------------------------------------------------------
    async def _answer(
        self,
        turn: Turn,
        place: SurveyPlace,
        system_id: int,
        anvendelse: Anvendelse,
        bemaerkning: str | None,
        *,
        card_activity_id: str | None,
        is_current: bool,
    ) -> Next:
        overview = await self._overview(turn, place.fagomraade_id)
        try:
            change = await self._survey.record_answer(
                turn.caller.person_id,
                system_id,
                anvendelse,
                bemaerkning,
                correcting=place.correcting,
                uow=turn.uow,
                overview=overview,
            )
        except AlreadySubmitted:
            turn.replies.text(texts.already_submitted(fagomraade=overview.fagomraade.navn))
            return Next(place, show=False)
        except UnknownSystem:
            turn.replies.text(texts.ANVENDELSE_HELP)
            return Next(place, show=False)
        if change.changed:
            overview = turn.overview_is(overview.with_answers([change.answer]))
            await self._changed(turn)
        line = overview.line(system_id)
        if not is_current:
            # An older card pressed again: confirm a real correction, ignore a double press.
            if change.changed and line:
                turn.replies.text(
                    texts.answer_corrected(system=line.system.navn, anvendelse=anvendelse)
                )
            else:
                logger.info("repeated press of an answered card ignored")
            return Next(place, show=False)
        if line and card_activity_id:
            turn.replies.replace(
                card_activity_id,
                cards.answered_system_card(
                    fagomraade=overview.fagomraade.navn,
                    system=line.system,
                    antal=len(overview.systemer),
                    anvendelse=anvendelse,
                ),
            )
        elif line:
            turn.replies.text(texts.answer_saved(system=line.system.navn, anvendelse=anvendelse))
        if place.correcting:
            return Next(place.at(Phase.SUMMARY))
        return _after(overview, line.system.position if line else -1)

    async def _changed(self, turn: Turn) -> None:
        """An answer or addition changed: the coordinators hear once if it was delivered."""
        caller = turn.caller
        notice = await self._delivery.answers_changed(
            caller.tenant_id, navn=caller.navn, uow=turn.uow
        )
        if notice is not None:
            turn.notices.append(
                lambda: self._messenger.send_to_coordinators(caller.tenant_id, notice)
            )

    async def _skip(self, turn: Turn, place: SurveyPlace, system_id: int | None) -> Next:
        overview = await self._overview(turn, place.fagomraade_id)
        line = overview.line(system_id) if system_id is not None else None
        return _after(overview, line.system.position if line else -1)

    async def _back(self, turn: Turn, place: SurveyPlace, system_id: int | None) -> Next:
        overview = await self._overview(turn, place.fagomraade_id)
        line = overview.line(system_id) if system_id is not None else None
        position = line.system.position if line else -1
        previous = [s.system for s in overview.systemer if s.system.position < position]
        if not previous:
            turn.replies.text(texts.FIRST_SYSTEM)
            return Next(place)
        return Next(SurveyPlace(place.fagomraade_id, system_id=previous[-1].id))

    async def _add_system(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        tilfoej = place.at(Phase.TILFOEJ)
        navn = str(value.get("navn") or "").strip()
        if not navn:
            turn.replies.text(texts.TILFOEJ_NEEDS_NAME)
            return Next(tilfoej, show=False)
        turn.forget_overview()
        added, created = await self._survey.add_tilfoejet(
            turn.caller.person_id,
            place.fagomraade_id,
            navn=navn,
            leverandoer=value.get("leverandoer"),
            svarer_til=value.get("svarer_til"),
            anvendelse=parse_anvendelse(value.get("anvendelse")),
            bemaerkning=value.get("bemaerkning"),
            uow=turn.uow,
        )
        if created:
            await self._changed(turn)
        turn.replies.text(texts.tilfoejet(navn=added.navn))
        return Next(tilfoej)

    async def _remove_system(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        turn.forget_overview()
        removed = await self._survey.remove_tilfoejet(
            turn.caller.person_id, _int(value.get("tilfoejet_id")) or 0, uow=turn.uow
        )
        if removed:
            await self._changed(turn)
            turn.replies.text(texts.tilfoejet_removed(navn=removed.navn))
        return Next(place)

    async def _submit(self, turn: Turn, place: SurveyPlace, *, force: bool) -> Next:
        caller, area_id = turn.caller, place.fagomraade_id
        overview = await self._overview(turn, area_id)
        missing = [system.navn for system in overview.missing]
        if missing and not force:
            turn.replies.card(cards.missing_card(fagomraade_id=area_id, mangler=missing))
            return Next(place.at(Phase.SUMMARY), show=False)
        turn.forget_overview()
        try:
            result = await self._survey.submit(caller.person_id, area_id, uow=turn.uow)
        except AlreadySubmitted:
            turn.replies.text(texts.already_submitted(fagomraade=overview.fagomraade.navn))
            return Next(None, show=False)
        besvaret, antal = overview.answered, len(overview.systemer)
        turn.replies.text(
            texts.submitted(fagomraade=overview.fagomraade.navn, besvaret=besvaret, antal=antal)
        )
        notice = OutgoingMessage(
            text=texts.coordinator_area_submitted(
                systemejer=caller.navn,
                fagomraade=overview.fagomraade.navn,
                besvaret=besvaret,
                antal=antal,
            ),
            kind="submitted",
            dedupe_key=f"submitted:{area_id}:{overview.fagomraade.indsendt_at or 'now'}",
        )
        turn.notices.append(
            partial(
                self._messenger.send_to_coordinators,
                caller.tenant_id,
                notice,
                except_person_id=caller.person_id,
            )
        )
        if result.all_submitted:
            turn.notices.append(
                lambda: self._delivery.all_submitted(
                    caller.tenant_id, by_person_id=caller.person_id
                )
            )
        return Next(None, show=False)

    async def _save_form_page(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        chosen: list[tuple[int, Anvendelse]] = []
        for key, raw in value.items():
            if not key.startswith("s_") or not raw:
                continue
            anvendelse = parse_anvendelse(str(raw))
            system_id = _int(key[2:])
            if anvendelse is None or system_id is None:
                continue
            chosen.append((system_id, anvendelse))
        overview = await self._overview(turn, place.fagomraade_id)
        try:
            changes = await self._survey.record_answers(
                turn.caller.person_id,
                chosen,
                keep_bemaerkning=True,
                uow=turn.uow,
                overview=overview,
            )
        except AlreadySubmitted:
            turn.replies.text(texts.already_submitted(fagomraade=overview.fagomraade.navn))
            return Next(place, show=False)
        except UnknownSystem:
            turn.replies.text(texts.NOT_UNDERSTOOD)
            return Next(place, show=False)
        if any(c.changed for c in changes):
            overview = turn.overview_is(overview.with_answers(c.answer for c in changes))
            await self._changed(turn)
        page, pages = _int(value.get("page")) or 0, cards.form_pages(overview)
        turn.replies.text(texts.form_saved(gemt=len(changes), side=page + 1, sider=pages))
        if page + 1 < pages:
            return Next(place.at(Phase.FORM, page=page + 1))
        return Next(place.at(Phase.TILFOEJ))

    async def _hand_over(self, turn: Turn, place: SurveyPlace, text: str) -> Next:
        caller = turn.caller
        if recognise_survey_word(text) is SurveyWord.ANNULLER:
            turn.replies.text(texts.HANDOVER_CANCELLED)
            return Next(place.at(Phase.SYSTEM), show=False)
        matches = await self._coordination.find_person(caller.tenant_id, text, uow=turn.uow)
        if not matches:
            turn.replies.text(texts.handover_unknown(query=text.strip()))
            return Next(place, show=False)
        if len(matches) > 1:
            turn.replies.text(texts.handover_ambiguous(navne=[p.navn for p in matches]))
            return Next(place, show=False)
        colleague = matches[0]
        if colleague.id == caller.person_id:
            turn.replies.text(texts.HANDOVER_SELF)
            return Next(place, show=False)
        area_id = place.fagomraade_id
        overview = await self._overview(turn, area_id)
        turn.forget_overview()
        await self._survey.hand_over(
            area_id, from_id=caller.person_id, to_id=colleague.id, uow=turn.uow
        )
        turn.replies.text(
            texts.handover_done(fagomraade=overview.fagomraade.navn, kollega=colleague.navn)
        )
        invitation = OutgoingMessage(
            card=cards.invitation_card(
                fagomraade_id=area_id,
                fagomraade=overview.fagomraade.navn,
                antal=len(overview.systemer),
                slutdato=overview.slutdato,
                koordinator=caller.navn,
            ),
            kind="invitation",
            dedupe_key=f"invitation:{area_id}:{colleague.id}",
        )
        handover = OutgoingMessage(
            text=texts.coordinator_handover(
                fra=caller.navn, til=colleague.navn, fagomraade=overview.fagomraade.navn
            ),
            kind="handover",
        )
        turn.notices.append(
            lambda: self._messenger.send_to_person(caller.tenant_id, colleague.id, invitation)
        )
        turn.notices.append(
            lambda: self._messenger.send_to_coordinators(caller.tenant_id, handover)
        )
        return Next(None, show=False)


def _current_system(place: SurveyPlace, overview: FagomraadeOverview) -> ItSystem | None:
    line = overview.line(place.system_id) if place.system_id is not None else None
    return line.system if line else overview.next_unanswered()


def _after(overview: FagomraadeOverview, position: int) -> Next:
    """Where to go after a system: the next unanswered one, or on to the additions."""
    area_id = overview.fagomraade.id
    following = overview.next_unanswered(position)
    if following is None:
        return Next(SurveyPlace(area_id, Phase.TILFOEJ))
    return Next(SurveyPlace(area_id, system_id=following.id))


def _action(value: dict[str, Any]) -> Action | None:
    try:
        return Action(value[ACTION_KEY])
    except (ValueError, TypeError):
        return None


_MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in the database; a card claiming a larger one is not ours."""


def _int(raw: object) -> int | None:
    try:
        number = int(str(raw))
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= _MAX_ID else None


def _now() -> datetime:
    return datetime.now(UTC)
