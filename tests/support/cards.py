"""Reading the Adaptive Cards a test received: their text, their buttons, a button's data."""

from __future__ import annotations

from typing import Any


def card_text(card: dict[str, Any]) -> str:
    """All text a person sees on a card, in order, for asserting on."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "label", "value"):
                if isinstance(node.get(key), str) and node.get("type") != "Input.ChoiceSet":
                    parts.append(node[key])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    return "\n".join(parts)


def buttons(card: dict[str, Any]) -> list[str]:
    """The titles of every action on a card, show-cards and action sets included."""
    titles: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                titles.append(node.get("title", ""))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    return titles


def submit_data(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The data of the card's Action.Submit with this title (searched in show-cards too)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and node.get("title") == title:
                found.append(node["data"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    assert found, f"no button {title!r} on the card"
    return dict(found[0])
