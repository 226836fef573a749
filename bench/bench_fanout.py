"""Benchmark (not a test): one reminder fanned out to 10,000 systemejere through the outbox.

The local connector enforces Teams' limits and answers 429 when they are broken; it runs in
its own process, as the real one is remote, so it does not take the bot's CPU. Both sides
read the same limits, scaled by --scale so the run takes well under a minute; the figure that
matters is the delivery rate as a share of the allowed per-tenant rate, plus 429s,
duplicates and losses (both must be zero).

    .venv/bin/python -m bench.bench_fanout [--people 10000] [--scale 10] [--database-url URL]
                                           [--mark-each]

--mark-each records each accepted message in its own transaction instead of SentLog's group
commit, to show what the group commit is worth.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import socket
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from sqlalchemy import insert

from bot.outbox import OutboxWorker, encode_payload
from bot.proactive import ProactiveSender
from bot.settings import Settings
from bot.throttle import RetryPolicy, Throttle
from dialogs.ports import OutgoingMessage
from storage.conversations import ConversationRepository
from storage.db import create_engine_for, make_sessionmaker
from storage.migrate import upgrade_head
from storage.models import ConversationReferenceRow, OutboxMessageRow, PersonRow
from storage.outbox import OutboxRepository, OutboxStatus, Sent
from tests.support.connector import BotConnector, Limits

TENANT = "tenant-bench"


async def main(
    people: int, scale: int, database_url: str | None, retry_after: str | None, mark_each: bool
) -> None:
    base = Settings()
    settings = Settings(
        conversation_send_limits=tuple(
            (count * scale, seconds) for count, seconds in base.conversation_send_limits
        ),
        tenant_requests_per_second=base.tenant_requests_per_second * scale,
    )
    limits = Limits(
        per_conversation=settings.conversation_send_limits,
        per_tenant=((settings.tenant_requests_per_second, 1.0),),
        retry_after=retry_after,
    )
    port = _free_port()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve_connector, args=(port, limits), daemon=True
    )
    process.start()
    connector_url = f"http://127.0.0.1:{port}"
    await _wait_until_up(connector_url)
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        engine = create_engine_for(url)
        await upgrade_head(engine)
        sessions = make_sessionmaker(engine)
        await _seed(sessions, people, connector_url)

        outbox = OutboxRepository(sessions)
        sender = ProactiveSender(
            ConfigurationBotFrameworkAuthentication(settings.bot_auth()),
            ConversationRepository(sessions),
            Throttle(settings.conversation_send_limits, settings.tenant_requests_per_second),
        )
        worker = OutboxWorker(
            outbox,
            sender,
            retry=RetryPolicy(base_delay=0.2, give_up_after=timedelta(minutes=10)),
            batch_size=200,
        )
        if mark_each:
            worker._sent = _MarkEach(outbox, worker.owner)  # type: ignore[assignment]
        started = time.monotonic()
        await worker.drain()
        elapsed = time.monotonic() - started
        await sender.close()
        counts = await outbox.count_by_status()
        await engine.dispose()
    async with aiohttp.ClientSession() as client, client.get(f"{connector_url}/stats") as response:
        stats = await response.json()
    process.terminate()

    received: dict[str, int] = stats["sends_per_conversation"]
    expected = {f"a:personal-29:bench-{n}" for n in range(people)}
    window = stats["last_accept"] - stats["first_accept"]
    rate = (stats["accepted"] - 1) / window if window > 0 else 0.0
    allowed = settings.tenant_requests_per_second
    print(f"database            {engine.dialect.name}")
    print(f"messages            {people} (limits x{scale}: {allowed} requests/s per tenant)")
    print(f"mark sent           {'one transaction each' if mark_each else 'group commit'}")
    print(f"wall time           {elapsed:.1f} s (claim to last mark-sent)")
    print(f"delivery rate       {rate:.1f} messages/s = {rate / allowed:.1%} of the allowed rate")
    print(f"429 answers         {stats['throttled']}")
    print(f"duplicates          {sum(c - 1 for c in received.values() if c > 1)}")
    print(f"losses              {len(expected - set(received))}")
    print(
        "outbox              "
        + ", ".join(f"{status.value}={counts[status]}" for status in OutboxStatus)
    )


class _MarkEach:
    """The plain alternative to SentLog: one UPDATE and commit per accepted message."""

    def __init__(self, outbox: OutboxRepository, owner: str) -> None:
        self._outbox, self._owner = outbox, owner

    async def mark(self, sent: Sent) -> bool:
        return await self._outbox.mark_sent(
            sent.message_id,
            self._owner,
            conversation_id=sent.conversation_id,
            activity_id=sent.activity_id,
            now=datetime.now(UTC),
        )


def _serve_connector(port: int, limits: Limits) -> None:
    """The connector process: the test stub with limits on, plus a /stats page."""
    connector = BotConnector(limits)
    app = connector.app()

    async def stats(_request: web.Request) -> web.Response:
        accepted = [call.at for call in connector.calls if call.path.endswith("/activities")]
        return web.json_response(
            {
                "accepted": len(accepted),
                "first_accept": min(accepted, default=0.0),
                "last_accept": max(accepted, default=0.0),
                "throttled": connector.throttled,
                "sends_per_conversation": dict(connector.sends_per_conversation()),
            }
        )

    app.router.add_get("/stats", stats)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _wait_until_up(url: str) -> None:
    async with aiohttp.ClientSession() as client:
        for _ in range(100):
            try:
                async with client.get(f"{url}/stats"):
                    return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the connector process did not start")


async def _seed(sessions, people: int, service_url: str) -> None:  # type: ignore[no-untyped-def]
    """People with a stored 1:1 chat, and one pending reminder each (bulk, not measured)."""
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        await session.execute(
            insert(PersonRow),
            [
                {
                    "id": n + 1,
                    "tenant_id": TENANT,
                    "aad_object_id": f"bench-{n}",
                    "teams_user_id": f"29:bench-{n}",
                    "navn": f"Systemejer {n}",
                    "is_koordinator": False,
                    "created_at": now,
                }
                for n in range(people)
            ],
        )
        await session.execute(
            insert(ConversationReferenceRow),
            [
                {
                    "tenant_id": TENANT,
                    "user_key": f"bench-{n}",
                    "conversation_id": f"a:personal-29:bench-{n}",
                    "conversation_type": "personal",
                    "service_url": service_url,
                    "reference": json.dumps(
                        {
                            "channelId": "msteams",
                            "serviceUrl": service_url,
                            "bot": {"id": "28:bench-bot"},
                            "user": {"id": f"29:bench-{n}", "aadObjectId": f"bench-{n}"},
                            "conversation": {
                                "id": f"a:personal-29:bench-{n}",
                                "conversationType": "personal",
                                "tenantId": TENANT,
                            },
                        }
                    ),
                    "updated_at": now,
                }
                for n in range(people)
            ],
        )
        payload = encode_payload(OutgoingMessage(text="Husk at svare inden slutdatoen."))
        await session.execute(
            insert(OutboxMessageRow),
            [
                {
                    "tenant_id": TENANT,
                    "person_id": n + 1,
                    "kind": "reminder.systemejer",
                    "dedupe_key": f"bench:{n}",
                    "payload": payload,
                    "status": OutboxStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for n in range(people)
            ],
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--retry-after", help="Retry-After the connector's 429s carry")
    parser.add_argument("--mark-each", action="store_true", help="no group commit of mark-sent")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main(args.people, args.scale, args.database_url, args.retry_after, args.mark_each))
