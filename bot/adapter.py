"""The CloudAdapter and the turn-error boundary (STYLE §6)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import ConversationState, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from bot.settings import Settings
from dialogs import texts

logger = logging.getLogger(__name__)

TurnFailed = Callable[[TurnContext], Awaitable[None]]


def build_adapter(
    settings: Settings, conversation_state: ConversationState, on_failed: TurnFailed
) -> CloudAdapter:
    """Build the adapter; with no app id botbuilder skips JWT validation (local trial)."""
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(settings.bot_auth()))

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        activity = context.activity
        logger.error(
            "turn failed: activity=%s type=%s conversation=%s",
            activity.id,
            activity.type,
            activity.conversation.id if activity.conversation else "-",
            exc_info=error,
        )
        try:
            await on_failed(context)
            # The database is the truth: clearing the dialog stack loses no answer.
            await conversation_state.clear_state(context)
            await conversation_state.save_changes(context, force=True)
        except Exception:
            logger.exception("could not reset state after a failed turn")
        try:
            await context.send_activity(texts.UNEXPECTED_ERROR)
        except Exception:
            logger.exception("could not tell the user about the failed turn")

    adapter.on_turn_error = on_turn_error
    return adapter
