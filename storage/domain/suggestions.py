"""Match what a source already knows (last round, KITOS) to this round's Bilag 1 systems.

Stdlib only. A match is a suggestion, never an answer: the outcome says whether the names
agree plainly (certain) or only look alike (uncertain, for the coordinator to accept or reject).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from functools import cache

from storage.domain.answers import normalise
from storage.domain.model import Anvendelse, Fagomraade, ItSystem

# Below this similarity two names are different systems. "SBSYS" and "SBSYS ESDH" (one name
# inside the other) score CONTAINED_SCORE; "Acadre" and "Acadre CM" likewise; "KMD Sag" and
# "KMD Nexus" stay below.
UNCERTAIN_FROM = 0.75
CONTAINED_SCORE = 0.8
# Vendors spelled differently ("KMD" and "KMD A/S") still agree from here.
_SUPPLIER_AGREES_FROM = 0.8
# Names that agree but with vendors that do not may be two products of the same name.
_SUPPLIER_CONFLICT_FACTOR = 0.85

_PARENTHESES = re.compile(r"\([^)]*\)")
_COMPANY_FORMS = re.compile(r"\b(?:a s|aps|i s|p s|k s|amba|as|ltd|inc|gmbh|ab|oy|bv)\b")


class MatchOutcome(StrEnum):
    CERTAIN = "certain"
    UNCERTAIN = "uncertain"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class SourcePerson:
    navn: str
    email: str | None = None
    person_id: int | None = None
    """The bot's own person, when the source is the bot's last round."""

    @property
    def key(self) -> str:
        """The same person across systems: by e-mail when known, else by name."""
        return (self.email or "").strip().casefold() or normalise(self.navn)


@dataclass(frozen=True, slots=True)
class SourceSystem:
    """A system as a source knows it, with the answer and owners it suggests."""

    navn: str
    aliases: tuple[str, ...] = ()
    """Other names the source has for it (KITOS' local call name)."""
    leverandoerer: tuple[str, ...] = ()
    fagomraade: str | None = None
    """Last round's fagområde; None for a source without areas (KITOS)."""
    anvendelse: Anvendelse | None = None
    bemaerkning: str | None = None
    systemejere: tuple[SourcePerson, ...] = ()
    tilfoejet: bool = False
    """Added by the kommune last round rather than listed by KOMBIT."""


@dataclass(frozen=True, slots=True)
class SystemMatch:
    """This round's system and the source system found for it, if any."""

    it_system_id: int
    fagomraade_id: int
    outcome: MatchOutcome
    score: float
    source: SourceSystem | None

    @property
    def anvendelse(self) -> Anvendelse | None:
        """The suggested answer: the source's, when anything matched."""
        return self.source.anvendelse if self.source is not None else None


@dataclass(frozen=True, slots=True)
class FagomraadeMatch:
    """This round's fagområde and the source's area it was matched to (last round only)."""

    fagomraade_id: int
    outcome: MatchOutcome
    score: float
    source_navn: str | None


@dataclass(frozen=True, slots=True)
class OwnerSuggestion:
    """A person the source names as systemejer of systems in a fagområde."""

    fagomraade_id: int
    person: SourcePerson
    systemer: int
    """How many of the area's matched systems name them: the card lists the most first."""


@dataclass(frozen=True, slots=True)
class AdditionSuggestion:
    """A system to offer as an addition ("svarer til" is left to the systemejer)."""

    source: SourceSystem
    fagomraade_ids: tuple[int, ...]
    """Where to offer it: the area last round's addition was in, or the areas where its KITOS
    Systemejer owns matched systems; empty when nothing says, and the coordinator chooses."""


@dataclass(frozen=True, slots=True)
class Suggestions:
    fagomraader: tuple[FagomraadeMatch, ...]
    """One per fagområde when the sources have areas (last round); empty for KITOS."""
    systemer: tuple[SystemMatch, ...]
    unmatched: tuple[SourceSystem, ...]
    """Source systems no system of this round matched: last round's gone systems, or the
    KITOS systems to suggest as additions."""
    owners: tuple[OwnerSuggestion, ...]

    def for_fagomraade(self, fagomraade_id: int) -> tuple[SystemMatch, ...]:
        return tuple(m for m in self.systemer if m.fagomraade_id == fagomraade_id)

    def owners_of(self, fagomraade_id: int) -> tuple[OwnerSuggestion, ...]:
        return tuple(o for o in self.owners if o.fagomraade_id == fagomraade_id)

    @property
    def gone(self) -> tuple[SourceSystem, ...]:
        """Last round's listed systems that are no longer on KOMBIT's list: left out, shown."""
        return tuple(s for s in self.unmatched if s.fagomraade is not None and not s.tilfoejet)

    @property
    def additions(self) -> tuple[AdditionSuggestion, ...]:
        """KITOS systems on no list, and last round's additions, with where to offer them."""
        area_now = {m.source_navn: m.fagomraade_id for m in self.fagomraader if m.source_navn}
        owner_areas: dict[str, list[int]] = {}
        for owner in self.owners:
            owner_areas.setdefault(owner.person.key, []).append(owner.fagomraade_id)
        additions = []
        for source in self.unmatched:
            if source.fagomraade is None:
                areas = [a for p in source.systemejere for a in owner_areas.get(p.key, [])]
            elif source.tilfoejet:
                areas = [area_now[source.fagomraade]] if source.fagomraade in area_now else []
            else:
                continue
            additions.append(AdditionSuggestion(source, tuple(dict.fromkeys(areas))))
        return tuple(additions)


def match_suggestions(
    fagomraader: Sequence[Fagomraade],
    systemer: Sequence[ItSystem],
    sources: Sequence[SourceSystem],
) -> Suggestions:
    """Match each of this round's systems to at most one source system in its fagområde.

    Sources with a fagområde (last round) are matched area by area, the areas themselves by
    name; sources without one (KITOS) may match a system in any area, and one KITOS system may
    serve several areas, as Bilag 1 lists some systems in more than one.
    """
    area_matches = _match_areas(fagomraader, sources)
    near: dict[str, set[int]] = {}
    for index, source in enumerate(sources):
        for gram in _grams([source.navn, *source.aliases]):
            near.setdefault(gram, set()).add(index)
    matched_area_names = {m.source_navn for m in area_matches if m.source_navn is not None}
    by_area = {m.fagomraade_id: m for m in area_matches}
    system_matches: list[SystemMatch] = []
    used: set[int] = set()
    for fagomraade in fagomraader:
        area = by_area.get(fagomraade.id)
        old_name = area.source_navn if area is not None else None
        candidates = [
            (index, source)
            for index, source in enumerate(sources)
            if source.fagomraade is None
            or source.fagomraade == old_name
            # A renamed area too unlike its old name: its systems may still be recognised.
            or (old_name is None and source.fagomraade not in matched_area_names)
        ]
        own = [s for s in systemer if s.fagomraade_id == fagomraade.id]
        matches = _match_within(own, candidates, near)
        system_matches.extend(match for match, _ in matches)
        used.update(index for _, index in matches if index is not None)
    ordered = sorted(system_matches, key=_system_order(fagomraader, systemer))
    return Suggestions(
        fagomraader=tuple(area_matches),
        systemer=tuple(ordered),
        unmatched=tuple(s for i, s in enumerate(sources) if i not in used),
        owners=tuple(_owners(fagomraader, ordered)),
    )


def name_similarity(names: Iterable[str], other_names: Iterable[str]) -> tuple[float, bool]:
    """The best similarity of any two names (0..1), and whether any two are the same name.

    Similarities below UNCERTAIN_FROM count as 0: they mean "different", and cheap upper
    bounds rule most pairs out before difflib compares them (hundreds of KITOS systems meet
    hundreds of Bilag 1 systems).
    """
    keys = {key for name in names for key in _name_keys(name)}
    other_keys = {key for name in other_names for key in _name_keys(name)}
    if keys & other_keys:
        return 1.0, True
    best = 0.0
    for key in keys:
        for other in other_keys:
            score = CONTAINED_SCORE if _contains_words(key, other) else 0.0
            best = max(best, score, _similarity(key, other))
    return best, False


def suppliers_agree(leverandoer: str | None, others: Sequence[str]) -> bool | None:
    """Whether a vendor is one of the others; None when either side names no vendor."""
    mine = _supplier_key(leverandoer or "")
    theirs = [key for key in (_supplier_key(o) for o in others) if key]
    if not mine or not theirs:
        return None
    return any(
        mine == key
        or _contains_words(mine, key)
        or SequenceMatcher(None, mine, key).ratio() >= _SUPPLIER_AGREES_FROM
        for key in theirs
    )


def score_match(system: ItSystem, source: SourceSystem) -> tuple[float, MatchOutcome]:
    """Score a source system against this round's system and say how sure the match is."""
    score, same_name = name_similarity([system.navn], [source.navn, *source.aliases])
    agree = suppliers_agree(system.leverandoer, source.leverandoerer)
    if agree is False:
        score *= _SUPPLIER_CONFLICT_FACTOR
    if same_name and agree is not False:
        return score, MatchOutcome.CERTAIN
    return score, MatchOutcome.UNCERTAIN if score >= UNCERTAIN_FROM else MatchOutcome.NONE


def _match_areas(
    fagomraader: Sequence[Fagomraade], sources: Sequence[SourceSystem]
) -> list[FagomraadeMatch]:
    source_areas = list(dict.fromkeys(s.fagomraade for s in sources if s.fagomraade))
    if not source_areas:
        return []
    pairs = []
    for fagomraade in fagomraader:
        for navn in source_areas:
            score, same = name_similarity([fagomraade.navn], [navn])
            outcome = (
                MatchOutcome.CERTAIN
                if same
                else MatchOutcome.UNCERTAIN
                if score >= UNCERTAIN_FROM
                else MatchOutcome.NONE
            )
            if outcome is not MatchOutcome.NONE:
                pairs.append((score, fagomraade.id, navn, outcome))
    chosen: dict[int, FagomraadeMatch] = {}
    taken: set[str] = set()
    for score, fagomraade_id, navn, outcome in sorted(pairs, key=lambda p: -p[0]):
        if fagomraade_id not in chosen and navn not in taken:
            chosen[fagomraade_id] = FagomraadeMatch(fagomraade_id, outcome, score, navn)
            taken.add(navn)
    return [
        chosen.get(f.id, FagomraadeMatch(f.id, MatchOutcome.NONE, 0.0, None)) for f in fagomraader
    ]


def _match_within(
    systemer: Sequence[ItSystem],
    candidates: Sequence[tuple[int, SourceSystem]],
    near: Mapping[str, set[int]],
) -> list[tuple[SystemMatch, int | None]]:
    """Pair systems and candidates one to one, best pairs first.

    Only candidates sharing three letters in a row with the system (near: trigram → source
    indexes, word boundaries counted) are scored; that keeps hundreds by hundreds fast.
    Equal names and names within one another always share one; a look-alike that does not is
    made of two-letter scraps ("Hjmfd" and "Hmd"), not what a renamed or misspelt system
    looks like, and simply gets no suggestion.
    """
    pairs = []
    by_index = dict(candidates)
    for system in systemer:
        close = set().union(*(near.get(gram, set()) for gram in _grams([system.navn])))
        for index in sorted(close & by_index.keys()):
            source = by_index[index]
            score, outcome = score_match(system, source)
            if outcome is not MatchOutcome.NONE:
                pairs.append((outcome is MatchOutcome.CERTAIN, score, system, index, source))
    same_name = Counter(
        (system.id, normalise(source.navn)) for certain, _, system, _, source in pairs if certain
    )
    chosen: dict[int, tuple[SystemMatch, int | None]] = {}
    taken: set[int] = set()
    for certain, score, system, index, source in sorted(pairs, key=lambda p: (-p[0], -p[1])):
        if system.id in chosen or index in taken:
            continue
        # Two source systems of the very same name (two "Office 365" usages): ask.
        outcome = (
            MatchOutcome.CERTAIN
            if certain and same_name[(system.id, normalise(source.navn))] == 1
            else MatchOutcome.UNCERTAIN
        )
        match = SystemMatch(system.id, system.fagomraade_id, outcome, round(score, 3), source)
        chosen[system.id] = (match, index)
        taken.add(index)
    return [
        chosen.get(s.id, (SystemMatch(s.id, s.fagomraade_id, MatchOutcome.NONE, 0.0, None), None))
        for s in systemer
    ]


def _owners(
    fagomraader: Sequence[Fagomraade], matches: Sequence[SystemMatch]
) -> list[OwnerSuggestion]:
    suggestions: list[OwnerSuggestion] = []
    for fagomraade in fagomraader:
        counts: Counter[str] = Counter()
        people: dict[str, SourcePerson] = {}
        for match in matches:
            if match.fagomraade_id != fagomraade.id or match.source is None:
                continue
            for person in dict.fromkeys(match.source.systemejere):
                counts[person.key] += 1
                people.setdefault(person.key, person)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], people[item[0]].navn))
        suggestions.extend(
            OwnerSuggestion(fagomraade.id, people[key], count) for key, count in ranked
        )
    return suggestions


