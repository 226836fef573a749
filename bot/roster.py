"""The Teams roster through the Bot Connector: members of the current chat and known teams.

Implements dialogs.ports.Roster. Connector failures here mean "not found": the caller asks
the coordinator for an e-mail instead, so nothing is lost by a failed look-up.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema.teams import TeamsChannelAccount
from msrest.exceptions import HttpOperationError

from bot.teams_bot import tenant_of
from dialogs.ports import Member
from storage.conversations import ConversationRepository

logger = logging.getLogger(__name__)

_LOOKUP_FAILURES = (HttpOperationError, OSError, ValueError, TypeError, KeyError)


class TeamsRoster:
    def __init__(self, conversations: ConversationRepository) -> None:
        self._conversations = conversations

    async def member(self, context: TurnContext, teams_user_id: str) -> Member | None:
        try:
            account = await TeamsInfo.get_member(context, teams_user_id)
        except _LOOKUP_FAILURES:
            logger.info("roster: member look-up failed")
            return None
        return _to_member(account)

    async def find(self, context: TurnContext, email: str) -> Member | None:
        wanted = email.strip().lower()
        for member in await self.members(context):
            if member.email == wanted:
                return member
        return None

    async def members(self, context: TurnContext) -> list[Member]:
        # The current conversation first: in a team or group chat that is the roster the
        # coordinator sees; in a 1:1 chat it is just the two of them, which does no harm.
        found: dict[str, Member] = {}
        for member in await self._paged(context, None):
            found.setdefault(member.aad_object_id, member)
        for team_id in await self._conversations.team_ids(tenant_of(context.activity)):
            for member in await self._paged(context, team_id):
                found.setdefault(member.aad_object_id, member)
        return sorted(found.values(), key=lambda m: m.navn.casefold())

    async def _paged(self, context: TurnContext, team_id: str | None) -> list[Member]:
        members: list[Member] = []
        token: str | None = None
        try:
            while True:
                if team_id is None:
                    page = await TeamsInfo.get_paged_members(context, token, 100)
                else:
                    page = await TeamsInfo.get_paged_team_members(context, team_id, token, 100)
                members.extend(m for m in map(_to_member, page.members or []) if m)
                token = page.continuation_token
                if not token:
                    return members
        except _LOOKUP_FAILURES:
            logger.info("roster: paged members failed for a conversation")
            return members


def _to_member(account: TeamsChannelAccount | None) -> Member | None:
    if account is None or not account.aad_object_id:
        return None
    email = (account.user_principal_name or account.email or "").lower() or None
    return Member(
        aad_object_id=account.aad_object_id,
        navn=account.name or email or account.aad_object_id,
        email=email,
        teams_user_id=account.id,
    )
