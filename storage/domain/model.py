"""The domain's words as types: Anvendelse, fagområder, systems, answers, and domain errors.

Stdlib only. Everything else in the project may import this module.

Glossary (Danish term → identifier → meaning):

=========================  ==================  ==============================================
kortlægning                ``kortlaegning``    one municipality's round of KOMBIT's task
kommune                    ``kommune``         the municipality (kommunekode + official name)
fagområde                  ``fagomraade``      one of KOMBIT's areas, a sheet in Bilag 1
it-system                  ``it_system``       a listed system within a fagområde
leverandør                 ``leverandoer``     the system's vendor
anvendelse                 ``anvendelse``      the answer: anvender / anvender ikke / sekundær
bemærkning                 ``bemaerkning``     a free-text remark beside an answer
tilføjet system            ``tilfoejet``       a system the municipality adds to the list
svarer til                 ``svarer_til``      the listed system an added one corresponds to
systemejer                 ``systemejer``      the person who answers for a fagområde
infrastrukturansvarlig     ``koordinator``     the person who runs the task for the kommune
tildeling                  ``tildeling``       a fagområde assigned to a systemejer
slutdato                   ``slutdato``        the deadline for the answers
Bilag 1                    ``bilag1``          KOMBIT's Excel workbook
forslag                    ``forslag``         a suggested answer (last round, KITOS)
kilde                      ``kilde``           where an answer or suggestion came from
=========================  ==================  ==============================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # storage.domain.forslag builds on this module; annotations only here
    from storage.domain.forslag import ForeslaaetTilfoejelse, Forslag, UdgaaetSystem


class Anvendelse(StrEnum):
    """The three answers KOMBIT accepts. Values are stored; display text lives in texts."""

    ANVENDER = "anvender"
    ANVENDER_IKKE = "anvender_ikke"
    SEKUNDAER = "sekundaer"


class Kilde(StrEnum):
    """Where an answer came from; stored with it and in its audit row.

    Lives here beside Anvendelse because Answer carries it; storage.domain.forslag, where
    suggestions are, exports it too.
    """

    SVAR = "svar"
    """Typed or pressed by the systemejer."""
    SIDSTE_RUNDE = "sidste_runde"
    """Last round's answer, confirmed by a press."""
    KITOS = "kitos"
    """KITOS' suggestion, confirmed by a press."""


@dataclass(frozen=True, slots=True)
class Kommune:
    kode: str
    navn: str
    officielt_navn: str
    region: str


@dataclass(frozen=True, slots=True)
class ItSystem:
    id: int
    fagomraade_id: int
    navn: str
    leverandoer: str | None
    beskrivelse: str | None
    position: int


@dataclass(frozen=True, slots=True)
class Fagomraade:
    id: int
    navn: str
    position: int
    antal_systemer: int
    indsendt_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    tenant_id: str
    aad_object_id: str
    navn: str
    email: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    it_system_id: int
    anvendelse: Anvendelse
    bemaerkning: str | None
    answered_by: int
    answered_at: datetime
    kilde: Kilde = Kilde.SVAR


@dataclass(frozen=True, slots=True)
class Kortlaegning:
    id: int
    tenant_id: str
    kommunekode: str
    slutdato: date


class KortlaegningError(Exception):
    """Base of the domain errors. They carry ids, never user text."""


class NotAssigned(KortlaegningError):
    def __init__(self, fagomraade_id: int, person_id: int) -> None:
        super().__init__(f"person {person_id} is not assigned fagomraade {fagomraade_id}")
        self.fagomraade_id = fagomraade_id
        self.person_id = person_id


class AlreadySubmitted(KortlaegningError):
    def __init__(self, fagomraade_id: int) -> None:
        super().__init__(f"fagomraade {fagomraade_id} is already submitted")
        self.fagomraade_id = fagomraade_id


class NoKortlaegning(KortlaegningError):
    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"tenant {tenant_id} has no kortlaegning")
        self.tenant_id = tenant_id


