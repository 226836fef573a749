"""Adaptive Card builders: pure functions returning the card JSON, plus as_attachment.

Every word comes from dialogs.texts; this module holds layout only. Cards are version 1.5,
the newest Teams renders on desktop, web and mobile.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from botbuilder.schema import Attachment

from dialogs import texts

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"

FORTSAET_ACTION = "fortsaet"
"""Action.Submit data ``{"action": "fortsaet", "fagomraade_id": …}`` resumes that survey."""


def as_attachment(card: dict[str, Any]) -> Attachment:
    """Wrap a card for an activity's attachments."""
    return Attachment(content_type=CARD_CONTENT_TYPE, content=card)


def build_reminder_card(
    *,
    fagomraade_id: int,
    fagomraade: str,
    unanswered: int,
    total: int,
    slutdato: date,
    dage: int,
) -> dict[str, Any]:
    """A systemejer's reminder for one unfinished fagområde, with a Fortsæt button."""
    return _card(
        [
            {
                "type": "TextBlock",
                "text": texts.reminder_title(fagomraade=fagomraade),
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {
                "type": "TextBlock",
                "text": texts.reminder_systemejer(
                    fagomraade=fagomraade,
                    unanswered=unanswered,
                    total=total,
                    slutdato=slutdato,
                    dage=dage,
                ),
                "wrap": True,
            },
        ],
        actions=[
            {
                "type": "Action.Submit",
                "title": texts.FORTSAET,
                "style": "positive",
                "data": {"action": FORTSAET_ACTION, "fagomraade_id": fagomraade_id},
            }
        ],
    )


def _card(body: list[dict[str, Any]], *, actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "actions": actions,
    }
