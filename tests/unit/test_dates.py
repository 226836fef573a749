from __future__ import annotations

from datetime import date

import pytest

from storage.domain.dates import is_in_past, parse_danish_date

TODAY = date(2027, 6, 15)
AUG_31 = date(2027, 8, 31)


@pytest.mark.parametrize(
    "text",
    [
        "31/8",
        "31/08",
        "31-08-2027",
        "31.08.2027",
        "31/8-27",
        "31.8.27",
        "31/8 2027",
        "31.8.",
        "31 / 8",
        "31. august",
        "31 august 2027",
        "31. aug.",
        "31. aug. 2027",
        "31.aug",
        "31. AUGUST",
        "  31.   August   2027 ",
        "den 31. august",
        "d. 31/8",
        "2027-08-31",
        "2027-8-31",
    ],
)
def test_the_ways_of_writing_31_august_all_give_it(text: str) -> None:
    assert parse_danish_date(text, TODAY) == AUG_31


@pytest.mark.parametrize(
    ("text", "expected_month"),
    [
        (f"1. {name}", number)
        for number, names in enumerate(
            [
                ("januar", "jan", "jan."),
                ("februar", "feb", "febr."),
                ("marts", "mar", "mar."),
                ("april", "apr", "apr."),
                ("maj", "Maj", "MAJ"),
                ("juni", "jun", "jun."),
                ("juli", "jul", "jul."),
                ("august", "aug", "aug."),
                ("september", "sep", "sept."),
                ("oktober", "okt", "okt."),
                ("november", "nov", "nov."),
                ("december", "dec", "dec."),
            ],
            start=1,
        )
        for name in names
    ],
)
def test_danish_month_names_and_their_short_forms_are_understood(
    text: str, expected_month: int
) -> None:
    parsed = parse_danish_date(f"{text} 2028", TODAY)

    assert parsed == date(2028, expected_month, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("15/6", date(2027, 6, 15), id="today itself is this year"),
        pytest.param("14/6", date(2028, 6, 14), id="yesterday means next year"),
        pytest.param("1. maj", date(2028, 5, 1), id="a passed month means next year"),
        pytest.param("31/12", date(2027, 12, 31), id="later this year"),
        pytest.param("29/2", date(2028, 2, 29), id="29 february waits for the leap year"),
    ],
)
def test_a_date_without_a_year_is_the_next_one_on_or_after_today(text: str, expected: date) -> None:
    assert parse_danish_date(text, TODAY) == expected


def test_a_two_digit_year_is_in_this_century() -> None:
    assert parse_danish_date("1/3-28", TODAY) == date(2028, 3, 1)


def test_a_date_with_a_year_is_taken_as_written_even_when_past() -> None:
    assert parse_danish_date("31/8-2026", TODAY) == date(2026, 8, 31)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("31/2", id="no 31 february"),
        pytest.param("29/2-2027", id="no leap day in 2027"),
        pytest.param("2027-02-30", id="iso, no 30 february"),
        pytest.param("32/1", id="day 32"),
        pytest.param("0/1", id="day 0"),
        pytest.param("1/13", id="month 13"),
        pytest.param("8/31", id="month before day"),
        pytest.param("31/8/20277", id="five-digit year"),
        pytest.param("31. ma", id="two letters could be marts or maj"),
        pytest.param("31. augustus", id="not a danish month"),
        pytest.param("31. may", id="english month"),
        pytest.param("31", id="day only"),
        pytest.param("august", id="month only"),
        pytest.param("i morgen", id="words"),
        pytest.param("", id="empty"),
    ],
)
def test_what_is_not_a_valid_date_gives_none(text: str) -> None:
    assert parse_danish_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 6, 14), True),
        (date(2027, 6, 15), False),
        (date(2027, 6, 16), False),
    ],
)
def test_only_days_before_today_are_in_the_past(day: date, expected: bool) -> None:
    assert is_in_past(day, TODAY) is expected
