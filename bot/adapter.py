"""The CloudAdapter and the turn-error boundary."""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import random
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import ConversationState, InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication
from msrest.universal_http.requests import ClientRetryPolicy

from bot.connector import BotTokens, ConnectorError, ConnectorHttp, Outcome, classify, model_json
from bot.lazy_clients import LazyConnectorClient, LazyUserTokenClient
from bot.settings import Settings
from bot.teams_bot import tenant_of
from bot.throttle import IN_TURN_MAX_WAIT, Permit, RetryPolicy, Sleep, Throttle
from dialogs import texts

logger = logging.getLogger(__name__)

REPLY_TIMEOUT_S = 30.0
"""How long one reply may take; botbuilder's own client waits as long."""

_NOT_SENT = frozenset({"delay", ActivityTypes.invoke_response, ActivityTypes.trace})
"""Activities the adapter handles without a call to the Bot Connector."""

_HANDED_OVER = "kortlaegning.replies_handed_over"
"""Turn state: a reply of this turn went to the outbox, so the turn's later ones follow it."""

HandOver = Callable[[TurnContext, Activity, float], Awaitable[bool]]
"""Leave a reply to the outbox, due in so many seconds; False if the outbox cannot carry it."""


class ReplyingAdapter(CloudAdapter):
    """CloudAdapter whose in-turn replies and card updates go over ConnectorHttp, within
    Teams' limits.

    botbuilder's ConnectorClient costs more CPU per message than the rest of an answer turn's
    replies together: msrest validates and re-serialises the activity, then ``requests``
    sends it from a worker thread on a new connection. These are the same requests with the
    same token (BotTokens, from this adapter's authentication), over one aiohttp session;
    everything else (authentication, the turn, TeamsInfo's calls) stays botbuilder's, with
    botbuilder's own clients built only when a turn uses them (process_activity).

    Replies count against the same throttle as the outbox's messages (one per process, per
    tenant and per conversation) and are retried by the same policy (429/412/502/504,
    Retry-After honoured), but a turn waits at most ``max_wait`` for either: past it a reply
    is handed to the outbox, which sends it when Teams allows.
    """

    def __init__(
        self,
        auth: BotFrameworkAuthentication,
        app_id: str,
        throttle: Throttle,
        retry: RetryPolicy,
        *,
        max_wait: float = IN_TURN_MAX_WAIT,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(auth)
        self.connector_http = ConnectorHttp(BotTokens(auth, app_id), timeout=REPLY_TIMEOUT_S)
        """Also the outbox's sender's client (bot.app), so both share a token and connections."""
        self.throttle = throttle
        """Also the outbox's sender's throttle (bot.app): Teams counts every request."""
        self._retry = retry
        self._max_wait = max_wait
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._hand_over: HandOver | None = None

    async def process_activity(
        self,
        auth_header_or_authenticate_request_result: str | AuthenticateRequestResult,
        activity: Activity,
        logic: Callable[[TurnContext], Awaitable],
    ) -> InvokeResponse | None:
        """botbuilder's own process_activity, but its ConnectorClient and UserTokenClient
        are built on first use (bot.lazy_clients): most turns use neither."""
        auth = auth_header_or_authenticate_request_result
        result = (
            await self.bot_framework_authentication.authenticate_request(activity, auth)
            if isinstance(auth, str)
            else auth
        )
        activity.caller_id = result.caller_id
        factory = result.connector_factory
        if factory is None:
            raise ValueError("the authentication gave no connector factory")
        context = self._create_turn_context(
            activity,
            result.claims_identity,
            result.audience,
            LazyConnectorClient(
                functools.partial(factory.create, activity.service_url, result.audience)
            ),
            LazyUserTokenClient(
                functools.partial(
                    self.bot_framework_authentication.create_user_token_client,
                    result.claims_identity,
                )
            ),
            logic,
            factory,
        )
        await self.run_pipeline(context, logic)
        return self._process_turn_results(context)

    def hand_replies_over_to(self, hand_over: HandOver) -> None:
        """Where replies go that cannot be sent within max_wait (the outbox, in bot.app)."""
        self._hand_over = hand_over

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
            if context.turn_state.get(_HANDED_OVER) and await self._leave(context, activity, 0.0):
                responses.append(ResourceResponse(id=""))
                continue
            answer = await self._within_limits(
                context, activity, functools.partial(self._post, activity), may_hand_over=True
            )
            responses.append(ResourceResponse(id=(answer or {}).get("id") or ""))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        answer = await self._within_limits(
            context,
            activity,
            functools.partial(
                self.connector_http.update_activity,
                activity.service_url,
                activity.conversation.id,
                activity.id,
                model_json(activity),
            ),
            may_hand_over=False,
        )
        return ResourceResponse(id=(answer or {}).get("id") or activity.id)

    async def _post(self, activity: Activity) -> dict[str, Any]:
        service_url, conversation_id = activity.service_url, activity.conversation.id
        if activity.reply_to_id:
            return await self.connector_http.reply_to_activity(
                service_url, conversation_id, activity.reply_to_id, model_json(activity)
            )
        return await self.connector_http.send_to_conversation(
            service_url, conversation_id, model_json(activity)
        )

    async def _within_limits(
        self,
        context: TurnContext,
        activity: Activity,
        request: Callable[[], Awaitable[dict[str, Any]]],
        *,
        may_hand_over: bool,
    ) -> dict[str, Any] | None:
        """Make the request within Teams' limits, retrying transient answers until max_wait
        is spent; then hand it to the outbox (None) or, if that cannot be, keep waiting for
        the limits and raise the connector's last error."""
        tenant_id = activity.conversation.tenant_id or tenant_of(context.activity)
        conversation_id = activity.conversation.id
        deadline = self.throttle.now() + self._max_wait
        attempt = 0
        while True:
            attempt += 1
            left = max(0.0, deadline - self.throttle.now())
            permit = await self.throttle.acquire(tenant_id, conversation_id, max_wait=left)
            if not isinstance(permit, Permit):
                if may_hand_over and await self._leave(context, activity, permit):
                    return None
                permit = await self.throttle.acquire(tenant_id, conversation_id, max_wait=math.inf)
                assert isinstance(permit, Permit), "an unbounded wait is never refused"
            try:
                return await request()
            except ConnectorError as error:
                verdict = classify(error)
                if verdict.outcome is not Outcome.RETRY:
                    raise
                delay = self._retry.delay(attempt, verdict.retry_after, self._rng)
                if self.throttle.now() + delay > deadline:
                    if may_hand_over and await self._leave(context, activity, delay):
                        return None
                    raise
                logger.warning(
                    "reply will be retried: attempt=%d in=%.1fs (%s)",
                    attempt,
                    delay,
                    verdict.detail,
                )
            finally:
                permit.settle(self.throttle.now())
            await self._sleep(delay)

    async def _leave(self, context: TurnContext, activity: Activity, due_in: float) -> bool:
        if self._hand_over is None or not await self._hand_over(context, activity, due_in):
            return False
        context.turn_state[_HANDED_OVER] = True
        logger.info("reply handed to the outbox: due in %.1fs", due_in)
        return True


def build_adapter(
    settings: Settings,
    conversation_state: ConversationState,
    throttle: Throttle,
    retry: RetryPolicy,
    *,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
) -> ReplyingAdapter:
    """Build the adapter; with no app id botbuilder skips JWT validation (local trial)."""
    patch_msrest_retry_policy()
    adapter = ReplyingAdapter(
        ConfigurationBotFrameworkAuthentication(settings.bot_auth()),
        settings.app_id,
        throttle,
        retry,
        sleep=sleep,
        rng=rng,
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
            # A failed turn committed no claim (bot/teams_bot.py), so Teams' redelivery is
            # handled after all. The database is the truth: clearing the dialog stack loses
            # no answer.
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

    CloudAdapter as shipped builds a ConnectorClient and a UserTokenClient for every turn
    (ReplyingAdapter only when a turn uses one, as in a roster look-up; the echo bot in
    bench/ on every turn), and each builds a ClientRetryPolicy, whose __init__ tests 999
    status codes for membership in a 502-item *list*: about 5 ms of CPU each, two thirds of
    an echo turn. As a frozenset the same codes give the same retry list at once. msrest,
    like botbuilder 4.17.1, gets no more releases, so the fix has to live here.
    """
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]
