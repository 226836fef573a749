"""The systemejer's survey of one fagområde: system by system or as a form, then additions,
summary and submission. No SQL, no Danish literals and no rules: storage decides, texts speak.

Every survey turn is the same plain sequence, in one transaction (storage/unit_of_work.py):
claim the activity → load the person's SurveyPlace → apply the card action or typed text →
write the answer and the new place → commit → reply. Replies go out only after the commit,
so a turn that dies half-way has stored nothing, claimed nothing and said nothing, and
Teams' redelivery is handled as the first delivery. Card submits carry their own ids, so a
card pressed late, twice, or after a restart is understood on its own terms.

One survey card is live per person. Its buttons carry a token that the turn sending it
stores with the place, so a press says which card it came from without a write after the
reply. When a turn moves on, the live card is updated in place to its final state
(answered, skipped, saved, submitted or replaced) without buttons, and a press on any other
survey card gets a short explanation and the live card again, never a silent change. To
update the card the turn needs its activity id: a press on it carries that id, and the
process that sent it remembers it for the person's next typed turn (README, "No card acts
out of turn").
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from dialogs import cards, texts
from dialogs.actions import ACTION_KEY, CARD_TOKEN_KEY, Action, card_number
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
    Kilde,
    NotAssigned,
    SystemAnswer,
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
        self.token = secrets.token_urlsafe(8)
        """The token of the live card this turn sends, if it sends one."""

    def text(self, text: str) -> None:
        self._items.append(("text", text, None))

    def card(self, card: cards.Card, *, on_screen: bool = False) -> None:
        """Send a card; `on_screen` makes it the survey's live card, the one a press acts on."""
        if on_screen:
            self._items.append(("card_on_screen", cards.with_token(card, self.token), None))
        else:
            self._items.append(("card", card, None))

    def replace(self, activity_id: str, card: cards.Card) -> None:
        """Update a card the bot sent earlier in place, so it cannot be pressed again."""
        self._items.append(("replace", card, activity_id))

    def close(self, activity_id: str, card: cards.Card) -> None:
        """Show a superseded card's final state before anything else this turn says."""
        self._items.insert(0, ("replace", card, activity_id))

    @property
    def shows_card(self) -> bool:
        """Whether this turn sends a new live card."""
        return any(kind == "card_on_screen" for kind, _c, _a in self._items)

    def replaces(self, activity_id: str) -> bool:
        return any(kind == "replace" and a == activity_id for kind, _c, a in self._items)

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
    closing_note: str | None = None
    """What the live card shows when this turn closes it, if the handler knows better."""
    closing_card: cards.Card | None = None
    """The live card's whole final state, when the handler knows it (confirm all)."""

    @property
    def live_card(self) -> str | None:
        """The activity id of the survey card a press may act on, if one is known."""
        return self.place.card_id if self.place is not None else None

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
        # person id -> (token, activity id) of the live card this process sent them last:
        # how a typed turn finds the card to update (a press carries its own id).
        self._sent: dict[int, tuple[str, str]] = {}
        # Card actions, each to its handler: one table instead of a chain of ifs.
        self._on_action: dict[Action, Handler] = {
            Action.START: self._restart,
            Action.FORTSAET: self._restart,
            Action.FORM: self._go(Phase.FORM),
            Action.HANDOVER: self._go(Phase.HANDOVER),
            Action.TILFOEJ_VIS: self._go(Phase.SUMMARY),
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
            Action.UAENDRET: self._uaendret_card,
            Action.BEKRAEFT_ALLE: self._bekraeft_alle,
        }
        # Typed text, by the part of the survey the person is in.
        self._on_text: dict[Phase, Callable[[Turn, SurveyPlace, str], Awaitable[Next]]] = {
            Phase.SYSTEM: self._system_text,
            Phase.FORM: self._help(texts.FORM_HELP),
            Phase.TILFOEJ: self._summary_text,
            Phase.SUMMARY: self._summary_text,
            Phase.HANDOVER: self._hand_over,
        }

    # --- entry points (the router's) ------------------------------------------------------
    async def on_card(self, context: TurnContext, value: dict[str, Any]) -> None:
        """A press on one of the survey's cards, whether or not the survey is under way."""

        async def decide(turn: Turn) -> Next:
            action = _action(value)
            area_id = card_number(value.get("fagomraade_id"))
            if area_id is None and turn.place is not None and "fagomraade_id" not in value:
                area_id = turn.place.fagomraade_id
            if action is None or area_id is None:
                logger.warning("card submit with an unknown action or id ignored")
                turn.replies.text(texts.NOT_UNDERSTOOD)
                return Next(turn.place, show=False)
            pressed = turn.context.activity.reply_to_id
            if action in _CARD_BOUND and turn.place is not None:
                token = value.get(CARD_TOKEN_KEY)
                if _superseded(turn.place, token, pressed):
                    return await self._stale(turn, action, value, pressed)
                if token is not None and pressed:
                    turn.place = turn.place.known_as(pressed)  # the live card, by its id
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
            place = turn.place
            if place is not None and place.phase in _AFTER_SYSTEMS and not place.correcting:
                # After the form or at the summary: on to the first system still unanswered.
                overview = await self._overview(turn, place.fagomraade_id)
                if overview.missing:
                    return Next(SurveyPlace(place.fagomraade_id))
            if place is not None:
                return Next(place)
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
            stored = await self._survey.place(uow, caller.person_id)
            turn = Turn(context, uow, caller, self._known_card(caller.person_id, stored))
            try:
                following = await decide(turn)
                place = following.place
                if place is not None and following.show:
                    place = await self._show(turn, place)
                left = await self._close_live_card(turn, place)
            except NotAssigned:
                turn.replies.text(texts.not_assigned())
                place, left = None, True
            if place is not None:
                place = _on_screen(turn, place, left=left)
            if place != stored:
                await self._survey.save_place(uow, caller.person_id, place, at=_now())
            await uow.commit()
        on_screen = await turn.replies.send(context)
        if on_screen is not None and place is not None and place.card_token is not None:
            self._sent[caller.person_id] = (place.card_token, on_screen)
        for notice in turn.notices:
            await notice()

    def _known_card(self, person_id: int, place: SurveyPlace | None) -> SurveyPlace | None:
        """The stored place, with its live card's activity id if this process sent it."""
        if place is None or place.card_id is not None or place.card_token is None:
            return place
        sent = self._sent.get(person_id)
        if sent is None or sent[0] != place.card_token:
            return place  # sent by another process, or before a restart: not known here
        return place.known_as(sent[1])

    async def _close_live_card(self, turn: Turn, place: SurveyPlace | None) -> bool:
        """Update the live card to its final state if this turn leaves it; whether it left.

        A turn leaves the card when it sends a new one, ends the survey (submitted, handed
        over) or moves on to a part without a card (the hand-over question). A card whose
        activity id this turn does not know (sent by another process) is left as it is.
        """
        live, before = turn.live_card, turn.place
        if before is None or (live is None and before.card_token is None):
            return False  # no card of this place is on screen
        if live is not None and turn.replies.replaces(live):
            return True
        leaving = turn.replies.shows_card or place is None or place.phase is Phase.HANDOVER
        if not leaving:
            return False
        if live is not None:
            final = turn.closing_card or await self._final_state(turn, before, place)
            if final is not None:
                turn.replies.close(live, final)
        return True

    async def _final_state(
        self, turn: Turn, shown: SurveyPlace, place: SurveyPlace | None
    ) -> cards.Card | None:
        """The card shown for `shown`, as it should stay in the chat once left."""
        known = turn.known_overview
        if known is not None and known.fagomraade.id == shown.fagomraade_id:
            overview = known
        else:  # after a write this turn, or a hand-over: read without asking for assignment
            overview = await self._survey.read_overview(shown.fagomraade_id, uow=turn.uow)
        note = turn.closing_note or texts.CARD_REPLACED
        if shown.phase is Phase.SYSTEM:
            line = overview.line(shown.system_id) if shown.system_id is not None else None
            if line is None:
                return None
            if line.answer is not None:
                return cards.answered_system_card(overview, line.system)
            moved_on = (
                place is not None
                and place.phase is Phase.SYSTEM
                and place.fagomraade_id == shown.fagomraade_id
                and place.system_id != shown.system_id
            )
            return cards.closed_system_card(
                overview, line.system, note=texts.SKIPPED if moved_on else note
            )
        if shown.phase is Phase.FORM:
            title = texts.form_title(
                fagomraade=overview.fagomraade.navn,
                side=shown.page + 1,
                sider=cards.form_pages(overview),
            )
            return cards.closed_card(title, note)
        if shown.phase in (Phase.SUMMARY, Phase.TILFOEJ):
            if overview.fagomraade.indsendt_at is not None and place is None:
                note = texts.SUBMITTED_NOTE
            return cards.summary_card(overview, readonly=True, note=note)
        return None

    async def _stale(
        self, turn: Turn, action: Action, value: dict[str, Any], pressed: str | None
    ) -> Next:
        """A press on a survey card that is no longer the live one: change nothing, say so,
        and show the live card again. A second press of the answer just given is a double
        press, not a wish, and is let go quietly."""
        place = turn.place
        assert place is not None  # a live card belongs to a place
        system_id = card_number(value.get("system_id"))
        overview = await self._overview(turn, place.fagomraade_id)
        line = overview.line(system_id) if system_id is not None else None
        if action is Action.ANSWER and line is not None and line.answer is not None:
            remark = str(value.get("bemaerkning") or "").strip() or None
            if (line.answer.anvendelse.value, line.answer.bemaerkning) == (
                value.get("anvendelse"),
                remark,
            ):
                logger.info("repeated press of an answered card ignored")
                return Next(place, show=False)
        if _already_confirmed(action, overview, line):
            logger.info("repeated confirmation of a suggestion ignored")
            return Next(place, show=False)
        logger.info("press on a superseded survey card refused: %s", action.value)
        turn.replies.text(texts.STALE_CARD)
        if line is not None and pressed:
            closed = (
                cards.answered_system_card(overview, line.system)
                if line.answer is not None
                else cards.closed_system_card(overview, line.system, note=texts.CARD_REPLACED)
            )
            turn.replies.replace(pressed, closed)
        return Next(place)

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
                return await self._show(turn, place.at(Phase.SUMMARY))
            # The area's first card, before anything is answered, offers to confirm every
            # suggestion at once; once someone answers one by one, it would only be in the way.
            first = not place.correcting and overview.answered == 0
            turn.replies.card(
                cards.system_card(overview, system, bekraeft_alle=first), on_screen=True
            )
            return place.at(Phase.SYSTEM, system_id=system.id, correcting=place.correcting)
        if place.phase is Phase.FORM:
            turn.replies.card(cards.form_card(overview, place.page), on_screen=True)
        elif place.phase in (Phase.SUMMARY, Phase.TILFOEJ):
            turn.replies.card(cards.summary_card(overview), on_screen=True)
            return place.at(Phase.SUMMARY)
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
        return Next(
            place.at(Phase.SYSTEM, system_id=card_number(value.get("system_id")), correcting=True)
        )

    async def _answer_card(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        system_id = card_number(value.get("system_id"))
        anvendelse = parse_anvendelse(value.get("anvendelse"))
        if system_id is None or anvendelse is None:
            turn.replies.text(texts.ANVENDELSE_HELP)
            return Next(place, show=False)
        return await self._answer(turn, place, system_id, anvendelse, value.get("bemaerkning"))

    async def _uaendret_card(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        """Uændret: the suggestion the card showed, as storage has it now, becomes the answer
        with its source; a remark typed on the card goes with it instead of the suggestion's."""
        system_id = card_number(value.get("system_id"))
        overview = await self._overview(turn, place.fagomraade_id)
        line = overview.line(system_id) if system_id is not None else None
        if line is None:
            turn.replies.text(texts.ANVENDELSE_HELP)
            return Next(place, show=False)
        forslag = line.forslag
        if forslag is None:
            # Rejected or cleared by the coordinator since the card was sent.
            logger.info("confirm pressed on a system without a suggestion now")
            turn.replies.text(texts.FORSLAG_FINDES_IKKE)
            return Next(SurveyPlace(place.fagomraade_id, system_id=line.system.id))
        typed = str(value.get("bemaerkning") or "").strip() or None
        return await self._answer(
            turn,
            place,
            line.system.id,
            forslag.anvendelse,
            typed or forslag.bemaerkning,
            kilde=forslag.kilde,
        )

    async def _bekraeft_alle(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        """Confirm every shown suggestion of the area's unanswered systems: one write of all
        the answers, each audited with its source, then the systems without a suggestion
        are asked as usual, and the summary shows what was confirmed and what is new."""
        overview = await self._overview(turn, place.fagomraade_id)
        to_confirm = [line.forslag for line in overview.to_confirm if line.forslag]
        if to_confirm:
            try:
                changes = await self._survey.record_answers(
                    turn.caller.person_id,
                    [(f.it_system_id, f.anvendelse) for f in to_confirm],
                    bemaerkninger={f.it_system_id: f.bemaerkning for f in to_confirm},
                    kilder={f.it_system_id: f.kilde for f in to_confirm},
                    uow=turn.uow,
                    overview=overview,
                )
            except AlreadySubmitted:
                turn.replies.text(texts.already_submitted(fagomraade=overview.fagomraade.navn))
                return Next(place, show=False)
            overview = turn.overview_is(overview.with_answers(c.answer for c in changes))
            await self._changed(turn)
            done = texts.bekraeftet_alle(antal=len(changes))
            turn.closing_card = cards.closed_card(overview.fagomraade.navn, done)
            if turn.live_card is None:
                turn.replies.text(done)
        return _after(overview, -1)

    async def _skip_card(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        return await self._skip(turn, place, card_number(value.get("system_id")))

    async def _back_card(self, turn: Turn, place: SurveyPlace, value: dict[str, Any]) -> Next:
        return await self._back(turn, place, card_number(value.get("system_id")))

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
        return await self._answer(turn, place, place.system_id, anvendelse, bemaerkning)

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
        kilde: Kilde = Kilde.SVAR,
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
                kilde=kilde,
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
        if line and turn.live_card is None:
            # No card of ours to update (it was never known, or a restart lost it): say it.
            turn.replies.text(
                texts.with_kilde(
                    texts.answer_saved(
                        system=line.system.navn,
                        anvendelse=anvendelse,
                        bemaerkning=change.answer.bemaerkning,
                    ),
                    change.answer.kilde,
                )
            )
        if place.correcting:
            return Next(place.at(Phase.SUMMARY))
        return _after(overview, line.system.position if line else -1)

    async def _changed(self, turn: Turn) -> None:
        """An answer or addition changed: the coordinators hear once if it was delivered."""
        if turn.known_overview is not None and not turn.known_overview.change_unannounced:
            return  # read with the area: no delivered version waits for the notice
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
        tilfoej = place.at(Phase.SUMMARY)
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
            turn.caller.person_id, card_number(value.get("tilfoejet_id")) or 0, uow=turn.uow
        )
        if removed:
            await self._changed(turn)
            turn.replies.text(texts.tilfoejet_removed(navn=removed.navn))
        return Next(place)

    async def _submit(self, turn: Turn, place: SurveyPlace, *, force: bool) -> Next:
        caller, area_id = turn.caller, place.fagomraade_id
        overview = await self._overview(turn, area_id)
        if overview.missing and not force:
            turn.replies.card(cards.summary_card(overview, confirm_missing=True), on_screen=True)
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
        overview = await self._overview(turn, place.fagomraade_id)
        chosen: list[tuple[int, Anvendelse]] = []
        remarks: dict[int, str | None] = {}
        for key, raw in value.items():
            if not key.startswith("s_") or not raw:
                continue
            anvendelse = parse_anvendelse(str(raw))
            system_id = card_number(key[2:])
            if anvendelse is None or system_id is None:
                continue
            chosen.append((system_id, anvendelse))
            # A remark field left out of the submit keeps the remark given elsewhere.
            line = overview.line(system_id)
            given = value.get(f"b_{system_id}")
            if given is not None:
                remarks[system_id] = str(given)
            elif line is not None and line.answer is not None:
                remarks[system_id] = line.answer.bemaerkning
        try:
            changes = await self._survey.record_answers(
                turn.caller.person_id,
                chosen,
                bemaerkninger=remarks,
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
        page, pages = card_number(value.get("page")) or 0, cards.form_pages(overview)
        last = page + 1 >= pages
        saved = texts.form_saved(
            gemt=len(changes),
            side=page + 1,
            sider=pages,
            mangler=len(overview.missing) if last else 0,
        )
        # The saved page says so itself; a line of text only when no card of ours is known.
        turn.closing_note = saved
        if turn.live_card is None:
            turn.replies.text(saved)
        if not last:
            return Next(place.at(Phase.FORM, page=page + 1))
        return Next(place.at(Phase.SUMMARY))

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


def _already_confirmed(
    action: Action, overview: FagomraadeOverview, line: SystemAnswer | None
) -> bool:
    """Whether a confirming press on an old card asks for nothing that is not done: Uændret
    on a system answered as suggested, Bekræft alle with no suggestion left unanswered."""
    if action is Action.BEKRAEFT_ALLE:
        return not overview.to_confirm
    if action is Action.UAENDRET and line is not None and line.answer and line.forslag:
        return line.answer.anvendelse == line.forslag.anvendelse
    return False


def _after(overview: FagomraadeOverview, position: int) -> Next:
    """Where to go after a system: the next unanswered one, or the summary, which asks for
    additions and offers Indsend on one card."""
    area_id = overview.fagomraade.id
    following = overview.next_unanswered(position)
    if following is None:
        return Next(SurveyPlace(area_id, Phase.SUMMARY))
    return Next(SurveyPlace(area_id, system_id=following.id))


_AFTER_SYSTEMS = frozenset({Phase.FORM, Phase.SUMMARY, Phase.TILFOEJ})
"""Parts of the survey from which the resume command goes to the first unanswered system."""

_CARD_BOUND = frozenset(
    {
        Action.ANSWER,
        Action.SKIP,
        Action.BACK,
        Action.PAUSE,
        Action.TILFOEJ,
        Action.FJERN,
        Action.RET,
        Action.INDSEND,
        Action.FORM_GEM,
        Action.VIDERE,
        Action.TILFOEJ_VIS,
        Action.UAENDRET,
        Action.BEKRAEFT_ALLE,
    }
)
"""Actions that act on the card they sit on, so only its live copy may take them. The rest
(start, continue, the form, hand-over, a summary from `mine`) open a part of the survey and
are as good from an old invitation or reminder as from a new one."""


def _superseded(live: SurveyPlace, token: object, pressed: str | None) -> bool:
    """Whether a press came from a survey card other than the live one. A card sent before
    cards carried a token is known by its activity id, when the place has it."""
    if token is None:
        return bool(pressed and live.card_id and pressed != live.card_id)
    return token != live.card_token


def _on_screen(turn: Turn, place: SurveyPlace, *, left: bool) -> SurveyPlace:
    """The place with the card that is live once this turn's replies are sent."""
    if turn.replies.shows_card:
        return place.showing(turn.replies.token)
    if left or turn.place is None:
        return place.showing(None)
    return place.showing(turn.place.card_token, turn.place.card_id)


def _action(value: dict[str, Any]) -> Action | None:
    try:
        return Action(value[ACTION_KEY])
    except (ValueError, TypeError):
        return None


def _now() -> datetime:
    return datetime.now(UTC)
