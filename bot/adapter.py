"""The CloudAdapter and the turn-error boundary (STYLE §6)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import ConversationState, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from msrest.universal_http.requests import ClientRetryPolicy

from bot.settings import Settings
from dialogs import texts

logger = logging.getLogger(__name__)

TurnFailed = Callable[[TurnContext], Awaitable[None]]


def build_adapter(
    settings: Settings, conversation_state: ConversationState, on_failed: TurnFailed
) -> CloudAdapter:
    """Build the adapter; with no app id botbuilder skips JWT validation (local trial)."""
    patch_msrest_retry_policy()
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


def patch_msrest_retry_policy() -> None:
    """Make msrest's retry policy cheap to build; the policy itself stays the same.

    CloudAdapter builds a ConnectorClient and a UserTokenClient for every turn, and each
    builds a ClientRetryPolicy, whose __init__ tests 999 status codes for membership in a
    502-item *list*: about 5 ms of CPU each, two thirds of an echo turn. As a frozenset the
    same codes give the same retry list at once. msrest, like botbuilder 4.17.1, gets no
    more releases, so the fix has to live here.
    """
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]
