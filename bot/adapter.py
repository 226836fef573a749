"""The CloudAdapter and the turn-error boundary (STYLE §6)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import ConversationState, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse
from botframework.connector.auth import BotFrameworkAuthentication
from msrest.universal_http.requests import ClientRetryPolicy

from bot.connector import BotTokens, ConnectorHttp, model_json
from bot.settings import Settings
from dialogs import texts

logger = logging.getLogger(__name__)

TurnFailed = Callable[[TurnContext], Awaitable[None]]


REPLY_TIMEOUT_S = 30.0
"""How long one reply may take; botbuilder's own client waits as long."""

_NOT_SENT = frozenset({"delay", ActivityTypes.invoke_response, ActivityTypes.trace})
"""Activities the adapter handles without a call to the Bot Connector."""


class ReplyingAdapter(CloudAdapter):
    """CloudAdapter whose in-turn replies and card updates go over ConnectorHttp.

    botbuilder's ConnectorClient costs more CPU per message than the rest of an answer turn's
    replies together: msrest validates and re-serialises the activity, then ``requests``
    sends it from a worker thread on a new connection. These are the same requests with the
    same token (BotTokens, from this adapter's authentication), over one aiohttp session;
    everything else (authentication, the turn, TeamsInfo's calls) stays botbuilder's.
    """

    def __init__(self, auth: BotFrameworkAuthentication, app_id: str) -> None:
        super().__init__(auth)
        self.connector_http = ConnectorHttp(BotTokens(auth, app_id), timeout=REPLY_TIMEOUT_S)
        """Also the outbox's sender's client (bot.app), so both share a token and connections."""

    async def close(self) -> None:
        await self.connector_http.close()

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        responses: list[ResourceResponse] = []
        for activity in activities:
            if activity.type in _NOT_SENT:
                responses += await super().send_activities(context, [activity])
                continue
            activity.id = None
            service_url, conversation_id = activity.service_url, activity.conversation.id
            if activity.reply_to_id:
                answer = await self.connector_http.reply_to_activity(
                    service_url, conversation_id, activity.reply_to_id, model_json(activity)
                )
            else:
                answer = await self.connector_http.send_to_conversation(
                    service_url, conversation_id, model_json(activity)
                )
            responses.append(ResourceResponse(id=answer.get("id") or ""))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        answer = await self.connector_http.update_activity(
            activity.service_url, activity.conversation.id, activity.id, model_json(activity)
        )
        return ResourceResponse(id=answer.get("id") or activity.id)


def build_adapter(
    settings: Settings, conversation_state: ConversationState, on_failed: TurnFailed
) -> ReplyingAdapter:
    """Build the adapter; with no app id botbuilder skips JWT validation (local trial)."""
    patch_msrest_retry_policy()
    adapter = ReplyingAdapter(
        ConfigurationBotFrameworkAuthentication(settings.bot_auth()), settings.app_id
    )

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
