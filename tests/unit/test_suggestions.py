from __future__ import annotations

import pytest

from storage.domain.kitos import KitosPerson, KitosSystem, Livscyklus
from storage.domain.model import Anvendelse, Fagomraade, ItSystem
from storage.domain.suggestions import (
    MatchOutcome,
    SourcePerson,
    SourceSystem,
    match_suggestions,
    score_match,
    suppliers_agree,
)

ESDH = Fagomraade(id=1, navn="ESDH og dokumenthåndtering", position=0, antal_systemer=3)
LOEN = Fagomraade(id=2, navn="Løn og personale", position=1, antal_systemer=2)


def _system(id: int, navn: str, leverandoer: str | None = None, *, area: int = 1) -> ItSystem:
    return ItSystem(
        id=id, fagomraade_id=area, navn=navn, leverandoer=leverandoer, beskrivelse=None, position=id
    )


@pytest.mark.parametrize(
    ("navn", "leverandoer", "source", "expected"),
    [
        ("SBSYS", "Fujitsu", SourceSystem("SBSYS", leverandoerer=("Fujitsu A/S",)), "certain"),
        ("SBSYS", None, SourceSystem("sbsys"), "certain"),
        ("Økonomisystem", None, SourceSystem("Oekonomisystem"), "certain"),
        ("Acadre", "Tietoevry", SourceSystem("Acadre (ESDH)"), "certain"),
        ("Opus Løn", "KMD", SourceSystem("OPUS Lon", leverandoerer=("KMD",)), "uncertain"),
        ("SBSYS", None, SourceSystem("SBSYS ESDH"), "uncertain"),
        ("SBSYS", "Fujitsu", SourceSystem("SBSYS", leverandoerer=("Netcompany",)), "uncertain"),
        ("Nexus", "KMD", SourceSystem("Lokal Nexus", aliases=("Nexus",)), "certain"),
        ("KMD Sag", "KMD", SourceSystem("KMD Nexus", leverandoerer=("KMD",)), "none"),
        ("Cura", None, SourceSystem("Nexus"), "none"),
    ],
)
def test_a_source_system_matches_by_name_and_supplier(
    navn: str, leverandoer: str | None, source: SourceSystem, expected: str
) -> None:
    _, outcome = score_match(_system(1, navn, leverandoer), source)
    assert outcome is MatchOutcome(expected)


@pytest.mark.parametrize(
    ("leverandoer", "others", "expected"),
    [
        ("KMD", ["KMD A/S"], True),
        ("Netcompany A/S", ["netcompany"], True),
        ("Systematic", ["KMD", "Systematic A/S"], True),
        ("Fujitsu", ["Netcompany"], False),
        (None, ["KMD"], None),
        ("KMD", [], None),
    ],
)
def test_suppliers_agree_across_company_forms(
    leverandoer: str | None, others: list[str], expected: bool | None
) -> None:
    assert suppliers_agree(leverandoer, others) is expected


def test_last_round_matches_within_renamed_areas_and_lists_the_gone_ones() -> None:
    systemer = [
        _system(1, "SBSYS", "Fujitsu"),
        _system(2, "Acadre", "Tietoevry"),
        _system(3, "Nyt ESDH"),
        _system(4, "Opus Løn", "KMD", area=2),
    ]
    sources = [
        SourceSystem("SBSYS", (), ("Fujitsu",), "ESDH", Anvendelse.ANVENDER, "Hovedsystem"),
        SourceSystem("Acadre", (), (), "ESDH", Anvendelse.ANVENDER_IKKE),
        SourceSystem("Captia", (), (), "ESDH", Anvendelse.ANVENDER_IKKE),
        SourceSystem("Opus Løn", (), ("KMD",), "Løn og personale", Anvendelse.ANVENDER),
        # Last round's Acadre in another area must not answer for this round's ESDH area.
        SourceSystem("Acadre", (), (), "Løn og personale", Anvendelse.SEKUNDAER),
    ]

    result = match_suggestions([ESDH, LOEN], systemer, sources)

    assert [(m.it_system_id, m.outcome, m.anvendelse) for m in result.systemer] == [
        (1, MatchOutcome.CERTAIN, Anvendelse.ANVENDER),
        (2, MatchOutcome.CERTAIN, Anvendelse.ANVENDER_IKKE),
        (3, MatchOutcome.NONE, None),
        (4, MatchOutcome.CERTAIN, Anvendelse.ANVENDER),
    ]
    assert result.systemer[0].source is not None
    assert result.systemer[0].source.bemaerkning == "Hovedsystem"
    assert [(a.fagomraade_id, a.outcome, a.source_navn) for a in result.fagomraader] == [
        (1, MatchOutcome.UNCERTAIN, "ESDH"),
        (2, MatchOutcome.CERTAIN, "Løn og personale"),
    ]
    assert [(s.fagomraade, s.navn) for s in result.unmatched] == [
        ("ESDH", "Captia"),
        ("Løn og personale", "Acadre"),
    ]


def test_an_area_renamed_beyond_recognition_still_finds_its_systems() -> None:
    area = Fagomraade(id=7, navn="Borgerservice", position=0, antal_systemer=1)
    sources = [
        SourceSystem("KMD Nemrefusion", fagomraade="Ydelser", anvendelse=Anvendelse.ANVENDER)
    ]

    result = match_suggestions([area], [_system(1, "KMD Nemrefusion", area=7)], sources)

    assert result.fagomraader[0].outcome is MatchOutcome.NONE
    assert result.systemer[0].outcome is MatchOutcome.CERTAIN


