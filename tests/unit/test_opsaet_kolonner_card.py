"""The mapping card opsæt shows when the Bilag 1 reader is unsure of a sheet's columns."""

from __future__ import annotations

import json

from dialogs import cards, texts
from storage.bilag1.layout import SheetContent, parse_bilag1

TEAMS_MESSAGE_LIMIT = 28 * 1024


def _reading(header: list[object], *rows: list[object]) -> cards.Card:
    bilag1 = parse_bilag1([SheetContent("Ark", False, [header, *rows])], filename="x.xlsx")
    [reading] = bilag1.doubtful
    return cards.opsaet_kolonner_card(reading)


def _inputs(card: cards.Card) -> dict[str, dict[str, object]]:
    return {item["id"]: item for item in card["body"] if item.get("type") == "Input.ChoiceSet"}


def test_each_role_has_a_drop_down_preset_to_the_column_taken() -> None:
    card = _reading(["It-system", "Leverandør", "Pris"], ["Aula", "Netcompany", 10])

    inputs = _inputs(card)

    assert list(inputs) == ["system", "leverandoer", "anvendelse", "bemaerkning"]
    assert [inputs[role]["value"] for role in inputs] == ["1", "2", "", ""]
    assert [choice["title"] for choice in inputs["anvendelse"]["choices"]] == [  # type: ignore[union-attr]
        texts.OPSAET_KOLONNER_NONE,
        "A: It-system",
        "B: Leverandør",
        "C: Pris",
    ]
    [submit] = card["actions"]
    assert submit["title"] == texts.OPSAET_KOLONNER_SUBMIT
    assert submit["data"]["kolonner"] == {"sheet": "Ark", "header_row": 1, "roles": {}}


def test_the_card_of_a_very_wide_sheet_with_long_headers_fits_a_teams_message() -> None:
    header: list[object] = ["It-system", "Leverandør"] + [
        f"Kolonne {n} " + "x" * 300 for n in range(198)
    ]

    card = _reading(header, ["Aula", "Netcompany"])

    assert len(json.dumps(card, ensure_ascii=False).encode()) < TEAMS_MESSAGE_LIMIT
