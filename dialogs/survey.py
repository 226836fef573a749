"""The systemejer's survey of one fagområde: system by system or as a form, then additions,
summary and submission. No SQL, no Danish literals and no rules: storage decides, texts speak.

One waterfall of two steps (show, handle) loops with replace_dialog; its options say where the
person is (`fagomraade_id`, `phase`, `system_id`, `page`) and hold ids only, because the
state is persisted. Card submits carry their own ids, so a card pressed late, twice, or
after a restart is understood on its own terms.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from botbuilder.core import MessageFactory, StatePropertyAccessor, TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions
from botbuilder.schema import Activity, ActivityTypes

from dialogs import cards, texts
from dialogs.actions import ACTION_KEY, Action
from dialogs.context import caller_of
from dialogs.ports import DeliveryHooks, Messenger, OutgoingMessage
from dialogs.prompts import InputPrompt
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
from storage.survey import SurveyRepository, UnknownSystem

logger = logging.getLogger(__name__)

SURVEY_DIALOG_ID = "survey"
_LOOP_ID = "survey.loop"
_INPUT_PROMPT_ID = "survey.input"
_OVERVIEW_KEY = "survey.overview"


class Phase(StrEnum):
    SYSTEM = "system"
    FORM = "form"
    TILFOEJ = "tilfoej"
    SUMMARY = "summary"
    HANDOVER = "handover"


def survey_options(
    fagomraade_id: int,
    phase: Phase = Phase.SYSTEM,
    *,
    system_id: int | None = None,
    page: int = 0,
    pending: dict[str, Any] | None = None,
    correcting: bool = False,
) -> dict[str, Any]:
    """Options for beginning the survey; `pending` is a card submit to handle at once."""
    return {
        "fagomraade_id": fagomraade_id,
        "phase": phase.value,
        "system_id": system_id,
        "page": page,
        "pending": pending,
        "correcting": correcting,
        "card_activity_id": None,
        "show": pending is None,
    }


class SurveyDialog(ComponentDialog):
    """Ask about each system; every answer is committed before the reply is sent."""

    def __init__(
        self,
        survey: SurveyRepository,
        coordination: CoordinationRepository,
        messenger: Messenger,
        position: StatePropertyAccessor,
        delivery: DeliveryHooks,
    ) -> None:
        super().__init__(SURVEY_DIALOG_ID)
        self._survey = survey
        self._coordination = coordination
        self._messenger = messenger
        self._position = position
        self._delivery = delivery
        self.add_dialog(InputPrompt(_INPUT_PROMPT_ID))
        self.add_dialog(WaterfallDialog(_LOOP_ID, [self._show_step, self._handle_step]))
        self.initial_dialog_id = _LOOP_ID

    # --- the two steps ----------------------------------------------------------------
    async def _show_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        options: dict[str, Any] = dict(step.options)
        step.values["options"] = options
        pending = options.pop("pending", None)
        if pending is not None:
            return await step.next({"value": pending, "text": ""})
        if options.get("show", True):
            try:
                overview = await self._overview(step, options["fagomraade_id"])
            except NotAssigned:
                await step.context.send_activity(texts.not_assigned())
                return await step.end_dialog()
            if not await self._show(step.context, options, overview):
                return await step.end_dialog()
            # Remembered outside the dialog stack, so `fortsæt` finds the exact place even
            # when the stack was cleared by another command or a failed turn.
            await self._position.set(step.context, {**options, "show": True})
        return await step.prompt(_INPUT_PROMPT_ID, PromptOptions())

    async def _handle_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        options: dict[str, Any] = step.values["options"]
        received: dict[str, Any] = step.result or {}
        value = received.get("value")
        try:
            if isinstance(value, dict) and value.get(ACTION_KEY):
                following = await self._on_card(step, options, value)
            else:
                following = await self._on_text(step, options, received.get("text") or "")
        except NotAssigned:
            await step.context.send_activity(texts.not_assigned())
            return await step.end_dialog()
        if following is None:
            return await step.end_dialog()
        return await step.replace_dialog(_LOOP_ID, following)

    # --- showing where the person is ---------------------------------------------------
    async def _show(
        self, context: TurnContext, options: dict[str, Any], overview: FagomraadeOverview
    ) -> bool:
        """Send the card for the current phase; False when there is nothing left to show."""
        phase = Phase(options["phase"])
        if phase is Phase.SYSTEM:
            system = self._current_system(options, overview)
            if system is None:
                options["phase"] = Phase.TILFOEJ.value
                return await self._show(context, options, overview)
            options["system_id"] = system.id
            options["card_activity_id"] = await _send_card(
                context, cards.system_card(overview, system)
            )
        elif phase is Phase.FORM:
            await _send_card(context, cards.form_card(overview, options["page"]))
        elif phase is Phase.TILFOEJ:
            await _send_card(context, cards.tilfoej_card(overview))
        elif phase is Phase.SUMMARY:
            await _send_card(context, cards.summary_card(overview))
        elif phase is Phase.HANDOVER:
            await context.send_activity(
                texts.handover_question(fagomraade=overview.fagomraade.navn)
            )
        return True

    @staticmethod
    def _current_system(options: dict[str, Any], overview: FagomraadeOverview) -> ItSystem | None:
        wanted = options.get("system_id")
        line = overview.line(wanted) if wanted is not None else None
        return line.system if line else overview.next_unanswered()

    # --- card submits --------------------------------------------------------------------
    async def _on_card(
        self, step: WaterfallStepContext, options: dict[str, Any], value: dict[str, Any]
    ) -> dict[str, Any] | None:
        try:
            action = Action(value[ACTION_KEY])
            area_id = int(value.get("fagomraade_id", options["fagomraade_id"]))
        except (ValueError, TypeError):
            logger.warning("card submit with an unknown action or id ignored")
            await step.context.send_activity(texts.NOT_UNDERSTOOD)
            return _quiet(options)
        if area_id != options["fagomraade_id"]:
            # A card from another area: follow it, as the person clearly wants that one now.
            options = survey_options(area_id)
        if action in (Action.START, Action.FORTSAET):
            return survey_options(area_id)
        if action is Action.FORM:
            return survey_options(area_id, Phase.FORM)
        if action is Action.HANDOVER:
            return survey_options(area_id, Phase.HANDOVER)
        if action is Action.ANSWER:
            return await self._on_answer_card(step, options, value)
        if action in (Action.SKIP, Action.BACK):
            return await self._move(step, options, _int(value.get("system_id")), action)
        if action is Action.PAUSE:
            await step.context.send_activity(texts.PAUSED)
            return None
        if action is Action.TILFOEJ:
            return await self._add_system(step, options, area_id, value)
        if action is Action.FJERN:
            _forget_overview(step.context)
            removed = await self._survey.remove_tilfoejet(
                caller_of(step.context).person_id, int(value.get("tilfoejet_id", 0))
            )
            if removed:
                caller = caller_of(step.context)
                await self._delivery.answers_changed(caller.tenant_id, navn=caller.navn)
                await step.context.send_activity(texts.tilfoejet_removed(navn=removed.navn))
            return {**options, "show": True}
        if action is Action.TILFOEJ_VIS:
            return survey_options(area_id, Phase.TILFOEJ)
        if action in (Action.VIDERE, Action.OVERSIGT):
            return survey_options(area_id, Phase.SUMMARY)
        if action is Action.RET:
            return survey_options(
                area_id, Phase.SYSTEM, system_id=_int(value.get("system_id")), correcting=True
            )
        if action is Action.INDSEND:
            return await self._submit(step, options, area_id, force=bool(value.get("force")))
        if action is Action.FORM_GEM:
            return await self._save_form_page(step, options, area_id, value)
        return _quiet(options)

    async def _on_answer_card(
        self, step: WaterfallStepContext, options: dict[str, Any], value: dict[str, Any]
    ) -> dict[str, Any] | None:
        system_id = _int(value.get("system_id"))
        anvendelse = parse_anvendelse(value.get("anvendelse"))
        if system_id is None or anvendelse is None:
            await step.context.send_activity(texts.ANVENDELSE_HELP)
            return _quiet(options)
        is_current = (
            options.get("system_id") in (None, system_id) or options["phase"] != Phase.SYSTEM
        )
        card_id = step.context.activity.reply_to_id or options.get("card_activity_id")
        return await self._answer(
            step,
            options,
            system_id,
            anvendelse,
            value.get("bemaerkning"),
            card_activity_id=card_id,
            is_current=is_current,
        )

    # --- typed text ----------------------------------------------------------------------
    async def _on_text(
        self, step: WaterfallStepContext, options: dict[str, Any], text: str
    ) -> dict[str, Any] | None:
        phase = Phase(options["phase"])
        word = recognise_survey_word(text)
        if word is SurveyWord.PAUSE:
            await step.context.send_activity(texts.PAUSED)
            return None
        if phase is Phase.SYSTEM:
            return await self._on_system_text(step, options, text, word)
        if phase is Phase.TILFOEJ:
            if word in (SurveyWord.VIDERE, SurveyWord.NEJ):
                return survey_options(options["fagomraade_id"], Phase.SUMMARY)
            await step.context.send_activity(texts.TILFOEJ_HELP)
        elif phase is Phase.SUMMARY:
            if word is SurveyWord.INDSEND:
                return await self._submit(step, options, options["fagomraade_id"], force=False)
            await step.context.send_activity(texts.SUMMARY_HELP)
        elif phase is Phase.FORM:
            await step.context.send_activity(texts.FORM_HELP)
        elif phase is Phase.HANDOVER:
            return await self._hand_over(step, options, text, word)
        return _quiet(options)

    async def _on_system_text(
        self,
        step: WaterfallStepContext,
        options: dict[str, Any],
        text: str,
        word: SurveyWord | None,
    ) -> dict[str, Any] | None:
        system_id = options.get("system_id")
        if word is SurveyWord.SPRING_OVER:
            return await self._move(step, options, system_id, Action.SKIP)
        if word is SurveyWord.TILBAGE:
            return await self._move(step, options, system_id, Action.BACK)
        anvendelse, bemaerkning = split_answer(text)
        if anvendelse is None or system_id is None:
            await step.context.send_activity(texts.ANVENDELSE_HELP)
            return _quiet(options)
        return await self._answer(
            step,
            options,
            system_id,
            anvendelse,
            bemaerkning,
            card_activity_id=options.get("card_activity_id"),
            is_current=True,
        )

    # --- use cases -------------------------------------------------------------------------
    async def _answer(
        self,
        step: WaterfallStepContext,
        options: dict[str, Any],
        system_id: int,
        anvendelse: Anvendelse,
        bemaerkning: str | None,
        *,
        card_activity_id: str | None,
        is_current: bool,
    ) -> dict[str, Any] | None:
        caller = caller_of(step.context)
        _forget_overview(step.context)
        try:
            change = await self._survey.record_answer(
                caller.person_id,
                system_id,
                anvendelse,
                bemaerkning,
                expect_open=not options.get("correcting"),
            )
        except AlreadySubmitted:
            overview = await self._overview(step, options["fagomraade_id"])
            await step.context.send_activity(
                texts.already_submitted(fagomraade=overview.fagomraade.navn)
            )
            return _quiet(options)
        except UnknownSystem:
            await step.context.send_activity(texts.ANVENDELSE_HELP)
            return _quiet(options)
        if change.changed:
            await self._delivery.answers_changed(caller.tenant_id, navn=caller.navn)
        overview = await self._overview(step, options["fagomraade_id"])
        line = overview.line(system_id)
        if not is_current:
            # An older card pressed again: confirm a real correction, ignore a double press.
            if change.changed and line:
                await step.context.send_activity(
                    texts.answer_corrected(system=line.system.navn, anvendelse=anvendelse)
                )
            else:
                logger.info("repeated press of an answered card ignored")
            return _quiet(options)
        if line and card_activity_id:
            await _replace_card(
                step.context,
                card_activity_id,
                cards.answered_system_card(
                    fagomraade=overview.fagomraade.navn,
                    system=line.system,
                    antal=len(overview.systemer),
                    anvendelse=anvendelse,
                ),
            )
        elif line:
            await step.context.send_activity(
                texts.answer_saved(system=line.system.navn, anvendelse=anvendelse)
            )
        if options.get("correcting"):
            return survey_options(overview.fagomraade.id, Phase.SUMMARY)
        return _after(overview, line.system.position if line else -1)

    async def _move(
        self,
        step: WaterfallStepContext,
        options: dict[str, Any],
        system_id: int | None,
        action: Action,
    ) -> dict[str, Any]:
        overview = await self._overview(step, options["fagomraade_id"])
        line = overview.line(system_id) if system_id is not None else None
        position = line.system.position if line else -1
        if action is Action.BACK:
            previous = [s.system for s in overview.systemer if s.system.position < position]
            if not previous:
                await step.context.send_activity(texts.FIRST_SYSTEM)
                return {**options, "show": True}
            return survey_options(overview.fagomraade.id, system_id=previous[-1].id)
        return _after(overview, position)

    async def _add_system(
        self,
        step: WaterfallStepContext,
        options: dict[str, Any],
        area_id: int,
        value: dict[str, Any],
    ) -> dict[str, Any]:
        navn = str(value.get("navn") or "").strip()
        if not navn:
            await step.context.send_activity(texts.TILFOEJ_NEEDS_NAME)
            return _quiet(survey_options(area_id, Phase.TILFOEJ))
        _forget_overview(step.context)
        caller = caller_of(step.context)
        added, created = await self._survey.add_tilfoejet(
            caller.person_id,
            area_id,
            navn=navn,
            leverandoer=value.get("leverandoer"),
            svarer_til=value.get("svarer_til"),
            anvendelse=parse_anvendelse(value.get("anvendelse")),
            bemaerkning=value.get("bemaerkning"),
        )
        if created:
            await self._delivery.answers_changed(caller.tenant_id, navn=caller.navn)
        await step.context.send_activity(texts.tilfoejet(navn=added.navn))
        return survey_options(area_id, Phase.TILFOEJ)

    async def _submit(
        self, step: WaterfallStepContext, options: dict[str, Any], area_id: int, *, force: bool
    ) -> dict[str, Any] | None:
        caller = caller_of(step.context)
        overview = await self._survey.overview(area_id, caller.person_id)
        missing = [system.navn for system in overview.missing]
        if missing and not force:
            await _send_card(
                step.context, cards.missing_card(fagomraade_id=area_id, mangler=missing)
            )
            return _quiet(survey_options(area_id, Phase.SUMMARY))
        _forget_overview(step.context)
        try:
            result = await self._survey.submit(caller.person_id, area_id)
        except AlreadySubmitted:
            await step.context.send_activity(
                texts.already_submitted(fagomraade=overview.fagomraade.navn)
            )
            return None
        if await self._position.get(step.context) is not None:
            # botbuilder's delete raises KeyError for a property never set, which is the case
            # when Indsend is pressed on a summary card from before a restart.
            await self._position.delete(step.context)
        besvaret, antal = overview.answered, len(overview.systemer)
        await step.context.send_activity(
            texts.submitted(fagomraade=overview.fagomraade.navn, besvaret=besvaret, antal=antal)
        )
        await self._messenger.send_to_coordinators(
            caller.tenant_id,
            OutgoingMessage(
                text=texts.coordinator_area_submitted(
                    systemejer=caller.navn,
                    fagomraade=overview.fagomraade.navn,
                    besvaret=besvaret,
                    antal=antal,
                ),
                kind="submitted",
                dedupe_key=f"submitted:{area_id}:{overview.fagomraade.indsendt_at or 'now'}",
            ),
        )
        if result.all_submitted:
            await self._delivery.all_submitted(caller.tenant_id, by_person_id=caller.person_id)
        return None

    async def _save_form_page(
        self,
        step: WaterfallStepContext,
        options: dict[str, Any],
        area_id: int,
        value: dict[str, Any],
    ) -> dict[str, Any] | None:
        caller = caller_of(step.context)
        chosen: list[tuple[int, Anvendelse]] = []
        for key, raw in value.items():
            if not key.startswith("s_") or not raw:
                continue
            anvendelse = parse_anvendelse(str(raw))
            system_id = _int(key[2:])
            if anvendelse is None or system_id is None:
                continue
            chosen.append((system_id, anvendelse))
        _forget_overview(step.context)
        try:
            # One transaction for the page: all its answers are stored, or none.
            changes = await self._survey.record_answers(
                caller.person_id, chosen, keep_bemaerkning=True
            )
        except AlreadySubmitted:
            overview = await self._overview(step, area_id)
            await step.context.send_activity(
                texts.already_submitted(fagomraade=overview.fagomraade.navn)
            )
            return None
        saved, changed = len(changes), any(c.changed for c in changes)
        if changed:
            await self._delivery.answers_changed(caller.tenant_id, navn=caller.navn)
        overview = await self._overview(step, area_id)
        page, pages = _int(value.get("page")) or 0, cards.form_pages(overview)
        await step.context.send_activity(texts.form_saved(gemt=saved, side=page + 1, sider=pages))
        if page + 1 < pages:
            return survey_options(area_id, Phase.FORM, page=page + 1)
        return survey_options(area_id, Phase.TILFOEJ)

    async def _hand_over(
        self,
        step: WaterfallStepContext,
        options: dict[str, Any],
        text: str,
        word: SurveyWord | None,
    ) -> dict[str, Any] | None:
        caller = caller_of(step.context)
        if word is SurveyWord.ANNULLER:
            await step.context.send_activity(texts.HANDOVER_CANCELLED)
            return None
        matches = await self._coordination.find_person(caller.tenant_id, text)
        if not matches:
            await step.context.send_activity(texts.handover_unknown(query=text.strip()))
            return _quiet(options)
        if len(matches) > 1:
            await step.context.send_activity(
                texts.handover_ambiguous(navne=[p.navn for p in matches])
            )
            return _quiet(options)
        colleague = matches[0]
        if colleague.id == caller.person_id:
            await step.context.send_activity(texts.HANDOVER_SELF)
            return _quiet(options)
        area_id = options["fagomraade_id"]
        overview = await self._overview(step, area_id)
        _forget_overview(step.context)
        await self._survey.hand_over(area_id, from_id=caller.person_id, to_id=colleague.id)
        await step.context.send_activity(
            texts.handover_done(fagomraade=overview.fagomraade.navn, kollega=colleague.navn)
        )
        await self._messenger.send_to_person(
            caller.tenant_id,
            colleague.id,
            OutgoingMessage(
                card=cards.invitation_card(
                    fagomraade_id=area_id,
                    fagomraade=overview.fagomraade.navn,
                    antal=len(overview.systemer),
                    slutdato=overview.slutdato,
                    koordinator=caller.navn,
                ),
                kind="invitation",
                dedupe_key=f"invitation:{area_id}:{colleague.id}",
            ),
        )
        await self._messenger.send_to_coordinators(
            caller.tenant_id,
            OutgoingMessage(
                text=texts.coordinator_handover(
                    fra=caller.navn, til=colleague.navn, fagomraade=overview.fagomraade.navn
                ),
                kind="handover",
            ),
        )
        return None

    async def _overview(self, step: WaterfallStepContext, area_id: int) -> FagomraadeOverview:
        """The area as stored; read once per turn unless this turn has written since.

        An answer turn reads the area after recording the answer and again when the loop
        shows the next card; both reads would return the same rows (five queries each).
        """
        person_id = caller_of(step.context).person_id
        cached = step.context.turn_state.get(_OVERVIEW_KEY)
        if cached is not None and cached[0] == (area_id, person_id):
            return cached[1]  # type: ignore[no-any-return]
        overview = await self._survey.overview(area_id, person_id)
        step.context.turn_state[_OVERVIEW_KEY] = ((area_id, person_id), overview)
        return overview


def _forget_overview(context: TurnContext) -> None:
    """Called before every write, so the next read in this turn sees it."""
    context.turn_state.pop(_OVERVIEW_KEY, None)


def _after(overview: FagomraadeOverview, position: int) -> dict[str, Any]:
    """Where to go after a system: the next unanswered one, or on to the additions."""
    following = overview.next_unanswered(position)
    if following is None:
        return survey_options(overview.fagomraade.id, Phase.TILFOEJ)
    return survey_options(overview.fagomraade.id, system_id=following.id)


def _quiet(options: dict[str, Any]) -> dict[str, Any]:
    """Stay where we are without sending the card again."""
    return {**options, "show": False, "pending": None}


def _int(raw: object) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None


async def _send_card(context: TurnContext, card: cards.Card) -> str | None:
    response = await context.send_activity(MessageFactory.attachment(cards.as_attachment(card)))
    return response.id if response else None


async def _replace_card(context: TurnContext, activity_id: str, card: cards.Card) -> None:
    """Update the answered card in place so it cannot be pressed again by mistake."""
    updated = Activity(
        id=activity_id,
        type=ActivityTypes.message,
        attachments=[cards.as_attachment(card)],
    )
    await context.update_activity(updated)
