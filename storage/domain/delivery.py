"""Why a proactive message did not arrive, as stable stored values. Stdlib only.

The bot layer decides the reason from the Bot Connector's answer; storage keeps it and the
coordinator is shown it through dialogs.texts.
"""

from __future__ import annotations

from enum import StrEnum


class FailureReason(StrEnum):
    BLOCKED = "blocked"
    """403: the person blocked the bot or the app was uninstalled; retrying cannot help."""
    NOT_FOUND = "not_found"
    """404: the person or the conversation no longer exists in the tenant."""
    NO_CONVERSATION = "no_conversation"
    """No 1:1 chat is stored and none can be created (the bot knows no service URL yet)."""
    GAVE_UP = "gave_up"
    """Teams kept answering 429/412/502/504 until the retry time ran out."""
    REJECTED = "rejected"
    """Any other error answer (400, 401, 500 …), which is not known to be safe to repeat."""
