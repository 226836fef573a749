"""Proactive delivery through the outbox against the local Bot Connector, on both databases.

Teams' answers are scripted per conversation (429 with and without Retry-After, 500, 403,
404), the clock is fake so backoffs cost no time, and every assertion is about what a
person received or what the coordinator is shown.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bootstrap import Storage
from bot.settings import Settings
from dialogs import texts
from dialogs.ports import QUEUED, OutgoingMessage
from storage.domain.delivery import FailureReason
from storage.models import ConversationReferenceRow, OutboxMessageRow, PersonRow
from storage.outbox import OutboxStatus
from tests.protocol.conftest import OUTGOING_TOKEN
from tests.support.activities import TENANT, TeamsUser
from tests.support.channel_tokens import ChannelTokenIssuer
from tests.support.clock import FakeClock
from tests.support.connector import BotConnector, Failure, Limits
from tests.support.outbox_delivery import Delivery, build_delivery
from tests.support.seed import seed_people, seed_personal_chat

ANNE = TeamsUser("Anne Hansen", "aad-anne", "anne@kommune.dk")
BO = TeamsUser("Bo Jensen", "aad-bo", "bo@kommune.dk")
CARL = TeamsUser("Carl Nielsen", "aad-carl", "carl@kommune.dk")
DORTE = TeamsUser("Dorte Madsen", "aad-dorte", "dorte@kommune.dk")
ERIK = TeamsUser("Erik Larsen", "aad-erik", "erik@kommune.dk")
FIE = TeamsUser("Fie Holm", "aad-fie", "fie@kommune.dk")
EVERYONE = [ANNE, BO, CARL, DORTE, ERIK, FIE]

START = datetime(2027, 8, 24, 7, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def delivery(
    sessions: async_sessionmaker[AsyncSession], storage: Storage, clock: FakeClock
) -> AsyncIterator[Delivery]:
    built = build_delivery(storage, clock)
    yield built
    await built.sender.close()


@pytest.fixture
async def people(
    sessions: async_sessionmaker[AsyncSession], connector: BotConnector
) -> dict[str, int]:
    ids = await seed_people(sessions, EVERYONE)
    for user in EVERYONE:
        await seed_personal_chat(sessions, user, connector.url)
    return ids


async def enqueue(delivery: Delivery, clock: FakeClock, person_id: int, text: str) -> int:
    message = await delivery.outbox.enqueue(
        TENANT,
        person_id,
        kind="notice",
        payload=json.dumps({"text": text, "card": None}),
        dedupe_key=f"test:{person_id}:{text}",
        now=clock.now(),
    )
    return message.id


async def test_every_deliverable_message_arrives_once_and_the_rest_are_reported(
    delivery: Delivery,
    people: dict[str, int],
    clock: FakeClock,
    connector: BotConnector,
) -> None:
    connector.fail_next(
        "send",
        Failure(429, {"Retry-After": "7"}),
        Failure(429, {"Retry-After": "7"}),
        target=ANNE.personal_conversation,
    )
    connector.fail_next("send", Failure(429), Failure(502), target=BO.personal_conversation)
    connector.fail_next("send", Failure(500), target=CARL.personal_conversation)
    connector.fail_next(
        "send", Failure(403, code="BotDisabledByAdmin"), target=DORTE.personal_conversation
    )
    connector.fail_next(
        "send", Failure(404, code="ConversationNotFound"), target=ERIK.personal_conversation
    )
    for user in EVERYONE:
        await enqueue(delivery, clock, people[user.aad_object_id], "Husk slutdatoen")

    await delivery.worker.drain()

    assert connector.sends_per_conversation() == {
        ANNE.personal_conversation: 1,
        BO.personal_conversation: 1,
        FIE.personal_conversation: 1,
    }
    assert connector.texts(ANNE.personal_conversation) == ["Husk slutdatoen"]
    assert clock.now() - START >= timedelta(seconds=14), "Retry-After 7 s was honoured twice"
    failures = await delivery.outbox.undelivered(TENANT)
    assert [(f.person.navn, f.reason) for f in failures] == [
        ("Carl Nielsen", FailureReason.REJECTED),
        ("Dorte Madsen", FailureReason.BLOCKED),
        ("Erik Larsen", FailureReason.NOT_FOUND),
    ]
    shown = [texts.unreachable_line(navn=f.person.navn, reason=f.reason) for f in failures[1:]]
    assert shown == [
        "Dorte Madsen kunne ikke nås (har blokeret botten)",
        "Erik Larsen kunne ikke nås (findes ikke længere)",
    ]


async def test_a_blocked_person_is_not_retried(
    delivery: Delivery, people: dict[str, int], clock: FakeClock, connector: BotConnector
) -> None:
    connector.fail_next("send", Failure(403), target=DORTE.personal_conversation)
    message_id = await enqueue(delivery, clock, people[DORTE.aad_object_id], "Hej")

    result = await delivery.worker.drain()
    clock.advance(3600)
    await delivery.worker.drain()

    assert (result.delivered, result.failed, result.retrying) == (0, 1, 0)
    stored = await delivery.outbox.get(message_id)
    assert stored is not None
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, 1)
    assert connector.sent() == []


async def test_throttling_that_never_ends_is_given_up_and_reported(
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    people: dict[str, int],
    clock: FakeClock,
    connector: BotConnector,
) -> None:
    delivery = build_delivery(storage, clock, give_up_after=timedelta(minutes=5))
    connector.fail_next("send", *[Failure(429)] * 50, target=ANNE.personal_conversation)
    await enqueue(delivery, clock, people[ANNE.aad_object_id], "Hej")

    await delivery.worker.drain()
    await delivery.sender.close()

    assert connector.sent() == []
    assert clock.now() - START <= timedelta(minutes=5), "gave up within the bounded time"
    [failure] = await delivery.outbox.undelivered(TENANT)
    assert failure.reason is FailureReason.GAVE_UP


async def test_a_person_without_a_chat_gets_one_opened_once_and_remembered(
    sessions: async_sessionmaker[AsyncSession],
    delivery: Delivery,
    clock: FakeClock,
    connector: BotConnector,
) -> None:
    ids = await seed_people(sessions, [ANNE, BO])
    await seed_personal_chat(sessions, ANNE, connector.url)  # the tenant's service URL
    connector.fail_next("send", Failure(429), target=BO.personal_conversation)

    await enqueue(delivery, clock, ids[BO.aad_object_id], "Første")
    await delivery.worker.drain()
    await enqueue(delivery, clock, ids[BO.aad_object_id], "Anden")
    await delivery.worker.drain()

    [created] = connector.created_conversations
    assert created["members"][0]["id"] == BO.teams_id
    assert created["channelData"] == {"tenant": {"id": TENANT}}
    assert connector.texts(BO.personal_conversation) == ["Første", "Anden"]
    async with sessions() as session:
        stored = await session.scalar(
            select(ConversationReferenceRow).where(
                ConversationReferenceRow.user_key == BO.aad_object_id
            )
        )
    assert stored is not None and stored.conversation_id == BO.personal_conversation


async def test_without_any_known_chat_in_the_tenant_the_message_is_reported(
    sessions: async_sessionmaker[AsyncSession], delivery: Delivery, clock: FakeClock
) -> None:
    ids = await seed_people(sessions, [ANNE])
    await enqueue(delivery, clock, ids[ANNE.aad_object_id], "Hej")

    await delivery.worker.drain()

    [failure] = await delivery.outbox.undelivered(TENANT)
    assert failure.reason is FailureReason.NO_CONVERSATION


async def test_a_crashed_worker_s_message_is_sent_once_after_its_lease_and_a_sent_one_never(
    sessions: async_sessionmaker[AsyncSession],
    delivery: Delivery,
    people: dict[str, int],
    clock: FakeClock,
    connector: BotConnector,
) -> None:
    in_flight = await enqueue(delivery, clock, people[ANNE.aad_object_id], "Var i gang")
    done = await enqueue(delivery, clock, people[BO.aad_object_id], "Allerede sendt")
    # The previous process claimed both, sent Bo's and marked it, then died.
    claimed = await delivery.outbox.claim_due(
        "dead-worker", now=clock.now(), lease=timedelta(minutes=2), limit=10
    )
    assert {m.id for m in claimed} == {in_flight, done}
    await delivery.outbox.mark_sent(
        done, "dead-worker", conversation_id=BO.personal_conversation, activity_id="x", now=START
    )

    assert (await delivery.worker.drain(until_idle=False)).claimed == 0, "lease still held"
    clock.advance(121)
    await delivery.worker.drain()
    clock.advance(3600)
    await delivery.worker.drain()

    assert connector.sends_per_conversation() == {ANNE.personal_conversation: 1}
    async with sessions() as session:
        rows = await session.execute(select(OutboxMessageRow.id, OutboxMessageRow.status))
        statuses = {message_id: status for message_id, status in rows}
    assert statuses == {in_flight: OutboxStatus.SENT, done: OutboxStatus.SENT}


async def test_the_messenger_reports_at_once_and_never_sends_a_dedupe_key_twice(
    delivery: Delivery, people: dict[str, int], clock: FakeClock, connector: BotConnector
) -> None:
    message = OutgoingMessage(text="Du har fået et fagområde", dedupe_key="invite:1")
    anne = people[ANNE.aad_object_id]

    first = await delivery.messenger.send_to_person(TENANT, anne, message)
    again = await delivery.messenger.send_to_person(TENANT, anne, message)

    assert (first.delivered, again.delivered) == (True, True)
    assert connector.texts(ANNE.personal_conversation) == ["Du har fået et fagområde"]


async def test_the_messenger_leaves_a_throttled_message_to_the_worker(
    delivery: Delivery, people: dict[str, int], clock: FakeClock, connector: BotConnector
) -> None:
    connector.fail_next("send", Failure(429, {"Retry-After": "2"}), target=BO.personal_conversation)
    bo = people[BO.aad_object_id]

    report = await delivery.messenger.send_to_person(TENANT, bo, OutgoingMessage(text="Hej"))
    await delivery.worker.drain()

    assert (report.delivered, report.reason) == (False, QUEUED)
    assert connector.texts(BO.personal_conversation) == ["Hej"]


async def test_many_messages_to_one_chat_keep_teams_limits_without_a_single_429(
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    connector_with_limits: BotConnector,
) -> None:
    # Real time, so the connector's own clock judges; windows scaled down to stay fast.
    windows = ((7, 0.1), (8, 0.2), (60, 3.0))
    settings = Settings(conversation_send_limits=windows, tenant_requests_per_second=1000)
    ids = await seed_people(sessions, [ANNE])
    await seed_personal_chat(sessions, ANNE, connector_with_limits.url)
    clock = FakeClock(START)
    delivery = build_delivery(storage, clock, settings=settings, real_time_throttle=True)
    for n in range(20):
        await enqueue(delivery, clock, ids[ANNE.aad_object_id], f"Besked {n}")

    await delivery.worker.drain()
    await delivery.sender.close()

    assert connector_with_limits.throttled == 0
    assert sorted(connector_with_limits.texts()) == sorted(f"Besked {n}" for n in range(20))


@pytest.mark.parametrize("authenticated", [True, False], ids=["app id", "no app id"])
async def test_the_bot_s_token_goes_with_every_connector_call_exactly_when_it_has_an_app_id(
    authenticated: bool,
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    settings: Settings,
    authenticated_settings: Settings,
    token_issuer: ChannelTokenIssuer,
    clock: FakeClock,
    connector: BotConnector,
) -> None:
    chosen = authenticated_settings if authenticated else settings
    delivery = build_delivery(storage, clock, settings=chosen)
    ids = await seed_people(sessions, [ANNE, BO])
    await seed_personal_chat(sessions, ANNE, connector.url)  # Bo's chat must be opened
    for user in (ANNE, BO):
        await enqueue(delivery, clock, ids[user.aad_object_id], "Hej")

    await delivery.worker.drain()
    await delivery.sender.close()

    assert sorted(call.path for call in connector.calls) == [
        "/v3/conversations",
        f"/v3/conversations/{ANNE.personal_conversation}/activities",
        f"/v3/conversations/{BO.personal_conversation}/activities",
    ]
    expected = f"Bearer {OUTGOING_TOKEN}" if authenticated else None
    assert [call.authorization for call in connector.calls] == [expected] * 3


@pytest.fixture
async def connector_with_limits() -> AsyncIterator[BotConnector]:
    stub = BotConnector(
        Limits(per_conversation=((7, 0.1), (8, 0.2), (60, 3.0)), per_tenant=((1000, 1.0),))
    )
    await stub.start()
    yield stub
    await stub.close()


async def test_a_turn_never_waits_long_for_a_busy_chat_the_worker_sends_it_later(
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    clock: FakeClock,
    connector: BotConnector,
    people: dict[str, int],
) -> None:
    # One message per 30 s in a chat: the second notice in a turn would wait 30 s, and Teams
    # redelivers a turn it has not seen answered within 15 s.
    slow = build_delivery(storage, clock, settings=Settings(conversation_send_limits=((1, 30.0),)))
    try:
        first = await slow.messenger.send_to_person(
            TENANT, people[ANNE.aad_object_id], OutgoingMessage(text="første", dedupe_key="t:1")
        )
        second = await slow.messenger.send_to_person(
            TENANT, people[ANNE.aad_object_id], OutgoingMessage(text="anden", dedupe_key="t:2")
        )

        assert (first.delivered, second.delivered, second.reason) == (True, False, QUEUED)
        assert max(clock.slept, default=0.0) <= 2.0
        assert connector.texts(ANNE.personal_conversation) == ["første"]

        clock.advance(31)
        await slow.worker.drain(until_idle=True)
    finally:
        await slow.sender.close()
    assert connector.texts(ANNE.personal_conversation) == ["første", "anden"]


async def make_coordinator(sessions: async_sessionmaker[AsyncSession], person_id: int) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(PersonRow).where(PersonRow.id == person_id).values(is_koordinator=True)
        )


async def test_a_notice_to_the_coordinators_skips_the_one_who_acted(
    sessions: async_sessionmaker[AsyncSession],
    delivery: Delivery,
    connector: BotConnector,
    people: dict[str, int],
) -> None:
    carl, dorte = people[CARL.aad_object_id], people[DORTE.aad_object_id]
    for coordinator in (carl, dorte):
        await make_coordinator(sessions, coordinator)
    notice = OutgoingMessage(text="Carl har indsendt ESDH", dedupe_key="submitted:1")

    await delivery.messenger.send_to_coordinators(TENANT, notice, except_person_id=carl)
    await delivery.worker.drain(until_idle=True)

    assert connector.texts(CARL.personal_conversation) == []
    assert connector.texts(DORTE.personal_conversation) == ["Carl har indsendt ESDH"]


async def test_a_notice_to_a_busy_coordinator_waits_for_nothing_in_the_turn(
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    clock: FakeClock,
    connector: BotConnector,
    people: dict[str, int],
) -> None:
    # The coordinator's chat takes one message per 1.5 s: a message to the person in the turn
    # would wait that long, a notice to a coordinator goes to the worker at once instead.
    await make_coordinator(sessions, people[ANNE.aad_object_id])
    slow = build_delivery(storage, clock, settings=Settings(conversation_send_limits=((1, 1.5),)))
    try:
        for n, text in enumerate(["Bo har indsendt ESDH", "Carl har indsendt Skole"]):
            notice = OutgoingMessage(text=text, kind="submitted", dedupe_key=f"submitted:{n}")
            await slow.messenger.send_to_coordinators(TENANT, notice)

        assert clock.slept == []
        assert connector.texts(ANNE.personal_conversation) == ["Bo har indsendt ESDH"]

        clock.advance(2)
        await slow.worker.drain(until_idle=True)
    finally:
        await slow.sender.close()
    assert connector.texts(ANNE.personal_conversation) == [
        "Bo har indsendt ESDH",
        "Carl har indsendt Skole",
    ]


async def test_the_worker_delivers_one_person_s_messages_in_the_order_they_were_stored(
    delivery: Delivery, people: dict[str, int], clock: FakeClock, connector: BotConnector
) -> None:
    anne, bo = people[ANNE.aad_object_id], people[BO.aad_object_id]
    for text in ("Bo har indsendt ESDH", "Alle fagområder er indsendt"):
        await enqueue(delivery, clock, anne, text)
    await enqueue(delivery, clock, bo, "Hej Bo")
    # The first takes a while to be accepted: the second must not overtake it.
    connector.slow_next(ANNE.personal_conversation, 0.3)

    await delivery.worker.drain()

    assert connector.texts(ANNE.personal_conversation) == [
        "Bo har indsendt ESDH",
        "Alle fagområder er indsendt",
    ]
    assert connector.texts(BO.personal_conversation) == ["Hej Bo"]


async def test_a_retried_message_is_not_overtaken_by_the_next_one_to_the_same_person(
    delivery: Delivery, people: dict[str, int], clock: FakeClock, connector: BotConnector
) -> None:
    anne, bo = people[ANNE.aad_object_id], people[BO.aad_object_id]
    for text in ("Bo har indsendt ESDH", "Bo har indsendt Skole", "Alle fagområder er indsendt"):
        await enqueue(delivery, clock, anne, text)
    await enqueue(delivery, clock, bo, "Hej Bo")
    connector.fail_next(
        "send", Failure(429, {"Retry-After": "5"}), target=ANNE.personal_conversation
    )

    await delivery.worker.drain()

    assert connector.texts(ANNE.personal_conversation) == [
        "Bo har indsendt ESDH",
        "Bo har indsendt Skole",
        "Alle fagområder er indsendt",
    ]
    assert connector.texts(BO.personal_conversation) == ["Hej Bo"]


async def test_a_message_sent_in_a_turn_waits_behind_one_another_worker_holds(
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    delivery: Delivery,
    people: dict[str, int],
    clock: FakeClock,
    connector: BotConnector,
) -> None:
    anne = people[ANNE.aad_object_id]
    await enqueue(delivery, clock, anne, "Bo har indsendt ESDH")
    other_lane = build_delivery(storage, clock, owner="other-lane")
    held = await other_lane.outbox.claim_due(
        "other-lane", now=clock.now(), lease=timedelta(minutes=2), limit=10
    )

    report = await delivery.messenger.send_to_person(
        TENANT, anne, OutgoingMessage(text="Alle fagområder er indsendt")
    )
    await other_lane.worker.deliver(held[0])
    await delivery.worker.drain()
    await other_lane.sender.close()

    assert (report.delivered, report.reason) == (False, QUEUED)
    assert connector.texts(ANNE.personal_conversation) == [
        "Bo har indsendt ESDH",
        "Alle fagområder er indsendt",
    ]
