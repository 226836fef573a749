"""What the Teams handler puts on each turn for the dialogs: who speaks, and the turn's claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from botbuilder.core import TurnContext

from storage.unit_of_work import UnitOfWork

CALLER_KEY = "kortlaegning.caller"
CLAIM_KEY = "kortlaegning.claim"


@dataclass(frozen=True, slots=True)
class Caller:
    tenant_id: str
    person_id: int
    navn: str


class TurnClaim(Protocol):
    """The redelivery guard of one activity (implemented in bot/teams_bot.py)."""

    async def take(self, uow: UnitOfWork) -> bool:
        """Claim the activity in this transaction; False when it was handled before."""
        ...

    async def is_new(self) -> bool:
        """Whether no committed turn handled the activity yet; for turns that commit on
        their own, the claim is then written when the turn has succeeded."""
        ...


def caller_of(context: TurnContext) -> Caller:
    caller = context.turn_state.get(CALLER_KEY)
    if not isinstance(caller, Caller):
        raise LookupError("the Teams handler did not identify the caller of this turn")
    return caller


def claim_of(context: TurnContext) -> TurnClaim:
    claim = context.turn_state.get(CLAIM_KEY)
    if claim is None:
        raise LookupError("the Teams handler put no claim on this turn")
    return claim  # type: ignore[no-any-return]
