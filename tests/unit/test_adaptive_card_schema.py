"""The schema check the tests' Bot Connector runs on every card: it finds what Teams would
drop, and says where."""

from __future__ import annotations

from tests.support.adaptive_cards import activity_card_problems, card_problems


def test_a_wrong_value_is_named_with_its_place() -> None:
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Overskrift"},
            {"type": "TextBlock", "text": "For stor", "size": "Huge"},
        ],
    }

    [problem] = card_problems(card)

    assert problem.startswith("body/1/size:") and "Huge" in problem


def test_an_unknown_property_of_an_input_is_named() -> None:
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "Input.Text", "id": "bemaerkning", "maxlength": 500}],
    }

    [problem] = card_problems(card)

    assert problem.startswith("body/0:") and "maxlength" in problem


def test_teams_type_ahead_choice_set_is_accepted() -> None:
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {
                "type": "Input.ChoiceSet",
                "id": "kommune",
                "style": "filtered",
                "choices": [{"title": "Aarhus Kommune", "value": "751"}],
            }
        ],
    }

    assert card_problems(card) == []


def test_an_activity_names_its_card_by_title() -> None:
    activity = {
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "type": "AdaptiveCard",
                    "version": "1.5",
                    "body": [{"type": "TextBlock", "text": "ESDH", "weight": "Heavy"}],
                },
            }
        ]
    }

    [problem] = activity_card_problems(activity)

    assert problem.startswith("card 'ESDH': body/0/weight:")
