"""Read a date the way a Danish coordinator types it: 31/8, 31-08-2027, 31. aug., 2027-08-31.

Stdlib only. Returns dates or None, never text: the dialog explains what it could not read.
"""

from __future__ import annotations

import re
from datetime import date

MAANEDER = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
# Three letters tell every Danish month apart ("mar"/"maj", "jun"/"jul"); fewer would guess.
_MIN_MONTH_PREFIX = 3

_YEAR = r"(?P<year>\d{4}|\d{2})"
_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
_NUMERIC = re.compile(
    rf"(?P<day>\d{{1,2}}) ?[./-] ?(?P<month>\d{{1,2}})(?:(?: ?[./-] ?| ){_YEAR})?\.?"
)
_WORDS = re.compile(rf"(?P<day>\d{{1,2}})\.? ?(?P<month>[a-z]+)\.?(?: {_YEAR})?")
_LEADING_DEN = re.compile(r"^(?:den|d\.) ?")

# A date without a year may be 29 February, whose next occurrence can be 8 years away
# (2096 to 2104 skips 2100).
_YEARS_TO_TRY = 9


def parse_danish_date(text: str, today: date) -> date | None:
    """Return the date text names, or None if it names none.

    Day comes before month. A two-digit year is in this century. Without a year the date is
    the next one on or after today, so "31/8" typed in September means next year's.
    """
    cleaned = _LEADING_DEN.sub("", " ".join(text.casefold().split()))
    if match := _ISO.fullmatch(cleaned) or _NUMERIC.fullmatch(cleaned):
        month = int(match["month"])
    elif (match := _WORDS.fullmatch(cleaned)) and (named := _month_from_name(match["month"])):
        month = named
    else:
        return None
    day = int(match["day"])
    if match["year"] is None:
        return _next_occurrence(day, month, today)
    year = int(match["year"])
    return _valid_date(year + 2000 if len(match["year"]) == 2 else year, month, day)


def is_in_past(d: date, today: date) -> bool:
    """Tell whether d is before today; today itself is not past."""
    return d < today


def _month_from_name(name: str) -> int | None:
    if len(name) < _MIN_MONTH_PREFIX:
        return None
    for number, month in enumerate(MAANEDER, start=1):
        if month.startswith(name):
            return number
    return None


def _next_occurrence(day: int, month: int, today: date) -> date | None:
    for year in range(today.year, today.year + _YEARS_TO_TRY):
        candidate = _valid_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
