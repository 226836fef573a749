from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from storage.domain.model import Fagomraade, Person
from storage.domain.progress import FagomraadeFacts, compute_progress
from storage.domain.schedule import danish_holidays

HELLIGDAGE = danish_holidays([2027])
SLUTDATO = date(2027, 8, 31)  # a Tuesday
WELL_AHEAD = date(2027, 8, 16)  # 11 working days to go
AT_RISK = date(2027, 8, 25)  # 4 working days to go
PAST = date(2027, 9, 2)
SUBMITTED_AT = datetime(2027, 8, 20, 10, 15, tzinfo=UTC)

ANNE = Person(id=1, tenant_id="t", aad_object_id="aad-anne", navn="Anne", email=None)
BO = Person(id=2, tenant_id="t", aad_object_id="aad-bo", navn="Bo", email=None)
CARL = Person(id=3, tenant_id="t", aad_object_id="aad-carl", navn="Carl", email=None)


def facts(
    fagomraade_id: int,
    *,
    answered: int,
    total: int,
    owners: tuple[Person, ...] = (),
    submitted_at: datetime | None = None,
    last_activity: datetime | None = None,
) -> FagomraadeFacts:
    fagomraade = Fagomraade(
        id=fagomraade_id,
        navn=f"Fagomraade {fagomraade_id}",
        position=fagomraade_id,
        antal_systemer=total,
        indsendt_at=submitted_at,
    )
    return FagomraadeFacts(
        fagomraade=fagomraade, answered=answered, owners=owners, last_activity=last_activity
    )


def test_overall_percent_is_answered_systems_over_all_systems_not_an_average() -> None:
    progress = compute_progress(
        [facts(1, answered=5, total=10), facts(2, answered=30, total=30)],
        today=WELL_AHEAD,
        slutdato=SLUTDATO,
        helligdage=HELLIGDAGE,
    )

    assert (progress.answered, progress.total, progress.percent) == (35, 40, 87)
    assert [area.percent for area in progress.fagomraader] == [50, 100]


def test_percent_is_rounded_down_so_100_means_nothing_is_missing() -> None:
    progress = compute_progress(
        [facts(1, answered=199, total=200)],
        today=WELL_AHEAD,
        slutdato=SLUTDATO,
        helligdage=HELLIGDAGE,
    )

    assert progress.fagomraader[0].percent == 99
    assert progress.percent == 99


def test_a_fagomraade_without_systems_counts_as_fully_answered() -> None:
    progress = compute_progress(
        [facts(1, answered=0, total=0)], today=WELL_AHEAD, slutdato=SLUTDATO, helligdage=HELLIGDAGE
    )

    assert progress.fagomraader[0].percent == 100
    assert progress.percent == 100


def test_each_fagomraade_keeps_its_facts_in_the_given_order() -> None:
    last_activity = datetime(2027, 8, 12, 14, 3, tzinfo=UTC)

    progress = compute_progress(
        [
            facts(7, answered=3, total=4, owners=(ANNE, BO), last_activity=last_activity),
            facts(2, answered=4, total=4, submitted_at=SUBMITTED_AT),
        ],
        today=WELL_AHEAD,
        slutdato=SLUTDATO,
        helligdage=HELLIGDAGE,
    )

    first, second = progress.fagomraader
    assert (first.fagomraade.id, first.answered, first.total) == (7, 3, 4)
    assert first.owners == (ANNE, BO)
    assert first.last_activity == last_activity
    assert not first.submitted
    assert (second.fagomraade.id, second.submitted, second.last_activity) == (2, True, None)
    assert progress.submitted_count == 1


@pytest.mark.parametrize(
    ("today", "expected_days"),
    [
        pytest.param(WELL_AHEAD, 15, id="before"),
        pytest.param(SLUTDATO, 0, id="on the day"),
        pytest.param(PAST, -2, id="after"),
    ],
)
def test_days_to_slutdato_are_calendar_days_and_negative_when_past(
    today: date, expected_days: int
) -> None:
    progress = compute_progress(
        [facts(1, answered=0, total=1)], today=today, slutdato=SLUTDATO, helligdage=HELLIGDAGE
    )

    assert progress.days_to_slutdato == expected_days


