"""The commands a person can type, recognised loosely. Display words live in texts."""

from __future__ import annotations

from enum import StrEnum

from storage.domain.answers import normalise


class Command(StrEnum):
    HJAELP = "hjaelp"


_SPELLINGS: dict[str, Command] = {
    "hjaelp": Command.HJAELP,
    "help": Command.HJAELP,
    "hjalp": Command.HJAELP,
    "?": Command.HJAELP,
}


def recognise_command(text: str | None) -> Command | None:
    """Return the command a message starts with, or None."""
    if not text:
        return None
    stripped = text.strip()
    if stripped == "?":
        return Command.HJAELP
    words = normalise(stripped).split()
    return _SPELLINGS.get(words[0]) if words else None
