"""A local Microsoft Graph: the few v1.0 endpoints the bot calls to find and reach people.

It answers as Graph does (404 for an unknown user, 409 when the app is already installed,
400 for $search without ConsistencyLevel) and can be told to refuse everything with 403
(no admin consent) or to throttle the next calls with 429 and a Retry-After.
"""

from __future__ import annotations

import itertools
import time
import unicodedata
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

CATALOG_APP_ID = "8c3a5f0e-7d1b-4b2a-9e6f-0a1b2c3d4e5f"
"""The app's id in the tenant's app catalog (not the manifest's id), as in tests."""


@dataclass
class GraphCall:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str | None
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class DirectoryUser:
    id: str
    display_name: str
    upn: str

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "displayName": self.display_name,
            "mail": self.upn,
            "userPrincipalName": self.upn,
        }


class GraphStandIn:
    def __init__(self) -> None:
        self.users: list[DirectoryUser] = []
        self.installed: dict[str, str] = {}
        """User id -> installation id of the app for that user."""
        self.calls: list[GraphCall] = []
        self.consent_missing = False
        self.refuse_installations = False
        """Refuse installing with 403, as when only User.ReadBasic.All has consent."""
        self._throttled: deque[str] = deque()
        self._ids = itertools.count(1)
        self._server: TestServer | None = None

    # --- scripting -----------------------------------------------------------------
    def add_user(self, user: DirectoryUser, *, installed: bool = False) -> None:
        self.users.append(user)
        if installed:
            self.installed[user.id] = f"installation-{next(self._ids)}"

    def throttle_next(self, retry_after: str) -> None:
        """Answer the next call 429 with this Retry-After."""
        self._throttled.append(retry_after)

    @staticmethod
    def chat_id(user_id: str) -> str:
        return f"19:{user_id}_kortlaegningsbot@unq.gbl.spaces"

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("/v1.0"))

    # --- the server ----------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(middlewares=[self._record_and_refuse])
        app.router.add_get("/v1.0/users", self._search)
        app.router.add_get("/v1.0/users/{user}", self._user)
        app.router.add_post("/v1.0/users/{user}/teamwork/installedApps", self._install)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps", self._installations)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps/{iid}/chat", self._chat)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    @web.middleware
    async def _record_and_refuse(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        self.calls.append(
            GraphCall(
                request.method,
                request.path,
                dict(request.query),
                body,
                request.headers.get("Authorization"),
            )
        )
        if self._throttled:
            return _error(429, "TooManyRequests", {"Retry-After": self._throttled.popleft()})
        if self.consent_missing:
            return _error(403, "Authorization_RequestDenied")
        return await handler(request)

    def _find(self, key: str) -> DirectoryUser | None:
        key = key.lower()
        return next((u for u in self.users if key in (u.id.lower(), u.upn.lower())), None)

    async def _user(self, request: web.Request) -> web.Response:
        user = self._find(request.match_info["user"])
        if user is None:
            return _error(404, "Request_ResourceNotFound")
        return web.json_response(user.json())

    async def _search(self, request: web.Request) -> web.Response:
        search = request.query.get("$search", "")
        if search and request.headers.get("ConsistencyLevel") != "eventual":
            return _error(400, "Request_UnsupportedQuery")
        words = _fold(search.strip('"').removeprefix("displayName:")).split()
        found = [u for u in self.users if all(w in _fold(u.display_name) for w in words)]
        return web.json_response({"value": [u.json() for u in found]})

    async def _install(self, request: web.Request) -> web.Response:
        user = self._find(request.match_info["user"])
        if user is None:
            return _error(404, "NotFound")
        if self.refuse_installations:
            return _error(403, "Forbidden")
        bind = str((await request.json()).get("teamsApp@odata.bind", ""))
        if not bind.endswith(f"/appCatalogs/teamsApps/{CATALOG_APP_ID}"):
            return _error(404, "NotFound")
        if user.id in self.installed:
            return _error(409, "Conflict")
        self.installed[user.id] = f"installation-{next(self._ids)}"
        return web.Response(status=201)

    async def _installations(self, request: web.Request) -> web.Response:
        user = self._find(request.match_info["user"])
        if user is None:
            return _error(404, "NotFound")
        wanted = f"teamsApp/id eq '{CATALOG_APP_ID}'"
        if user.id not in self.installed or request.query.get("$filter") != wanted:
            return web.json_response({"value": []})
        installation = {"id": self.installed[user.id], "teamsApp": {"id": CATALOG_APP_ID}}
        return web.json_response({"value": [installation]})

    async def _chat(self, request: web.Request) -> web.Response:
        user = self._find(request.match_info["user"])
        if user is None or self.installed.get(user.id) != request.match_info["iid"]:
            return _error(404, "NotFound")
        return web.json_response({"id": self.chat_id(user.id), "chatType": "oneOnOne"})


def _error(status: int, code: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": "stand-in"}}, status=status, headers=headers
    )


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


async def running_graph() -> AsyncIterator[GraphStandIn]:
    graph = GraphStandIn()
    await graph.start()
    try:
        yield graph
    finally:
        await graph.close()
