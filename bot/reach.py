"""How each person will be reached, and making it possible before an invitation is sent.

Implements dialogs.ports.Reacher. A 1:1 chat the bot has is used as it is. Without one, the
Bot Connector can open a chat with anyone in a team or group chat the bot is installed in;
with GRAPH_ENABLED the app is installed for the person (Company Communicator's way), and the
chat of that installation is stored as their 1:1 chat. What becomes of a message once sent is
the outbox's business, not this module's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from botbuilder.core import TurnContext

from bot.graph import GraphClient, GraphError
from bot.roster import TeamsRoster
from dialogs.ports import Reachability, ReachStatus, UnreachableReason
from storage.conversations import PERSONAL, ConversationRepository
from storage.domain.delivery import FailureReason
from storage.domain.model import Person
from storage.outbox import OutboxRepository

logger = logging.getLogger(__name__)

_REFUSED = frozenset({FailureReason.BLOCKED, FailureReason.NOT_FOUND})


class TeamsReach:
    def __init__(
        self,
        roster: TeamsRoster,
        conversations: ConversationRepository,
        outbox: OutboxRepository,
        *,
        graph: GraphClient | None = None,
        catalog_app_id: str = "",
    ) -> None:
        self._roster = roster
        self._conversations = conversations
        self._outbox = outbox
        self._graph = graph
        self._catalog_app_id = catalog_app_id

    async def assess(
        self, context: TurnContext, tenant_id: str, people: Sequence[Person]
    ) -> dict[int, Reachability]:
        refused = {
            failed.person.id
            for failed in await self._outbox.undelivered(tenant_id)
            if failed.reason in _REFUSED
        }
        members: set[str] | None = None
        found: dict[int, Reachability] = {}
        for person in people:
            if person.id in refused:
                found[person.id] = Reachability(ReachStatus.UNREACHABLE, UnreachableReason.BLOCKED)
            elif await self._conversations.personal_reference(tenant_id, person.aad_object_id):
                found[person.id] = Reachability(ReachStatus.CHAT)
            else:
                if members is None:
                    members = {m.aad_object_id for m in await self._roster.members(context)}
                if person.aad_object_id in members:
                    found[person.id] = Reachability(ReachStatus.WILL_CREATE)
                elif self._graph is not None:
                    found[person.id] = Reachability(ReachStatus.WILL_INSTALL)
                else:
                    found[person.id] = Reachability(
                        ReachStatus.UNREACHABLE, UnreachableReason.NO_SHARED_ROSTER
                    )
        return found

    async def prepare(self, tenant_id: str, person: Person) -> Reachability:
        if await self._conversations.personal_reference(tenant_id, person.aad_object_id):
            return Reachability(ReachStatus.CHAT)
        if self._graph is None:
            # The Bot Connector opens the chat when the message is sent; if the person shares
            # no team with the bot it refuses, and the outbox reports that.
            return Reachability(ReachStatus.WILL_CREATE)
        try:
            await self._graph.install_for_user(
                tenant_id, person.aad_object_id, self._catalog_app_id
            )
            chat_id = await self._graph.personal_chat_id(
                tenant_id, person.aad_object_id, self._catalog_app_id
            )
        except GraphError as error:
            logger.warning(
                "app not installed for person %d: Graph %s %s", person.id, error.status, error.code
            )
            if error.consent_missing:
                reason = UnreachableReason.CONSENT_MISSING
            elif error.status == 404:
                reason = UnreachableReason.NOT_IN_DIRECTORY
            else:
                reason = UnreachableReason.DIRECTORY_UNAVAILABLE
            return Reachability(ReachStatus.UNREACHABLE, reason)
        known = await self._conversations.newest_in_tenant(tenant_id)
        if chat_id is None or known is None:
            logger.warning("app installed for person %d but no chat to write in", person.id)
            return Reachability(ReachStatus.UNREACHABLE, UnreachableReason.DIRECTORY_UNAVAILABLE)
        await self._conversations.save_reference(
            tenant_id=tenant_id,
            user_key=person.aad_object_id,
            conversation_id=chat_id,
            conversation_type=PERSONAL,
            service_url=known.service_url,
            reference=json.dumps(_personal_reference(known.reference, person, chat_id)),
        )
        logger.info("app installed for person %d; its chat is stored", person.id)
        return Reachability(ReachStatus.CHAT)


def _personal_reference(known: str, person: Person, chat_id: str) -> dict[str, Any]:
    """The person's 1:1 chat as a ConversationReference, on the tenant's service URL and bot."""
    template = json.loads(known)
    return {
        "channelId": template.get("channelId") or "msteams",
        "serviceUrl": template.get("serviceUrl"),
        "bot": template.get("bot"),
        "user": {"id": person.aad_object_id, "aadObjectId": person.aad_object_id},
        "conversation": {
            "id": chat_id,
            "conversationType": PERSONAL,
            "tenantId": person.tenant_id,
            "isGroup": False,
        },
    }
