from __future__ import annotations

import pytest

from storage.domain.kitos import (
    KitosPerson,
    KitosSystem,
    Livscyklus,
    parse_livscyklus,
    suggested_anvendelse,
)
from storage.domain.model import Anvendelse
from storage.domain.suggestions import SourcePerson


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Operational", Livscyklus.OPERATIONAL),
        ("PhasingIn", Livscyklus.PHASING_IN),
        ("PhasingOut", Livscyklus.PHASING_OUT),
        ("NotInUse", Livscyklus.NOT_IN_USE),
        ("Undecided", Livscyklus.UNDECIDED),
        ("Pilot", Livscyklus.PILOT),
        ("I drift", Livscyklus.OPERATIONAL),
        ("i  DRIFT", Livscyklus.OPERATIONAL),
        ("Ikke i drift", Livscyklus.NOT_IN_USE),
        ("Under indfasning", Livscyklus.PHASING_IN),
        ("Under udfasning", Livscyklus.PHASING_OUT),
        ("Under afprøvning", Livscyklus.PILOT),
        ("Under afproevning", Livscyklus.PILOT),
        ("", None),
        (None, None),
        ("Aktivt", None),
    ],
)
def test_life_cycles_are_read_as_the_api_and_the_export_spell_them(
    text: str | None, expected: Livscyklus | None
) -> None:
    assert parse_livscyklus(text) is expected


@pytest.mark.parametrize(
    ("livscyklus", "expected"),
    [
        (Livscyklus.OPERATIONAL, Anvendelse.ANVENDER),
        (Livscyklus.PHASING_IN, Anvendelse.ANVENDER),
        (Livscyklus.PHASING_OUT, Anvendelse.ANVENDER),
        (Livscyklus.PILOT, Anvendelse.ANVENDER),
        (Livscyklus.NOT_IN_USE, Anvendelse.ANVENDER_IKKE),
        (Livscyklus.UNDECIDED, None),
        (None, None),
    ],
)
def test_a_life_cycle_suggests_an_anvendelse_or_none(
    livscyklus: Livscyklus | None, expected: Anvendelse | None
) -> None:
    assert suggested_anvendelse(livscyklus) is expected


def test_a_kitos_system_offers_its_local_name_both_vendors_and_its_owners() -> None:
    system = KitosSystem(
        navn="KMD Nexus",
        lokalt_navn="Omsorgssystem",
        livscyklus=Livscyklus.PHASING_OUT,
        leverandoer="KMD A/S",
        rettighedshaver="KMD A/S",
        systemejere=(KitosPerson("Anne Holm", "ah@kommune.dk"),),
    )

    source = system.as_source()

    assert source.aliases == ("Omsorgssystem",)
    assert source.leverandoerer == ("KMD A/S",)
    assert source.anvendelse is Anvendelse.ANVENDER
    assert source.fagomraade is None
    assert source.systemejere == (SourcePerson("Anne Holm", "ah@kommune.dk"),)
