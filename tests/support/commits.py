"""Count the transactions a turn commits, in the bot running in the test's own process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.bootstrap import BACKGROUND_TASKS


@contextlib.contextmanager
def turn_commits(seen: Callable[[], object] = lambda: None) -> Iterator[list[object]]:
    """A list that gets, at each commit of a turn, what `seen` returns at that moment; the
    commits of the bot's background tasks (outbox, claim purge, reminders) are left out."""
    commits: list[object] = []

    def committed(_connection: object) -> None:
        task = asyncio.current_task()
        if task is None or not task.get_name().startswith(BACKGROUND_TASKS):
            commits.append(seen())

    event.listen(Engine, "commit", committed)
    try:
        yield commits
    finally:
        event.remove(Engine, "commit", committed)
