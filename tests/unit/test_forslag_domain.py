"""Which suggestion a system card shows, and how answers are counted against suggestions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.domain.forslag import Afgjort, Forslag, Kilde, forslag_counts, is_shown, preferred
from storage.domain.model import Answer, Anvendelse

AT = datetime(2027, 5, 1, tzinfo=UTC)


def _forslag(system_id: int, kilde: Kilde, anvendelse: Anvendelse) -> Forslag:
    return Forslag(system_id * 10, system_id, kilde, anvendelse, None, f"System {system_id}")


@pytest.mark.parametrize(
    ("sikker", "afgjort", "shown"),
    [
        (True, None, True),
        (True, Afgjort.ACCEPTERET, True),
        (True, Afgjort.AFVIST, False),
        (False, None, False),
        (False, Afgjort.ACCEPTERET, True),
        (False, Afgjort.AFVIST, False),
    ],
)
def test_a_certain_match_is_shown_unless_rejected_an_uncertain_one_once_accepted(
    sikker: bool, afgjort: Afgjort | None, shown: bool
) -> None:
    assert is_shown(sikker=sikker, afgjort=afgjort) is shown


def test_last_round_wins_over_kitos() -> None:
    kitos = _forslag(1, Kilde.KITOS, Anvendelse.ANVENDER)
    sidste = _forslag(1, Kilde.SIDSTE_RUNDE, Anvendelse.ANVENDER_IKKE)

    assert preferred([kitos, sidste]) is sidste
    assert preferred([None, kitos]) is kitos
    assert preferred([None, None]) is None


def test_confirmed_and_changed_answers_are_counted() -> None:
    shown = {
        1: _forslag(1, Kilde.SIDSTE_RUNDE, Anvendelse.ANVENDER),
        2: _forslag(2, Kilde.KITOS, Anvendelse.ANVENDER),
        3: _forslag(3, Kilde.SIDSTE_RUNDE, Anvendelse.SEKUNDAER),
    }
    answers = [
        Answer(1, Anvendelse.ANVENDER, None, 7, AT, Kilde.SIDSTE_RUNDE),
        Answer(2, Anvendelse.ANVENDER_IKKE, None, 7, AT),  # typed otherwise than KITOS
        Answer(3, Anvendelse.SEKUNDAER, "ja", 7, AT),  # pressed the same: not a change
        Answer(4, Anvendelse.ANVENDER, None, 7, AT),  # no suggestion
    ]

    assert forslag_counts(answers, shown) == (1, 1)
