"""The Bot Connector v3 client the bot sends with, and the meaning of its answers.

The only module that interprets Bot Connector answers, by HTTP status and error code, never
by message text. It makes one attempt per call; callers decide about retries.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any

import aiohttp
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
)
from msrest.serialization import Model, Serializer

from storage.domain.delivery import FailureReason

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
        answer = json_object(raw)
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


def json_object(raw: bytes) -> dict[str, Any]:
    """A response body as a JSON object; empty for no body, bad JSON or another JSON type."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
