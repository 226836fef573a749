"""Microsoft Graph for reaching colleagues the bot has not met: the tenant's directory and the
app's proactive installation for a user (as Microsoft's Company Communicator does).

Only with GRAPH_ENABLED. Calls are made with the bot's own app registration (client
credentials from msal, one client per tenant so msal's token cache is used until expiry);
without MicrosoftAppId they carry no token, as the Bot Connector calls do in a local trial.
The only module that reads Graph's answers; see docs/deployment.md for the permissions.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import msal
import requests

from bot.connector import json_object

logger = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
AUTHORITY = "https://login.microsoftonline.com/"

Sleep = Callable[[float], Awaitable[None]]


class GraphError(Exception):
    """Graph answered other than success, or not at all (status None)."""

    def __init__(self, status: int | None, code: str = "") -> None:
        super().__init__(status, code)
        self.status = status
        self.code = code

    @property
    def consent_missing(self) -> bool:
        """403: the app registration lacks the permission or the admin's consent to it."""
        return self.status == 403


@dataclass(frozen=True, slots=True)
class GraphUser:
    id: str
    display_name: str
    mail: str | None
    user_principal_name: str | None


class GraphTokens:
    """Application tokens for Graph per tenant, from msal with the bot's client secret."""

    def __init__(self, app_id: str, app_password: str) -> None:
        self._app_id = app_id
        self._app_password = app_password
        self._apps: dict[str, msal.ConfidentialClientApplication] = {}

    async def authorization(self, tenant_id: str) -> str | None:
        """The Authorization header for the tenant; None without an app id (a local trial)."""
        if not self._app_id:
            return None
        # msal is synchronous and may go to Entra ID (discovery, then the token): a thread.
        return f"Bearer {await asyncio.to_thread(self._token, tenant_id)}"

    def _token(self, tenant_id: str) -> str:
        try:
            app = self._apps.get(tenant_id)
            if app is None:
                app = msal.ConfidentialClientApplication(
                    self._app_id,
                    client_credential=self._app_password,
                    authority=AUTHORITY + tenant_id,
                )
                self._apps[tenant_id] = app
            # Answered from msal's own cache until the token is close to expiry.
            result = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except (requests.RequestException, ValueError) as error:
            raise GraphError(None, type(error).__name__) from error
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            error_code = str(result.get("error", "")) if isinstance(result, dict) else ""
            logger.error("no Graph token for tenant %s: %s", tenant_id, error_code)
            raise GraphError(None, error_code)
        return str(token)


class GraphClient:
    """The few Graph v1.0 calls the bot makes, with 429 Retry-After honoured."""

    def __init__(
        self,
        base_url: str,
        tokens: GraphTokens,
        *,
        timeout: float = 20.0,
        attempts: int = 3,
        max_retry_wait: float = 30.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._tokens = tokens
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._attempts = attempts
        self._max_retry_wait = max_retry_wait
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def user(self, tenant_id: str, id_or_upn: str) -> GraphUser | None:
        """GET /users/{id | userPrincipalName}; None when the directory has no such user."""
        try:
            data = await self._request(
                "GET", tenant_id, f"users/{_quote(id_or_upn)}", query={"$select": _USER_FIELDS}
            )
        except GraphError as error:
            if error.status == 404:
                return None
            raise
        return _to_user(data)

    async def search_users(self, tenant_id: str, name: str) -> list[GraphUser]:
        """Users whose display name matches the words (Graph's $search, eventual consistency)."""
        words = name.replace('"', " ").strip()
        data = await self._request(
            "GET",
            tenant_id,
            "users",
            query={"$search": f'"displayName:{words}"', "$select": _USER_FIELDS, "$top": "10"},
            headers={"ConsistencyLevel": "eventual"},
        )
        values = data.get("value")
        found = [_to_user(item) for item in values if isinstance(item, dict)] if values else []
        return [user for user in found if user is not None]

    async def install_for_user(self, tenant_id: str, user_id: str, catalog_app_id: str) -> None:
        """POST /users/{id}/teamwork/installedApps; 409 (installed already) is success too."""
        body = {"teamsApp@odata.bind": f"{self._base_url}/appCatalogs/teamsApps/{catalog_app_id}"}
        try:
            await self._request(
                "POST", tenant_id, f"users/{_quote(user_id)}/teamwork/installedApps", body=body
            )
        except GraphError as error:
            if error.status != 409:
                raise

    async def personal_chat_id(
        self, tenant_id: str, user_id: str, catalog_app_id: str
    ) -> str | None:
        """The 1:1 chat of the app's installation for the user, or None if not installed."""
        installations = await self._request(
            "GET",
            tenant_id,
            f"users/{_quote(user_id)}/teamwork/installedApps",
            query={"$expand": "teamsApp", "$filter": f"teamsApp/id eq '{catalog_app_id}'"},
        )
        values = installations.get("value") or []
        installation = next((item for item in values if isinstance(item, dict)), None)
        if not installation or not installation.get("id"):
            return None
        chat = await self._request(
            "GET",
            tenant_id,
            f"users/{_quote(user_id)}/teamwork/installedApps/{_quote(installation['id'])}/chat",
        )
        chat_id = chat.get("id")
        return str(chat_id) if chat_id else None

    async def _request(
        self,
        method: str,
        tenant_id: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        url = f"{self._base_url}/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        waited = 0.0
        for attempt in range(1, self._attempts + 1):
            sent = {"Accept": "application/json", **(headers or {})}
            authorization = await self._tokens.authorization(tenant_id)
            if authorization is not None:
                sent["Authorization"] = authorization
            if self._session is None:
                self._session = aiohttp.ClientSession(timeout=self._timeout)
            try:
                async with self._session.request(
                    method, url, json=body if body is not None else None, headers=sent
                ) as response:
                    raw = await response.read()
                    status, answer_headers = response.status, response.headers
            except (aiohttp.ClientError, TimeoutError) as error:
                raise GraphError(None, type(error).__name__) from error
            answer = json_object(raw)
            if 200 <= status < 300:
                return answer
            error_body = answer.get("error")
            code = str(error_body.get("code") or "") if isinstance(error_body, dict) else ""
            if status in (429, 503) and attempt < self._attempts:
                wait = _retry_after(answer_headers)
                wait = 2.0**attempt if wait is None else wait
                if waited + wait <= self._max_retry_wait:
                    logger.warning(
                        "Graph throttled (%d %s); retrying in %.1f s", status, code, wait
                    )
                    waited += wait
                    await self._sleep(wait)
                    continue
            logger.info("Graph %s %s answered %d %s", method, path.split("/")[0], status, code)
            raise GraphError(status, code)
        raise AssertionError("unreachable: the last attempt returns or raises")


_USER_FIELDS = "id,displayName,mail,userPrincipalName"


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait: Graph's throttling guidance gives Retry-After as a number of seconds."""
    raw = (headers.get("Retry-After") or "").strip()
    return float(raw) if raw.isdigit() else None


def _to_user(data: Mapping[str, Any]) -> GraphUser | None:
    if not data.get("id"):
        return None
    return GraphUser(
        id=str(data["id"]),
        display_name=str(data.get("displayName") or ""),
        mail=str(data["mail"]).lower() if data.get("mail") else None,
        user_principal_name=(
            str(data["userPrincipalName"]).lower() if data.get("userPrincipalName") else None
        ),
    )


def _quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="@")
