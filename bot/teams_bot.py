"""The Teams activity handler: identifies the turn, guards it against redelivery, routes.

Commands and dialogs decide what to say; this class only translates Teams activities.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount
from botbuilder.schema.teams import FileConsentCardResponse, TeamInfo, TeamsChannelAccount

from bot.dialog_state import TurnStates
from bot.log_context import activity_id
from dialogs import texts
from dialogs.context import CALLER_KEY, CLAIM_KEY, Caller
from dialogs.ports import Roster
from dialogs.router import Router
from dialogs.survey import Units
from storage.claims import ActivityClaims
from storage.conversations import PERSONAL, ConversationRepository
from storage.coordination import CoordinationRepository
from storage.domain.model import Person
from storage.rosters import RosterKind, RosterRepository
from storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

ROSTER_RETRY_AFTER_S = 15 * 60
"""After a failed roster look-up, wait this long before asking Teams about that person again.

Guests and some accounts are never described by the roster; without this pause every turn of
theirs cost a Bot Connector round trip that fails the same way.
"""

REMEMBERED_FOR_S = 10 * 60
"""How long a turn may trust what this process last wrote of a person or a conversation
reference, and skip writing the same again.

Within this time a turn whose sender, name, Teams id and conversation reference (apart from
the activity id) are those this process stored last does not write them again: the person
was looked up (and possibly updated) and the reference upserted every turn. Another
instance or a coordinator may change those rows meanwhile; after this long the turn writes
again, so the rows are as fresh as before, at worst this much later.
"""

LOCAL_TENANT = "local"
"""Tenant used when an activity carries none: a local trial without Teams."""


def tenant_of(activity: object) -> str:
    """The Azure AD tenant of a Teams activity (conversation first, then channelData)."""
    conversation = getattr(activity, "conversation", None)
    tenant = getattr(conversation, "tenant_id", None) if conversation else None
    if tenant:
        return str(tenant)
    channel_data = getattr(activity, "channel_data", None) or {}
    if isinstance(channel_data, dict):
        tenant_info = channel_data.get("tenant") or {}
        if isinstance(tenant_info, dict) and tenant_info.get("id"):
            return str(tenant_info["id"])
    return LOCAL_TENANT


def user_key_of(account: ChannelAccount | None) -> str:
    """A stable key for a person: the AAD object id, or the channel's user id without one."""
    if account is None:
        return ""
    return account.aad_object_id or account.id or ""


TURNS_IN_FLIGHT = 10
"""Turns of one process that touch the database at once; the rest wait before they start.

A survey turn holds one connection from its claim to its commit. Under load, a turn that
started anyway would wait mid-transaction for the event loop while others waited for its
connection, and SQLAlchemy's pool gives up after 30 s (its 5 + 10 connections on PostgreSQL;
this leaves room for the outbox worker and the reminder runner). Waiting here costs the same
time without holding anything, and cannot fail.
"""


