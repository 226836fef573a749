"""Proactive delivery to Teams: 1:1 chats, throttling, and the meaning of connector errors.

The only module that interprets Bot Connector answers, by HTTP status and error code, never
by message text (STYLE §6). It makes one attempt per call; the outbox decides about retries.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum, StrEnum
from typing import Any

import aiohttp
from botbuilder.schema import (
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)
from botframework.connector import Channels
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
)
from msrest.serialization import Model, Serializer

from dialogs.cards import CARD_CONTENT_TYPE
from dialogs.ports import OutgoingMessage
from storage.conversations import PERSONAL, ConversationRepository
from storage.domain.delivery import FailureReason
from storage.outbox import Recipient

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

RETRYABLE_STATUSES = frozenset({412, 429, 502, 504})
"""Microsoft's rate-limit guide: retry 429, and also 412, 502 and 504 (Teams bot docs)."""


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    """A transient answer (429/412/502/504, or no answer at all): try again later."""
    DEFER = "defer"
    """Our own throttle would wait too long now; not an error, try again at ``retry_after``."""
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one delivery attempt came to."""

    outcome: Outcome
    conversation_id: str | None = None
    activity_id: str | None = None
    reason: FailureReason | None = None
    retry_after: float | None = None
    """Seconds to wait: the connector's Retry-After, or the throttle's own estimate."""
    detail: str = ""
    """Status and error code for operators (never message text or names)."""


class ConnectorError(Exception):
    """A Bot Connector call that got no answer, or an answer other than 200/201/202."""

    def __init__(
        self,
        status: int | None,
        *,
        code: str = "",
        headers: Mapping[str, str] | None = None,
        cause: str = "",
    ) -> None:
        super().__init__(status, code or cause)
        self.status = status
        self.code = code
        self.headers: Mapping[str, str] = headers or {}
        self.cause = cause
        """With no status: why there was no answer (the exception type), for operators."""


def classify(error: ConnectorError) -> Attempt:
    """Map a Bot Connector error to an outcome by its HTTP status and error code."""
    if error.status is None:
        # No HTTP answer (connection refused, reset, timeout): transient by nature.
        return Attempt(Outcome.RETRY, detail=f"no answer: {error.cause}")
    status = error.status
    detail = f"{status} {error.code}".strip()
    if status in RETRYABLE_STATUSES:
        return Attempt(Outcome.RETRY, retry_after=parse_retry_after(error.headers), detail=detail)
    if status == 403:
        # BotDisabledByAdmin, ConversationBlockedByUser, BotNotInConversationRoster …:
        # the app is blocked or uninstalled for this person; a retry gets the same.
        return Attempt(Outcome.FAILED, reason=FailureReason.BLOCKED, detail=detail)
    if status == 404:
        return Attempt(Outcome.FAILED, reason=FailureReason.NOT_FOUND, detail=detail)
    # 500 and other answers are not on Microsoft's list of statuses safe to repeat.
    return Attempt(Outcome.FAILED, reason=FailureReason.REJECTED, detail=detail)


def parse_retry_after(
    headers: Mapping[str, str] | None, *, now: datetime | None = None
) -> float | None:
    """Read Retry-After as seconds (RFC 9110: delay-seconds or an HTTP-date); None if absent."""
    raw = (headers or {}).get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded by a give-up time per message."""

    base_delay: float = 1.0
    max_delay: float = 300.0
    give_up_after: timedelta = timedelta(hours=1)

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds before attempt ``attempt + 1``; Retry-After is a floor, never shortened.

        Jitter ("equal jitter": half fixed, half random) spreads the retries of a fan-out
        that was throttled at once, so they do not hit the connector together again.
        """
        backoff = min(self.max_delay, self.base_delay * 2 ** max(0, attempt - 1))
        jittered = backoff / 2 + rng.uniform(0, backoff / 2)
        if retry_after is not None:
            return retry_after + rng.uniform(0, min(1.0, backoff / 2))
        return jittered


@dataclass(slots=True)
class _Event:
    at: float
    settled: bool = False


class SlidingWindowLimiter:
    """At most n events in any w seconds, for every (n, w) window at once, per key.

    A sliding log rather than a token bucket, because Teams states its limits as counts per
    window (7 per 1 s, 8 per 2 s, 60 per 30 s, 1800 per hour) and a bucket cannot keep all
    four. The connector counts a request when it arrives, which lies between our start and
    its answer: so a request still in flight counts as happening now, and a finished one
    at the moment its answer came (``settle``). The log can then never undercount the
    connector's window, whatever the network or thread pool delays.
    """

    def __init__(self, windows: Sequence[tuple[int, float]]) -> None:
        if not windows:
            raise ValueError("at least one (count, seconds) window is needed")
        self._windows = tuple(windows)
        self._horizon = max(seconds for _, seconds in windows)
        self._events: dict[Hashable, list[_Event]] = {}

    def delay(self, key: Hashable, now: float) -> tuple[float, bool]:
        """Seconds until one more event under ``key`` keeps every window, and whether a
        request still in flight decides it (then the wait shrinks once it is answered)."""
        moments = [
            (event.at, False) if event.settled else (now, True) for event in self._live(key, now)
        ]
        wait, provisional = 0.0, False
        for limit, seconds in self._windows:
            recent = sorted(moment for moment in moments if moment[0] > now - seconds)
            if len(recent) >= limit:
                at, in_flight = recent[len(recent) - limit]
                if at + seconds - now > wait:
                    wait, provisional = at + seconds - now, in_flight
        return wait, provisional

    def record(self, key: Hashable, now: float) -> _Event:
        event = _Event(now)
        self._events.setdefault(key, []).append(event)
        return event

    @staticmethod
    def settle(event: _Event, now: float) -> None:
        event.at = max(event.at, now)
        event.settled = True

    def _live(self, key: Hashable, now: float) -> list[_Event]:
        events = self._events.get(key)
        if not events:
            return []
        cutoff = now - self._horizon
        if any(event.settled and event.at <= cutoff for event in events[:1]):
            events[:] = [event for event in events if not event.settled or event.at > cutoff]
            if not events:
                del self._events[key]
        return events


@dataclass(slots=True)
class Permit:
    """Events recorded for one request; settle them when its answer arrived."""

    events: list[_Event] = field(default_factory=list)

    def settle(self, now: float) -> None:
        for event in self.events:
            SlidingWindowLimiter.settle(event, now)


class Throttle:
    """Teams' limits: per conversation (several windows) and per app per tenant (per second).

    The limits are per bot instance; with several instances, divide the tenant rate among
    them (TENANT_REQUESTS_PER_SECOND) or let the 429 handling absorb the overlap.
    """

    def __init__(
        self,
        conversation_windows: Sequence[tuple[int, float]],
        tenant_requests_per_second: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        recheck: float = 0.01,
    ) -> None:
        self._recheck = recheck
        self._conversations = SlidingWindowLimiter(conversation_windows)
        self._tenants = SlidingWindowLimiter([(tenant_requests_per_second, 1.0)])
        self._clock = clock
        self._sleep = sleep

    async def acquire(
        self, tenant_id: str, conversation_id: str | None, *, max_wait: float
    ) -> Permit | float:
        """Wait for room in both limits and take it; or return the wait if over max_wait.

        Checking and recording happen with no await between them, so concurrent tasks on
        the event loop can never both take the last slot.
        """
        while True:
            now = self._clock()
            conversation_wait, conversation_provisional = (
                self._conversations.delay(conversation_id, now) if conversation_id else (0.0, False)
            )
            if conversation_wait > max_wait and not conversation_provisional:
                return conversation_wait
            tenant_wait, tenant_provisional = self._tenants.delay(tenant_id, now)
            if conversation_wait <= 0 and tenant_wait <= 0:
                permit = Permit([self._tenants.record(tenant_id, now)])
                if conversation_id:
                    permit.events.append(self._conversations.record(conversation_id, now))
                return permit
            provisional = (
                conversation_provisional if conversation_wait >= tenant_wait else tenant_provisional
            )
            wait = max(conversation_wait, tenant_wait)
            await self._sleep(min(wait, self._recheck) if provisional else wait)

    def now(self) -> float:
        return self._clock()


ACCEPTED_STATUSES = frozenset({200, 201, 202})
"""What botframework-connector's generated client treats as success for both calls."""

