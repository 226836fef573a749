"""The pure delivery rules: net changes after sending, and the names of delivered files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from storage.domain.archive import (
    ChangeEntry,
    ChangeKind,
    bilag1_filename,
    eml_filename,
    file_safe,
    net_changes,
)
from storage.domain.model import Anvendelse

T0 = datetime(2027, 9, 1, 10, 0, tzinfo=UTC)
A, AI, S = Anvendelse.ANVENDER, Anvendelse.ANVENDER_IKKE, Anvendelse.SEKUNDAER


def answer(
    system_id: int, before: Anvendelse | None, after: Anvendelse, minutes: int, by: str = "Anne"
) -> ChangeEntry:
    return ChangeEntry(
        target=("system", system_id),
        kind=ChangeKind.ANSWER,
        fagomraade="ESDH",
        system=f"System {system_id}",
        before=before,
        after=after,
        by=by,
        at=T0 + timedelta(minutes=minutes),
    )


def tilfoejet(tilfoejet_id: int, kind: ChangeKind, minutes: int) -> ChangeEntry:
    return ChangeEntry(
        target=("tilfoejet", tilfoejet_id),
        kind=kind,
        fagomraade="ESDH",
        system="WorkZone",
        before=A if kind is ChangeKind.REMOVED else None,
        after=A if kind is ChangeKind.ADDED else None,
        by="Anne",
        at=T0 + timedelta(minutes=minutes),
    )


def test_several_edits_of_one_system_are_one_change_from_first_before_to_last_after() -> None:
    [change] = net_changes([answer(1, A, AI, 1), answer(1, AI, S, 5, by="Bo")])

    assert (change.before, change.after, change.by, change.at) == (
        A,
        S,
        "Bo",
        T0 + timedelta(minutes=5),
    )


def test_an_answer_changed_back_is_no_change() -> None:
    assert net_changes([answer(1, A, AI, 1), answer(1, AI, A, 2)]) == []


def test_entries_out_of_order_are_taken_in_time_order() -> None:
    [change] = net_changes([answer(1, AI, S, 5), answer(1, A, AI, 1)])

    assert (change.before, change.after) == (A, S)


def test_an_added_system_removed_again_never_reached_kombit() -> None:
    assert (
        net_changes([tilfoejet(7, ChangeKind.ADDED, 1), tilfoejet(7, ChangeKind.REMOVED, 2)]) == []
    )


def test_added_and_removed_systems_are_changes_of_their_own_kind() -> None:
    changes = net_changes(
        [
            tilfoejet(7, ChangeKind.ADDED, 1),
            tilfoejet(8, ChangeKind.REMOVED, 2),
            answer(1, None, A, 3),
        ]
    )

    assert [c.kind for c in changes] == [ChangeKind.ANSWER, ChangeKind.ADDED, ChangeKind.REMOVED]


@pytest.mark.parametrize(
    ("kommune", "expected"),
    [
        ("Aarhus Kommune", "Aarhus-Kommune"),
        ("Høje-Taastrup Kommune", "Hoeje-Taastrup-Kommune"),
        ("Ærø Kommune", "Aeroe-Kommune"),
        ("Bornholms Regionskommune", "Bornholms-Regionskommune"),
        ("Lyngby-Taarbæk Kommune", "Lyngby-Taarbaek-Kommune"),
    ],
)
def test_kommune_names_fold_to_safe_file_names(kommune: str, expected: str) -> None:
    assert file_safe(kommune) == expected


def test_file_names_say_draft_version_and_date() -> None:
    day = date(2027, 8, 31)

    assert bilag1_filename("Aarhus Kommune", day, nummer=1, draft=False) == (
        "Bilag1-Aarhus-Kommune-2027-08-31.xlsx"
    )
    assert bilag1_filename("Aarhus Kommune", day, nummer=3, draft=False) == (
        "Bilag1-Aarhus-Kommune-2027-08-31-v3.xlsx"
    )
    assert bilag1_filename("Aarhus Kommune", day, draft=True) == (
        "Bilag1-UDKAST-Aarhus-Kommune-2027-08-31.xlsx"
    )
    assert eml_filename("Bilag1-Aarhus-Kommune-2027-08-31-v3.xlsx") == (
        "E-mail-til-KOMBIT-Aarhus-Kommune-2027-08-31-v3.eml"
    )
