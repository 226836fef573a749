"""Adaptive Card builders: pure functions returning the card JSON (schema 1.5).

Text comes from texts; actions carry ids only, so a card pressed after a restart, or after
the conversation moved on, still says exactly what it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo
from typing import Any

from botbuilder.schema import Attachment

from dialogs import texts
from dialogs.actions import ACTION_KEY, Action, KoordinatorAction
from dialogs.ports import Member
from storage.domain.model import Anvendelse, Fagomraade, FagomraadeOverview, ItSystem, Kommune
from storage.domain.progress import Progress

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


def summary_card(overview: FagomraadeOverview, *, readonly: bool = False) -> Card:
    """Every answer and added system, with Ret et svar and Indsend (not for a coordinator)."""
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
    if readonly:
        return _card(body)
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


def opsaet_card(kommuner: Sequence[Kommune], *, today: date) -> Card:
    """Kommune, slutdato and template on one card; the typed dialog asks the same."""
    return _card(
        [
            _text(texts.OPSAET_CARD_TITLE, size="Large", weight="Bolder"),
            {
                "type": "Input.ChoiceSet",
                "id": "kommune",
                "label": texts.OPSAET_KOMMUNE_LABEL,
                "style": "filtered",
                "isRequired": True,
                "choices": [{"title": k.officielt_navn, "value": k.kode} for k in kommuner],
            },
            {
                "type": "Input.Date",
                "id": "slutdato",
                "label": texts.OPSAET_SLUTDATO_LABEL,
                "min": today.isoformat(),
                "isRequired": True,
            },
            {
                "type": "Input.ChoiceSet",
                "id": "skabelon",
                "label": texts.OPSAET_SKABELON_LABEL,
                "style": "expanded",
                "value": "eksempel",
                "choices": [
                    {"title": texts.OPSAET_SKABELON_EKSEMPEL, "value": "eksempel"},
                    {"title": texts.OPSAET_SKABELON_UPLOAD, "value": "upload"},
                ],
            },
        ],
        [_koordinator_submit(texts.OPSAET_SUBMIT, KoordinatorAction.OPSAET)],
    )


def _koordinator_submit(title: str, action: KoordinatorAction, **data: Any) -> dict[str, Any]:
    return {
        "type": "Action.Submit",
        "title": title,
        "style": "positive",
        "data": {ACTION_KEY: action.value, **data},
    }


def tildel_card(
    areas: Sequence[tuple[Fagomraade, Sequence[str]]], members: Sequence[Member]
) -> Card:
    """Every fagområde with its owners, and a form to assign one to a member of the team."""
    body: list[dict[str, Any]] = [
        _text(texts.TILDEL_CARD_TITLE, size="Large", weight="Bolder"),
        _facts(
            [
                (area.navn, ", ".join(owners) if owners else texts.TILDEL_NO_OWNER)
                for area, owners in areas
            ]
        ),
        {
            "type": "Input.ChoiceSet",
            "id": "fagomraade_id",
            "label": texts.TILDEL_FAGOMRAADE_LABEL,
            "style": "compact",
            "choices": [{"title": area.navn, "value": str(area.id)} for area, _ in areas],
        },
    ]
    actions = []
    if members:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "person",
                "label": texts.TILDEL_PERSON_LABEL,
                "style": "filtered",
                "choices": [
                    {
                        "title": m.navn + (f" ({m.email})" if m.email else ""),
                        "value": m.aad_object_id,
                    }
                    for m in members
                ],
            }
        )
        actions.append(_koordinator_submit(texts.TILDEL_SUBMIT, KoordinatorAction.TILDEL))
    else:
        body.append(_text(texts.TILDEL_HOW, isSubtle=True))
    return _card(body, actions)


def status_card(progress: Progress, *, slutdato: date, zone: tzinfo) -> Card:
    """The coordinator's overview: one line per fagområde, kept small for 14 areas."""
    body: list[dict[str, Any]] = [
        _text(texts.STATUS_TITLE, size="Large", weight="Bolder"),
        _text(
            texts.status_overall(
                procent=progress.percent,
                besvaret=progress.answered,
                antal=progress.total,
                indsendt=progress.submitted_count,
                fagomraader=len(progress.fagomraader),
            ),
            weight="Bolder",
        ),
        _text(texts.status_days(dage=progress.days_to_slutdato, slutdato=slutdato)),
    ]
    for area in progress.fagomraader:
        line = texts.status_area_line(
            fagomraade=area.fagomraade.navn,
            ejere=[owner.navn for owner in area.owners],
            besvaret=area.answered,
            antal=area.total,
            indsendt=area.submitted,
        )
        if area.last_activity:
            line += " · " + texts.status_last_activity(
                tidspunkt=texts.tidspunkt(area.last_activity, zone)
            )
        body.append(_text(("⚠ " if area.late else "") + line, separator=True, spacing="Small"))
    if progress.complete:
        body.append(_text(texts.STATUS_COMPLETE, weight="Bolder", color="Good"))
    elif progress.late_owners:
        body.append(
            _text(
                texts.status_late(navne=[p.navn for p in progress.late_owners]), color="Attention"
            )
        )
    return _card(body)
