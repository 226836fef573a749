"""The composition root: what the server, the CLI, the benchmarks and the tests are built from.

Each part is made in one place here (`wire`), so that a test or a CLI command runs the very
wiring the server runs and replaces only what it must: the clock, the throttle, a port.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from botbuilder.core import ConversationState
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.adapter import ReplyingAdapter, build_adapter
from bot.dialog_state import SqlStorage, TurnStates
from bot.download import DownloadEndpoint, SignedLinks
from bot.files import HttpFiles
from bot.graph import GraphClient, GraphTokens
from bot.housekeeping import purge_claims
from bot.kitos import KitosReader
from bot.mail import SmtpMailer
from bot.outbox import OutboxMessenger, OutboxWorker, utc_now
from bot.proactive import ProactiveSender
from bot.reach import TeamsReach
from bot.reminders import REMINDER_KINDS, ReminderRunner
from bot.roster import TeamsRoster
from bot.settings import Settings
from bot.signing import download_signing_key
from bot.teams_bot import KortlaegningBot
from bot.throttle import RetryPolicy, Sleep, Throttle
from dialogs.coordinator import KoordinatorConfig
from dialogs.delivery import Delivery, DeliveryConfig
from dialogs.forslag import ForslagSources
from dialogs.ports import DownloadLinks, Files, Mailer, Messenger, Reacher, Roster
from dialogs.router import Router
from storage.archive import ArchiveRepository
from storage.claims import ActivityClaims
from storage.conversations import ConversationRepository
from storage.coordination import CoordinationRepository
from storage.db import create_engine_for, make_sessionmaker
from storage.migrate import upgrade_head
from storage.outbox import OutboxRepository
from storage.reminders import ReminderRepository
from storage.rosters import RosterRepository
from storage.state_store import StateStore
from storage.suggestions.rounds import RoundsRepository
from storage.suggestions.store import ForslagRepository
from storage.survey import SurveyRepository
from storage.unit_of_work import UnitOfWork

OUTBOX_TASK, CLAIMS_TASK, REMINDERS_TASK = "outbox", "claims", "reminders"
BACKGROUND_TASKS = (OUTBOX_TASK, CLAIMS_TASK, REMINDERS_TASK)
"""What the names of the tasks beside the turns begin with (`Wiring.start`; the outbox's
"sent" writer is an outbox task too): the benchmarks and tests that count a turn's
transactions leave theirs out."""


@dataclass(frozen=True, slots=True)
class Storage:
    """The database and every repository over it; each repository opens its own sessions."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    units: Callable[[], UnitOfWork]
    """A new unit of work: one turn's transaction (storage.unit_of_work)."""
    states: StateStore
    claims: ActivityClaims
    conversations: ConversationRepository
    coordination: CoordinationRepository
    survey: SurveyRepository
    archive: ArchiveRepository
    outbox: OutboxRepository
    reminders: ReminderRepository
    forslag: ForslagRepository
    """Suggested answers, additions and owners from last round and KITOS."""
    rounds: RoundsRepository
    rosters: RosterRepository

    @classmethod
    def over(cls, engine: AsyncEngine) -> Storage:
        sessions = make_sessionmaker(engine)
        return cls(
            engine=engine,
            sessions=sessions,
            units=functools.partial(UnitOfWork, sessions),
            states=StateStore(sessions),
            claims=ActivityClaims(sessions),
            conversations=ConversationRepository(sessions),
            coordination=CoordinationRepository(sessions),
            survey=SurveyRepository(sessions),
            archive=ArchiveRepository(sessions),
            outbox=OutboxRepository(sessions),
            reminders=ReminderRepository(sessions),
            forslag=ForslagRepository(sessions),
            rounds=RoundsRepository(sessions),
            rosters=RosterRepository(sessions),
        )


@contextlib.asynccontextmanager
async def open_storage(database_url: str, *, migrate: bool = True) -> AsyncIterator[Storage]:
    """The database at the URL, migrated to the newest schema unless told not to, and its
    repositories; the engine is disposed of on leaving."""
    engine = create_engine_for(database_url)
    try:
        if migrate:
            await upgrade_head(engine)
        yield Storage.over(engine)
    finally:
        await engine.dispose()


@dataclass(frozen=True, slots=True)
class Clock:
    """Time as the bot reads and spends it; tests pass a clock they move by hand."""

    now: Callable[[], datetime] = utc_now
    """Wall time: what is stored, leases, reminders, deadlines (today is its date in the zone)."""
    monotonic: Callable[[], float] = time.monotonic
    """The throttle's time."""
    sleep: Sleep = asyncio.sleep
    """How the throttle, the reply retries and the outbox worker wait."""


@dataclass(frozen=True, slots=True)
class Ports:
    """Replacements for the dialogs' ports; None builds the real one from the settings."""

    messenger: Messenger | None = None
    """The dialogs' messenger; the outbox still carries replies handed over by the adapter."""
    roster: Roster | None = None
    reacher: Reacher | None = None
    files: Files | None = None
    mailer: Mailer | None = None
    links: DownloadLinks | None = None


