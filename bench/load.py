"""Load benchmark: N systemejere answer their fagområde at once, against the bot and an echo bot.

`python -m bench.load [--users 200] [--systems 30] [--database-url URL] [--think-time S]
[--instances N]` seeds a fresh database through the project's repositories, starts the bot
(`python -m bot serve`, N processes on the one database) and the echo bot (bench/echo_bot.py)
as separate processes, and drives both through the real HTTP protocol with the same script
per person: at once, each sending the next activity when the previous one is answered, after
S seconds on average. It prints throughput, latency percentiles, memory
and the ratios bot/echo, then checks in the database that every answer arrived exactly once.
Not a test: at 200 people it takes about five minutes, and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.connector import Arrival, LeanConnector
from dialogs import texts
from dialogs.cards import FORM_PAGE_SIZE
from storage.bilag1.layout import Bilag1
from storage.bilag1.reader import read_bilag1
from storage.coordination import CoordinationRepository
from storage.db import create_engine_for, make_sessionmaker
from storage.domain.model import Anvendelse, CatalogueFagomraade, CatalogueSystem
from storage.migrate import upgrade_head
from storage.models import AnswerRow, AuditRow, FagomraadeRow, TilfoejetSystemRow
from storage.survey import SurveyRepository

REPO = Path(__file__).resolve().parent.parent
TENANT = "tenant-bench"
BOT_ID = "28:kortlaegningsbot"
KOORDINATOR_AAD = "aad-bench-koordinator"
KOORDINATOR_EMAIL = "koordinator@bench.kommune.dk"
ROSTER_MISS_EVERY = 10
"""Every tenth systemejer is unknown to the Teams roster (a guest, say): look-ups fail."""
SLOW_TURN_S = 2.0
TARGETS = {"p50": 1.5, "p99": 2.0, "throughput": 0.6}

_ANSWER_CYCLE = (Anvendelse.ANVENDER, Anvendelse.ANVENDER_IKKE, Anvendelse.SEKUNDAER)
_TYPED = {
    Anvendelse.ANVENDER: "ja",
    Anvendelse.ANVENDER_IKKE: "nej",
    Anvendelse.SEKUNDAER: "sekundær",
}
_BUTTON_REMARK = "bruges kun i borgerservice"
_TYPED_REMARK = "udfases i 2027"
# Replies that mean a turn was not understood or failed: none may appear in a clean run.
_FAILURE_TEXTS = frozenset(
    {texts.UNEXPECTED_ERROR, texts.NOT_UNDERSTOOD, texts.ANVENDELSE_HELP, texts.not_assigned()}
)


# --- who answers what ---------------------------------------------------------------------
@dataclass(frozen=True)
class User:
    index: int
    navn: str
    aad_object_id: str
    person_id: int
    fagomraade_id: int
    fagomraade: str
    systems: tuple[tuple[int, str], ...]  # (id, navn) in workbook order

    @property
    def teams_id(self) -> str:
        return f"29:{self.aad_object_id}"

    @property
    def conversation(self) -> str:
        return f"a:personal-{self.aad_object_id}"

    @property
    def in_roster(self) -> bool:
        return self.index % ROSTER_MISS_EVERY != ROSTER_MISS_EVERY - 1


@dataclass(frozen=True)
class Turn:
    label: str
    text: str | None = None
    value: dict[str, Any] | None = None
    reply_to_card: bool = False
    redeliver: bool = False


@dataclass
class Plan:
    turns: list[Turn]
    answers: dict[int, tuple[Anvendelse, str | None]]
    tilfoejet: str


def plan_for(user: User) -> Plan:
    """The person's turns: the first form page, then buttons, then typed answers; add; submit.

    The form comes first because saving a form page records its choices without remarks, so
    a page re-saved after a remark was given by button would replace that remark.
    """
    area = user.fagomraade_id
    systems = user.systems
    answers = {
        sid: (_ANSWER_CYCLE[(user.index + k) % 3], None) for k, (sid, _n) in enumerate(systems)
    }
    form_part = systems[:FORM_PAGE_SIZE]
    rest = systems[len(form_part) :]
    buttons, typed = rest[: len(rest) // 2], rest[len(rest) // 2 :]
    turns = [Turn("form", value={"action": "form", "fagomraade_id": area})]
    turns.append(
        Turn(
            "form_gem",
            value={
                "action": "form_gem",
                "fagomraade_id": area,
                "page": 0,
                **{f"s_{sid}": answers[sid][0].value for sid, _n in form_part},
            },
            reply_to_card=True,
        )
    )
    if rest:
        # Start on the invitation card: the survey goes on at the first unanswered system.
        turns.append(Turn("start", value={"action": "start", "fagomraade_id": area}))
    for k, (sid, _navn) in enumerate(buttons):
        remark = _BUTTON_REMARK if k == 1 else None
        answers[sid] = (answers[sid][0], remark)
        turns.append(
            Turn(
                "button",
                value={
                    "action": "answer",
                    "fagomraade_id": area,
                    "system_id": sid,
                    "anvendelse": answers[sid][0].value,
                    "bemaerkning": remark or "",
                },
                reply_to_card=True,
                # Teams redelivers a turn it thinks went unanswered, even while it is running.
                redeliver=k == 2,
            )
        )
    for k, (sid, _navn) in enumerate(typed):
        word = _TYPED[answers[sid][0]]
        if k == 0:
            answers[sid] = (answers[sid][0], _TYPED_REMARK)
            word = f"{word}: {_TYPED_REMARK}"
        turns.append(Turn("typed", text=word))
    tilfoejet = f"Lokalt system {user.index:04d}"
    turns += [
        Turn(
            "tilfoej",
            value={
                "action": "tilfoej",
                "fagomraade_id": area,
                "navn": tilfoejet,
                "leverandoer": "Egen udvikling",
                "svarer_til": systems[0][1],
                "anvendelse": Anvendelse.ANVENDER.value,
                "bemaerkning": "",
            },
            reply_to_card=True,
        ),
        Turn("indsend", value={"action": "indsend", "fagomraade_id": area}, reply_to_card=True),
    ]
    return Plan(turns, answers, tilfoejet)


def activity(
    user_id: str,
    user_name: str,
    aad: str,
    conversation: str,
    service_url: str,
    activity_id: str,
    turn: Turn,
    reply_to: Arrival | None,
) -> dict[str, Any]:
    """A Teams message or card submit, as Teams POSTs it to /api/messages; a press on the
    card `reply_to` sends its token back with the data, as Teams does."""
    body: dict[str, Any] = {
        "type": "message",
        "id": activity_id,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": datetime.now(UTC).isoformat(),
        "from": {"id": user_id, "name": user_name, "aadObjectId": aad},
        "recipient": {"id": BOT_ID, "name": "Kortlaegningsbot"},
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "da-DK",
    }
    if turn.text is not None:
        body["text"], body["textFormat"] = turn.text, "plain"
    if turn.value is not None:
        body["value"] = turn.value
    if reply_to is not None:
        body["replyToId"] = reply_to.activity_id
        if turn.value is not None and reply_to.card_token is not None:
            body["value"] = {**turn.value, "kort": reply_to.card_token}
    return body


# --- seeding and checking the database ----------------------------------------------------
TEMPLATE_FILENAME = "bilag1-bench.xlsx"


def template_for(users: int, systems: int) -> bytes:
    """A Bilag 1 in the one-sheet layout with one fagområde per person, so the last *indsend*
    writes the final workbook as it does for a municipality (the reference one is too small)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Systemer"
    sheet.append(["Fagområde", "It-system", "Leverandør", "Beskrivelse", "Svar", "Bemærkning"])
    for i in range(users):
        for j in range(systems):
            sheet.append(
                [f"Fagområde {i + 1:03d}", f"System {i + 1:03d}-{j + 1:02d}", f"Leverandør {j % 7}"]
            )
    added = workbook.create_sheet("Tilføjede")
    added.append(["Fagområde", "System", "Leverandør", "Svarer til", "Svar", "Bemærkning"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def catalogue_of(bilag1: Bilag1) -> list[CatalogueFagomraade]:
    return [
        CatalogueFagomraade(
            area.navn,
            tuple(CatalogueSystem(s.navn, s.leverandoer, s.beskrivelse) for s in area.systemer),
        )
        for area in bilag1.fagomraader
    ]


async def seed(database_url: str, users: int, systems: int) -> list[User]:
    """One kortlægning, one fagområde of `systems` systems per person, each assigned."""
    engine = create_engine_for(database_url)
    try:
        await upgrade_head(engine)
        sessions = make_sessionmaker(engine)
        coordination = CoordinationRepository(sessions)
        survey = SurveyRepository(sessions)
        koordinator = await coordination.ensure_person(
            TENANT, KOORDINATOR_AAD, navn="Kim Koordinator", email=KOORDINATOR_EMAIL
        )
        template = template_for(users, systems)
        catalogue = catalogue_of(read_bilag1(template, filename=TEMPLATE_FILENAME))
        await coordination.set_up(
            TENANT,
            kommunekode="751",
            slutdato=date.today() + timedelta(days=60),
            catalogue=catalogue,
            template=template,
            template_filename=TEMPLATE_FILENAME,
            template_is_reference=False,
            by_person_id=koordinator.id,
        )
        seeded: list[User] = []
        for i, area in enumerate(await coordination.fagomraader(TENANT)):
            navn, aad = f"Systemejer {i:04d}", f"aad-bench-{i:04d}"
            # No e-mail yet, as after an assignment by name: the bot asks the roster.
            person = await coordination.ensure_person(TENANT, aad, navn=navn)
            await coordination.assign(area.id, person.id, by_person_id=koordinator.id)
            overview = await survey.overview(area.id, person.id)
            seeded.append(
                User(
                    index=i,
                    navn=navn,
                    aad_object_id=aad,
                    person_id=person.id,
                    fagomraade_id=area.id,
                    fagomraade=area.navn,
                    systems=tuple((line.system.id, line.system.navn) for line in overview.systemer),
                )
            )
        return seeded
    finally:
        await engine.dispose()


@dataclass
class Stored:
    answers_sent: int = 0
    answers_stored: int = 0
    answers_lost: int = 0
    answers_wrong: int = 0
    audit_answers: int = 0
    audit_missing: int = 0
    audit_duplicated: int = 0
    additions: int = 0
    submitted: int = 0

    @property
    def clean(self) -> bool:
        wrong = self.answers_lost + self.answers_wrong + self.audit_missing
        return wrong + self.audit_duplicated == 0


async def check_stored(database_url: str, users: Sequence[User], plans: Sequence[Plan]) -> Stored:
    """Compare what is in the database with what the load sent."""
    engine = create_engine_for(database_url)
    try:
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            answers = {
                sid: (anvendelse, bemaerkning, by)
                for sid, anvendelse, bemaerkning, by in await session.execute(
                    select(
                        AnswerRow.it_system_id,
                        AnswerRow.anvendelse,
                        AnswerRow.bemaerkning,
                        AnswerRow.answered_by,
                    )
                )
            }
            audit = Counter(
                (person, sid)
                for person, sid in await session.execute(
                    select(AuditRow.person_id, AuditRow.it_system_id).where(
                        AuditRow.action == "answer"
                    )
                )
            )
            per_action = select(AuditRow.action, func.count()).group_by(AuditRow.action)
            actions: Counter[str] = Counter(dict((await session.execute(per_action)).all()))
            added = Counter(
                (area, navn)
                for area, navn in await session.execute(
                    select(TilfoejetSystemRow.fagomraade_id, TilfoejetSystemRow.navn).where(
                        TilfoejetSystemRow.removed_at.is_(None)
                    )
                )
            )
            submitted = await session.scalar(
                select(func.count())
                .select_from(FagomraadeRow)
                .where(FagomraadeRow.indsendt_at.is_not(None))
            )
    finally:
        await engine.dispose()
    stored = Stored(audit_answers=actions["answer"], submitted=int(submitted or 0))
    for user, plan in zip(users, plans, strict=True):
        for sid, (anvendelse, bemaerkning) in plan.answers.items():
            stored.answers_sent += 1
            row = answers.get(sid)
            if row is None:
                stored.answers_lost += 1
            elif row != (anvendelse, bemaerkning, user.person_id):
                stored.answers_wrong += 1
            else:
                stored.answers_stored += 1
            seen = audit.get((user.person_id, sid), 0)
            stored.audit_missing += seen == 0
            stored.audit_duplicated += max(0, seen - 1)
        stored.additions += added.get((user.fagomraade_id, plan.tilfoejet), 0)
    return stored


# --- the processes under load ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def proc_memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) from /proc, in KiB; psutil is not a dependency."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(rest.split()[0])
    return found


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """A bot in its own process, so its RSS is its own and it has its own event loop."""

    def __init__(self, name: str, module: str, env: dict[str, str], log_path: Path) -> None:
        self.name, self.module, self.env, self.log_path = name, module, env, log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, http: aiohttp.ClientSession) -> None:
        env = {**self.env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", *self.module.split()),
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            try:
                async with http.get(f"{self.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become healthy:\n{self.log_tail()}")

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)  # aiohttp's run_app shuts down cleanly
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def logged_errors(self) -> int:
        return sum(
            " ERROR " in line or "Traceback" in line
            for line in self.log_path.read_text(errors="replace").splitlines()
        )


# --- driving the load -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TurnResult:
    label: str
    http_s: float
    reply_s: float | None
    status: int
    replies: tuple[Arrival, ...]


@dataclass
class Run:
    name: str
    results: list[TurnResult] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    load_cpu_s: float = 0.0
    rss_before_kib: int = 0
    peak_rss_kib: int = 0
    roster_lookups: int = 0
    logged_errors: int = 0
    problems: list[str] = field(default_factory=list)


async def post(http: aiohttp.ClientSession, url: str, body: bytes) -> tuple[int, float]:
    async with http.post(url, data=body, headers={"Content-Type": "application/json"}) as response:
        await response.read()
        return response.status, time.perf_counter()


async def drive(
    http: aiohttp.ClientSession,
    server: Server,
    connector: LeanConnector,
    user: User,
    plan: Plan,
    run: Run,
    tag: str,
    think_s: float = 0.0,
) -> None:
    """One systemejer: each turn waits for the previous answer, as a person at a card does,
    and then for think_s on average (uniform from half to one and a half times it)."""
    url = f"{server.url}/api/messages"
    arrivals = connector.arrivals[user.conversation]
    last_card: Arrival | None = None
    pauses = random.Random(user.index)  # the same pauses for the bot and the echo bot
    for n, turn in enumerate(plan.turns):
        if think_s and n:
            await asyncio.sleep(think_s * pauses.uniform(0.5, 1.5))
        body = activity(
            user.teams_id,
            user.navn,
            user.aad_object_id,
            user.conversation,
            connector.url,
            f"{tag}-{user.index}-{n}",
            turn,
            last_card if turn.reply_to_card else None,
        )
        raw = json.dumps(body).encode()
        mark = len(arrivals)
        started = time.perf_counter()
        if turn.redeliver:
            answered = await asyncio.gather(post(http, url, raw), post(http, url, raw))
        else:
            answered = [await post(http, url, raw)]
        status = max(s for s, _t in answered)
        done = max(t for _s, t in answered)
        replies = tuple(arrivals[mark:])
        if replies:
            last_card = next(
                (a for a in reversed(replies) if a.method == "POST" and a.has_card),
                last_card,
            )
        reply_s = max(a.at for a in replies) - started if replies else None
        run.results.append(TurnResult(turn.label, done - started, reply_s, status, replies))


async def run_load(
    http: aiohttp.ClientSession,
    servers: Sequence[Server],
    connector: LeanConnector,
    users: Sequence[User],
    plans: Sequence[Plan],
    think_s: float,
) -> Run:
    """Drive everyone at once; with several instances each person sticks to one of them."""
    run = Run(servers[0].name)
    connector.reset()
    # Warm-up, and the coordinator's 1:1 chat, where the bot reports each submitted area.
    koordinator = User(-1, "Kim Koordinator", KOORDINATOR_AAD, 0, 0, "", ())
    warm_up = Run("warm-up")
    hjaelp = Plan([Turn("hjaelp", "hjælp")], {}, "")
    for server in servers:
        await drive(http, server, connector, koordinator, hjaelp, warm_up, f"{server.name}-warm")
    connector.reset()
    pids = [server.pid for server in servers]
    run.rss_before_kib = sum(proc_memory_kib(pid)["VmRSS"] for pid in pids)
    cpu_before, load_cpu_before = sum(map(proc_cpu_seconds, pids)), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(
        *(
            drive(http, servers[u.index % len(servers)], connector, u, p, run, run.name, think_s)
            for u, p in zip(users, plans, strict=True)
        )
    )
    run.wall_s = time.perf_counter() - started
    run.cpu_s = sum(map(proc_cpu_seconds, pids)) - cpu_before
    run.load_cpu_s = time.process_time() - load_cpu_before
    run.peak_rss_kib = sum(proc_memory_kib(pid)["VmHWM"] for pid in pids)
    run.roster_lookups = connector.roster_lookups
    return run


def check_replies(run: Run, users: Sequence[User], *, survey: bool) -> None:
    """Every turn answered 2xx with a reply; for the bot, no failure text and a submission."""
    bad_status = sum(r.status >= 300 for r in run.results)
    silent = sum(not r.replies for r in run.results)
    if bad_status:
        run.problems.append(f"{bad_status} turns answered with an HTTP error")
    if silent:
        run.problems.append(f"{silent} turns got no reply")
    if not survey:
        return
    failures = Counter(a.text for r in run.results for a in r.replies if a.text in _FAILURE_TEXTS)
    for text, count in failures.items():
        run.problems.append(f"{count} replies were {text[:50]!r}…")
    wanted = {
        texts.submitted(fagomraade=u.fagomraade, besvaret=len(u.systems), antal=len(u.systems))
        for u in users
    }
    confirmed = sum(
        1 for r in run.results if r.label == "indsend" and any(a.text in wanted for a in r.replies)
    )
    if confirmed != len(users):
        run.problems.append(f"{len(users) - confirmed} submissions not confirmed")


# --- figures --------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; `values` need not be sorted."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def figures(run: Run, users: int) -> dict[str, float]:
    http = [r.http_s * 1000 for r in run.results]
    reply = [r.reply_s * 1000 for r in run.results if r.reply_s is not None]
    turns = len(run.results)
    return {
        "turns": turns,
        "turns_per_s": turns / run.wall_s,
        "http_p50_ms": percentile(http, 50),
        "http_p95_ms": percentile(http, 95),
        "http_p99_ms": percentile(http, 99),
        "http_max_ms": max(http),
        "reply_p50_ms": percentile(reply, 50),
        "reply_p95_ms": percentile(reply, 95),
        "reply_p99_ms": percentile(reply, 99),
        "turns_over_2s": sum(r.http_s > SLOW_TURN_S for r in run.results),
        "cpu_ms_per_turn": run.cpu_s * 1000 / turns,
        "peak_rss_mib": run.peak_rss_kib / 1024,
        "rss_per_conversation_kib": (run.peak_rss_kib - run.rss_before_kib) / users,
        "load_generator_cpu": run.load_cpu_s / run.wall_s,
        "roster_lookups": run.roster_lookups,
        "wall_s": run.wall_s,
    }


_ROWS = (
    ("turns", "turns", "{:.0f}"),
    ("turns/s", "turns_per_s", "{:.1f}"),
    ("HTTP answer p50 (ms)", "http_p50_ms", "{:.0f}"),
    ("HTTP answer p95 (ms)", "http_p95_ms", "{:.0f}"),
    ("HTTP answer p99 (ms)", "http_p99_ms", "{:.0f}"),
    ("HTTP answer max (ms)", "http_max_ms", "{:.0f}"),
    ("reply arrival p50 (ms)", "reply_p50_ms", "{:.0f}"),
    ("reply arrival p95 (ms)", "reply_p95_ms", "{:.0f}"),
    ("reply arrival p99 (ms)", "reply_p99_ms", "{:.0f}"),
    (f"turns over {SLOW_TURN_S:.0f} s", "turns_over_2s", "{:.0f}"),
    ("server CPU per turn (ms)", "cpu_ms_per_turn", "{:.2f}"),
    ("peak RSS (MiB)", "peak_rss_mib", "{:.1f}"),
    ("RSS per conversation (KiB)", "rss_per_conversation_kib", "{:.1f}"),
    ("roster look-ups", "roster_lookups", "{:.0f}"),
    ("load generator CPU (cores)", "load_generator_cpu", "{:.2f}"),
)


def by_kind(run: Run) -> dict[str, dict[str, float]]:
    """HTTP answer p50/p99 and how many turns took over 2 s, per kind of turn."""
    kinds: dict[str, list[float]] = {}
    for result in run.results:
        kinds.setdefault(result.label, []).append(result.http_s * 1000)
    return {
        label: {
            "turns": len(times),
            "http_p50_ms": percentile(times, 50),
            "http_p99_ms": percentile(times, 99),
            "turns_over_2s": sum(t > SLOW_TURN_S * 1000 for t in times),
        }
        for label, times in kinds.items()
    }


def report_kinds(bot: dict[str, dict[str, float]], echo: dict[str, dict[str, float]]) -> None:
    print(
        f"\n{'HTTP answer by kind of turn':28} {'turns':>6} {'bot p50/p99 (ms)':>18} "
        f"{'echo p50/p99 (ms)':>18} {'bot over 2 s':>12}"
    )
    for label, figures_ in bot.items():
        other = echo.get(label, {})
        print(
            f"{label:28} {figures_['turns']:>6.0f} "
            f"{figures_['http_p50_ms']:>8.0f} / {figures_['http_p99_ms']:<7.0f} "
            f"{other.get('http_p50_ms', float('nan')):>8.0f} / "
            f"{other.get('http_p99_ms', float('nan')):<7.0f} {figures_['turns_over_2s']:>12.0f}"
        )


def report(
    bot: dict[str, float], echo: dict[str, float], stored: Stored, problems: list[str]
) -> bool:
    print(f"\n{'':28} {'bot':>10} {'echo':>10} {'bot/echo':>9}")
    for title, key, fmt in _ROWS:
        ratio = bot[key] / echo[key] if echo[key] else float("nan")
        print(f"{title:28} {fmt.format(bot[key]):>10} {fmt.format(echo[key]):>10} {ratio:>9.2f}")
    print(
        f"\nanswers: {stored.answers_stored} of {stored.answers_sent} stored as sent, "
        f"{stored.answers_lost} lost, {stored.answers_wrong} wrong; audit: "
        f"{stored.audit_answers} answer rows, {stored.audit_missing} missing, "
        f"{stored.audit_duplicated} duplicated; {stored.additions} systems added, "
        f"{stored.submitted} fagområder submitted"
    )
    verdicts = [
        ("p50 HTTP answer", bot["http_p50_ms"] / echo["http_p50_ms"], TARGETS["p50"], "≤"),
        ("p99 HTTP answer", bot["http_p99_ms"] / echo["http_p99_ms"], TARGETS["p99"], "≤"),
        ("throughput", bot["turns_per_s"] / echo["turns_per_s"], TARGETS["throughput"], "≥"),
    ]
    ok = True
    print("\ntargets:")
    for title, ratio, limit, sign in verdicts:
        met = ratio <= limit if sign == "≤" else ratio >= limit
        ok &= met
        print(f"  {title:18} bot/echo {ratio:5.2f} {sign} {limit:<4} {'met' if met else 'MISSED'}")
    slow = int(bot["turns_over_2s"])
    verdict = "met" if not slow else "MISSED"
    print(f"  {'no turn over 2 s':18} {slow} over, max {bot['http_max_ms']:.0f} ms {verdict}")
    print(f"  {'nothing lost/dup.':18} {'met' if stored.clean else 'MISSED'}")
    ok &= not slow and stored.clean
    for problem in problems:
        print(f"  problem: {problem}")
    if bot["load_generator_cpu"] > 0.8 or echo["load_generator_cpu"] > 0.8:
        print("  note: the load generator used most of a core; latencies include its queueing")
    return ok and not problems


# --- databases ---------------------------------------------------------------------------------
class Database:
    """The benchmark's own database: a temporary SQLite file, or a PostgreSQL database that
    this run creates and drops (it refuses one that already exists)."""

    def __init__(self, url: str | None, workdir: Path) -> None:
        self.url = url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        self.parsed = make_url(self.url)
        self.is_postgres = self.parsed.get_backend_name() == "postgresql"

    def _admin_dsn(self) -> str:
        admin = self.parsed.set(drivername="postgresql", database="postgres")
        return admin.render_as_string(hide_password=False)

    async def create(self) -> None:
        if not self.is_postgres:
            path = Path(self.parsed.database or "")
            if path.exists():
                raise SystemExit(f"{path} exists; the benchmark needs a fresh database")
            return
        admin = await asyncpg.connect(self._admin_dsn())
        try:
            name = self.parsed.database
            if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                raise SystemExit(f"database {name!r} exists; name one this run may create and drop")
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()

    async def drop(self) -> None:
        if not self.is_postgres:
            return
        admin = await asyncpg.connect(self._admin_dsn())
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.parsed.database}" WITH (FORCE)')
        finally:
            await admin.close()


