"""Who is speaking in this turn, put on the turn by the Teams handler for dialogs to read."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.core import TurnContext

CALLER_KEY = "kortlaegning.caller"


@dataclass(frozen=True, slots=True)
class Caller:
    tenant_id: str
    person_id: int
    navn: str


def caller_of(context: TurnContext) -> Caller:
    caller = context.turn_state.get(CALLER_KEY)
    if not isinstance(caller, Caller):
        raise LookupError("the Teams handler did not identify the caller of this turn")
    return caller
