"""A local Bot Connector: the REST API the bot calls to reply, create chats and read rosters.

It answers like the real service (ids for sent activities, paged members, 404 for unknown
members) and can be told to fail the next calls with a status, so retry logic meets real
HTTP answers. Optionally it enforces Teams' rate limits like the real service: a request
that breaks a window is answered 429 and not recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.support.adaptive_cards import activity_card_problems

PERSONAL_PREFIX = "a:personal-"
"""How this stub names a 1:1 chat: the prefix, then the person's Teams or AAD id."""


@dataclass
class Call:
    method: str
    path: str
    body: Any
    # The bot's own bearer token when authentication is on; the stub accepts any.
    authorization: str | None = None
    at: float = field(default_factory=time.monotonic)
    """When the call was accepted, on the monotonic clock."""


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    code: str = "Failure"


@dataclass(frozen=True)
class Limits:
    """Teams' published limits: per conversation (several windows) and per tenant per second."""

    per_conversation: tuple[tuple[int, float], ...] = (
        (7, 1.0),
        (8, 2.0),
        (60, 30.0),
        (1800, 3600.0),
    )
    per_tenant: tuple[tuple[int, float], ...] = ((30, 1.0),)
    retry_after: str | None = None
    """The Retry-After the 429 carries; None sends none (Teams does not always)."""

    def scaled(self, factor: int) -> Limits:
        return Limits(
            tuple((count * factor, seconds) for count, seconds in self.per_conversation),
            tuple((count * factor, seconds) for count, seconds in self.per_tenant),
            self.retry_after,
        )


class _Windows:
    """An independent sliding-log check of the limits, as the service would apply them."""

    def __init__(self, windows: tuple[tuple[int, float], ...]) -> None:
        self._windows = windows
        self._log: dict[str, deque[float]] = {}

    def admit(self, key: str, now: float) -> bool:
        log = self._log.setdefault(key, deque())
        horizon = max(seconds for _, seconds in self._windows)
        while log and log[0] <= now - horizon:
            log.popleft()
        for count, seconds in self._windows:
            if sum(1 for at in log if at > now - seconds) >= count:
                return False
        log.append(now)
        return True