# --- main --------------------------------------------------------------------------------------
async def main_async(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="kortlaegning-bench-"))
    database = Database(args.database_url, workdir)
    await database.create()
    servers: list[Server] = []
    connector: LeanConnector | None = None
    try:
        print(
            f"seeding {database.parsed.get_backend_name()}: {args.users} systemejere × "
            f"{args.systems} systems …",
            flush=True,
        )
        users = await seed(database.url, args.users, args.systems)
        plans = [plan_for(u) for u in users]
        roster = {
            u.teams_id: {
                "id": u.teams_id,
                "name": u.navn,
                "aadObjectId": u.aad_object_id,
                "email": f"{u.aad_object_id}@bench.kommune.dk",
                "userPrincipalName": f"{u.aad_object_id}@bench.kommune.dk",
            }
            for u in users
            if u.in_roster
        }
        roster[f"29:{KOORDINATOR_AAD}"] = {
            "id": f"29:{KOORDINATOR_AAD}",
            "email": KOORDINATOR_EMAIL,
        }
        connector = LeanConnector(roster)
        await connector.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MicrosoftApp")}
        env.update(
            DATABASE_URL=database.url,
            REMINDERS_ENABLED="false",
            LOG_LEVEL="WARNING",
            # Replies count against Teams' per-tenant limit like every send; the bench measures
            # the bot's own cost, so the limit (one tenant, hundreds of people) is lifted.
            TENANT_REQUESTS_PER_SECOND="10000",
            KOORDINATORER=KOORDINATOR_EMAIL,
            PYTHONUNBUFFERED="1",
            ECHO_AS_SHIPPED="1" if args.echo_as_shipped else "0",
        )
        turns = sum(len(p.turns) for p in plans)
        print(f"{turns} turns ({turns // len(plans)} per person) against each bot", flush=True)
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=timeout
        ) as http:
            runs: dict[str, Run] = {}
            for name, module, count in (
                ("echo", "bench.echo_bot", 1),
                ("bot", "bot serve", args.instances),
            ):
                group = [
                    Server(name, module, env, workdir / f"{name}-{n}.log") for n in range(count)
                ]
                servers.extend(group)
                for server in group:
                    await server.start(http)
                    print(f"{name}: pid {server.pid} on {server.url}", flush=True)
                runs[name] = await run_load(http, group, connector, users, plans, args.think_time)
                for server in group:
                    await server.stop()
                runs[name].logged_errors = sum(server.logged_errors() for server in group)
                print(f"{name}: {runs[name].wall_s:.1f} s", flush=True)
        check_replies(runs["echo"], users, survey=False)
        check_replies(runs["bot"], users, survey=True)
        stored = await check_stored(database.url, users, plans)
        problems = [f"echo: {p}" for p in runs["echo"].problems]
        problems += [f"bot: {p}" for p in runs["bot"].problems]
        if runs["bot"].logged_errors:
            problems.append(f"bot: {runs['bot'].logged_errors} error lines in its log")
            print(servers[-1].log_tail(), file=sys.stderr)
        bot, echo = figures(runs["bot"], args.users), figures(runs["echo"], args.users)
        kinds = {name: by_kind(run) for name, run in runs.items()}
        report_kinds(kinds["bot"], kinds["echo"])
        ok = report(bot, echo, stored, problems)
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "database": database.parsed.get_backend_name(),
                        "users": args.users,
                        "systems": args.systems,
                        "think_time_s": args.think_time,
                        "instances": args.instances,
                        "cpus": os.cpu_count(),
                        "by_kind": kinds,
                        "bot": bot,
                        "echo": echo,
                        "stored": stored.__dict__,
                        "problems": problems,
                    },
                    indent=2,
                )
            )
        return 0 if ok else 1
    finally:
        for server in servers:
            await server.stop()
        if connector is not None:
            await connector.close()
        await database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--users", type=int, default=200, help="systemejere at once (200)")
    parser.add_argument("--systems", type=int, default=30, help="systems per fagområde (30)")
    parser.add_argument(
        "--database-url",
        help="default: a temporary SQLite file; a postgresql+asyncpg:// URL names a database "
        "that must not exist: the run creates and drops it",
    )
    parser.add_argument(
        "--echo-as-shipped",
        action="store_true",
        help="run the echo bot without the bot's msrest fix (botbuilder as shipped)",
    )
    parser.add_argument(
        "--think-time",
        type=float,
        default=0.0,
        help="seconds a person takes between turns, on average (0: none, the bots saturate)",
    )
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="bot processes on the one database, each person sticking to one (1); the echo "
        "bot always runs as one",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.users < 1 or args.systems < 1:
        parser.error("--users and --systems must be at least 1")
    if args.instances < 1:
        parser.error("--instances must be at least 1")
    if args.think_time < 0:
        parser.error("--think-time must not be negative")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
