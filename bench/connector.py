"""A lean local Bot Connector for load runs: records when each reply arrives, nothing more.

tests/support/connector.py is the full stub (scripted failures, paged rosters, uploads);
this one keeps only what a turn of the survey touches, with a lock-free record per
conversation, so the load generator's own loop stays cheap beside 200 users.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True, slots=True)
class Arrival:
    """One call the bot made into a conversation: a new activity (POST) or an update (PUT)."""

    at: float
    method: str
    activity_id: str
    text: str | None
    has_card: bool
    card_token: str | None = None
    """The token in the card's buttons, which Teams sends back with a press."""


_CARD_TOKEN = re.compile(r'"kort":\s*"([^"]+)"')


class LeanConnector:
    def __init__(self, roster: dict[str, dict[str, Any]] | None = None) -> None:
        self.arrivals: defaultdict[str, list[Arrival]] = defaultdict(list)
        self.roster = roster or {}
        self.roster_lookups = 0
        self.roster_misses = 0
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def reset(self) -> None:
        self.arrivals.clear()
        self.roster_lookups = self.roster_misses = 0

    async def _send(self, request: web.Request) -> web.Response:
        at = time.perf_counter()
        raw = await request.text()
        body = json.loads(raw)
        new_id = f"activity-{next(self._ids)}"
        has_card = bool(body.get("attachments"))
        token = _CARD_TOKEN.search(raw) if has_card else None
        self.arrivals[request.match_info["cid"]].append(
            Arrival(at, "POST", new_id, body.get("text"), has_card, token[1] if token else None)
        )
        return web.json_response({"id": new_id})

    async def _update(self, request: web.Request) -> web.Response:
        at = time.perf_counter()
        body = json.loads(await request.read())
        aid = request.match_info["aid"]
        self.arrivals[request.match_info["cid"]].append(
            Arrival(at, "PUT", aid, body.get("text"), bool(body.get("attachments")))
        )
        return web.json_response({"id": aid})

    async def _member(self, request: web.Request) -> web.Response:
        self.roster_lookups += 1
        member = self.roster.get(request.match_info["mid"])
        if member is None:
            # What Teams answers for a guest or someone it will not describe to the bot.
            self.roster_misses += 1
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "not found"}},
                status=404,
            )
        return web.json_response(member)
