"""The rules of answering, as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.domain.answer_rules import (
    change_is_announced,
    check_may_answer,
    decide_answer,
    describe,
)
from storage.domain.model import AlreadySubmitted, Answer, Anvendelse, NotAssigned

AT = datetime(2027, 3, 1, 9, tzinfo=UTC)
ANNE = 7


def _decide(previous: Answer | None, anvendelse: Anvendelse, remark: str | None, **kw: bool):  # type: ignore[no-untyped-def]
    return decide_answer(
        previous,
        system_id=1,
        anvendelse=anvendelse,
        bemaerkning=remark,
        keep_bemaerkning=kw.get("keep", False),
        person_id=ANNE,
        at=AT,
    )


def test_only_a_person_the_area_is_assigned_to_may_answer() -> None:
    with pytest.raises(NotAssigned):
        check_may_answer(
            fagomraade_id=3, person_id=ANNE, assigned=False, submitted=False, correcting=False
        )
    check_may_answer(
        fagomraade_id=3, person_id=ANNE, assigned=True, submitted=False, correcting=False
    )


def test_a_submitted_area_takes_corrections_but_not_the_flow_s_answers() -> None:
    with pytest.raises(AlreadySubmitted):
        check_may_answer(
            fagomraade_id=3, person_id=ANNE, assigned=True, submitted=True, correcting=False
        )
    check_may_answer(
        fagomraade_id=3, person_id=ANNE, assigned=True, submitted=True, correcting=True
    )


def test_the_same_answer_again_changes_nothing() -> None:
    first = _decide(None, Anvendelse.ANVENDER, " kun opslag ")
    assert first == Answer(1, Anvendelse.ANVENDER, "kun opslag", ANNE, AT)

    assert _decide(first, Anvendelse.ANVENDER, "kun opslag") is None
    assert _decide(first, Anvendelse.ANVENDER, None) == Answer(
        1, Anvendelse.ANVENDER, None, ANNE, AT
    )


def test_an_input_without_a_remark_field_keeps_the_remark() -> None:
    previous = Answer(1, Anvendelse.ANVENDER, "kun opslag", 9, AT)

    answer = _decide(previous, Anvendelse.SEKUNDAER, None, keep=True)

    assert answer == Answer(1, Anvendelse.SEKUNDAER, "kun opslag", ANNE, AT)
    assert _decide(previous, Anvendelse.ANVENDER, None, keep=True) is None


def test_the_audit_trail_describes_an_answer_with_its_remark() -> None:
    assert describe(None) is None
    assert describe(Answer(1, Anvendelse.SEKUNDAER, "x", ANNE, AT)) == "sekundaer|x"
    assert describe(Answer(1, Anvendelse.ANVENDER_IKKE, None, ANNE, AT)) == "anvender_ikke|"


@pytest.mark.parametrize(
    ("delivered", "already", "announced"),
    [(False, False, False), (True, False, True), (True, True, False)],
)
def test_only_the_first_change_after_a_delivery_is_announced(
    delivered: bool, already: bool, announced: bool
) -> None:
    assert change_is_announced(delivered=delivered, already_announced=already) is announced
