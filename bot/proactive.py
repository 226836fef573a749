"""Proactive delivery to Teams: one message into one person's 1:1 chat, opening it if needed.

The outbox's sender. Requests go through bot.connector (which alone interprets the Bot
Connector's answers) and are paced by bot.throttle; the outbox decides about retries.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from botbuilder.schema import (
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)
from botframework.connector import Channels
from botframework.connector.auth import BotFrameworkAuthentication

from bot.connector import Attempt, BotTokens, ConnectorError, ConnectorHttp, Outcome, classify
from bot.throttle import Permit, Throttle
from dialogs.cards import CARD_CONTENT_TYPE
from dialogs.ports import OutgoingMessage
from storage.conversations import PERSONAL, ConversationRepository
from storage.domain.delivery import FailureReason
from storage.outbox import Recipient

logger = logging.getLogger(__name__)


class ProactiveSender:
    """Sends one message to one person's 1:1 chat, opening the chat when none is stored.

    It talks to the Bot Connector directly (ConnectorHttp, with the adapter's own
    credentials), not through ``continue_conversation``: CloudAdapter runs a proactive
    callback inside the turn pipeline, whose error handler would post the "unexpected
    error" apology into the person's chat and swallow the very status code this class
    must see. The outbox owns retries, so no request is ever repeated here.
    """

    def __init__(
        self,
        auth: BotFrameworkAuthentication,
        conversations: ConversationRepository,
        throttle: Throttle,
        *,
        app_id: str = "",
        request_timeout: float = 30.0,
        max_throttle_wait: float = 30.0,
        http: ConnectorHttp | None = None,
    ) -> None:
        self._conversations = conversations
        self._throttle = throttle
        self._app_id = app_id
        self._max_throttle_wait = max_throttle_wait
        # In the bot, the adapter's client: one token and one connection pool for replies and
        # proactive messages. Its timeout, like this default, is well inside the outbox
        # lease, so an attempt never outlives its claim.
        self._http = http or ConnectorHttp(BotTokens(auth, app_id), timeout=request_timeout)

    async def close(self) -> None:
        await self._http.close()

    async def deliver(
        self, recipient: Recipient, message: OutgoingMessage, *, max_wait: float | None = None
    ) -> Attempt:
        """Make one attempt to put the message in the recipient's 1:1 chat.

        max_wait bounds how long the conversation's send limit may hold the attempt; past it
        the message is deferred to the background worker instead.
        """
        reference = _reference(recipient.personal_reference)
        if reference is None:
            opened = await self._open_personal_chat(recipient)
            if isinstance(opened, Attempt):
                return opened
            reference = opened
        activity = activity_json(message, reference)
        conversation_id = str(reference["conversation"]["id"])
        permit = await self._throttle.acquire(
            recipient.tenant_id,
            conversation_id,
            max_wait=self._max_throttle_wait if max_wait is None else max_wait,
        )
        if not isinstance(permit, Permit):
            return Attempt(
                Outcome.DEFER,
                conversation_id=conversation_id,
                retry_after=permit,
                detail="conversation send limit",
            )
        try:
            response = await self._http.send_to_conversation(
                reference.get("serviceUrl") or "", conversation_id, activity
            )
        except ConnectorError as error:
            attempt = classify(error)
            return Attempt(
                attempt.outcome,
                conversation_id=conversation_id,
                reason=attempt.reason,
                retry_after=attempt.retry_after,
                detail=attempt.detail,
            )
        finally:
            permit.settle(self._throttle.now())
        activity_id = response.get("id")
        return Attempt(
            Outcome.DELIVERED,
            conversation_id=conversation_id,
            activity_id=str(activity_id) if activity_id else None,
        )

    async def _open_personal_chat(self, recipient: Recipient) -> dict[str, Any] | Attempt:
        """Create the 1:1 chat from the tenant's service URL and remember its reference."""
        tenant_reference = _reference(recipient.tenant_reference)
        if tenant_reference is None or not tenant_reference.get("serviceUrl"):
            return Attempt(
                Outcome.FAILED,
                reason=FailureReason.NO_CONVERSATION,
                detail="no service url known for tenant",
            )
        known_bot = _model_json(ChannelAccount, tenant_reference.get("bot"))
        bot = ChannelAccount(
            id=known_bot.get("id") if known_bot else f"28:{self._app_id}",
            name=known_bot.get("name") if known_bot else None,
        )
        member = ChannelAccount(
            id=recipient.teams_user_id or recipient.aad_object_id,
            aad_object_id=recipient.aad_object_id,
        )
        # As botbuilder serialises ConversationParameters (tenantID is its spelling).
        parameters = {
            "isGroup": False,
            "bot": bot.serialize(),
            "members": [member.serialize()],
            "channelData": {"tenant": {"id": recipient.tenant_id}},
            "tenantID": recipient.tenant_id,
        }
        permit = await self._throttle.acquire(
            recipient.tenant_id, None, max_wait=self._max_throttle_wait
        )
        assert isinstance(permit, Permit), "without a conversation the wait is never refused"
        try:
            created = await self._http.create_conversation(
                tenant_reference["serviceUrl"], parameters
            )
        except ConnectorError as error:
            return classify(error)
        finally:
            permit.settle(self._throttle.now())
        if not created.get("id"):
            return Attempt(
                Outcome.FAILED, reason=FailureReason.REJECTED, detail="created without an id"
            )
        service_url = created.get("serviceUrl") or tenant_reference["serviceUrl"]
        reference = ConversationReference(
            channel_id=tenant_reference.get("channelId") or Channels.ms_teams,
            service_url=service_url,
            bot=bot,
            user=member,
            conversation=ConversationAccount(
                id=created["id"],
                conversation_type=PERSONAL,
                tenant_id=recipient.tenant_id,
                is_group=False,
            ),
        )
        serialized: dict[str, Any] = reference.serialize()
        await self._conversations.save_reference(
            tenant_id=recipient.tenant_id,
            user_key=recipient.aad_object_id,
            conversation_id=created["id"],
            conversation_type=PERSONAL,
            service_url=service_url,
            reference=json.dumps(serialized),
        )
        logger.info("opened 1:1 chat: person=%d", recipient.person_id)
        return serialized


