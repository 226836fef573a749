"""Where a systemejer is in the survey of one fagområde: a typed value, stored as a row.

Stdlib only. The place is the single truth for `fortsæt`; what a turn does with it lives in
dialogs/survey.py, and what it may change lives in storage/domain/answers.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Phase(StrEnum):
    """The parts of a survey, in the order a person meets them. Values are stored."""

    SYSTEM = "system"
    FORM = "form"
    TILFOEJ = "tilfoej"
    SUMMARY = "summary"
    HANDOVER = "handover"


@dataclass(frozen=True, slots=True)
class SurveyPlace:
    """The fagområde, the part of it, and the system or form page on screen.

    `system_id` is the system asked about in the SYSTEM phase (None: the next unanswered
    one); `page` is the form page; `correcting` marks a system reopened from the summary,
    which may be answered after submission and leads back to the summary. TILFOEJ is read
    as the summary, which carries the additions now; the value stays so stored places load.

    The survey card on screen is the only one a press may act on. `card_token` names it:
    each of its buttons carries the token, stored here in the turn that sends the card.
    `card_id` is its activity id once known (from a press on it, or from the process that
    sent it), so a later turn can update it to its final state. Moving the place keeps
    both, as the card stays until another is sent.
    """

    fagomraade_id: int
    phase: Phase = Phase.SYSTEM
    system_id: int | None = None
    page: int = 0
    correcting: bool = False
    card_id: str | None = None
    card_token: str | None = None

    def at(
        self,
        phase: Phase,
        *,
        system_id: int | None = None,
        page: int = 0,
        correcting: bool = False,
    ) -> SurveyPlace:
        """The same fagområde at another part of the survey."""
        return replace(self, phase=phase, system_id=system_id, page=page, correcting=correcting)

    def showing(self, card_token: str | None, card_id: str | None = None) -> SurveyPlace:
        """The same place with another card on screen (None: no card of it is live)."""
        return replace(self, card_token=card_token, card_id=card_id)

    def known_as(self, card_id: str) -> SurveyPlace:
        """The same card on screen, now known by its activity id."""
        return replace(self, card_id=card_id)
