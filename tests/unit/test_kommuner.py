from __future__ import annotations

import pytest

from storage.catalogue.kommuner import load_kommuner
from storage.domain.kommuner import (
    KommuneFound,
    KommuneMatch,
    KommuneNotFound,
    KommuneSuggestions,
    find_kommune,
)
from storage.domain.model import Kommune

KOMMUNER = load_kommuner()


def kode_found(match: KommuneMatch) -> str | None:
    return match.kommune.kode if isinstance(match, KommuneFound) else None


def suggested(match: KommuneMatch) -> list[str]:
    assert isinstance(match, KommuneSuggestions), match
    return [kommune.navn for kommune in match.kommuner]


def test_the_bundled_list_holds_all_98_kommuner_with_distinct_codes_and_names() -> None:
    assert len(KOMMUNER) == 98
    assert len({kommune.kode for kommune in KOMMUNER}) == 98
    assert len({kommune.navn for kommune in KOMMUNER}) == 98
    assert all(kommune.kode.isdigit() and len(kommune.kode) == 3 for kommune in KOMMUNER)
    assert {kommune.region for kommune in KOMMUNER} == {
        "Region Hovedstaden",
        "Region Sjælland",
        "Region Syddanmark",
        "Region Midtjylland",
        "Region Nordjylland",
    }


def test_the_bundled_list_is_read_once() -> None:
    assert load_kommuner() is load_kommuner()


def test_aarhus_is_read_from_the_bundled_list_in_full() -> None:
    aarhus = next(kommune for kommune in KOMMUNER if kommune.kode == "751")

    assert aarhus == Kommune(
        kode="751", navn="Aarhus", officielt_navn="Aarhus Kommune", region="Region Midtjylland"
    )


@pytest.mark.parametrize("kommune", KOMMUNER, ids=lambda kommune: kommune.kode)
def test_every_kommune_is_found_by_its_official_name_its_name_and_its_code(
    kommune: Kommune,
) -> None:
    assert find_kommune(kommune.officielt_navn, KOMMUNER) == KommuneFound(kommune)
    assert find_kommune(kommune.navn, KOMMUNER) == KommuneFound(kommune)
    assert find_kommune(kommune.kode, KOMMUNER) == KommuneFound(kommune)
    assert find_kommune(kommune.kode.zfill(4), KOMMUNER) == KommuneFound(kommune)


@pytest.mark.parametrize(
    ("query", "expected_kode"),
    [
        ("Århus", "751"),
        ("aarhus kommune", "751"),
        ("Aarhus Kommune", "751"),
        ("  AARHUS  ", "751"),
        ("751", "751"),
        ("0751", "751"),
        ("Ålborg", "851"),
        ("Åbenrå Kommune", "580"),
        ("Høje Taastrup", "169"),
        ("Høje-Taastrup", "169"),
        ("hoeje taastrup kommune", "169"),
        ("Højetaastrup", "169"),
        ("Lyngby Taarbæk", "173"),
        ("Københavns Kommune", "101"),
        ("koebenhavn", "101"),
        ("Frederiksberg Kommunes", "147"),
        ("Bornholm", "400"),
        ("Bornholms Regionskommune", "400"),
        ("bornholms kommune", "400"),
        ("Brønderslev-Dronninglund", "810"),
        ("Kbh.", "101"),
        ("Lyngby", "173"),
        ("Taastrup", "169"),
        ("Nordfyn", "480"),
        ("Vesthimmerland Kommune", "820"),
    ],
)
def test_spellings_of_one_kommune_find_it(query: str, expected_kode: str) -> None:
    assert kode_found(find_kommune(query, KOMMUNER)) == expected_kode


@pytest.mark.parametrize(
    ("query", "expected_navne"),
    [
        ("frederiks", ["Frederiksberg", "Frederikshavn", "Frederikssund"]),
        ("Frederiks kommune", ["Frederiksberg", "Frederikshavn", "Frederikssund"]),
        ("hol", ["Holbæk", "Holstebro"]),
        ("Ringkøbing", ["Ringkøbing-Skjern"]),
        ("midtfyn", ["Faaborg-Midtfyn"]),
        ("Brande", ["Ikast-Brande"]),
    ],
)
def test_the_beginning_of_a_name_or_of_one_of_its_words_gives_suggestions(
    query: str, expected_navne: list[str]
) -> None:
    assert suggested(find_kommune(query, KOMMUNER)) == expected_navne


@pytest.mark.parametrize(
    ("query", "expected_navne"),
    [
        ("Kobenhavn", ["København"]),
        ("Helsingor", ["Helsingør"]),
        ("Koge", ["Køge"]),
        ("Svenborg", ["Svendborg"]),
        ("Randrs", ["Randers"]),
        ("Hilerød", ["Hillerød", "Allerød"]),
    ],
)
def test_a_misspelt_name_gives_the_closest_names_best_first(
    query: str, expected_navne: list[str]
) -> None:
    assert suggested(find_kommune(query, KOMMUNER)) == expected_navne


def test_suggestions_are_capped_at_the_limit() -> None:
    assert len(suggested(find_kommune("f", KOMMUNER))) == 5
    assert suggested(find_kommune("frederiks", KOMMUNER, limit=2)) == [
        "Frederiksberg",
        "Frederikshavn",
    ]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("Christiansø", id="christiansoe belongs to no kommune"),
        pytest.param("Skagen", id="a town, not a kommune"),
        pytest.param("xyzzy", id="nonsense"),
        pytest.param("999", id="an unused code"),
        pytest.param("kommune", id="only the suffix"),
        pytest.param("  ", id="blank"),
    ],
)
def test_what_is_not_a_kommune_is_not_found(query: str) -> None:
    assert find_kommune(query, KOMMUNER) == KommuneNotFound()


def test_an_alias_whose_kommune_is_not_in_the_list_finds_nothing() -> None:
    without_broenderslev = [kommune for kommune in KOMMUNER if kommune.kode != "810"]

    assert kode_found(find_kommune("Brønderslev-Dronninglund", without_broenderslev)) is None