class BotConnector:
    def __init__(self, limits: Limits | None = None) -> None:
        self.calls: list[Call] = []
        self.invalid_cards: list[str] = []
        """What in the Adaptive Cards sent or updated breaks the schema Teams renders."""
        self.limits = limits
        self.throttled = 0
        """How many requests broke a limit and were answered 429 (only with limits)."""
        self._conversation_windows = _Windows(limits.per_conversation) if limits else None
        self._tenant_windows = _Windows(limits.per_tenant) if limits else None
        self._targeted: dict[str, deque[Failure]] = {}
        self.members: dict[str, list[dict[str, Any]]] = {}
        self.created_conversations: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.upload_headers: dict[str, dict[str, str]] = {}
        """Headers of each PUT to /upload/{name}, as OneDrive's upload session received them."""
        self._failures: dict[str, deque[Failure]] = {}
        self._slow: dict[str, deque[float]] = {}
        self.held: list[str] = []
        """Conversations of sends held back by slow_next, as they arrive (before recording)."""
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._server: TestServer | None = None

    # --- scripting -------------------------------------------------------------
    def fail_next(self, kind: str, *failures: Failure, target: str | None = None) -> None:
        """Answer the next calls of a kind ('send', 'create', 'members') with these failures.

        With a target only calls for it fail: a send to that conversation id, or a create
        for that member id, so concurrent deliveries fail deterministically.
        """
        if target is not None:
            self._targeted.setdefault(f"{kind}:{target}", deque()).extend(failures)
            return
        self._failures.setdefault(kind, deque()).extend(failures)

    def slow_next(self, conversation_id: str, seconds: float) -> None:
        """Take this long over the next send into the conversation before recording it, as a
        busy service does; a send that overtakes it is recorded first."""
        self._slow.setdefault(conversation_id, deque()).append(seconds)

    def add_member(self, roster_id: str, member: dict[str, Any]) -> None:
        """Put a person in a team's or group chat's roster, or give them a 1:1 chat (then
        roster_id is their personal conversation, whose roster is them alone)."""
        self.members.setdefault(roster_id, []).append(member)

    # --- inspection ------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    def sent(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        """Activities the bot posted (sends and replies), optionally in one conversation."""
        return [
            call.body
            for call in self.calls
            if call.method == "POST"
            and "/activities" in call.path
            and (conversation_id is None or f"/conversations/{conversation_id}/" in call.path)
        ]

    def texts(self, conversation_id: str | None = None) -> list[str]:
        """The text of every message with text (cards without text are left out)."""
        return [
            a["text"]
            for a in self.sent(conversation_id)
            if a.get("type") == "message" and a.get("text")
        ]

    def sends_per_conversation(self) -> Counter[str]:
        """How many activities each conversation received: duplicates show up as counts > 1."""
        return Counter(
            call.path.split("/")[3] for call in self.calls if call.path.endswith("/activities")
        )

    def updates(self) -> list[dict[str, Any]]:
        return [
            call.body
            for call in self.calls
            if call.method == "PUT" and call.path.startswith("/v3/")
        ]

    def chat(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation as the person sees it now: each activity the bot posted, with
        its latest update (PUT /activities/{id}) applied, deleted ones left out."""
        latest = {
            call.path.rsplit("/", 1)[1]: call.body
            for call in self.calls
            if call.method == "PUT" and f"/conversations/{conversation_id}/activities/" in call.path
        }
        gone = set(self.deleted())
        return [
            {**activity, **latest.get(activity["id"], {}), "id": activity["id"]}
            for activity in self.sent(conversation_id)
            if activity.get("id") not in gone
        ]

    def deleted(self) -> list[str]:
        """Ids of the activities the bot deleted."""
        return [call.path.rsplit("/", 1)[1] for call in self.calls if call.method == "DELETE"]

    async def wait_for_sent(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until at least `count` activities arrived (for proactive, background sends)."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.sent()) >= count), timeout
            )
        return self.sent()

    # --- the server --------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_delete("/v3/conversations/{cid}/activities/{aid}", self._delete)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_get("/v3/conversations/{cid}/members", self._members)
        app.router.add_get("/v3/conversations/{cid}/pagedmembers", self._paged_members)
        app.router.add_get("/files/{name}", self._download)
        app.router.add_put("/upload/{name}", self._upload)
        return app

    async def start(self) -> None:
        self._server = TestServer(self.app(), host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    async def _record(self, request: web.Request, body: Any = None) -> Any:
        if body is None and request.can_read_body:
            body = await request.json()
        if isinstance(body, dict):
            self.invalid_cards += activity_card_problems(body)
        async with self._changed:
            self.calls.append(
                Call(request.method, request.path, body, request.headers.get("Authorization"))
            )
            self._changed.notify_all()
        return body

    def _scripted(self, kind: str, target: str | None = None) -> web.Response | None:
        queue = self._targeted.get(f"{kind}:{target}") if target else None
        if not queue:
            queue = self._failures.get(kind)
        if not queue:
            return None
        failure = queue.popleft()
        return web.json_response(
            {"error": {"code": failure.code, "message": "scripted failure"}},
            status=failure.status,
            headers=failure.headers,
        )

    def _over_limit(self, tenant: str, conversation_id: str | None) -> web.Response | None:
        if self.limits is None or self._tenant_windows is None:
            return None
        assert self._conversation_windows is not None
        now = time.monotonic()
        admitted = self._tenant_windows.admit(tenant, now) and (
            conversation_id is None or self._conversation_windows.admit(conversation_id, now)
        )
        if admitted:
            return None
        self.throttled += 1
        headers = {"Retry-After": self.limits.retry_after} if self.limits.retry_after else {}
        return web.json_response(
            {"error": {"code": "TooManyRequests", "message": "rate limit exceeded"}},
            status=429,
            headers=headers,
        )

    async def _send(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        failure = self._scripted("send", cid)
        if failure is not None:
            return failure
        body = await request.json()
        if self._slow.get(cid):
            self.held.append(cid)
            await asyncio.sleep(self._slow[cid].popleft())
        tenant = (body.get("conversation") or {}).get("tenantId") or "-"
        throttled = self._over_limit(tenant, cid)
        if throttled is not None:
            return throttled
        await self._record(request, body)
        new_id = f"activity-{next(self._ids)}"
        body["id"] = new_id  # the recorded copy shows the id the service assigned
        return web.json_response({"id": new_id})

    async def _update(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.json_response({"id": request.match_info["aid"]})

    async def _delete(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(status=200)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        member = (body.get("members") or [{}])[0].get("id", "unknown")
        failure = self._scripted("create", member)
        if failure is not None:
            return failure
        tenant = ((body.get("channelData") or {}).get("tenant") or {}).get("id") or "-"
        throttled = self._over_limit(tenant, None)
        if throttled is not None:
            return throttled
        await self._record(request, body)
        self.created_conversations.append(body)
        return web.json_response({"id": f"a:personal-{member}", "serviceUrl": self.url}, status=201)

    def _roster(self, cid: str) -> list[dict[str, Any]]:
        """Scoped as Teams scopes it: a 1:1 chat's roster is its one person, a team's (asked
        for by the team's or a channel's id) or a group chat's is everyone in it."""
        if cid.startswith(PERSONAL_PREFIX):
            person = cid.removeprefix(PERSONAL_PREFIX)
            for roster in self.members.values():
                for member in roster:
                    if person in (member.get("id"), member.get("aadObjectId")):
                        return [member]
            return []
        return self.members.get(cid, self.members.get(cid.split(";")[0], []))

    async def _member(self, request: web.Request) -> web.Response:
        # Teams takes the member's Teams id, AAD object id or user principal name.
        mid = request.match_info["mid"].lower()
        for member in self._roster(request.match_info["cid"]):
            keys = (member.get("id"), member.get("aadObjectId"), member.get("userPrincipalName"))
            if mid in {str(key).lower() for key in keys if key}:
                return web.json_response(member)
        return web.json_response(
            {"error": {"code": "MemberNotFoundInConversation", "message": "not found"}},
            status=404,
        )

    async def _members(self, request: web.Request) -> web.Response:
        return web.json_response(self._roster(request.match_info["cid"]))

    async def _paged_members(self, request: web.Request) -> web.Response:
        failure = self._scripted("members")
        if failure is not None:
            return failure
        roster = self._roster(request.match_info["cid"])
        size = int(request.query.get("pageSize", "2") or 2)
        start = int(request.query.get("continuationToken", "0") or 0)
        page = roster[start : start + size]
        token = str(start + size) if start + size < len(roster) else None
        body: dict[str, Any] = {"members": page}
        if token:
            body["continuationToken"] = token
        return web.json_response(body)

    async def _download(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name])

    async def _upload(self, request: web.Request) -> web.Response:
        # Like a OneDrive upload session: the whole file in one PUT with Content-Range.
        name = request.match_info["name"]
        self.files[name] = await request.read()
        self.upload_headers[name] = dict(request.headers)
        self.calls.append(Call("PUT", request.path, None))
        return web.json_response({"id": name, "name": name}, status=201)


async def running_connector(limits: Limits | None = None) -> AsyncIterator[BotConnector]:
    connector = BotConnector(limits)
    await connector.start()
    try:
        yield connector
    finally:
        await connector.close()


def _serve_for_humans(port: int) -> None:
    """`python -m tests.support.connector`: a connector that prints what the bot says."""
    import json as _json

    connector = BotConnector()
    app = connector.app()

    async def show(request: web.Request, handler: Any) -> web.StreamResponse:
        response = await handler(request)
        if (
            connector.calls
            and connector.calls[-1].path == request.path
            and request.method == "POST"
        ):
            body = connector.calls[-1].body or {}
            print(body.get("text") or _json.dumps(body, ensure_ascii=False, indent=2), flush=True)
        return response

    app.middlewares.append(web.middleware(show))
    web.run_app(app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    import sys

    _serve_for_humans(int(sys.argv[1]) if len(sys.argv) > 1 else 9000)