USER_AGENT = "Microsoft-BotFramework/3.1 (BotBuilder Python/4.17.0)"
"""The User-Agent botbuilder's own ConnectorClient sends (botframework.connector.auth)."""

_TOKEN_REUSE_SECONDS = 60.0
"""How long a token from MSAL is reused before asking MSAL again. MSAL never hands out a
cached token with less than 5 minutes left, so a reused one always has 4 minutes to spare."""


class BotTokens:
    """The bot's bearer token for the Bot Connector, from botbuilder's own credentials.

    The credentials come from the adapter's BotFrameworkAuthentication (its
    ServiceClientCredentialsFactory decides: password, certificate, managed identity, or
    none without an app id), exactly those botbuilder's ConnectorClient would sign with.
    """

    def __init__(self, auth: BotFrameworkAuthentication, app_id: str) -> None:
        self._auth = auth
        self._app_id = app_id
        self._credentials: AppCredentials | None = None
        self._token: str | None = None
        self._fetched_at = -_TOKEN_REUSE_SECONDS
        self._lock = asyncio.Lock()

    async def authorization(self, service_url: str) -> str | None:
        """The Authorization header value, or None when the bot runs without an app id."""
        async with self._lock:
            credentials = await self._credentials_for(service_url)
            app_id = credentials.microsoft_app_id
            if not app_id or app_id == AuthenticationConstants.ANONYMOUS_SKILL_APP_ID:
                # As AppCredentials.signed_session: no app id means no authentication.
                return None
            if self._token is None or time.monotonic() - self._fetched_at > _TOKEN_REUSE_SECONDS:
                # MSAL is synchronous and may go to Entra ID; keep it off the event loop.
                self._token = await asyncio.to_thread(credentials.get_access_token)
                self._fetched_at = time.monotonic()
            return f"Bearer {self._token}"

    async def _credentials_for(self, service_url: str) -> AppCredentials:
        if self._credentials is None:
            factory = self._auth.create_connector_factory(
                ClaimsIdentity(
                    {
                        AuthenticationConstants.AUDIENCE_CLAIM: self._app_id,
                        AuthenticationConstants.APP_ID_CLAIM: self._app_id,
                    },
                    True,
                )
            )
            # Only its credentials are used; the client itself (msrest + requests) never
            # sends, so it has no connection to close.
            client = await factory.create(service_url, None)
            self._credentials = client.config.credentials
        assert self._credentials is not None
        return self._credentials


