"""Routes each message: typed commands, card submits and answers to the waiting dialog.

Commands interrupt nothing they need not: `hjælp` and `mine` answer and leave the survey
waiting; a card submit from the survey goes to the survey whether or not it is running.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import ConversationState, MessageFactory, TurnContext, UserState
from botbuilder.dialogs import DialogSet, DialogTurnStatus
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
from dialogs.context import caller_of
from dialogs.coordinator import (
    KoordinatorCommands,
    KoordinatorConfig,
    recognise_koordinator_add,
)
from dialogs.delivery import DELIVERY_COMMANDS, Delivery, recognise_bilag1
from dialogs.opsaet import OPSAET_DIALOG_ID, OpsaetDialog, opsaet_options
from dialogs.ports import Files, Messenger, Roster
from dialogs.submits import is_well_formed
from dialogs.survey import SURVEY_DIALOG_ID, SurveyDialog, survey_options
from storage.coordination import CoordinationRepository
from storage.survey import SurveyRepository

logger = logging.getLogger(__name__)

SURVEY_POSITION = "survey_position"
_KOORDINATOR_COMMANDS = frozenset({Command.TILDEL, Command.START, Command.STATUS, Command.PAAMIND})


class Router:
    def __init__(
        self,
        conversation_state: ConversationState,
        user_state: UserState,
        survey: SurveyRepository,
        coordination: CoordinationRepository,
        messenger: Messenger,
        roster: Roster,
        files: Files,
        config: KoordinatorConfig,
        delivery: Delivery,
    ) -> None:
        self._survey = survey
        self._delivery = delivery
        self._position = user_state.create_property(SURVEY_POSITION)
        self._koordinator = KoordinatorCommands(
            coordination, survey, messenger, roster, config, delivery=delivery
        )
        self._dialogs = DialogSet(conversation_state.create_property("dialog_state"))
        self._dialogs.add(SurveyDialog(survey, coordination, messenger, self._position, delivery))
        self._dialogs.add(OpsaetDialog(coordination, files, config))

    async def on_message(self, context: TurnContext) -> None:
        dialog_context = await self._dialogs.create_context(context)
        value = context.activity.value
        if isinstance(value, dict) and value.get(ACTION_KEY):
            if not is_well_formed(value):
                # A forged or broken client, not a person's slip: nothing to explain but this.
                logger.info("card submit of the wrong shape ignored")
                await context.send_activity(texts.NOT_UNDERSTOOD)
                return
            await self._on_card(dialog_context, value)
            return
        text = TurnContext.remove_recipient_mention(context.activity) or ""
        command = recognise_command(text)
        new_koordinator = recognise_koordinator_add(text)
        if new_koordinator is not None:
            if await self._koordinator.allowed(context, may_claim=False):
                await self._koordinator.add_koordinator(context, new_koordinator)
        elif command is Command.OPSAET:
            if await self._koordinator.allowed(context, may_claim=True):
                await dialog_context.cancel_all_dialogs()
                await dialog_context.begin_dialog(OPSAET_DIALOG_ID, opsaet_options())
        elif command in _KOORDINATOR_COMMANDS:
            if await self._koordinator.allowed(context, may_claim=False):
                await self._koordinator.run(context, command, text)  # type: ignore[arg-type]
        elif command in DELIVERY_COMMANDS:
            if await self._koordinator.allowed(context, may_claim=False):
                await self._delivery.run(context, command)  # type: ignore[arg-type]
        elif recognise_bilag1(text):
            if await self._koordinator.allowed(context, may_claim=False):
                await self._delivery.fetch(context)
        elif command is Command.HJAELP:
            await context.send_activity(texts.HELP)
        elif command is Command.MINE:
            await self._show_mine(context)
        elif command is Command.FORTSAET:
            await dialog_context.cancel_all_dialogs()
            await self._resume(dialog_context)
        else:
            result = await dialog_context.continue_dialog()
            if result.status == DialogTurnStatus.Empty:
                await context.send_activity(texts.NOT_UNDERSTOOD)

    async def on_file_consent(
        self, context: TurnContext, response: FileConsentCardResponse
    ) -> None:
        """Teams' answer to a file consent card (an invoke): only coordinators get files."""
        if await self._koordinator.allowed(context, may_claim=False):
            await self._delivery.on_file_consent(context, response)

    async def _on_card(self, dialog_context: Any, value: dict[str, Any]) -> None:
        if value[ACTION_KEY] in DELIVERY_ACTIONS:
            if await self._koordinator.allowed(dialog_context.context, may_claim=False):
                await self._delivery.on_card(dialog_context.context, value)
            return
        if value[ACTION_KEY] in KOORDINATOR_ACTIONS:
            await self._on_koordinator_card(dialog_context, value)
            return
        if value[ACTION_KEY] not in SURVEY_ACTIONS:
            logger.warning("card submit with unknown action ignored")
            await dialog_context.context.send_activity(texts.NOT_UNDERSTOOD)
            return
        active = dialog_context.active_dialog
        if active is not None and active.id == SURVEY_DIALOG_ID:
            await dialog_context.continue_dialog()
            return
        area_id = value.get("fagomraade_id")
        if not isinstance(area_id, int):
            await dialog_context.context.send_activity(texts.NOT_UNDERSTOOD)
            return
        await dialog_context.cancel_all_dialogs()
        await dialog_context.begin_dialog(SURVEY_DIALOG_ID, survey_options(area_id, pending=value))

    async def _on_koordinator_card(self, dialog_context: Any, value: dict[str, Any]) -> None:
        context = dialog_context.context
        if not await self._koordinator.allowed(context, may_claim=False):
            return
        if value[ACTION_KEY] != KoordinatorAction.OPSAET:
            await self._koordinator.on_card(context, value)
            return
        active = dialog_context.active_dialog
        if active is not None and active.id == OPSAET_DIALOG_ID:
            await dialog_context.continue_dialog()
            return
        await dialog_context.cancel_all_dialogs()
        await dialog_context.begin_dialog(OPSAET_DIALOG_ID, opsaet_options(card=value))

    async def _resume(self, dialog_context: Any) -> None:
        """Continue exactly where the person left off, or offer their open areas."""
        context = dialog_context.context
        position = await self._position.get(context)
        if isinstance(position, dict) and position.get("fagomraade_id"):
            await dialog_context.begin_dialog(SURVEY_DIALOG_ID, position)
            return
        overviews = await self._survey.my_fagomraader(caller_of(context).person_id)
        open_areas = [o for o in overviews if o.fagomraade.indsendt_at is None]
        if not overviews:
            await context.send_activity(texts.NO_FAGOMRAADER)
        elif not open_areas:
            await context.send_activity(texts.NO_OPEN_FAGOMRAADER)
        elif len(open_areas) == 1:
            area_id = open_areas[0].fagomraade.id
            await dialog_context.begin_dialog(SURVEY_DIALOG_ID, survey_options(area_id))
        else:
            await context.send_activity(
                MessageFactory.attachment(cards.as_attachment(cards.mine_card(overviews)))
            )

    async def _show_mine(self, context: TurnContext) -> None:
        overviews = await self._survey.my_fagomraader(caller_of(context).person_id)
        if not overviews:
            await context.send_activity(texts.NO_FAGOMRAADER)
            return
        await context.send_activity(
            MessageFactory.attachment(cards.as_attachment(cards.mine_card(overviews)))
        )
