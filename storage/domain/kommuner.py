"""Find the kommune a person means from a loosely typed name or kommunekode.

Pure and stdlib only; the list of municipalities is passed in (storage.catalogue loads it).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from storage.domain.answers import normalise
from storage.domain.model import Kommune

DEFAULT_SUGGESTION_LIMIT = 5

# Similarity (difflib ratio) a misspelling needs to be suggested: "Helsingor" and "Kobenhavn"
# pass; short unrelated names that merely share a few letters do not.
_FUZZY_CUTOFF = 0.75

# Trailing words people add to a name, removed only as whole words ("Bornholms Regionskommune").
_SUFFIXES = ("regionskommune", "kommunes", "kommune")

# Names normalise() cannot fold onto today's name: a former official name and everyday short
# forms, each naming exactly one kommune (keys in normalised form, values kommunekoder).
# Old aa-spellings (Århus, Ålborg, Åbenrå) need no entry: normalise folds å to aa, the
# spelling the current names use.
_ALIASES: dict[str, str] = {
    "broenderslev dronninglund": "810",  # Brønderslev's official name 2007-2011
    "kbh": "101",
    "lyngby": "173",
    "taastrup": "169",
    "nordfyn": "480",
    "vesthimmerland": "820",
}


@dataclass(frozen=True, slots=True)
class KommuneFound:
    """The query names exactly this kommune."""

    kommune: Kommune


@dataclass(frozen=True, slots=True)
class KommuneSuggestions:
    """The query is ambiguous or misspelt; these are the candidates, best first."""

    kommuner: tuple[Kommune, ...]


@dataclass(frozen=True, slots=True)
class KommuneNotFound:
    """Nothing resembles the query."""


KommuneMatch: TypeAlias = KommuneFound | KommuneSuggestions | KommuneNotFound


def find_kommune(
    query: str, kommuner: Sequence[Kommune], *, limit: int = DEFAULT_SUGGESTION_LIMIT
) -> KommuneMatch:
    """Find the kommune meant by a name, official name, alias or kommunekode.

    Case, æ/ø/å versus ae/oe/aa, spaces, hyphens and a trailing "kommune" do not matter.
    A query that begins a name, or a word of one, gives suggestions even when one kommune
    fits: the coordinator confirms, because the kommune's name is what KOMBIT receives.
    Anything else gets the closest names by similarity, or nothing.
    """
    words = _strip_suffix(normalise(query))
    if words.isdigit():
        return _find_by_kode(int(words), kommuner)
    wanted = _compact(words)
    if not wanted:
        return KommuneNotFound()

    names = _names(kommuner)
    if wanted in names:
        return KommuneFound(names[wanted])

    beginning = sorted(
        (k for k in kommuner if any(part.startswith(wanted) for part in _beginnings(k))),
        key=lambda kommune: normalise(kommune.navn),
    )
    if beginning:
        return KommuneSuggestions(tuple(beginning[:limit]))

    close = difflib.get_close_matches(wanted, names, n=len(names), cutoff=_FUZZY_CUTOFF)
    similar = _distinct(names[name] for name in close)[:limit]
    return KommuneSuggestions(tuple(similar)) if similar else KommuneNotFound()


def _find_by_kode(kode: int, kommuner: Iterable[Kommune]) -> KommuneMatch:
    # Kommunekoder are written with and without a leading zero ("0751", "751").
    for kommune in kommuner:
        if int(kommune.kode) == kode:
            return KommuneFound(kommune)
    return KommuneNotFound()


def _names(kommuner: Iterable[Kommune]) -> dict[str, Kommune]:
    """Map every compact name, official name and alias to its kommune."""
    names: dict[str, Kommune] = {}
    by_kode: dict[str, Kommune] = {}
    for kommune in kommuner:
        by_kode[kommune.kode] = kommune
        # The official name adds genitives: "Københavns Kommune", "Bornholms Regionskommune".
        names[_compact(normalise(kommune.navn))] = kommune
        names[_compact(_strip_suffix(normalise(kommune.officielt_navn)))] = kommune
    for alias, kode in _ALIASES.items():
        if kode in by_kode:
            names[_compact(alias)] = by_kode[kode]
    return names


def _beginnings(kommune: Kommune) -> list[str]:
    """Return the strings a query may be the beginning of: whole names and single words."""
    navn = normalise(kommune.navn)
    official = _strip_suffix(normalise(kommune.officielt_navn))
    return [_compact(navn), _compact(official), *navn.split()]


def _strip_suffix(words: str) -> str:
    for suffix in _SUFFIXES:
        if words == suffix:
            return ""
        if words.endswith(" " + suffix):
            return words.removesuffix(suffix).rstrip()
    return words


def _compact(words: str) -> str:
    # "Høje Taastrup", "Høje-Taastrup" and "Højetaastrup" are one name.
    return words.replace(" ", "")


def _distinct(kommuner: Iterable[Kommune]) -> list[Kommune]:
    return list({kommune.kode: kommune for kommune in kommuner}.values())