def _reference(raw: str | None) -> dict[str, Any] | None:
    """A stored ConversationReference as its JSON (msrest's camelCase keys), if any."""
    if not raw:
        return None
    data = json.loads(raw)
    return data if isinstance(data, dict) else None


def _keys_of(model: type) -> tuple[str, ...]:
    return tuple(entry["key"] for entry in model._attribute_map.values())  # type: ignore[attr-defined]


_MODEL_KEYS: dict[type, tuple[str, ...]] = {
    model: _keys_of(model) for model in (ChannelAccount, ConversationAccount)
}


def _model_json(model: type, data: object) -> dict[str, Any]:
    """What msrest's deserialize-then-serialize keeps of a model's JSON: its known keys, set.

    Exact keys, as msrest matches them: a reference written by hand with ``tenantId`` loses
    it exactly as botbuilder's own client would drop it (msrest spells it ``tenantID``).
    """
    if not isinstance(data, dict):
        return {}
    return {key: data[key] for key in _MODEL_KEYS[model] if data.get(key) is not None}


def activity_json(message: OutgoingMessage, reference: Mapping[str, Any]) -> dict[str, Any]:
    """The activity botbuilder would post for this message and reference, as JSON.

    That is ``Activity(type=message, text, attachments)`` after
    ``TurnContext.apply_conversation_reference`` and msrest's serialisation: from = the
    bot, recipient = the person, replyToId when the reference names an activity. For a
    send to an existing conversation botbuilder adds no channelData (the tenant travels in
    the conversation); tests/unit/test_proactive.py compares the two.
    """
    activity: dict[str, Any] = {"type": "message"}
    for key in ("serviceUrl", "channelId"):
        if reference.get(key) is not None:
            activity[key] = reference[key]
    for key, model, source in (
        ("from", ChannelAccount, "bot"),
        ("conversation", ConversationAccount, "conversation"),
        ("recipient", ChannelAccount, "user"),
    ):
        if isinstance(reference.get(source), dict):
            activity[key] = _model_json(model, reference[source])
    if reference.get("locale") is not None:
        activity["locale"] = reference["locale"]
    if message.text is not None:
        activity["text"] = message.text
    if message.card is not None:
        activity["attachments"] = [{"contentType": CARD_CONTENT_TYPE, "content": message.card}]
    if reference.get("activityId"):
        activity["replyToId"] = reference["activityId"]
    return activity
