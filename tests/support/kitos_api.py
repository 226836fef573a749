"""A local KITOS API v2: organisations, it-system-usages and users, paged like the real one.

It checks the bearer token (401 otherwise), refuses pageSize above 250 as KITOS' validation does
(400), answers collections as plain JSON arrays in camelCase, and can be told to fail the next
calls with a status and headers (429 with Retry-After, 503), so the client meets real HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

TOKEN = "kitos-test-token"
ORGANISATION = {"uuid": "b971f663-2c0e-44d2-9da2-fbf9cdd8df85", "name": "Aarhus Kommune"}
MAX_PAGE_SIZE = 250


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    path: str
    query: dict[str, str]


def usage(
    navn: str,
    livscyklus: str | None = "Operational",
    *,
    number: int = 0,
    lokalt_navn: str | None = None,
    enhed: str | None = None,
    roles: tuple[tuple[str, str, str], ...] = (),
) -> dict[str, Any]:
    """An ItSystemUsageResponseDTO as KITOS serialises it; roles are (role, user uuid, name)."""
    return {
        "uuid": f"00000000-0000-4000-8000-{number:012d}",
        "systemContext": {"uuid": f"10000000-0000-4000-8000-{number:012d}", "name": navn},
        "organizationContext": {**ORGANISATION, "cvr": "55133018"},
        "general": {
            "localSystemId": None,
            "localCallName": lokalt_navn,
            "validity": {"valid": True, "lifeCycleStatus": livscyklus},
        },
        "roles": [
            {
                "user": {"uuid": user_uuid, "name": name},
                "role": {"uuid": f"20000000-0000-4000-8000-{len(role):012d}", "name": role},
            }
            for role, user_uuid, name in roles
        ],
        "organizationUsage": {
            "usingOrganizationUnits": [],
            "responsibleOrganizationUnit": {"uuid": ORGANISATION["uuid"], "name": enhed}
            if enhed
            else None,
        },
    }


class KitosStandIn:
    def __init__(self) -> None:
        self.organisations: list[dict[str, Any]] = [{**ORGANISATION, "cvr": "55133018"}]
        self.usages: dict[str, list[dict[str, Any]]] = {ORGANISATION["uuid"]: []}
        self.users: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self._failures: list[Failure] = []
        self._server: TestServer | None = None

    def fail_next(self, *failures: Failure) -> None:
        self._failures.extend(failures)

    def add_user(self, uuid: str, name: str, email: str) -> None:
        self.users[uuid] = {"uuid": uuid, "name": name, "email": email, "firstName": name}

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    async def start(self) -> None:
        app = web.Application(middlewares=[self._gate])
        app.router.add_get("/api/v2/organizations", self._organisations)
        app.router.add_get("/api/v2/it-system-usages", self._usages)
        app.router.add_get("/api/v2/organizations/{org}/users/{user}", self._user)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.calls.append(Call(request.path, dict(request.query)))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"message": "Authorization has been denied."}, status=401)
        if self._failures:
            failure = self._failures.pop(0)
            return web.json_response({}, status=failure.status, headers=failure.headers)
        response: web.StreamResponse = await handler(request)
        return response

    async def _organisations(self, request: web.Request) -> web.Response:
        return self._page(request, self.organisations)

    async def _usages(self, request: web.Request) -> web.Response:
        org = request.query.get("organizationUuid", "")
        return self._page(request, self.usages.get(org, []))

    async def _user(self, request: web.Request) -> web.Response:
        user = self.users.get(request.match_info["user"])
        if user is None:
            return web.json_response({}, status=404)
        return web.json_response(user)

    def _page(self, request: web.Request, rows: list[dict[str, Any]]) -> web.Response:
        page = int(request.query.get("page", "0"))
        size = int(request.query.get("pageSize", str(MAX_PAGE_SIZE)))
        if not 1 <= size <= MAX_PAGE_SIZE:
            return web.json_response({"pageSize": ["out of range"]}, status=400)
        return web.json_response(rows[page * size : (page + 1) * size])
