"""Suggestions as the survey and the coordinator see them: which one a system card shows,
what the coordinator reviews, and how answers relate to what was suggested.

Stdlib only. A suggestion is never an answer: an answer records its Kilde only once a
person has pressed to confirm it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from storage.domain.model import Answer, Anvendelse, Kilde
from storage.domain.suggestions import SourcePerson

__all__ = [
    "Afgjort",
    "FagomraadeForslag",
    "ForeslaaetTilfoejelse",
    "Forslag",
    "ForslagOversigt",
    "Kilde",
    "UdgaaetSystem",
    "UsikkertForslag",
    "forslag_counts",
    "is_shown",
    "preferred",
]

SOURCE_ORDER: tuple[Kilde, ...] = (Kilde.SIDSTE_RUNDE, Kilde.KITOS)
"""When both sources suggest for one system, last round wins: it is the kommune's own
answer to this very question."""


class Afgjort(StrEnum):
    """The coordinator's decision on a suggestion."""

    ACCEPTERET = "accepteret"
    AFVIST = "afvist"


def is_shown(*, sikker: bool, afgjort: str | None) -> bool:
    """Whether systemejere see a suggestion: a certain one unless rejected, an uncertain one
    only once the coordinator accepted it."""
    if afgjort == Afgjort.AFVIST:
        return False
    return sikker or afgjort == Afgjort.ACCEPTERET


@dataclass(frozen=True, slots=True)
class Forslag:
    """What a system card shows: the suggested answer, its remark and its source."""

    id: int
    it_system_id: int
    kilde: Kilde
    anvendelse: Anvendelse
    bemaerkning: str | None
    kilde_navn: str
    """The system's name in the source (KITOS' name, or last round's before a rename)."""


def preferred(candidates: Iterable[Forslag | None]) -> Forslag | None:
    """The one suggestion to show of a system's shown ones: last round's before KITOS'."""
    present = [f for f in candidates if f is not None]
    if not present:
        return None
    return min(present, key=lambda f: SOURCE_ORDER.index(f.kilde))


@dataclass(frozen=True, slots=True)
class UsikkertForslag:
    """A match the coordinator accepts or rejects: this round's system and the source's."""

    id: int
    navn: str
    """This round's system."""
    kilde_navn: str
    anvendelse: Anvendelse
    kilde: Kilde
    afgjort: Afgjort | None


@dataclass(frozen=True, slots=True)
class ForeslaaetTilfoejelse:
    """A suggested addition: offered to the area's systemejer once accepted."""

    id: int
    navn: str
    leverandoer: str | None
    anvendelse: Anvendelse | None
    kilde: Kilde
    afgjort: Afgjort | None
    bemaerkning: str | None = None
    fagomraade_id: int | None = None


@dataclass(frozen=True, slots=True)
class UdgaaetSystem:
    """A system answered last round that this round's list no longer has."""

    navn: str
    leverandoer: str | None
    anvendelse: Anvendelse | None
    bemaerkning: str | None


@dataclass(frozen=True, slots=True)
class FagomraadeForslag:
    """One fagområde on the coordinator's review card."""

    fagomraade_id: int
    navn: str
    med_forslag: int
    """Systems whose card shows a suggestion now."""
    usikre: tuple[UsikkertForslag, ...]
    tilfoejelser: tuple[ForeslaaetTilfoejelse, ...]
    ejere: tuple[SourcePerson, ...]
    udgaaede: tuple[str, ...]

    @property
    def tom(self) -> bool:
        """Nothing to review or show for this area."""
        return not (
            self.med_forslag or self.usikre or self.tilfoejelser or self.ejere or self.udgaaede
        )


@dataclass(frozen=True, slots=True)
class ForslagOversigt:
    """The coordinator's review: per fagområde in workbook order, and the additions no area
    claims (KITOS systems on no list whose owners own nothing matched)."""

    fagomraader: tuple[FagomraadeForslag, ...]
    uden_omraade: tuple[ForeslaaetTilfoejelse, ...]

    @property
    def tom(self) -> bool:
        return not self.uden_omraade and all(area.tom for area in self.fagomraader)


def forslag_counts(answers: Iterable[Answer], shown: Mapping[int, Forslag]) -> tuple[int, int]:
    """How many answers confirmed a suggestion, and how many were given otherwise than a
    shown suggestion said (typed or pressed, on a system with a suggestion)."""
    bekraeftede = aendrede = 0
    for answer in answers:
        if answer.kilde != Kilde.SVAR:
            bekraeftede += 1
            continue
        forslag = shown.get(answer.it_system_id)
        if forslag is not None and forslag.anvendelse != answer.anvendelse:
            aendrede += 1
    return bekraeftede, aendrede
