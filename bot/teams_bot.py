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
from storage.conversations import PERSONAL, TEAM, ConversationRepository
from storage.coordination import CoordinationRepository
from storage.domain.model import Person
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
    ) -> None:
        self._states = states
        self._claims = claims
        self._units = units
        self._conversations = conversations
        self._coordination = coordination
        self._router = router
        self._roster = roster
        self._roster_failed: dict[tuple[str, str], float] = {}
        self._turn_locks: dict[str, list] = {}  # conversation id -> [lock, turns using it]
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
            async with self._conversation_turn(activity):
                await self._remember_reference(turn_context)
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

    async def _remember_reference(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        await self._remember_team(turn_context)
        if activity.type != ActivityTypes.message or not activity.from_property:
            return
        if not activity.conversation or not activity.service_url:
            return
        await self._save_reference(
            tenant_of(activity),
            user_key_of(activity.from_property),
            activity.conversation.id,
            activity.conversation.conversation_type or PERSONAL,
            activity,
        )

    async def _remember_team(self, turn_context: TurnContext) -> None:
        """Remember teams the bot is in: their rosters are where systemejere are found."""
        activity = turn_context.activity
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        team = channel_data.get("team") or {}
        if not isinstance(team, dict) or not team.get("id") or not activity.service_url:
            return
        await self._save_reference(tenant_of(activity), "", str(team["id"]), TEAM, activity)

    async def _save_reference(
        self,
        tenant_id: str,
        user_key: str,
        conversation_id: str,
        conversation_type: str,
        activity: Activity,
    ) -> None:
        """Upsert the reference unless this process stored the same one lately (see
        REMEMBERED_FOR_S); the activity id in it changes every turn and is not compared."""
        serialized = TurnContext.get_conversation_reference(activity).serialize()
        compared = json.dumps(
            {**serialized, "activityId": None, "conversationType": conversation_type},
            sort_keys=True,
        )
        who, now = (tenant_id, user_key), time.monotonic()
        last = self._references.get(who)
        if last and last[:2] == (conversation_id, compared) and now - last[2] < REMEMBERED_FOR_S:
            return
        await self._conversations.save_reference(
            tenant_id=tenant_id,
            user_key=user_key,
            conversation_id=conversation_id,
            conversation_type=conversation_type,
            service_url=activity.service_url,
            reference=json.dumps(serialized),
        )
        self._references[who] = (conversation_id, compared, now)

    async def _identify(self, turn_context: TurnContext) -> None:
        """Record who is writing and put them on the turn for the dialogs."""
        activity = turn_context.activity
        account = activity.from_property
        tenant_id = tenant_of(activity)
        user_key = user_key_of(account)
        given = (account.name if account else None, account.id if account else None)
        remembered = self._people.get((tenant_id, user_key))
        if (
            remembered
            and remembered[0] == given
            and time.monotonic() - remembered[2] < REMEMBERED_FOR_S
        ):
            person = remembered[1]
        else:
            person = await self._coordination.ensure_person(
                tenant_id, user_key, navn=given[0], teams_user_id=given[1]
            )
        who = (tenant_id, person.aad_object_id)
        if person.email is None and account is not None and self._may_ask_roster(who):
            member = await self._roster.member(turn_context, account.id)
            email = member.email if member else None
            if email:
                self._roster_failed.pop(who, None)
                person = await self._coordination.ensure_person(
                    tenant_id, person.aad_object_id, email=email
                )
            else:
                self._roster_failed[who] = time.monotonic()
        if remembered is None or remembered[1] is not person:
            self._people[(tenant_id, user_key)] = (given, person, time.monotonic())
        turn_context.turn_state[CALLER_KEY] = Caller(
            tenant_id=tenant_id, person_id=person.id, navn=person.navn
        )

    def _may_ask_roster(self, who: tuple[str, str]) -> bool:
        failed_at = self._roster_failed.get(who)
        return failed_at is None or time.monotonic() - failed_at >= ROSTER_RETRY_AFTER_S

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
