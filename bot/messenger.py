"""Proactive messages to people other than the one in the turn, over stored references.

Implements dialogs.ports.Messenger: a person is reached in the 1:1 chat they last wrote
from; without one the delivery is reported as not possible, never dropped silently.
"""

from __future__ import annotations

import json
import logging

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from bot.settings import Settings
from dialogs import cards
from dialogs.ports import DeliveryReport, OutgoingMessage
from storage.conversations import ConversationRepository
from storage.coordination import CoordinationRepository

logger = logging.getLogger(__name__)


class DirectMessenger:
    def __init__(
        self,
        adapter: CloudAdapter,
        settings: Settings,
        conversations: ConversationRepository,
        coordination: CoordinationRepository,
    ) -> None:
        self._adapter = adapter
        self._settings = settings
        self._conversations = conversations
        self._coordination = coordination

    async def send_to_person(
        self, tenant_id: str, person_id: int, message: OutgoingMessage
    ) -> DeliveryReport:
        person = await self._coordination.person(person_id)
        stored = await self._conversations.personal_reference(tenant_id, person.aad_object_id)
        if stored is None:
            logger.warning("no personal conversation for person %d", person_id)
            return DeliveryReport(person_id, delivered=False, reason="no_conversation")
        reference = ConversationReference().deserialize(json.loads(stored.reference))

        async def deliver(context: TurnContext) -> None:
            if message.card is not None:
                activity = MessageFactory.attachment(cards.as_attachment(message.card))
                activity.text = message.text
            else:
                activity = MessageFactory.text(message.text or "")
            await context.send_activity(activity)

        await self._adapter.continue_conversation(reference, deliver, self._settings.app_id)
        return DeliveryReport(person_id, delivered=True)

    async def send_to_coordinators(self, tenant_id: str, message: OutgoingMessage) -> None:
        for person in await self._coordination.coordinators(
            tenant_id, self._settings.koordinatorer
        ):
            await self.send_to_person(tenant_id, person.id, message)
