"""The shape a card submit must have before any handler reads it. Pure: no I/O.

A submit's value is JSON from the client, and Teams passes on whatever the client sent: a
forged or broken one can carry an action that is a list, an id past what a database column
holds, or text that is not Unicode (a lone surrogate cannot be encoded as UTF-8).
"""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.actions import ACTION_KEY

_INT_RANGE = range(-(2**31), 2**31)
"""Every number on our cards is a row id or a count, stored as a 32-bit INTEGER."""

_MAX_DEPTH = 8
"""Our cards submit flat values; Adaptive Card inputs add at most a level or two."""


def is_well_formed(value: Mapping[str, object]) -> bool:
    """Whether a submit has a text action and only values the database can hold."""
    return isinstance(value.get(ACTION_KEY), str) and _storable(dict(value), depth=0)


def _storable(item: object, *, depth: int) -> bool:
    if item is None or isinstance(item, bool | float):
        return True
    if isinstance(item, int):
        return item in _INT_RANGE
    if isinstance(item, str):
        return _is_unicode(item)
    if depth >= _MAX_DEPTH:
        return False
    if isinstance(item, list):
        return all(_storable(element, depth=depth + 1) for element in item)
    if isinstance(item, dict):
        return all(
            isinstance(key, str) and _is_unicode(key) and _storable(element, depth=depth + 1)
            for key, element in item.items()
        )
    return False


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
