"""Routes each message: typed commands, card submits, and text to the waiting dialog or
the survey.

Commands interrupt nothing they need not: `hjælp` and `mine` answer and leave the survey
where it is; a card submit from the survey goes to the survey whatever else is under way.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import ConversationState, MessageFactory, TurnContext
from botbuilder.dialogs import DialogSet, DialogTurnResult, DialogTurnStatus
from botbuilder.schema.teams import FileConsentCardResponse

from dialogs import cards, texts
from dialogs.actions import (
    ACTION_KEY,
    DELIVERY_ACTIONS,
    KOORDINATOR_ACTIONS,
    SURVEY_ACTIONS,
    KoordinatorAction,
)
from dialogs.commands import Command, recognise_command
from dialogs.context import caller_of, claim_of
from dialogs.coordinator import (
    KoordinatorCommands,
    KoordinatorConfig,
    recognise_koordinator_add,
)
from dialogs.delivery import DELIVERY_COMMANDS, Delivery, recognise_bilag1
from dialogs.forslag import FORSLAG_DIALOG_ID, ForslagDialog, ForslagReview, ForslagSources
from dialogs.opsaet import OPSAET_DIALOG_ID, OpsaetDialog, opsaet_options
from dialogs.ports import Files, Messenger, Reacher, Roster
from dialogs.submits import is_well_formed
from dialogs.survey import Survey, Units
from storage.coordination import CoordinationRepository
from storage.domain.model import NoKortlaegning
from storage.survey import SurveyRepository

logger = logging.getLogger(__name__)

_KOORDINATOR_COMMANDS = frozenset({Command.TILDEL, Command.START, Command.STATUS, Command.PAAMIND})


class Router:
    def __init__(
        self,
        conversation_state: ConversationState,
        survey: SurveyRepository,
        coordination: CoordinationRepository,
        messenger: Messenger,
        roster: Roster,
        files: Files,
        config: KoordinatorConfig,
        delivery: Delivery,
        units: Units,
        *,
        reacher: Reacher,
        forslag: ForslagSources,
    ) -> None:
        self._survey = survey
        self._delivery = delivery
        self._koordinator = KoordinatorCommands(
            coordination,
            survey,
            messenger,
            roster,
            config,
            delivery=delivery,
            reacher=reacher,
            forslag=forslag.forslag,
        )
        self._systemejer = Survey(survey, coordination, messenger, delivery, units)
        self._review = ForslagReview(forslag.forslag)
        self._dialog_state = conversation_state.create_property("dialog_state")
        self._dialogs = DialogSet(self._dialog_state)
        forslag_dialog = ForslagDialog(forslag, coordination, files, config)
        self._dialogs.add(OpsaetDialog(coordination, files, config, forslag_dialog))
        self._dialogs.add(forslag_dialog)

    async def on_message(self, context: TurnContext) -> None:
        value = context.activity.value
        if isinstance(value, dict) and value.get(ACTION_KEY):
            if not is_well_formed(value):
                # A forged or broken client, not a person's slip: nothing to explain but this.
                logger.info("card submit of the wrong shape ignored")
                await context.send_activity(texts.NOT_UNDERSTOOD)
                return
            await self._on_card(context, value)
            return
        text = TurnContext.remove_recipient_mention(context.activity) or ""
        command = recognise_command(text)
        new_koordinator = recognise_koordinator_add(text)
        if command is None and new_koordinator is None and not recognise_bilag1(text):
            await self._on_other_text(context, text)
            return
        if command is Command.FORTSAET:
            dialog_context = await self._dialogs.create_context(context)
            await dialog_context.cancel_all_dialogs()
            await self._systemejer.resume(context)
            return
        # The commands below commit on their own; their claim is written once they succeed.
        if not await claim_of(context).is_new():
            return
        if new_koordinator is not None:
            if await self._koordinator.allowed(context, may_claim=False):
                await self._koordinator.add_koordinator(context, new_koordinator)
        elif command is Command.OPSAET:
            if await self._koordinator.allowed(context, may_claim=True):
                dialog_context = await self._dialogs.create_context(context)
                await dialog_context.cancel_all_dialogs()
                await self._then_forslag(
                    context, await dialog_context.begin_dialog(OPSAET_DIALOG_ID, opsaet_options())
                )
        elif command is Command.FORSLAG:
            if await self._koordinator.allowed(context, may_claim=False):
                await self._begin_forslag(context, {"vis": True})
        elif command in _KOORDINATOR_COMMANDS:
            if await self._koordinator.allowed(context, may_claim=False):
                await self._koordinator.run(context, command, text)
        elif command in DELIVERY_COMMANDS:
            if await self._koordinator.allowed(context, may_claim=False):
                await self._delivery.run(context, command)
        elif recognise_bilag1(text):
            if await self._koordinator.allowed(context, may_claim=False):
                await self._delivery.fetch(context)
        elif command is Command.HJAELP:
            koordinator = await self._koordinator.is_koordinator(context)
            await context.send_activity(texts.KOORDINATOR_HELP if koordinator else texts.HELP)
        elif command is Command.MINE:
            await self._show_mine(context)

    async def _on_other_text(self, context: TurnContext, text: str) -> None:
        """Text that is no command: for the dialog waiting for it, else for the survey.

        The source card of suggestions waits only for a file or "ingen": a coordinator who
        also answers for an area goes on answering meanwhile.
        """
        if await self._dialog_state.get(context) is None:
            # No dialog ever ran in this conversation (a systemejer's chat). Asked this way,
            # unlike create_context, nothing is added to the state that would be written.
            await self._systemejer.on_text(context, text)
            return
        dialog_context = await self._dialogs.create_context(context)
        active = dialog_context.active_dialog
        if active is None or (
            active.id == FORSLAG_DIALOG_ID and not ForslagDialog.wants(context, text)
        ):
            await self._systemejer.on_text(context, text)
            return
        if await claim_of(context).is_new():
            await self._then_forslag(context, await dialog_context.continue_dialog())

    async def _then_forslag(self, context: TurnContext, result: DialogTurnResult) -> None:
        """opsæt ends by offering suggestions: begin that dialog with what opsæt read."""
        if result.status is DialogTurnStatus.Complete and isinstance(result.result, dict):
            options = result.result.get(FORSLAG_DIALOG_ID)
            if isinstance(options, dict):
                await self._begin_forslag(context, options)

    async def welcome(self, context: TurnContext) -> None:
        """Greet the person who installed the bot: a coordinator gets the five steps of a round."""
        koordinator = await self._koordinator.is_koordinator(context)
        await context.send_activity(texts.KOORDINATOR_WELCOME if koordinator else texts.WELCOME)

    async def on_file_consent(
        self, context: TurnContext, response: FileConsentCardResponse
    ) -> None:
        """Teams' answer to a file consent card (an invoke): only coordinators get files."""
        if not await claim_of(context).is_new():
            return
        if await self._koordinator.allowed(context, may_claim=False):
            await self._delivery.on_file_consent(context, response)

    async def _on_card(self, context: TurnContext, value: dict[str, Any]) -> None:
        if value[ACTION_KEY] in SURVEY_ACTIONS:
            await self._systemejer.on_card(context, value)
            return
        if not await claim_of(context).is_new():
            return
        if value[ACTION_KEY] in DELIVERY_ACTIONS:
            if await self._koordinator.allowed(context, may_claim=False):
                await self._delivery.on_card(context, value)
            return
        if value[ACTION_KEY] in KOORDINATOR_ACTIONS:
            await self._on_koordinator_card(context, value)
            return
        logger.warning("card submit with unknown action ignored")
        await context.send_activity(texts.NOT_UNDERSTOOD)

    async def _begin_forslag(self, context: TurnContext, options: dict[str, Any]) -> None:
        dialog_context = await self._dialogs.create_context(context)
        await dialog_context.cancel_all_dialogs()
        try:
            await dialog_context.begin_dialog(FORSLAG_DIALOG_ID, options)
        except NoKortlaegning:
            await dialog_context.cancel_all_dialogs()
            await context.send_activity(texts.NO_KORTLAEGNING)

    async def _on_koordinator_card(self, context: TurnContext, value: dict[str, Any]) -> None:
        if not await self._koordinator.allowed(context, may_claim=False):
            return
        action = value[ACTION_KEY]
        if action in (KoordinatorAction.FORSLAG_AFGOER, KoordinatorAction.TILFOEJELSE_AFGOER):
            try:
                await self._review.on_card(context, value)
            except NoKortlaegning:
                await context.send_activity(texts.NO_KORTLAEGNING)
            return
        if action == KoordinatorAction.FORSLAG_KILDE:
            dialog_context = await self._dialogs.create_context(context)
            active = dialog_context.active_dialog
            if active is not None and active.id == FORSLAG_DIALOG_ID:
                await dialog_context.continue_dialog()
                return
            # A source card pressed after its dialog ended (a restart, another command).
            await self._begin_forslag(context, {"card": value})
            return
        if value[ACTION_KEY] != KoordinatorAction.OPSAET:
            await self._koordinator.on_card(context, value)
            return
        dialog_context = await self._dialogs.create_context(context)
        active = dialog_context.active_dialog
        if active is not None and active.id == OPSAET_DIALOG_ID:
            await self._then_forslag(context, await dialog_context.continue_dialog())
            return
        await dialog_context.cancel_all_dialogs()
        await self._then_forslag(
            context,
            await dialog_context.begin_dialog(OPSAET_DIALOG_ID, opsaet_options(card=value)),
        )

    async def _show_mine(self, context: TurnContext) -> None:
        overviews = await self._survey.my_fagomraader(caller_of(context).person_id)
        if not overviews:
            await context.send_activity(texts.NO_FAGOMRAADER)
            return
        await context.send_activity(
            MessageFactory.attachment(cards.as_attachment(cards.mine_card(overviews)))
        )
