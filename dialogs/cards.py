"""Adaptive Card builders: pure functions returning the card JSON (schema 1.5).

Text comes from texts; actions carry ids only, so a card pressed after a restart, or after
the conversation moved on, still says exactly what it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from botbuilder.schema import Attachment

from dialogs import texts
from dialogs.actions import ACTION_KEY, Action
from storage.domain.model import Anvendelse, FagomraadeOverview, ItSystem

Card = dict[str, Any]
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
FORM_PAGE_SIZE = 10
"""Systems per form card: ten choice sets stay far below Teams' ~28 KB message limit."""


def as_attachment(card: Card) -> Attachment:
    return Attachment(content_type=CARD_CONTENT_TYPE, content=card)


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _submit(title: str, action: Action, style: str | None = None, **data: Any) -> dict[str, Any]:
    submit: dict[str, Any] = {
        "type": "Action.Submit",
        "title": title,
        "data": {ACTION_KEY: action.value, **data},
    }
    if style:
        submit["style"] = style
    return submit


def _facts(facts: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in facts]}


def _anvendelse_choices() -> list[dict[str, str]]:
    return [{"title": label, "value": a.value} for a, label in texts.ANVENDELSE_LABELS.items()]


def invitation_card(
    *, fagomraade_id: int, fagomraade: str, antal: int, slutdato: date, koordinator: str
) -> Card:
    return _card(
        [
            _text(texts.invitation_title(fagomraade=fagomraade), size="Large", weight="Bolder"),
            _text(
                texts.invitation_body(
                    fagomraade=fagomraade, antal=antal, slutdato=slutdato, koordinator=koordinator
                )
            ),
        ],
        [
            _submit(texts.START, Action.START, "positive", fagomraade_id=fagomraade_id),
            _submit(texts.FORM, Action.FORM, fagomraade_id=fagomraade_id),
            _submit(texts.NOT_ME, Action.HANDOVER, fagomraade_id=fagomraade_id),
        ],
    )


def system_card(overview: FagomraadeOverview, system: ItSystem) -> Card:
    """One system with the three answers, and skip / back / pause."""
    line = overview.line(system.id)
    nummer = system.position + 1
    facts = [(texts.LEVERANDOER, system.leverandoer or "–")]
    if system.beskrivelse:
        facts.append((texts.BESKRIVELSE, system.beskrivelse))
    if line and line.answer:
        facts.append((texts.CURRENT_ANSWER, texts.anvendelse_label(line.answer.anvendelse)))
    ids = {"fagomraade_id": overview.fagomraade.id, "system_id": system.id}
    body = [
        _text(
            texts.system_heading(
                fagomraade=overview.fagomraade.navn,
                nummer=nummer,
                antal=len(overview.systemer),
            ),
            isSubtle=True,
            spacing="None",
        ),
        _text(system.navn, size="Large", weight="Bolder"),
        _facts(facts),
        {
            "type": "Input.Text",
            "id": "bemaerkning",
            "placeholder": texts.BEMAERKNING,
            "maxLength": 500,
            "value": (line.answer.bemaerkning or "") if line and line.answer else "",
        },
    ]
    answers = [
        _submit(label, Action.ANSWER, anvendelse=anvendelse.value, **ids)
        for anvendelse, label in texts.ANVENDELSE_LABELS.items()
    ]
    return _card(
        body,
        [
            *answers,
            {
                "type": "Action.ShowCard",
                "title": texts.MORE_CHOICES,
                "card": _card(
                    [],
                    [
                        _submit(texts.SKIP, Action.SKIP, **ids),
                        _submit(texts.BACK, Action.BACK, **ids),
                        _submit(texts.PAUSE, Action.PAUSE, **ids),
                    ],
                ),
            },
        ],
    )


def answered_system_card(
    *, fagomraade: str, system: ItSystem, antal: int, anvendelse: Anvendelse
) -> Card:
    """The system card once answered: the choice shown, no buttons left to press by mistake."""
    return _card(
        [
            _text(
                texts.system_heading(
                    fagomraade=fagomraade, nummer=system.position + 1, antal=antal
                ),
                isSubtle=True,
                spacing="None",
            ),
            _text(texts.answer_saved(system=system.navn, anvendelse=anvendelse), weight="Bolder"),
        ]
    )


def tilfoej_card(overview: FagomraadeOverview) -> Card:
    area_id = overview.fagomraade.id
    body: list[dict[str, Any]] = [
        _text(texts.tilfoej_question(fagomraade=overview.fagomraade.navn)),
        {"type": "Input.Text", "id": "navn", "label": texts.TILFOEJ_NAVN, "maxLength": 200},
        {
            "type": "Input.Text",
            "id": "leverandoer",
            "label": texts.TILFOEJ_LEVERANDOER,
            "maxLength": 200,
        },
        {
            "type": "Input.ChoiceSet",
            "id": "svarer_til",
            "label": texts.TILFOEJ_SVARER_TIL,
            "style": "compact",
            "choices": [
                {"title": line.system.navn, "value": line.system.navn} for line in overview.systemer
            ],
        },
        {
            "type": "Input.ChoiceSet",
            "id": "anvendelse",
            "label": texts.TILFOEJ_ANVENDELSE,
            "style": "compact",
            "value": Anvendelse.ANVENDER.value,
            "choices": _anvendelse_choices(),
        },
        {"type": "Input.Text", "id": "bemaerkning", "label": texts.BEMAERKNING, "maxLength": 500},
    ]
    actions = [
        _submit(texts.TILFOEJ_BUTTON, Action.TILFOEJ, "positive", fagomraade_id=area_id),
        _submit(texts.TILFOEJ_DONE, Action.VIDERE, fagomraade_id=area_id),
    ]
    if overview.tilfoejede:
        body.append(_text(texts.TILFOEJ_ADDED_HEADING, weight="Bolder", separator=True))
        body.extend(_tilfoejet_row(t.navn, t.id, area_id) for t in overview.tilfoejede)
    return _card(body, actions)