class ConnectorHttp:
    """The Bot Connector v3 calls the bot makes to send, over one aiohttp session: proactive
    delivery (a new chat, a message into it) and the replies of a turn (ReplyingAdapter).

    botbuilder's ConnectorClient costs several milliseconds of CPU per message (msrest
    validation and serialisation, then ``requests`` on a worker thread); a fan-out at the
    tenant limit, and a busy hour of turns, are CPU-bound on that. These are the same
    requests, built directly.
    """

    def __init__(self, tokens: BotTokens, *, timeout: float) -> None:
        self._tokens = tokens
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send_to_conversation(
        self, service_url: str, conversation_id: str, activity: Mapping[str, Any]
    ) -> dict[str, Any]:
        """POST /v3/conversations/{id}/activities; the ResourceResponse (may be empty)."""
        return await self._request(service_url, _activities(conversation_id), activity)

    async def reply_to_activity(
        self,
        service_url: str,
        conversation_id: str,
        reply_to_id: str,
        activity: Mapping[str, Any],
    ) -> dict[str, Any]:
        """POST /v3/conversations/{id}/activities/{replyToId}; the ResourceResponse."""
        return await self._request(service_url, _activity(conversation_id, reply_to_id), activity)

    async def update_activity(
        self,
        service_url: str,
        conversation_id: str,
        activity_id: str,
        activity: Mapping[str, Any],
    ) -> dict[str, Any]:
        """PUT /v3/conversations/{id}/activities/{activityId}; the ResourceResponse."""
        path = _activity(conversation_id, activity_id)
        return await self._request(service_url, path, activity, method="PUT")

    async def create_conversation(
        self, service_url: str, parameters: Mapping[str, Any]
    ) -> dict[str, Any]:
        """POST /v3/conversations; the ConversationResourceResponse."""
        return await self._request(service_url, "v3/conversations", parameters)

    async def _request(
        self, service_url: str, path: str, body: Mapping[str, Any], *, method: str = "POST"
    ) -> dict[str, Any]:
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
        }
        authorization = await self._tokens.authorization(service_url)
        if authorization is not None:
            headers["Authorization"] = authorization
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        url = f"{service_url.rstrip('/')}/{path}"
        try:
            async with self._session.request(
                method, url, data=json.dumps(body).encode(), headers=headers
            ) as response:
                raw = await response.read()
                status, answer_headers = response.status, response.headers
        except (aiohttp.ClientError, TimeoutError) as error:
            raise ConnectorError(None, cause=type(error).__name__) from error
        answer = _json_object(raw)
        if status not in ACCEPTED_STATUSES:
            error_body = answer.get("error")
            code = error_body.get("code") if isinstance(error_body, dict) else None
            raise ConnectorError(status, code=str(code or ""), headers=answer_headers)
        return answer


def _activities(conversation_id: str) -> str:
    return f"v3/conversations/{urllib.parse.quote(conversation_id, safe='')}/activities"


def _activity(conversation_id: str, activity_id: str) -> str:
    return f"{_activities(conversation_id)}/{urllib.parse.quote(activity_id, safe='')}"


def model_json(model: Model) -> dict[str, Any]:
    """A botbuilder schema object (an Activity) as the JSON the Bot Connector takes.

    What msrest's Serializer.body produces for these models, walking the same attribute map,
    without its validation and its deserialise-then-serialise pass (about 1 ms of CPU for a
    system card, on every message).
    """
    return {
        spec["key"]: _json_value(value)
        for name, spec in model._attribute_map.items()
        if (value := getattr(model, name, None)) is not None
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, Model):
        return model_json(value)
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return Serializer.serialize_iso(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


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