@pytest.mark.parametrize(
    ("today", "submitted_at", "expected_late"),
    [
        pytest.param(WELL_AHEAD, None, False, id="unsubmitted, well ahead"),
        pytest.param(AT_RISK, None, True, id="unsubmitted, five working days or fewer"),
        pytest.param(SLUTDATO, None, True, id="unsubmitted, on slutdato"),
        pytest.param(PAST, None, True, id="unsubmitted, slutdato passed"),
        pytest.param(AT_RISK, SUBMITTED_AT, False, id="submitted, at risk"),
        pytest.param(PAST, SUBMITTED_AT, False, id="submitted, slutdato passed"),
    ],
)
def test_a_fagomraade_is_late_when_unsubmitted_near_or_after_slutdato(
    today: date, submitted_at: datetime | None, expected_late: bool
) -> None:
    progress = compute_progress(
        [facts(1, answered=4, total=4, owners=(ANNE,), submitted_at=submitted_at)],
        today=today,
        slutdato=SLUTDATO,
        helligdage=HELLIGDAGE,
    )

    assert progress.fagomraader[0].late is expected_late
    assert progress.late_owners == ((ANNE,) if expected_late else ())


def test_the_risk_window_counts_working_days_and_can_be_narrowed() -> None:
    area = [facts(1, answered=0, total=4, owners=(ANNE,))]

    default = compute_progress(area, today=AT_RISK, slutdato=SLUTDATO, helligdage=HELLIGDAGE)
    narrow = compute_progress(
        area, today=AT_RISK, slutdato=SLUTDATO, helligdage=HELLIGDAGE, risk_working_days=3
    )

    assert default.fagomraader[0].late
    assert not narrow.fagomraader[0].late


def test_late_owners_are_listed_once_each_in_fagomraade_order() -> None:
    progress = compute_progress(
        [
            facts(1, answered=1, total=4, owners=(BO, ANNE)),
            facts(2, answered=4, total=4, owners=(CARL,), submitted_at=SUBMITTED_AT),
            facts(3, answered=0, total=4, owners=(ANNE,)),
        ],
        today=AT_RISK,
        slutdato=SLUTDATO,
        helligdage=HELLIGDAGE,
    )

    assert progress.late_owners == (BO, ANNE)


def test_an_unowned_late_fagomraade_is_late_without_late_owners() -> None:
    progress = compute_progress(
        [facts(1, answered=0, total=4)], today=PAST, slutdato=SLUTDATO, helligdage=HELLIGDAGE
    )

    assert progress.fagomraader[0].late
    assert progress.late_owners == ()


@pytest.mark.parametrize(
    ("submitted", "expected_complete"),
    [
        pytest.param([SUBMITTED_AT, SUBMITTED_AT], True, id="all submitted"),
        pytest.param([SUBMITTED_AT, None], False, id="one left"),
        pytest.param([], False, id="no fagomraader at all"),
    ],
)
def test_complete_means_every_fagomraade_is_submitted(
    submitted: list[datetime | None], expected_complete: bool
) -> None:
    areas = [
        facts(n, answered=2, total=2, submitted_at=at) for n, at in enumerate(submitted, start=1)
    ]

    progress = compute_progress(areas, today=PAST, slutdato=SLUTDATO, helligdage=HELLIGDAGE)

    assert progress.complete is expected_complete
    assert progress.submitted_count == sum(at is not None for at in submitted)


def test_all_answered_but_unsubmitted_is_not_complete() -> None:
    progress = compute_progress(
        [facts(1, answered=4, total=4)], today=WELL_AHEAD, slutdato=SLUTDATO, helligdage=HELLIGDAGE
    )

    assert progress.percent == 100
    assert not progress.complete


@pytest.mark.parametrize(("answered", "total"), [(5, 4), (-1, 4)])
def test_answered_outside_zero_to_total_is_refused(answered: int, total: int) -> None:
    with pytest.raises(ValueError, match=f"answered {answered}"):
        facts(1, answered=answered, total=total)


def test_progress_goes_by_the_given_today_not_the_wall_clock() -> None:
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        progress = compute_progress(
            [facts(1, answered=0, total=4, owners=(ANNE,))],
            today=WELL_AHEAD,
            slutdato=SLUTDATO,
            helligdage=HELLIGDAGE,
        )

    assert progress.days_to_slutdato == 15
    assert not progress.fagomraader[0].late
