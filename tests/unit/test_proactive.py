"""Throttling and retry arithmetic of bot.proactive, on a hand-moved clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bot.proactive import RetryPolicy, SlidingWindowLimiter, parse_retry_after


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
