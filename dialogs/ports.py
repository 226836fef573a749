"""What dialogs need from the outside world, as Protocols that bot/ implements and hands in.

Dialogs may not import bot/ (STYLE §1); when a dialog must reach someone other than the
person it talks to, it goes through one of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A proactive message: Danish text and/or an Adaptive Card (the card's JSON)."""

    text: str | None = None
    card: dict[str, Any] | None = None
    kind: str = "notice"
    dedupe_key: str | None = None
    """Messages with the same key are sent once, whatever retries or restarts happen."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    person_id: int
    delivered: bool
    reason: str | None = None
    """Why not: "blocked" (403), "not_found" (404), "no_conversation", "gave_up", "rejected";
    or "queued" while the outbox is still trying (Teams throttled), to arrive later."""


class Messenger(Protocol):
    async def send_to_person(
        self, tenant_id: str, person_id: int, message: OutgoingMessage
    ) -> DeliveryReport:
        """Deliver (through the outbox) to the person's 1:1 chat, creating it when needed."""
        ...

    async def send_to_coordinators(self, tenant_id: str, message: OutgoingMessage) -> None:
        """Deliver to every coordinator of the tenant who can be reached."""
        ...
