"""The delivery stack as the app builds it, with a fake clock and the local connector."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import OutboxMessenger, OutboxWorker
from bot.proactive import ProactiveSender
from bot.settings import Settings
from bot.throttle import RetryPolicy, Throttle
from storage.conversations import ConversationRepository
from storage.coordination import CoordinationRepository
from storage.outbox import OutboxRepository
from tests.support.clock import FakeClock


@dataclass
class Delivery:
    outbox: OutboxRepository
    sender: ProactiveSender
    worker: OutboxWorker
    messenger: OutboxMessenger


def build_delivery(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    *,
    settings: Settings | None = None,
    give_up_after: timedelta = timedelta(minutes=10),
    owner: str | None = None,
    real_time_throttle: bool = False,
) -> Delivery:
    """Build it; the throttle runs on the fake clock unless the connector's limits judge."""
    settings = settings or Settings()
    outbox = OutboxRepository(sessions)
    throttle = (
        Throttle(settings.conversation_send_limits, settings.tenant_requests_per_second)
        if real_time_throttle
        else Throttle(
            settings.conversation_send_limits,
            settings.tenant_requests_per_second,
            clock=clock.monotonic,
            sleep=clock.sleep,
        )
    )
    sender = ProactiveSender(
        ConfigurationBotFrameworkAuthentication(settings.bot_auth()),
        ConversationRepository(sessions),
        throttle,
        app_id=settings.app_id,
    )
    worker = OutboxWorker(
        outbox,
        sender,
        retry=RetryPolicy(give_up_after=give_up_after),
        now=clock.now,
        sleep=clock.sleep,
        rng=random.Random(7),
        owner=owner,
    )
    return Delivery(
        outbox,
        sender,
        worker,
        OutboxMessenger(outbox, worker, CoordinationRepository(sessions), now=clock.now),
    )