@dataclass(frozen=True, slots=True)
class CatalogueSystem:
    """A listed system as read from a Bilag 1 template, before it is stored."""

    navn: str
    leverandoer: str | None = None
    beskrivelse: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogueFagomraade:
    navn: str
    systemer: tuple[CatalogueSystem, ...]


@dataclass(frozen=True, slots=True)
class TilfoejetSystem:
    id: int
    fagomraade_id: int
    navn: str
    leverandoer: str | None
    svarer_til: str | None
    anvendelse: Anvendelse | None
    bemaerkning: str | None


@dataclass(frozen=True, slots=True)
class SystemAnswer:
    """A listed system with its current answer, if any: one line of a summary."""

    system: ItSystem
    answer: Answer | None
    forslag: Forslag | None = None
    """The suggestion its card shows (last round's before KITOS'), if any."""


@dataclass(frozen=True, slots=True)
class FagomraadeOverview:
    """Everything a systemejer sees of one fagområde: systems, answers and additions."""

    fagomraade: Fagomraade
    kortlaegning_id: int
    slutdato: date
    systemer: tuple[SystemAnswer, ...]
    tilfoejede: tuple[TilfoejetSystem, ...]
    foreslaaede: tuple[ForeslaaetTilfoejelse, ...] = ()
    """Additions the coordinator accepted for this area and nobody has added yet."""
    udgaaede: tuple[UdgaaetSystem, ...] = ()
    """Last round's systems no longer on the list: left out, and listed on the summary."""
    change_unannounced: bool = True
    """A delivered Bilag 1 may wait for the notice that its answers changed (False: none
    was delivered, or its notice went out), as of the read."""

    @property
    def answered(self) -> int:
        return sum(1 for line in self.systemer if line.answer is not None)

    @property
    def missing(self) -> tuple[ItSystem, ...]:
        return tuple(line.system for line in self.systemer if line.answer is None)

    def next_unanswered(self, after_position: int = -1) -> ItSystem | None:
        """The first unanswered system after a position; skipped ones wait for the summary."""
        return next((s for s in self.missing if s.position > after_position), None)

    def line(self, system_id: int) -> SystemAnswer | None:
        return next((line for line in self.systemer if line.system.id == system_id), None)

    @property
    def nye(self) -> tuple[ItSystem, ...]:
        """Systems without last round's answer to show, in an area that has last round's
        answers: new on the list this round (or matched too unsurely to suggest)."""
        from_last_round = [
            line
            for line in self.systemer
            if line.forslag and line.forslag.kilde == Kilde.SIDSTE_RUNDE
        ]
        if not from_last_round and not self.udgaaede:
            return ()
        return tuple(
            line.system
            for line in self.systemer
            if not (line.forslag and line.forslag.kilde == Kilde.SIDSTE_RUNDE)
        )

    def bekraeftede(self, kilde: Kilde) -> int:
        """Answers that confirmed a suggestion from this source."""
        return sum(1 for line in self.systemer if line.answer and line.answer.kilde == kilde)

    @property
    def to_confirm(self) -> tuple[SystemAnswer, ...]:
        """Unanswered systems whose card shows a suggestion: what "Bekræft alle" answers."""
        return tuple(line for line in self.systemer if line.answer is None and line.forslag)

    def with_answers(self, answers: Iterable[Answer]) -> FagomraadeOverview:
        """The area as it is once these answers are stored, without reading it again."""
        new = {answer.it_system_id: answer for answer in answers}
        if not new:
            return self
        lines = tuple(
            replace(line, answer=new.get(line.system.id, line.answer)) for line in self.systemer
        )
        return replace(self, systemer=lines)


@dataclass(frozen=True, slots=True)
class AnswerChange:
    """What record_answer did: whether anything changed, and the answer before."""

    answer: Answer
    previous: Answer | None
    changed: bool