def _system_order(
    fagomraader: Sequence[Fagomraade], systemer: Sequence[ItSystem]
) -> Callable[[SystemMatch], tuple[int, int]]:
    """Workbook order: by fagområde, then by the system's place in it."""
    area_position = {f.id: f.position for f in fagomraader}
    system_position = {s.id: s.position for s in systemer}
    return lambda m: (area_position[m.fagomraade_id], system_position[m.it_system_id])


@cache
def _name_keys(name: str) -> frozenset[str]:
    """A name normalised, and again without what it says in parentheses."""
    variants = (normalise(name), normalise(_PARENTHESES.sub(" ", name)))
    return frozenset(key for key in variants if key)


def _similarity(key: str, other: str) -> float:
    """difflib's ratio when it reaches UNCERTAIN_FROM, else 0, ruling out by bounds first.

    The bounds are difflib's real_quick_ratio (lengths) and quick_ratio (shared letters),
    computed without building a SequenceMatcher, which indexes its second string each time.
    """
    total = len(key) + len(other)
    if 2 * min(len(key), len(other)) < UNCERTAIN_FROM * total:
        return 0.0
    if 2 * sum((_letters(key) & _letters(other)).values()) < UNCERTAIN_FROM * total:
        return 0.0
    ratio = SequenceMatcher(None, key, other, autojunk=False).ratio()
    return ratio if ratio >= UNCERTAIN_FROM else 0.0


def _grams(names: Iterable[str]) -> set[str]:
    return {gram for name in names for key in _name_keys(name) for gram in _trigrams(key)}


@cache
def _trigrams(key: str) -> frozenset[str]:
    padded = f" {key} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


@cache
def _letters(key: str) -> Counter[str]:
    return Counter(key)


@cache
def _words(key: str) -> frozenset[str]:
    return frozenset(key.split())


def _contains_words(key: str, other: str) -> bool:
    """Whether all words of the shorter name occur in the longer one ("sbsys" in "sbsys esdh")."""
    words, other_words = _words(key), _words(other)
    shorter, longer = sorted((words, other_words), key=len)
    return bool(shorter) and shorter < longer and any(len(word) >= 3 for word in shorter)


@cache
def _supplier_key(leverandoer: str) -> str:
    return " ".join(_COMPANY_FORMS.sub(" ", normalise(leverandoer)).split())
