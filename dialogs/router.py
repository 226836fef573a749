"""Routes each message: typed commands, card submits, and text to the waiting dialog or
the survey.

Commands interrupt nothing they need not: `hjælp` and `mine` answer and leave the survey
where it is; a card submit from the survey goes to the survey whatever else is under way.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import ConversationState, MessageFactory, TurnContext
from botbuilder.dialogs import DialogSet
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
from dialogs.opsaet import OPSAET_DIALOG_ID, OpsaetDialog, opsaet_options
from dialogs.ports import Files, Messenger, Reacher, Roster
from dialogs.submits import is_well_formed
from dialogs.survey import Survey, Units
from storage.coordination import CoordinationRepository
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
    ) -> None:
        self._survey = survey
        self._delivery = delivery
        self._koordinator = KoordinatorCommands(
            coordination, survey, messenger, roster, config, delivery=delivery, reacher=reacher
        )
        self._systemejer = Survey(survey, coordination, messenger, delivery, units)
        self._dialog_state = conversation_state.create_property("dialog_state")
        self._dialogs = DialogSet(self._dialog_state)
        self._dialogs.add(OpsaetDialog(coordination, files, config))

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
                await dialog_context.begin_dialog(OPSAET_DIALOG_ID, opsaet_options())
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
        """Text that is no command: for the dialog waiting for it, else for the survey."""
        if await self._dialog_state.get(context) is None:
            # No dialog ever ran in this conversation (a systemejer's chat). Asked this way,
            # unlike create_context, nothing is added to the state that would be written.
            await self._systemejer.on_text(context, text)
            return
        dialog_context = await self._dialogs.create_context(context)
        if dialog_context.active_dialog is None:
            await self._systemejer.on_text(context, text)
            return
        if await claim_of(context).is_new():
            await dialog_context.continue_dialog()

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

    async def _on_koordinator_card(self, context: TurnContext, value: dict[str, Any]) -> None:
        if not await self._koordinator.allowed(context, may_claim=False):
            return
        if value[ACTION_KEY] != KoordinatorAction.OPSAET:
            await self._koordinator.on_card(context, value)
            return
        dialog_context = await self._dialogs.create_context(context)
        active = dialog_context.active_dialog
        if active is not None and active.id == OPSAET_DIALOG_ID:
            await dialog_context.continue_dialog()
            return
        await dialog_context.cancel_all_dialogs()
        await dialog_context.begin_dialog(OPSAET_DIALOG_ID, opsaet_options(card=value))

    async def _show_mine(self, context: TurnContext) -> None:
        overviews = await self._survey.my_fagomraader(caller_of(context).person_id)
        if not overviews:
            await context.send_activity(texts.NO_FAGOMRAADER)
            return
        await context.send_activity(
            MessageFactory.attachment(cards.as_attachment(cards.mine_card(overviews)))
        )
