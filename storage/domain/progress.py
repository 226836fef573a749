"""Progress of a kortlaegning: answered systems, submitted fagomraader, and who is late.

Stdlib + holidays only (through schedule). The coordinator's status and reminders ask this.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from storage.domain.model import Fagomraade, Person
from storage.domain.schedule import DEFAULT_RISK_WORKING_DAYS, deadline_at_risk


@dataclass(frozen=True, slots=True)
class FagomraadeFacts:
    """What storage knows about one fagomraade; ``fagomraade.antal_systemer`` is the total."""

    fagomraade: Fagomraade
    answered: int
    owners: tuple[Person, ...]
    last_activity: datetime | None
    bekraeftede_forslag: int = 0
    """Answers that confirmed a suggestion (last round's or KITOS')."""
    aendrede_forslag: int = 0
    """Answers typed or pressed on a system whose card showed a different suggestion."""

    def __post_init__(self) -> None:
        if not 0 <= self.answered <= self.fagomraade.antal_systemer:
            raise ValueError(
                f"fagomraade {self.fagomraade.id}: answered {self.answered} is outside "
                f"0..{self.fagomraade.antal_systemer}"
            )


@dataclass(frozen=True, slots=True)
class FagomraadeProgress:
    """One fagomraade's line in the coordinator's status."""

    fagomraade: Fagomraade
    answered: int
    owners: tuple[Person, ...]
    last_activity: datetime | None
    late: bool
    bekraeftede_forslag: int = 0
    aendrede_forslag: int = 0

    @property
    def total(self) -> int:
        return self.fagomraade.antal_systemer

    @property
    def percent(self) -> int:
        return _percent(self.answered, self.total)

    @property
    def submitted(self) -> bool:
        return self.fagomraade.indsendt_at is not None


@dataclass(frozen=True, slots=True)
class Progress:
    """The whole kortlaegning on one day; percent is answered systems over all systems."""

    fagomraader: tuple[FagomraadeProgress, ...]
    answered: int
    total: int
    days_to_slutdato: int
    late_owners: tuple[Person, ...]

    @property
    def percent(self) -> int:
        return _percent(self.answered, self.total)

    @property
    def submitted_count(self) -> int:
        return sum(area.submitted for area in self.fagomraader)

    @property
    def complete(self) -> bool:
        """Tell whether every fagomraade is submitted; a kortlaegning without any is not."""
        return bool(self.fagomraader) and all(area.submitted for area in self.fagomraader)


def compute_progress(
    facts: Iterable[FagomraadeFacts],
    *,
    today: date,
    slutdato: date,
    helligdage: Container[date],
    risk_working_days: int = DEFAULT_RISK_WORKING_DAYS,
) -> Progress:
    """Compute the kortlaegning's progress on today, keeping the fagomraader in the given order.

    A fagomraade is late when it is not submitted and slutdato has passed or is at most
    risk_working_days working days away. Late owners are listed once each, in the order
    their fagomraader come.
    """
    deadline_near_or_past = today > slutdato or deadline_at_risk(
        today, slutdato, helligdage, risk_working_days=risk_working_days
    )
    areas = tuple(
        FagomraadeProgress(
            fagomraade=fact.fagomraade,
            answered=fact.answered,
            owners=fact.owners,
            last_activity=fact.last_activity,
            late=deadline_near_or_past and fact.fagomraade.indsendt_at is None,
            bekraeftede_forslag=fact.bekraeftede_forslag,
            aendrede_forslag=fact.aendrede_forslag,
        )
        for fact in facts
    )
    late_owners = {owner.id: owner for area in areas if area.late for owner in area.owners}
    return Progress(
        fagomraader=areas,
        answered=sum(area.answered for area in areas),
        total=sum(area.total for area in areas),
        days_to_slutdato=(slutdato - today).days,
        late_owners=tuple(late_owners.values()),
    )


def _percent(answered: int, total: int) -> int:
    # Rounded down, so 100 % is shown only when nothing is missing; nothing to answer is done.
    return answered * 100 // total if total else 100