class KortlaegningBot(TeamsActivityHandler):
    def __init__(
        self,
        states: TurnStates,
        claims: ActivityClaims,
        units: Units,
        conversations: ConversationRepository,
        coordination: CoordinationRepository,
        router: Router,
        roster: Roster,
        rosters: RosterRepository,
    ) -> None:
        self._states = states
        self._claims = claims
        self._units = units
        self._rosters = rosters
        # (tenant, team or chat id) -> (name, service URL, written at), as for references
        self._rosters_seen: dict[tuple[str, str], tuple[str, str, float]] = {}
        self._conversations = conversations
        self._coordination = coordination
        self._router = router
        self._roster = roster
        self._roster_failed: dict[tuple[str, str], float] = {}
        self._turn_locks: dict[str, list] = {}  # conversation id -> [lock, turns using it]
        self._turn_slots = asyncio.Semaphore(TURNS_IN_FLIGHT)
        # (tenant, user key) -> (conversation id, reference without activity id, written at)
        self._references: dict[tuple[str, str], tuple[str, str, float]] = {}
        # (tenant, user key) -> (name and Teams id given, the person stored, looked up at)
        self._people: dict[
            tuple[str, str], tuple[tuple[str | None, str | None], Person, float]
        ] = {}

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        token = activity_id.set(activity.id or "-")
        claim = ActivityClaim(self._claims, self._units, activity)
        turn_context.turn_state[CLAIM_KEY] = claim
        try:
            async with self._conversation_turn(activity), self._turn_slots:
                await self._remember_roster(turn_context)
                if activity.type in (ActivityTypes.message, ActivityTypes.invoke):
                    await self._identify(turn_context)
                await super().on_turn(turn_context)
                if claim.duplicate:
                    logger.info("duplicate delivery ignored: type=%s", activity.type)
                    await _answer_invoke(turn_context)
                    return
                await self._states.save_changes(turn_context)
                await claim.settle()
        finally:
            activity_id.reset(token)

    @contextlib.asynccontextmanager
    async def _conversation_turn(self, activity: Activity) -> AsyncIterator[None]:
        """One turn at a time per conversation in this process.

        The reply reaches the person before the turn has saved its dialog state, so a quick
        next message (a test client, a fast click) could read the state from before it and
        answer the wrong question. It now waits for the previous turn instead.
        """
        key = activity.conversation.id if activity.conversation else ""
        entry = self._turn_locks.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1  # turns holding or waiting for this lock
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if not entry[1]:
                del self._turn_locks[key]

    async def _remember_roster(self, turn_context: TurnContext) -> None:
        """Remember the teams and group chats the bot is in: their rosters are where
        systemejere are found (a 1:1 chat's roster is just its one person)."""
        activity = turn_context.activity
        if not activity.service_url or not activity.conversation:
            return
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        team = channel_data.get("team") or {}
        if isinstance(team, dict) and team.get("id"):
            where, kind, navn = str(team["id"]), RosterKind.TEAM, str(team.get("name") or "")
        elif activity.conversation.conversation_type == RosterKind.GROUP_CHAT:
            where, kind = activity.conversation.id, RosterKind.GROUP_CHAT
            navn = activity.conversation.name or ""
        else:
            return
        tenant_id = tenant_of(activity)
        if _removes_bot(activity):
            self._rosters_seen.pop((tenant_id, where), None)
            await self._rosters.mark_removed(tenant_id, where)
            logger.info("bot removed from a %s; its roster is no longer read", kind.value)
            return
        last, now = self._rosters_seen.get((tenant_id, where)), time.monotonic()
        if (
            last
            and (not navn or last[0] == navn)
            and last[1] == activity.service_url
            and now - last[2] < REMEMBERED_FOR_S
        ):
            return
        await self._rosters.remember(
            tenant_id=tenant_id,
            conversation_id=where,
            kind=kind,
            navn=navn,
            service_url=activity.service_url,
        )
        self._rosters_seen[(tenant_id, where)] = (
            navn or (last[0] if last else ""),
            activity.service_url,
            now,
        )

    def _reference_due(
        self, activity: Activity, tenant_id: str, user_key: str
    ) -> _Reference | None:
        """The conversation reference of a message, unless this process stored the same one
        lately (see REMEMBERED_FOR_S); the activity id in it changes every turn and is not
        compared."""
        if activity.type != ActivityTypes.message or not activity.from_property:
            return None
        if not activity.conversation or not activity.service_url:
            return None
        conversation_type = activity.conversation.conversation_type or PERSONAL
        serialized = TurnContext.get_conversation_reference(activity).serialize()
        compared = json.dumps(
            {**serialized, "activityId": None, "conversationType": conversation_type},
            sort_keys=True,
        )
        last = self._references.get((tenant_id, user_key))
        now = time.monotonic()
        if (
            last
            and last[:2] == (activity.conversation.id, compared)
            and now - last[2] < REMEMBERED_FOR_S
        ):
            return None
        return _Reference(
            activity.conversation.id,
            conversation_type,
            activity.service_url,
            json.dumps(serialized),
            compared,
        )

    async def _identify(self, turn_context: TurnContext) -> None:
        """Record who is writing and how to reach them, and put them on the turn.

        What this process recorded lately is not written again (REMEMBERED_FOR_S). Otherwise
        the person is read, looked up in the roster while their e-mail is unknown (over HTTP,
        with no transaction open), and the person and the conversation reference are written
        in one transaction.
        """
        activity = turn_context.activity
        account = activity.from_property
        tenant_id = tenant_of(activity)
        user_key = user_key_of(account)
        who = (tenant_id, user_key)
        given = (account.name if account else None, account.id if account else None)
        reference = self._reference_due(activity, tenant_id, user_key)
        remembered = self._people.get(who)
        fresh = (
            remembered is not None
            and remembered[0] == given
            and time.monotonic() - remembered[2] < REMEMBERED_FOR_S
        )
        person = remembered[1] if fresh and remembered else None
        if person is None:
            person = await self._coordination.person_by_key(tenant_id, user_key)
        email = None
        if (person is None or person.email is None) and account is not None:
            email = await self._roster_email(turn_context, who, account)
        if person is None or not fresh or email or reference:
            async with self._units() as uow:
                if person is None or not fresh or email:
                    person = await self._coordination.ensure_person(
                        tenant_id,
                        user_key,
                        navn=given[0],
                        teams_user_id=given[1],
                        email=email,
                        uow=uow,
                    )
                if reference is not None:
                    await self._conversations.save_reference(
                        tenant_id=tenant_id,
                        user_key=user_key,
                        conversation_id=reference.conversation_id,
                        conversation_type=reference.conversation_type,
                        service_url=reference.service_url,
                        reference=reference.serialized,
                        uow=uow,
                    )
                await uow.commit()
            now = time.monotonic()
            if reference is not None:
                self._references[who] = (reference.conversation_id, reference.compared, now)
            if not fresh or email:
                self._people[who] = (given, person, now)
        turn_context.turn_state[CALLER_KEY] = Caller(
            tenant_id=tenant_id, person_id=person.id, navn=person.navn
        )

    async def _roster_email(
        self, turn_context: TurnContext, who: tuple[str, str], account: ChannelAccount
    ) -> str | None:
        """The person's e-mail from the Teams roster; after a miss, asked again only once
        ROSTER_RETRY_AFTER_S has passed."""
        failed_at = self._roster_failed.get(who)
        if failed_at is not None and time.monotonic() - failed_at < ROSTER_RETRY_AFTER_S:
            return None
        member = await self._roster.member(turn_context, account.id)
        if member is None or not member.email:
            self._roster_failed[who] = time.monotonic()
            return None
        self._roster_failed.pop(who, None)
        return member.email

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await self._router.on_message(turn_context)

    # Teams answers a FileConsentCard with the invoke fileConsent/invoke; the base class
    # turns it into one of these calls and answers the invoke with 200 once they return.
    async def on_teams_file_consent_accept(
        self, turn_context: TurnContext, file_consent_card_response: FileConsentCardResponse
    ) -> None:
        await self._router.on_file_consent(turn_context, file_consent_card_response)

    async def on_teams_file_consent_decline(
        self, turn_context: TurnContext, file_consent_card_response: FileConsentCardResponse
    ) -> None:
        await self._router.on_file_consent(turn_context, file_consent_card_response)

    async def on_teams_members_added(
        self,
        teams_members_added: list[TeamsChannelAccount],
        team_info: TeamInfo,
        turn_context: TurnContext,
    ) -> None:
        # Greet once per installation: when the bot itself joins a chat or team, and when
        # a person joins a 1:1 chat; never each new member of a whole team channel.
        recipient = turn_context.activity.recipient
        conversation = turn_context.activity.conversation
        personal = (conversation.conversation_type or PERSONAL) == PERSONAL
        for member in teams_members_added:
            is_bot = recipient is not None and member.id == recipient.id
            if is_bot or personal:
                sender = turn_context.activity.from_property
                if personal and sender is not None and sender.id:
                    # Greeted by role: a coordinator is welcomed with the steps of a round.
                    await self._identify(turn_context)
                    await self._router.welcome(turn_context)
                else:
                    await turn_context.send_activity(texts.WELCOME)
                return


