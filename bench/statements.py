"""SQL statements and transactions per kind of turn, for the load benchmark's script.

`python -m bench.statements [--users 2] [--systems 30] [--database-url URL]` seeds a fresh
database as bench/load.py does, runs the bot in this process (no load, one turn at a time) and
drives each person's turns from `bench.load.plan_for`, counting what the bot sends to the
database per turn: statements (SELECT/INSERT/UPDATE/DELETE, BEGIN/COMMIT not counted) and
committed transactions. The second person's turns are the steady state that the load measures
(the first warms the bot's per-process caches). Use it beside bench/load.py: statements are
exact and cheap to measure, throughput is not.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.connector import Arrival, LeanConnector
from bench.load import Plan, User, activity, plan_for, seed
from bot.app import create_app
from bot.bootstrap import BACKGROUND_TASKS
from bot.settings import Settings


def _in_background() -> bool:
    """Whether the bot's background work runs this statement: no turn's work."""
    task = asyncio.current_task()
    return task is not None and task.get_name().startswith(BACKGROUND_TASKS)


class Counter:
    """Statements and commits of the turns; the background tasks' own are left out."""

    def __init__(self) -> None:
        self.statements = 0
        self.commits = 0
        self.log: list[str] = []

    def install(self) -> None:
        event.listen(Engine, "before_cursor_execute", self._statement)
        event.listen(Engine, "commit", self._commit)

    def remove(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._statement)
        event.remove(Engine, "commit", self._commit)

    def _statement(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if _in_background():
            return
        if not statement.lstrip().upper().startswith(("PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE")):
            self.statements += 1
            self.log.append(" ".join(statement.split())[:150])

    def _commit(self, _conn: object) -> None:
        if _in_background():
            return
        self.commits += 1
        self.log.append("COMMIT")


async def count(
    database_url: str, users: Sequence[User], plans: Sequence[Plan], show: str | None = None
) -> list[dict[str, list[tuple[int, int]]]]:
    connector = LeanConnector(
        {
            u.teams_id: {"id": u.teams_id, "name": u.navn, "email": f"{u.aad_object_id}@x.dk"}
            for u in users
        }
    )
    await connector.start()
    settings = Settings(database_url=database_url, reminders_enabled=False)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    counter = Counter()
    counter.install()
    per_user: list[dict[str, list[tuple[int, int]]]] = []
    try:
        for user, plan in zip(users, plans, strict=True):
            seen: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
            last_card: Arrival | None = None
            arrivals = connector.arrivals[user.conversation]
            for n, turn in enumerate(plan.turns):
                body = activity(
                    user.teams_id,
                    user.navn,
                    user.aad_object_id,
                    user.conversation,
                    connector.url,
                    f"count-{user.index}-{n}",
                    turn,
                    last_card if turn.reply_to_card else None,
                )
                mark, logged = len(arrivals), len(counter.log)
                before = (counter.statements, counter.commits)
                response = await client.post("/api/messages", json=body)
                await response.read()
                assert response.status < 300, response.status
                seen[turn.label].append(
                    (counter.statements - before[0], counter.commits - before[1])
                )
                if show == turn.label and user is users[-1] and len(seen[show]) == 1:
                    print(f"--- statements of the first {show!r} turn:")
                    print("\n".join(counter.log[logged:]))
                cards = [a for a in arrivals[mark:] if a.method == "POST" and a.has_card]
                if cards:
                    last_card = cards[-1]
            per_user.append(dict(seen))
    finally:
        counter.remove()
        await client.close()
        await connector.close()
    return per_user


async def main_async(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="kb-statements-"))
    url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    try:
        users = await seed(url, args.users, args.systems)
        plans = [plan_for(u) for u in users]
        per_user = await count(url, users, plans, args.show)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    steady = per_user[-1]
    print(f"{'turn':<10}{'n':>4}{'statements':>12}{'commits':>9}   (last person's turns)")
    total_s = total_c = turns = 0
    for label, counts in steady.items():
        s, c = sum(x for x, _ in counts), sum(y for _, y in counts)
        total_s, total_c, turns = total_s + s, total_c + c, turns + len(counts)
        print(f"{label:<10}{len(counts):>4}{s / len(counts):>12.1f}{c / len(counts):>9.1f}")
    print(f"{'all':<10}{turns:>4}{total_s / turns:>12.1f}{total_c / turns:>9.1f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.statements", description=__doc__)
    parser.add_argument("--users", type=int, default=2)
    parser.add_argument("--systems", type=int, default=30)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--show", help="print the statements of one turn with this label")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
