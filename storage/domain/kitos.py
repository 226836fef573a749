"""What KITOS knows about a system the kommune uses, and what that suggests for Bilag 1.

Stdlib only. The export reader (storage.suggestions) and the API client (bot.kitos) both
produce these types; the matcher (storage.domain.suggestions) consumes them. Where the
names and values come from is written down in docs/kitos.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.domain.answers import normalise
from storage.domain.model import Anvendelse
from storage.domain.suggestions import SourcePerson, SourceSystem


class Livscyklus(StrEnum):
    """KITOS' life cycle of a system in use, valued as API v2 spells it (LifeCycleStatusChoice)."""

    UNDECIDED = "Undecided"
    NOT_IN_USE = "NotInUse"
    PILOT = "Pilot"
    PHASING_IN = "PhasingIn"
    OPERATIONAL = "Operational"
    PHASING_OUT = "PhasingOut"


# The API's names, and the Danish names KITOS' overview shows and exports ("I drift" ...).
_SPELLINGS: dict[str, Livscyklus] = {
    **{normalise(choice.value): choice for choice in Livscyklus},
    normalise("Ikke i drift"): Livscyklus.NOT_IN_USE,
    normalise("Under afprøvning"): Livscyklus.PILOT,
    normalise("Under indfasning"): Livscyklus.PHASING_IN,
    normalise("I drift"): Livscyklus.OPERATIONAL,
    normalise("Under udfasning"): Livscyklus.PHASING_OUT,
}

# A system being tried, introduced, run or retired is in use today; one marked "not in use" is
# not. Undecided says nothing, so it suggests nothing. A person confirms every suggestion.
_ANVENDELSE: dict[Livscyklus, Anvendelse] = {
    Livscyklus.PILOT: Anvendelse.ANVENDER,
    Livscyklus.PHASING_IN: Anvendelse.ANVENDER,
    Livscyklus.OPERATIONAL: Anvendelse.ANVENDER,
    Livscyklus.PHASING_OUT: Anvendelse.ANVENDER,
    Livscyklus.NOT_IN_USE: Anvendelse.ANVENDER_IKKE,
}

SYSTEMEJER_ROLE = "Systemejer"
"""The name of KITOS' default system role for the owner; kommuner rarely rename it."""


def parse_livscyklus(text: object) -> Livscyklus | None:
    """Read a life cycle as the API or the export spells it; None for blank or unknown."""
    if text is None:
        return None
    return _SPELLINGS.get(normalise(str(text)))


def suggested_anvendelse(livscyklus: Livscyklus | None) -> Anvendelse | None:
    """Map a KITOS life cycle to the Anvendelse it suggests, or None when it suggests none."""
    return _ANVENDELSE.get(livscyklus) if livscyklus is not None else None


@dataclass(frozen=True, slots=True)
class KitosPerson:
    navn: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class KitosSystem:
    """One system in use in the kommune, as KITOS' export row or API resource has it."""

    navn: str
    lokalt_navn: str | None = None
    lokalt_id: str | None = None
    livscyklus: Livscyklus | None = None
    leverandoer: str | None = None
    """The main contract's supplier (the export's "Leverandør")."""
    rettighedshaver: str | None = None
    """The rights holder of the system in KITOS' catalogue: usually the vendor Bilag 1 names."""
    ansvarlig_enhed: str | None = None
    systemejere: tuple[KitosPerson, ...] = ()
    uuid: str | None = None
    """The it-system-usage's UUID when read from the API."""

    def as_source(self) -> SourceSystem:
        """The system as input to the matcher: its names, vendors, suggestion and owners."""
        return SourceSystem(
            navn=self.navn,
            aliases=tuple(name for name in (self.lokalt_navn,) if name),
            leverandoerer=tuple(
                dict.fromkeys(v for v in (self.rettighedshaver, self.leverandoer) if v)
            ),
            fagomraade=None,
            anvendelse=suggested_anvendelse(self.livscyklus),
            bemaerkning=None,
            systemejere=tuple(SourcePerson(navn=p.navn, email=p.email) for p in self.systemejere),
        )


class KitosErrorKind(StrEnum):
    UNAUTHORIZED = "unauthorized"
    """401: KITOS_TOKEN is wrong or expired (KITOS tokens last 24 hours)."""
    FORBIDDEN = "forbidden"
    """403: the API user may not read the organisation's systems."""
    NO_ORGANISATION = "no_organisation"
    """The API user is a member of no organisation, or of several and none is the kommune."""
    UNAVAILABLE = "unavailable"
    """No connection, a 5xx, or KITOS asks us to wait longer than a person would."""
    BAD_RESPONSE = "bad_response"
    """An answer that is not the JSON API v2 documents."""


class KitosError(Exception):
    """Why KITOS' API could not be read (bot.kitos raises it). Carries data; dialogs/texts.py
    words it for the user."""

    def __init__(
        self, kind: KitosErrorKind, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(f"kitos: {kind.value}" + (f" (HTTP {status})" if status else ""))
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
