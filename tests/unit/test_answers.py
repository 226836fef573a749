from __future__ import annotations

import pytest

from storage.domain.answers import normalise, parse_anvendelse
from storage.domain.model import Anvendelse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ja", Anvendelse.ANVENDER),
        ("J", Anvendelse.ANVENDER),
        ("  Anvender  ", Anvendelse.ANVENDER),
        ("1", Anvendelse.ANVENDER),
        ("nej", Anvendelse.ANVENDER_IKKE),
        ("Anvender ikke", Anvendelse.ANVENDER_IKKE),
        ("anvender   IKKE", Anvendelse.ANVENDER_IKKE),
        ("2", Anvendelse.ANVENDER_IKKE),
        ("sekundær", Anvendelse.SEKUNDAER),
        ("Sekundaer", Anvendelse.SEKUNDAER),
        ("Sekundær anvendelse", Anvendelse.SEKUNDAER),
        ("SEKUNDAER ANVENDELSE", Anvendelse.SEKUNDAER),
        ("delvis", Anvendelse.SEKUNDAER),
        ("3", Anvendelse.SEKUNDAER),
        ("sekundær anvendelse.", Anvendelse.SEKUNDAER),
    ],
)
def test_known_spellings_give_their_anvendelse(text: str, expected: Anvendelse) -> None:
    assert parse_anvendelse(text) is expected


@pytest.mark.parametrize("text", ["", "måske", "4", "anvender måske", "hjælp", None])
def test_anything_else_is_not_understood(text: str | None) -> None:
    assert parse_anvendelse(text) is None


def test_normalise_folds_danish_letters_case_and_spacing() -> None:
    assert normalise("  Æble-Øl  og Ål ") == "aeble oel og aal"
