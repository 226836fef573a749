"""The bot's commands: one list shared by the routing and the Teams app manifest.

ASCII identifiers only; the Danish words and descriptions live in dialogs.texts.
"""

from __future__ import annotations

from enum import StrEnum

from storage.domain.answers import normalise


class Command(StrEnum):
    """What a user can type to the bot.

    Each value is the typed word as storage.domain.answers.normalise folds it, so the routing
    can look up ``Command(normalise(word))`` and "hjælp", "Hjaelp" and "HJÆLP" all match.
    Values are stable: they are the contract with the manifest already installed in Teams.
    """

    HJAELP = "hjaelp"
    FORTSAET = "fortsaet"
    MINE = "mine"
    STATUS = "status"
    OPSAET = "opsaet"
    TILDEL = "tildel"
    START = "start"
    PAAMIND = "paamind"
    UDKAST = "udkast"
    SEND = "send"
    MODTAGET = "modtaget"
    HISTORIK = "historik"
    AENDRINGER = "aendringer"
    FORSLAG = "forslag"


# Teams shows one command menu per scope, at most 10 commands each (manifest schema 1.22).
# The bot answers every command wherever it is typed; the menus only decide what is offered.
# Personal chat: the systemejer's three first, then the coordinator's everyday commands.
# forslag is here, not påmind (which the team menu offers): its uploads reach the bot only in
# personal scope, and reminders go out by themselves.
PERSONAL_MENU: tuple[Command, ...] = (
    Command.HJAELP,
    Command.FORTSAET,
    Command.MINE,
    Command.STATUS,
    Command.OPSAET,
    Command.FORSLAG,
    Command.TILDEL,
    Command.START,
    Command.UDKAST,
    Command.SEND,
)

# A team channel: the coordinator's commands. The survey itself runs in personal chat, and
# opsaet stays there because an uploaded Bilag 1 template reaches a bot only in personal
# scope (supportsFiles); the rest of the coordinator's work fits the channel.
TEAM_MENU: tuple[Command, ...] = (
    Command.HJAELP,
    Command.STATUS,
    Command.TILDEL,
    Command.START,
    Command.PAAMIND,
    Command.UDKAST,
    Command.SEND,
    Command.MODTAGET,
    Command.HISTORIK,
    Command.AENDRINGER,
)


# Other spellings people type for a command; the values above remain the canonical words.
_ALIASES: dict[str, Command] = {
    "help": Command.HJAELP,
    "hjalp": Command.HJAELP,
    "fortsat": Command.FORTSAET,
    "opsat": Command.OPSAET,
    "paamindelse": Command.PAAMIND,
    "aendring": Command.AENDRINGER,
}


def recognise_command(text: str | None) -> Command | None:
    """Return the command a message starts with ("Hjælp", "hjaelp", "?"), or None."""
    if not text:
        return None
    if text.strip() == "?":
        return Command.HJAELP
    words = normalise(text).split()
    if not words:
        return None
    first = words[0]
    try:
        return Command(first)
    except ValueError:
        return _ALIASES.get(first)