@dataclass(frozen=True, slots=True)
class _Reference:
    """A conversation reference to store: how to reach the person in this conversation."""

    conversation_id: str
    conversation_type: str
    service_url: str
    serialized: str
    compared: str
    """The reference without its activity id, to tell whether it changed."""


def _removes_bot(activity: Activity) -> bool:
    """The bot's own removal: uninstalled, removed from the members, or the team deleted."""
    if activity.type == ActivityTypes.installation_update:
        return (activity.action or "").startswith("remove")
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    if channel_data.get("eventType") == "teamDeleted":
        return True
    bot_id = activity.recipient.id if activity.recipient else None
    return any(member.id == bot_id for member in activity.members_removed or [])


class ActivityClaim:
    """dialogs.context.TurnClaim for one activity: Teams redelivers a message or invoke it
    thinks went unanswered, and the same id must not record a second answer or send a
    second confirmation.

    A survey turn takes the claim in its own transaction (`take`), so it commits with the
    answer or not at all. Other turns commit on their own: they ask `is_new` before they
    act, and the claim is written by `settle` once they have succeeded. A turn that fails
    leaves no claim either way, so Teams' redelivery is handled after all.
    """

    def __init__(self, claims: ActivityClaims, units: Units, activity: Activity) -> None:
        self._claims = claims
        self._units = units
        guarded = activity.type in (ActivityTypes.message, ActivityTypes.invoke)
        self._key = (
            (activity.conversation.id, activity.id)
            if guarded and activity.id and activity.conversation
            else None
        )
        self._taken = False
        self.duplicate = False
        """Set when the activity turned out to be handled before."""

    async def take(self, uow: UnitOfWork) -> bool:
        if self._key is None or self._taken:
            return True
        self._taken = await self._claims.claim(uow, *self._key, at=datetime.now(UTC))
        self.duplicate = not self._taken
        return self._taken

    async def is_new(self) -> bool:
        if self._key is None:
            return True
        self.duplicate = await self._claims.is_claimed(*self._key)
        return not self.duplicate

    async def settle(self) -> None:
        """Write the claim of a turn that did not take it in its own transaction."""
        if self._key is None or self._taken or self.duplicate:
            return
        async with self._units() as uow:
            # False here means another delivery finished first; this one's work is done.
            await self.take(uow)
            await uow.commit()


async def _answer_invoke(turn_context: TurnContext) -> None:
    if turn_context.activity.type == ActivityTypes.invoke:
        # The first delivery did the work; without an answer here CloudAdapter says 501
        # and Teams shows the user an error for a job that succeeded.
        await turn_context.send_activity(
            Activity(
                type=ActivityTypes.invoke_response,
                value=InvokeResponse(status=HTTPStatus.OK),
            )
        )