def test_one_source_system_answers_for_one_system_of_an_area() -> None:
    systemer = [_system(1, "SBSYS"), _system(2, "SBSYS ESDH")]
    result = match_suggestions([ESDH], systemer, [SourceSystem("SBSYS")])

    assert [(m.it_system_id, m.outcome) for m in result.systemer] == [
        (1, MatchOutcome.CERTAIN),
        (2, MatchOutcome.NONE),
    ]


def test_two_source_systems_of_the_same_name_are_shown_for_confirmation() -> None:
    sources = [
        SourceSystem("Office 365", anvendelse=Anvendelse.ANVENDER),
        SourceSystem("Office 365", anvendelse=Anvendelse.ANVENDER_IKKE),
    ]
    result = match_suggestions([ESDH], [_system(1, "Office 365")], sources)

    assert result.systemer[0].outcome is MatchOutcome.UNCERTAIN


def test_kitos_suggests_answers_additions_and_owners_across_areas() -> None:
    anne = KitosPerson("Anne Holm", "ah@kommune.dk")
    bo = KitosPerson("Bo Ravn", "br@kommune.dk")
    kitos = [
        KitosSystem("SBSYS", livscyklus=Livscyklus.OPERATIONAL, systemejere=(anne,)),
        KitosSystem("Captia", livscyklus=Livscyklus.NOT_IN_USE, systemejere=(anne, bo)),
        KitosSystem("Opus Løn", livscyklus=Livscyklus.UNDECIDED, systemejere=(bo,)),
        KitosSystem("Aula", livscyklus=Livscyklus.OPERATIONAL),
    ]
    systemer = [
        _system(1, "SBSYS"),
        _system(2, "Captia"),
        _system(3, "Opus Løn", area=2),
        _system(4, "SBSYS", area=2),
    ]

    result = match_suggestions([ESDH, LOEN], systemer, [k.as_source() for k in kitos])

    assert [(m.it_system_id, m.outcome, m.anvendelse) for m in result.systemer] == [
        (1, MatchOutcome.CERTAIN, Anvendelse.ANVENDER),
        (2, MatchOutcome.CERTAIN, Anvendelse.ANVENDER_IKKE),
        (3, MatchOutcome.CERTAIN, None),
        (4, MatchOutcome.CERTAIN, Anvendelse.ANVENDER),
    ]
    assert [s.navn for s in result.unmatched] == ["Aula"]
    assert [(o.fagomraade_id, o.person.navn, o.systemer) for o in result.owners] == [
        (1, "Anne Holm", 2),
        (1, "Bo Ravn", 1),
        (2, "Anne Holm", 1),
        (2, "Bo Ravn", 1),
    ]


def test_an_owner_is_one_person_by_email_whatever_the_name() -> None:
    sources = [
        SourceSystem("SBSYS", systemejere=(SourcePerson("Anne Holm", "AH@kommune.dk"),)),
        SourceSystem("Captia", systemejere=(SourcePerson("Anne K. Holm", "ah@kommune.dk"),)),
    ]
    result = match_suggestions([ESDH], [_system(1, "SBSYS"), _system(2, "Captia")], sources)

    assert [(o.person.navn, o.systemer) for o in result.owners_of(1)] == [("Anne Holm", 2)]


def test_a_source_without_areas_matches_no_areas() -> None:
    result = match_suggestions([ESDH], [_system(1, "SBSYS")], [SourceSystem("SBSYS")])

    assert result.fagomraader == ()
    assert result.systemer[0].outcome is MatchOutcome.CERTAIN


def test_additions_are_offered_where_their_systemejer_owns_systems() -> None:
    anne = KitosPerson("Anne Holm", "ah@kommune.dk")
    kitos = [
        KitosSystem("Opus Løn", livscyklus=Livscyklus.OPERATIONAL, systemejere=(anne,)),
        KitosSystem("Lønportal", livscyklus=Livscyklus.OPERATIONAL, systemejere=(anne,)),
        KitosSystem("Aula", livscyklus=Livscyklus.OPERATIONAL),
    ]
    systemer = [_system(1, "SBSYS"), _system(2, "Opus Løn", area=2)]

    result = match_suggestions([ESDH, LOEN], systemer, [k.as_source() for k in kitos])

    assert [(a.source.navn, a.fagomraade_ids) for a in result.additions] == [
        ("Lønportal", (2,)),
        ("Aula", ()),
    ]
    assert result.gone == ()


def test_last_rounds_additions_return_to_their_area_and_gone_systems_are_listed() -> None:
    sources = [
        SourceSystem("SBSYS", fagomraade="ESDH og dokumenthåndtering"),
        SourceSystem("Captia", fagomraade="ESDH og dokumenthåndtering"),
        SourceSystem("Eget arkiv", fagomraade="ESDH og dokumenthåndtering", tilfoejet=True),
        SourceSystem("Gammel løn", fagomraade="Løn", tilfoejet=True),
    ]

    result = match_suggestions([ESDH], [_system(1, "SBSYS")], sources)

    assert [s.navn for s in result.gone] == ["Captia"]
    assert [(a.source.navn, a.fagomraade_ids) for a in result.additions] == [
        ("Eget arkiv", (1,)),
        ("Gammel løn", ()),
    ]