def _tilfoejet_row(navn: str, tilfoejet_id: int, area_id: int) -> dict[str, Any]:
    return {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": "stretch", "items": [_text(navn)]},
            {
                "type": "Column",
                "width": "auto",
                "items": [
                    {
                        "type": "ActionSet",
                        "actions": [
                            _submit(
                                texts.TILFOEJ_REMOVE,
                                Action.FJERN,
                                fagomraade_id=area_id,
                                tilfoejet_id=tilfoejet_id,
                            )
                        ],
                    }
                ],
            },
        ],
    }


def summary_card(overview: FagomraadeOverview) -> Card:
    """Every answer and added system, with Ret et svar and Indsend."""
    area = overview.fagomraade
    facts = [
        (
            line.system.navn,
            texts.anvendelse_label(line.answer.anvendelse)
            if line.answer
            else f"⚠ {texts.MISSING_ANSWER}",
        )
        for line in overview.systemer
    ]
    added = (
        _facts([(t.navn, texts.anvendelse_label(t.anvendelse)) for t in overview.tilfoejede])
        if overview.tilfoejede
        else _text(texts.SUMMARY_NO_ADDED, isSubtle=True)
    )
    body = [
        _text(texts.summary_title(fagomraade=area.navn), size="Large", weight="Bolder"),
        _text(texts.summary_counts(besvaret=overview.answered, antal=len(overview.systemer))),
        _facts(facts),
        _text(texts.SUMMARY_ADDED, weight="Bolder", separator=True),
        added,
    ]
    correct = {
        "type": "Action.ShowCard",
        "title": texts.CORRECT,
        "card": _card(
            [
                {
                    "type": "Input.ChoiceSet",
                    "id": "system_id",
                    "label": texts.CORRECT_CHOOSE,
                    "style": "compact",
                    "value": str(overview.systemer[0].system.id) if overview.systemer else "",
                    "choices": [
                        {"title": line.system.navn, "value": str(line.system.id)}
                        for line in overview.systemer
                    ],
                }
            ],
            [_submit(texts.CORRECT, Action.RET, fagomraade_id=area.id)],
        ),
    }
    actions = [correct, _submit(texts.ADD_SYSTEM, Action.TILFOEJ_VIS, fagomraade_id=area.id)]
    if area.indsendt_at is None:
        actions.insert(0, _submit(texts.SUBMIT, Action.INDSEND, "positive", fagomraade_id=area.id))
    return _card(body, actions)


def missing_card(*, fagomraade_id: int, mangler: list[str]) -> Card:
    return _card(
        [_text(texts.missing_before_submit(mangler=mangler))],
        [
            _submit(
                texts.SUBMIT_ANYWAY,
                Action.INDSEND,
                "destructive",
                fagomraade_id=fagomraade_id,
                force=True,
            ),
            _submit(texts.BACK_TO_SUMMARY, Action.OVERSIGT, fagomraade_id=fagomraade_id),
        ],
    )


def form_pages(overview: FagomraadeOverview) -> int:
    return max(1, -(-len(overview.systemer) // FORM_PAGE_SIZE))


def form_card(overview: FagomraadeOverview, page: int) -> Card:
    """One page of the form: an Input.ChoiceSet per system, prefilled with given answers."""
    lines = overview.systemer[page * FORM_PAGE_SIZE : (page + 1) * FORM_PAGE_SIZE]
    pages = form_pages(overview)
    body: list[dict[str, Any]] = [
        _text(
            texts.form_title(fagomraade=overview.fagomraade.navn, side=page + 1, sider=pages),
            size="Large",
            weight="Bolder",
        ),
        _text(texts.FORM_HINT, isSubtle=True),
    ]
    for line in lines:
        system = line.system
        label = system.navn + (f" ({system.leverandoer})" if system.leverandoer else "")
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": f"s_{system.id}",
                "label": label,
                "style": "compact",
                "placeholder": texts.FORM_CHOOSE,
                "value": line.answer.anvendelse.value if line.answer else "",
                "choices": _anvendelse_choices(),
            }
        )
    title = texts.FORM_SAVE_NEXT if page + 1 < pages else texts.FORM_SAVE_LAST
    return _card(
        body,
        [
            _submit(
                title, Action.FORM_GEM, "positive", fagomraade_id=overview.fagomraade.id, page=page
            )
        ],
    )


def mine_card(overviews: Sequence[FagomraadeOverview]) -> Card:
    """The person's areas with progress, each with a button to work on it."""
    body: list[dict[str, Any]] = [_text(texts.MINE_TITLE, size="Large", weight="Bolder")]
    for overview in overviews:
        area = overview.fagomraade
        submitted = area.indsendt_at is not None
        action = (
            _submit(texts.OPEN_SUMMARY, Action.OVERSIGT, fagomraade_id=area.id)
            if submitted
            else _submit(texts.CONTINUE, Action.START, fagomraade_id=area.id)
        )
        body.append(
            {
                "type": "ColumnSet",
                "separator": True,
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [
                            _text(
                                texts.fagomraade_progress_line(
                                    fagomraade=area.navn,
                                    besvaret=overview.answered,
                                    antal=len(overview.systemer),
                                    indsendt=submitted,
                                )
                            )
                        ],
                    },
                    {
                        "type": "Column",
                        "width": "auto",
                        "items": [{"type": "ActionSet", "actions": [action]}],
                    },
                ],
            }
        )
    return _card(body)