@dataclass
class Wiring:
    """The bot as built from the settings: the parts the server, the CLI and tests use."""

    settings: Settings
    storage: Storage
    conversation_state: ConversationState
    adapter: ReplyingAdapter
    bot: KortlaegningBot
    router: Router
    messenger: OutboxMessenger
    """The outbox's messenger (the dialogs get `Ports.messenger` instead, when given)."""
    sender: ProactiveSender
    worker: OutboxWorker
    runner: ReminderRunner
    download_key: str
    downloads: DownloadEndpoint
    graph: GraphClient | None
    kitos: KitosReader | None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False, repr=False)

    def start(self) -> None:
        """Start the background work: the outbox lanes, the claim purge, the reminders."""
        self._tasks += [
            asyncio.create_task(self.worker.run(), name=f"{OUTBOX_TASK}-{lane}")
            for lane in range(self.worker.lanes)
        ]
        self._tasks.append(asyncio.create_task(purge_claims(self.storage.claims), name=CLAIMS_TASK))
        if self.settings.reminders_enabled:
            self._tasks.append(asyncio.create_task(self.runner.run(), name=REMINDERS_TASK))

    async def close(self) -> None:
        """Stop the background work and close the HTTP clients (not the database)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.sender.close()
        if self.graph is not None:
            await self.graph.close()
        if self.kitos is not None:
            await self.kitos.close()
        await self.adapter.close()


def wire(
    settings: Settings,
    storage: Storage,
    *,
    clock: Clock = Clock(),
    ports: Ports = Ports(),
    throttle: Throttle | None = None,
    rng: random.Random | None = None,
    owner: str | None = None,
) -> Wiring:
    """Build the bot over the storage. Nothing runs until `Wiring.start`.

    throttle replaces the one built on the clock (a test whose connector judges the limits
    in real time); rng makes backoff jitter repeatable; owner names the outbox worker.
    """
    # One throttle and one retry policy for every request to the Bot Connector, in-turn
    # replies and the outbox alike: Teams counts them all against the same limits.
    throttle = throttle or Throttle(
        settings.conversation_send_limits,
        settings.tenant_requests_per_second,
        clock=clock.monotonic,
        sleep=clock.sleep,
    )
    retry = RetryPolicy(give_up_after=timedelta(seconds=settings.delivery_give_up_seconds))
    sql_storage = SqlStorage(storage.states)
    conversation_state = ConversationState(sql_storage)
    adapter = build_adapter(
        settings, conversation_state, throttle, retry, sleep=clock.sleep, rng=rng
    )
    sender = ProactiveSender(
        adapter.bot_framework_authentication,
        storage.conversations,
        throttle,
        app_id=settings.app_id,
        http=adapter.connector_http,
    )
    worker = OutboxWorker(
        storage.outbox,
        sender,
        retry=retry,
        now=clock.now,
        sleep=clock.sleep,
        rng=rng,
        owner=owner,
    )
    outbox_messenger = OutboxMessenger(
        storage.outbox, worker, storage.coordination, settings.koordinatorer, now=clock.now
    )
    worker.report_failures_to(outbox_messenger.tell_coordinators_of_failure)
    adapter.hand_replies_over_to(outbox_messenger.hand_over_reply)
    messenger = ports.messenger or outbox_messenger
    files = ports.files or HttpFiles(public_only=settings.auth_enabled)
    download_key = download_signing_key(settings.signing_key)

    def today() -> date:
        return clock.now().astimezone(settings.zone).date()

    config = KoordinatorConfig(
        koordinatorer=settings.koordinatorer,
        auth_enabled=settings.auth_enabled,
        max_upload_bytes=settings.max_upload_bytes,
        zone=settings.zone,
        today=today,
    )
    delivery = Delivery(
        storage.archive,
        storage.coordination,
        messenger,
        files,
        ports.mailer or SmtpMailer(settings),
        ports.links
        or SignedLinks(
            settings.public_url, download_key, ttl=timedelta(hours=settings.download_link_hours)
        ),
        DeliveryConfig(
            kombit_email=settings.kombit_email, zone=settings.zone, today=today, now=clock.now
        ),
    )
    graph = (
        GraphClient(settings.graph_url, GraphTokens(settings.app_id, settings.app_password))
        if settings.graph_enabled
        else None
    )
    kitos = (
        KitosReader(settings.kitos_url, settings.kitos_token) if settings.kitos_enabled else None
    )
    teams_roster = TeamsRoster(storage.rosters, directory=graph)
    roster = ports.roster or teams_roster
    reacher = ports.reacher or TeamsReach(
        teams_roster,
        storage.conversations,
        storage.outbox,
        graph=graph,
        catalog_app_id=settings.teams_catalog_app_id,
    )
    router = Router(
        conversation_state,
        storage.survey,
        storage.coordination,
        messenger,
        roster,
        files,
        config,
        delivery,
        storage.units,
        reacher=reacher,
        forslag=ForslagSources(storage.forslag, storage.rounds, kitos),
    )
    bot = KortlaegningBot(
        TurnStates(sql_storage, conversation_state),
        storage.claims,
        storage.units,
        storage.conversations,
        storage.coordination,
        router,
        roster,
        storage.rosters,
    )
    runner = ReminderRunner(
        storage.reminders, storage.outbox, settings, on_enqueued=worker.wake, now=clock.now
    )
    # Also with the runner off: reminders another process planned are built when sent.
    worker.render_when_sent(REMINDER_KINDS, runner.render_when_sent)
    return Wiring(
        settings=settings,
        storage=storage,
        conversation_state=conversation_state,
        adapter=adapter,
        bot=bot,
        router=router,
        messenger=outbox_messenger,
        sender=sender,
        worker=worker,
        runner=runner,
        download_key=download_key,
        downloads=DownloadEndpoint(storage.archive, download_key),
        graph=graph,
        kitos=kitos,
    )
