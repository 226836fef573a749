"""Finding colleagues: every roster the bot knows, then (with Graph) the tenant's directory.

Implements dialogs.ports.Roster. A 1:1 chat's roster is its one person, so the people a
coordinator assigns are looked up in the teams and group chats the bot is installed in
(storage.rosters), whichever chat the coordinator writes from. The Bot Connector calls use
the turn's connector client: Teams gives a tenant one service URL per region, the same for
its 1:1 chats and its teams. Connector failures mean "not found here", never a crash.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema.teams import TeamsChannelAccount
from botframework.connector import ConnectorClient
from msrest.exceptions import HttpOperationError

from bot.graph import GraphClient, GraphError, GraphUser
from bot.teams_bot import tenant_of
from dialogs.ports import Lookup, LookupProblem, Member
from storage.domain.answers import normalise
from storage.rosters import KnownRoster, RosterRepository

logger = logging.getLogger(__name__)

_LOOKUP_FAILURES = (HttpOperationError, OSError, ValueError, TypeError, KeyError)
_PAGE_SIZE = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

MEMBERS_FRESH_S = 120.0
"""How long a roster's member list is reused: the picker card and the tildel that follows it
(and the overview's reachability) should not page through a large team each time."""


class TeamsRoster:
    def __init__(
        self,
        rosters: RosterRepository,
        *,
        directory: GraphClient | None = None,
    ) -> None:
        self._rosters = rosters
        self._directory = directory
        self._cache: dict[str, tuple[float, list[Member]]] = {}

    @property
    def uses_directory(self) -> bool:
        return self._directory is not None

    async def member(self, context: TurnContext, teams_user_id: str) -> Member | None:
        """The person behind an id (Teams id, AAD object id or UPN), in any known roster."""
        for conversation_id in await self._places(context):
            account = await _member_of(context, conversation_id, teams_user_id)
            if account is not None:
                return account
        return None

    async def find(self, context: TurnContext, query: str) -> Lookup:
        """Look the person up by e-mail/UPN, AAD object id or name: rosters, then directory."""
        query = query.strip()
        tenant_id = tenant_of(context.activity)
        rosters = tuple(r.navn for r in await self._installed(tenant_id))
        if _EMAIL.match(query) or _GUID.match(query):
            member = await self.member(context, query.lower()) or await self._scan(context, query)
            found = [member] if member else []
        else:
            everyone = await self.members(context)
            found = [m for m in everyone if m.aad_object_id == query] or _by_name(everyone, query)
        if found or self._directory is None:
            return Lookup(members=tuple(found), rosters=rosters)
        try:
            if _EMAIL.match(query) or _GUID.match(query):
                user = await self._directory.user(tenant_id, query)
                users = [user] if user else []
            else:
                users = await self._directory.search_users(tenant_id, query)
        except GraphError as error:
            problem = (
                LookupProblem.DIRECTORY_CONSENT
                if error.consent_missing
                else LookupProblem.DIRECTORY_UNAVAILABLE
            )
            logger.warning("directory look-up failed: %s %s", error.status, error.code)
            return Lookup(rosters=rosters, problem=problem)
        members = [_from_directory(user) for user in users]
        if not (_EMAIL.match(query) or _GUID.match(query)):
            members = _by_name(members, query) or members
        return Lookup(members=tuple(members), rosters=rosters)

    async def _scan(self, context: TurnContext, key: str) -> Member | None:
        """The member with this e-mail/UPN or AAD id from the paged rosters: for services that
        answer the single-member call by Teams id only (the Agents Playground does)."""
        wanted = key.lower()
        return next(
            (
                m
                for m in await self.members(context)
                if wanted in (m.email, m.aad_object_id.lower())
            ),
            None,
        )

    async def members(self, context: TurnContext) -> list[Member]:
        """Everyone in the current conversation and in every known team and group chat."""
        found: dict[str, Member] = {}
        for conversation_id in await self._places(context):
            for member in await self._paged(context, conversation_id):
                found.setdefault(member.aad_object_id, member)
        return sorted(found.values(), key=lambda m: m.navn.casefold())

    async def known_rosters(self, tenant_id: str) -> list[str]:
        """The names of the teams and group chats the bot is installed in ("" if unknown)."""
        return [r.navn for r in await self._installed(tenant_id)]

    async def _installed(self, tenant_id: str) -> list[KnownRoster]:
        return [r for r in await self._rosters.known(tenant_id) if r.installed]

    async def _places(self, context: TurnContext) -> list[str]:
        """The current conversation (its team, in a channel) first, then every known roster."""
        activity = context.activity
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        team = channel_data.get("team") or {}
        current = str(team["id"]) if isinstance(team, dict) and team.get("id") else None
        places = [current or activity.conversation.id] if activity.conversation else []
        for roster in await self._installed(tenant_of(activity)):
            if roster.conversation_id not in places:
                places.append(roster.conversation_id)
        return places

    async def _paged(self, context: TurnContext, conversation_id: str) -> list[Member]:
        cached = self._cache.get(conversation_id)
        if cached and time.monotonic() - cached[0] < MEMBERS_FRESH_S:
            return cached[1]
        client = _client(context)
        members: list[Member] = []
        token: str | None = None
        try:
            while True:
                page = await client.conversations.get_teams_conversation_paged_members(
                    conversation_id, _PAGE_SIZE, token
                )
                members.extend(m for m in map(_to_member, page.members or []) if m)
                token = page.continuation_token
                if not token:
                    break
        except _LOOKUP_FAILURES:
            logger.info("roster: paged members failed for a conversation")
            return members
        self._cache[conversation_id] = (time.monotonic(), members)
        return members


async def _member_of(context: TurnContext, conversation_id: str, member_id: str) -> Member | None:
    """GET /v3/conversations/{id}/members/{member}: Teams takes the Teams id, AAD id or UPN."""
    try:
        account = await _client(context).conversations.get_conversation_member(
            conversation_id, member_id
        )
    except _LOOKUP_FAILURES:
        return None
    return _to_member(
        TeamsChannelAccount().deserialize(
            dict(account.serialize(), **(account.additional_properties or {}))
        )
    )


def _client(context: TurnContext) -> ConnectorClient:
    client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
    if client is None:
        raise ValueError("the turn has no connector client")
    return client


def _by_name(members: Iterable[Member], query: str) -> list[Member]:
    """Members whose name is the query; failing that, whose name holds all its words."""
    wanted = normalise(query)
    if not wanted:
        return []
    candidates = list(members)
    exact = [m for m in candidates if normalise(m.navn) == wanted]
    if exact:
        return exact
    words = wanted.split()
    return [m for m in candidates if _holds_words(normalise(m.navn).split(), words)]


def _holds_words(name: Sequence[str], words: Sequence[str]) -> bool:
    return all(any(part.startswith(word) for part in name) for word in words)


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


def _from_directory(user: GraphUser) -> Member:
    email = user.mail or user.user_principal_name
    return Member(
        aad_object_id=user.id,
        navn=user.display_name or email or user.id,
        email=email,
        teams_user_id=None,
    )
