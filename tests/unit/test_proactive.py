"""Throttle and retry arithmetic on a hand-moved clock; the activity JSON the sender posts."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)
from botframework.connector import models
from msrest import Serializer

from bot.connector import model_json, parse_retry_after
from bot.proactive import activity_json
from bot.throttle import RetryPolicy, SlidingWindowLimiter
from dialogs.cards import as_attachment
from dialogs.ports import OutgoingMessage


def test_every_window_is_kept_at_once() -> None:
    limiter = SlidingWindowLimiter([(7, 1.0), (8, 2.0)])
    for n in range(7):
        limiter.settle(limiter.record("a:1", 0.0 + n * 0.01), 0.0 + n * 0.01)

    assert limiter.delay("a:1", 0.1) == (0.9, False)  # the 8th waits for the 1 s window
    limiter.settle(limiter.record("a:1", 1.0), 1.0)
    wait, _ = limiter.delay("a:1", 1.05)
    assert round(wait, 2) == 0.95  # and the 9th for the 2 s window (8 per 2 s)
    assert limiter.delay("a:2", 1.05) == (0.0, False)  # other chats are not affected


def test_a_request_still_in_flight_counts_as_now() -> None:
    limiter = SlidingWindowLimiter([(1, 1.0)])
    in_flight = limiter.record("t", 0.0)

    assert limiter.delay("t", 5.0) == (1.0, True)
    limiter.settle(in_flight, 5.2)
    assert limiter.delay("t", 6.2) == (0.0, False)


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    now = datetime(2027, 8, 24, 7, 0, 0, tzinfo=UTC)

    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"Retry-After": "Tue, 24 Aug 2027 07:00:10 GMT"}, now=now) == 10.0
    assert parse_retry_after({}) is None


def test_backoff_doubles_with_jitter_and_never_undercuts_retry_after() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=60.0)
    rng = random.Random(1)

    delays = [policy.delay(attempt, None, rng) for attempt in (1, 2, 3, 4, 10)]

    assert 0.5 <= delays[0] <= 1.0 and 1.0 <= delays[1] <= 2.0 and 2.0 <= delays[2] <= 4.0
    assert 30.0 <= delays[4] <= 60.0
    assert policy.delay(1, 7.0, rng) >= 7.0


def _as_botbuilder_sends_it(message: OutgoingMessage, reference: dict[str, Any]) -> Any:
    """The body botbuilder's ConnectorClient.send_to_conversation posts (msrest's serialiser)."""
    activity = Activity(type=ActivityTypes.message, text=message.text)
    if message.card is not None:
        activity.attachments = [as_attachment(message.card)]
    TurnContext.apply_conversation_reference(
        activity, ConversationReference().deserialize(reference)
    )
    serializer = Serializer({k: v for k, v in models.__dict__.items() if isinstance(v, type)})
    return serializer.body(activity, "Activity")


STORED_BY_A_TURN = ConversationReference(
    activity_id="f:incoming-1",
    user=ChannelAccount(id="29:anne", name="Anne Hansen", aad_object_id="aad-anne"),
    bot=ChannelAccount(id="28:bot", name="Kortlægningsbot"),
    conversation=ConversationAccount(
        id="a:personal-29:anne", conversation_type="personal", tenant_id="tenant-1"
    ),
    channel_id="msteams",
    locale="da-DK",
    service_url="https://smba.trafficmanager.net/emea/",
).serialize()

WRITTEN_BY_HAND = {  # as bench/bench_fanout.py seeds it: tenantId, not msrest's tenantID
    "channelId": "msteams",
    "serviceUrl": "http://127.0.0.1:1",
    "bot": {"id": "28:bench-bot", "unknown": 1},
    "user": {"id": "29:bench-0", "aadObjectId": "bench-0"},
    "conversation": {
        "id": "a:personal-29:bench-0",
        "conversationType": "personal",
        "tenantId": "t",
    },
}


@pytest.mark.parametrize("reference", [STORED_BY_A_TURN, WRITTEN_BY_HAND], ids=["turn", "hand"])
@pytest.mark.parametrize(
    "message",
    [
        OutgoingMessage(text="Husk slutdatoen"),
        OutgoingMessage(text=None, card={"type": "AdaptiveCard", "body": [], "x": None}),
        OutgoingMessage(text="Hej", card={"type": "AdaptiveCard", "version": "1.5"}),
    ],
    ids=["text", "card", "both"],
)
def test_the_activity_posted_is_the_one_botbuilder_would_post(
    message: OutgoingMessage, reference: dict[str, Any]
) -> None:
    assert activity_json(message, reference) == _as_botbuilder_sends_it(message, reference)


def _reply(**fields: Any) -> Activity:
    """An activity as TurnContext.send_activity hands it to the adapter in a Teams turn."""
    incoming = Activity(
        type=ActivityTypes.message,
        id="f:incoming-2",
        channel_id="msteams",
        service_url="https://smba.trafficmanager.net/emea/",
        from_property=ChannelAccount(id="29:anne", name="Anne Hansen", aad_object_id="aad-anne"),
        recipient=ChannelAccount(id="28:bot", name="Kortlægningsbot"),
        conversation=ConversationAccount(
            id="a:personal-29:anne", conversation_type="personal", tenant_id="tenant-1"
        ),
        locale="da-DK",
    )
    return TurnContext.apply_conversation_reference(
        Activity(type=ActivityTypes.message, **fields),
        TurnContext.get_conversation_reference(incoming),
    )


SYSTEM_CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "ESDH · 4 af 30", "isSubtle": True, "x": None}],
    "actions": [{"type": "Action.Submit", "title": "Anvender", "data": {"system_id": 4}}],
}


@pytest.mark.parametrize(
    "activity",
    [
        _reply(text="Tak, dit svar er gemt", text_format="markdown"),
        _reply(attachments=[as_attachment(SYSTEM_CARD)], attachment_layout="list"),
        _reply(
            id="activity-7",
            attachments=[as_attachment(SYSTEM_CARD)],
            timestamp=datetime(2027, 8, 24, 7, 0, tzinfo=UTC),
            entities=[models.Entity(type="mention")],
            channel_data={"notification": {"alert": True}},
            suggested_actions=models.SuggestedActions(
                actions=[models.CardAction(type="imBack", title="Fortsæt", value="fortsæt")]
            ),
        ),
    ],
    ids=["text", "card", "update with the rest"],
)
def test_an_in_turn_reply_is_the_json_botbuilder_would_send(activity: Activity) -> None:
    serializer = Serializer({k: v for k, v in models.__dict__.items() if isinstance(v, type)})
    assert model_json(activity) == serializer.body(activity, "Activity")
