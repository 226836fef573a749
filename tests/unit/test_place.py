"""The survey place as a value."""

from __future__ import annotations

import dataclasses

import pytest

from storage.domain.place import Phase, SurveyPlace


def test_a_place_moves_within_its_fagomraade_and_forgets_the_rest() -> None:
    place = SurveyPlace(4, Phase.SYSTEM, system_id=12, correcting=True)

    assert place.at(Phase.SUMMARY) == SurveyPlace(4, Phase.SUMMARY)
    assert place.at(Phase.FORM, page=2) == SurveyPlace(4, Phase.FORM, page=2)


def test_a_place_is_a_value() -> None:
    place = SurveyPlace(4)

    assert place == SurveyPlace(4, Phase.SYSTEM, None, 0, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.page = 1  # type: ignore[misc]
