"""The delivery stack as the app builds it (bot.bootstrap), on a fake clock."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import timedelta

from bot.bootstrap import Clock, Storage, wire
from bot.outbox import OutboxMessenger, OutboxWorker
from bot.proactive import ProactiveSender
from bot.settings import Settings
from bot.throttle import Throttle
from storage.outbox import OutboxRepository
from tests.support.clock import FakeClock


@dataclass
class Delivery:
    outbox: OutboxRepository
    sender: ProactiveSender
    worker: OutboxWorker
    messenger: OutboxMessenger


def build_delivery(
    storage: Storage,
    clock: FakeClock,
    *,
    settings: Settings | None = None,
    give_up_after: timedelta = timedelta(minutes=10),
    owner: str | None = None,
    real_time_throttle: bool = False,
) -> Delivery:
    """Build it; the throttle runs on the fake clock unless the connector's limits judge."""
    settings = dataclasses.replace(
        settings or Settings(), delivery_give_up_seconds=int(give_up_after.total_seconds())
    )
    wiring = wire(
        settings,
        storage,
        clock=Clock(now=clock.now, monotonic=clock.monotonic, sleep=clock.sleep),
        throttle=(
            Throttle(settings.conversation_send_limits, settings.tenant_requests_per_second)
            if real_time_throttle
            else None
        ),
        rng=random.Random(7),
        owner=owner,
    )
    return Delivery(storage.outbox, wiring.sender, wiring.worker, wiring.messenger)
