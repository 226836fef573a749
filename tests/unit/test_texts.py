"""Counts and numbers in the Danish texts: singular, plural and the day itself."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs import texts
from dialogs.texts import _antal

SLUTDATO = date(2027, 8, 31)


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 arbejdsdage"), (1, "1 arbejdsdag"), (2, "2 arbejdsdage"), (1200, "1.200 arbejdsdage")],
)
def test_the_plural_helper_puts_the_noun_in_the_right_number(count: int, expected: str) -> None:
    assert _antal(count, "arbejdsdag", "arbejdsdage") == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "Påmindelsen er sendt til 0 systemejere."),
        (1, "Påmindelsen er sendt til 1 systemejer."),
        (2, "Påmindelsen er sendt til 2 systemejere."),
    ],
)
def test_paamind_counts_systemejere(count: int, expected: str) -> None:
    assert texts.paamind_done(antal=count) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 systemejere."), (1, "1 systemejer."), (2, "2 systemejere.")],
)
def test_start_counts_systemejere(count: int, expected: str) -> None:
    assert texts.start_done(inviteret=count).startswith(f"Invitationerne er sendt til {expected}")


def test_one_of_one_reads_in_the_singular() -> None:
    assert texts.summary_counts(besvaret=1, antal=1) == "1 af 1 system er besvaret."
    assert texts.status_overall(procent=100, besvaret=1, antal=1, indsendt=1, fagomraader=1) == (
        "100 % besvaret (1 af 1 system) · 1 af 1 fagområde indsendt"
    )
    assert texts.status_days(dage=-1, slutdato=SLUTDATO) == (
        "Slutdatoen (31. august 2027) er overskredet med 1 dag."
    )
    assert texts.coordinator_all_submitted(antal=1, version=1).startswith(
        "Fagområdet er indsendt, og det færdige Bilag 1"
    )
    assert "Du svarer på **1 system**:" in texts.invitation_body(
        fagomraade="ESDH", antal=1, slutdato=SLUTDATO, koordinator="Kim"
    )


@pytest.mark.parametrize(
    ("arbejdsdage", "expected"),
    [
        (0, "**Slutdatoen er i fare:** i dag er slutdatoen. Hvis I ikke når at blive færdige"),
        (1, "**Slutdatoen er i fare:** der er 1 arbejdsdag tilbage. Hvis I ikke når at blive"),
        (2, "**Slutdatoen er i fare:** der er 2 arbejdsdage tilbage. Hvis I ikke når at blive"),
    ],
)
def test_the_deadline_warning_counts_working_days_and_knows_the_day_itself(
    arbejdsdage: int, expected: str
) -> None:
    summary = texts.reminder_koordinator(
        slutdato=SLUTDATO,
        dage=arbejdsdage,
        indsendt=0,
        fagomraader=2,
        procent=10,
        area_lines=["- **Skole**: 0 af 5 besvaret – Bo"],
        at_risk=True,
        arbejdsdage=arbejdsdage,
        kombit_email="infrastruktur@kombit.dk",
        unassigned=["Miljø"],
    )
    assert expected in summary
    assert (
        "1 fagområde har ingen systemejer, så ingen har fået en påmindelse – tildel det med "
        "**tildel**: Miljø."
    ) in summary
    assert "ingen systemejer tildelt" not in summary
