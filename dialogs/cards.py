"""Adaptive Card builders: pure functions returning the card JSON (schema 1.5).

Text comes from texts; actions carry ids only, so a card pressed after a restart, or after
the conversation moved on, still says exactly what it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple

from botbuilder.schema import Attachment
from botbuilder.schema.teams import FileConsentCard, FileInfoCard, FileUploadInfo
from botbuilder.schema.teams.additional_properties import ContentType

from dialogs import texts
from dialogs.actions import (
    ACTION_KEY,
    CARD_TOKEN_KEY,
    Action,
    DeliveryAction,
    ForslagKilde,
    KoordinatorAction,
)
from dialogs.ports import Link, Mail, Member
from storage.bilag1.columns import Role, column_letter
from storage.bilag1.layout import SheetReading
from storage.domain.archive import Bilag1Version
from storage.domain.forslag import (
    Afgjort,
    FagomraadeForslag,
    ForeslaaetTilfoejelse,
    ForslagOversigt,
    UsikkertForslag,
)
from storage.domain.model import (
    Anvendelse,
    Fagomraade,
    FagomraadeOverview,
    ItSystem,
    Kilde,
    Kommune,
)
from storage.domain.progress import Progress

Card = dict[str, Any]
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
FORM_PAGE_SIZE = 10
"""Systems per form card: ten choice sets stay far below Teams' ~28 KB message limit."""


def as_attachment(card: Card) -> Attachment:
    return Attachment(content_type=CARD_CONTENT_TYPE, content=card)


def with_token(card: Card, token: str) -> Card:
    """The card with `token` in the data of every button, however deeply nested, so that
    a press says which card it came from (Teams sends a submit's data back unchanged)."""

    def stamped(node: Any) -> Any:
        if isinstance(node, list):
            return [stamped(item) for item in node]
        if not isinstance(node, dict):
            return node
        copy = {key: stamped(value) for key, value in node.items()}
        if copy.get("type") == "Action.Submit" and isinstance(copy.get("data"), dict):
            copy["data"] = {**copy["data"], CARD_TOKEN_KEY: token}
        return copy

    return stamped(card)


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


def _submit(title: str, action: Action, *, style: str | None = None, **data: Any) -> dict[str, Any]:
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
            _submit(texts.START, Action.START, style="positive", fagomraade_id=fagomraade_id),
            _submit(texts.FORM, Action.FORM, fagomraade_id=fagomraade_id),
            _submit(texts.NOT_ME, Action.HANDOVER, fagomraade_id=fagomraade_id),
        ],
    )


def invitations_card(
    *, fagomraader: Sequence[Fagomraade], slutdato: date, koordinator: str
) -> Card:
    """One invitation for all of a person's fagområder, each with Start, the form and
    Ikke mig; a single area gets the short card of its own."""
    if len(fagomraader) == 1:
        [area] = fagomraader
        return invitation_card(
            fagomraade_id=area.id,
            fagomraade=area.navn,
            antal=area.antal_systemer,
            slutdato=slutdato,
            koordinator=koordinator,
        )
    body: list[dict[str, Any]] = [
        _text(texts.invitations_title(fagomraader=len(fagomraader)), size="Large", weight="Bolder"),
        _text(
            texts.invitations_body(
                fagomraader=len(fagomraader),
                systemer=sum(area.antal_systemer for area in fagomraader),
                slutdato=slutdato,
                koordinator=koordinator,
            )
        ),
    ]
    for area in fagomraader:
        body += [
            _text(
                texts.invitation_area_line(fagomraade=area.navn, antal=area.antal_systemer),
                separator=True,
            ),
            {
                "type": "ActionSet",
                "spacing": "Small",
                "actions": [
                    _submit(texts.START, Action.START, style="positive", fagomraade_id=area.id),
                    _submit(texts.FORM, Action.FORM, fagomraade_id=area.id),
                    _submit(texts.NOT_ME, Action.HANDOVER, fagomraade_id=area.id),
                ],
            },
        ]
    return _card(body)


def system_card(
    overview: FagomraadeOverview, system: ItSystem, *, bekraeft_alle: bool = False
) -> Card:
    """One system with the three answers; skip, back and pause quieter, in the overflow menu.

    `mode: secondary` puts an action in the card's "…" menu in Teams (and below the answers
    where a host has no menu), so the three answers are the card's only buttons in view.
    The first system has no Tilbage: there is nothing to go back to. A system with a
    suggestion shows it ("Sidste runde: Anvender — «…»") and offers Uændret first;
    `bekraeft_alle` (the area's first card) offers to confirm every suggestion at once.
    """
    line = overview.line(system.id)
    facts = [(texts.LEVERANDOER, system.leverandoer or "–")]
    if system.beskrivelse:
        facts.append((texts.BESKRIVELSE, system.beskrivelse))
    forslag = line.forslag if line else None
    if forslag is not None:
        facts.append(
            (
                texts.forslag_title(
                    kilde=forslag.kilde, kilde_navn=forslag.kilde_navn, system=system.navn
                ),
                texts.forslag_value(
                    kilde=forslag.kilde,
                    anvendelse=forslag.anvendelse,
                    bemaerkning=forslag.bemaerkning,
                ),
            )
        )
    if line and line.answer:
        facts.append(
            (
                texts.CURRENT_ANSWER,
                texts.with_kilde(
                    texts.with_remark(
                        texts.anvendelse_label(line.answer.anvendelse), line.answer.bemaerkning
                    ),
                    line.answer.kilde,
                ),
            )
        )
    ids: dict[str, Any] = {"fagomraade_id": overview.fagomraade.id, "system_id": system.id}
    body = [_system_heading(overview, system)]
    if bekraeft_alle and overview.to_confirm:
        body += _bekraeft_alle(overview, system)
    body += [
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
    if forslag is not None:
        answers.insert(0, _submit(texts.UAENDRET, Action.UAENDRET, style="positive", **ids))
    quieter = [_submit(texts.SKIP, Action.SKIP, **ids)]
    if overview.systemer and overview.systemer[0].system.id != system.id:
        quieter.append(_submit(texts.BACK, Action.BACK, **ids))
    quieter.append(_submit(texts.PAUSE, Action.PAUSE, **ids))
    return _card(body, [*answers, *({**action, "mode": "secondary"} for action in quieter)])


def _bekraeft_alle(overview: FagomraadeOverview, system: ItSystem) -> list[dict[str, Any]]:
    """The offer to confirm every suggestion of the area's unanswered systems at once."""
    to_confirm = overview.to_confirm
    from_last_round = all(
        line.forslag is not None and line.forslag.kilde is Kilde.SIDSTE_RUNDE for line in to_confirm
    )
    return [
        _text(
            texts.bekraeft_alle_intro(
                antal=len(to_confirm), nye=len(overview.missing) - len(to_confirm)
            ),
            spacing="Small",
        ),
        {
            "type": "ActionSet",
            "spacing": "Small",
            "actions": [
                _submit(
                    texts.BEKRAEFT_ALLE_SIDSTE_RUNDE
                    if from_last_round
                    else texts.BEKRAEFT_ALLE_FORSLAG,
                    Action.BEKRAEFT_ALLE,
                    style="positive",
                    fagomraade_id=overview.fagomraade.id,
                    system_id=system.id,
                )
            ],
        },
    ]


def _system_heading(overview: FagomraadeOverview, system: ItSystem) -> dict[str, Any]:
    return _text(
        texts.system_heading(
            fagomraade=overview.fagomraade.navn,
            nummer=system.position + 1,
            antal=len(overview.systemer),
        ),
        isSubtle=True,
        spacing="None",
    )


def answered_system_card(overview: FagomraadeOverview, system: ItSystem) -> Card:
    """The system card once answered: the choice and remark shown, no buttons left to press."""
    line = overview.line(system.id)
    if line is None or line.answer is None:
        return closed_system_card(overview, system, note=texts.SKIPPED)
    saved = texts.answer_saved(
        system=system.navn, anvendelse=line.answer.anvendelse, bemaerkning=line.answer.bemaerkning
    )
    return _card(
        [
            _system_heading(overview, system),
            _text(texts.with_kilde(saved, line.answer.kilde), weight="Bolder"),
        ]
    )


def closed_system_card(overview: FagomraadeOverview, system: ItSystem, *, note: str) -> Card:
    """A system card the conversation has left unanswered (skipped, paused, replaced)."""
    return _card(
        [
            _system_heading(overview, system),
            _text(system.navn, weight="Bolder"),
            _text(note, isSubtle=True),
        ]
    )


def closed_card(title: str, note: str) -> Card:
    """Any other survey card once superseded: what it was, and why it has no buttons now."""
    return _card([_text(title, weight="Bolder"), _text(note, isSubtle=True)])


def _area_actions(fagomraade_id: int, *, begun: bool) -> list[dict[str, Any]]:
    """What may be done with an open area wherever it is offered: go on (or start), the
    form, or pass it to a colleague."""
    return [
        _submit(
            texts.CONTINUE if begun else texts.START_AREA,
            Action.FORTSAET,
            style="positive",
            fagomraade_id=fagomraade_id,
        ),
        _submit(texts.FORM_SHORT, Action.FORM, fagomraade_id=fagomraade_id),
        _submit(texts.NOT_ME_SHORT, Action.HANDOVER, fagomraade_id=fagomraade_id),
    ]


def _add_system_card(
    overview: FagomraadeOverview, foreslaaet: ForeslaaetTilfoejelse | None = None
) -> Card:
    """The inputs of one added system, opened from the summary's "Tilføj det", or filled in
    from a suggested addition (svarer til is left to the systemejer)."""
    return _card(
        [
            _text(texts.tilfoej_question(fagomraade=overview.fagomraade.navn), isSubtle=True),
            {
                "type": "Input.Text",
                "id": "navn",
                "label": texts.TILFOEJ_NAVN,
                "maxLength": 200,
                **({"value": foreslaaet.navn} if foreslaaet else {}),
            },
            {
                "type": "Input.Text",
                "id": "leverandoer",
                "label": texts.TILFOEJ_LEVERANDOER,
                "maxLength": 200,
                **(
                    {"value": foreslaaet.leverandoer}
                    if foreslaaet and foreslaaet.leverandoer
                    else {}
                ),
            },
            {
                "type": "Input.ChoiceSet",
                "id": "svarer_til",
                "label": texts.TILFOEJ_SVARER_TIL,
                "style": "compact",
                "choices": [
                    {"title": line.system.navn, "value": line.system.navn}
                    for line in overview.systemer
                ],
            },
            {
                "type": "Input.ChoiceSet",
                "id": "anvendelse",
                "label": texts.TILFOEJ_ANVENDELSE,
                "style": "compact",
                "value": (
                    foreslaaet.anvendelse
                    if foreslaaet and foreslaaet.anvendelse
                    else Anvendelse.ANVENDER
                ).value,
                "choices": _anvendelse_choices(),
            },
            {
                "type": "Input.Text",
                "id": "bemaerkning",
                "label": texts.BEMAERKNING,
                "maxLength": 500,
                **(
                    {"value": foreslaaet.bemaerkning}
                    if foreslaaet and foreslaaet.bemaerkning
                    else {}
                ),
            },
        ],
        [
            _submit(
                texts.TILFOEJ_BUTTON,
                Action.TILFOEJ,
                style="positive",
                fagomraade_id=overview.fagomraade.id,
            )
        ],
    )


def _tilfoejet_row(text: str, tilfoejet_id: int, area_id: int) -> dict[str, Any]:
    return {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": "stretch", "items": [_text(text)]},
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


def summary_card(
    overview: FagomraadeOverview,
    *,
    readonly: bool = False,
    note: str | None = None,
    confirm_missing: bool = False,
) -> Card:
    """Every answer and added system with their remarks; for the systemejer also Indsend,
    "Mangler der et system? Tilføj det", Ret et svar, the form and Ikke mig, so an area
    with nothing to add ends with one press. `readonly` for a coordinator, and for a
    summary the conversation has left (`note` says why); `confirm_missing` after Indsend
    with systems unanswered: the warning, and Indsend alligevel in Indsend's place."""
    area = overview.fagomraade
    facts = [
        (
            line.system.navn,
            texts.with_kilde(
                texts.with_remark(
                    texts.anvendelse_label(line.answer.anvendelse), line.answer.bemaerkning
                ),
                line.answer.kilde,
            )
            if line.answer
            else f"⚠ {texts.MISSING_ANSWER}",
        )
        for line in overview.systemer
    ]
    body = [
        _text(texts.summary_title(fagomraade=area.navn), size="Large", weight="Bolder"),
        _text(texts.summary_counts(besvaret=overview.answered, antal=len(overview.systemer))),
        *_summary_forslag(overview),
        _facts(facts),
        *_summary_changes(overview),
        _text(texts.SUMMARY_ADDED, weight="Bolder", separator=True),
    ]
    added = [
        (
            t,
            f"{t.navn}: "
            + texts.tilfoejet_answer(
                anvendelse=t.anvendelse,
                leverandoer=t.leverandoer,
                svarer_til=t.svarer_til,
                bemaerkning=t.bemaerkning,
            ),
        )
        for t in overview.tilfoejede
    ]
    if not added:
        body.append(_text(texts.SUMMARY_NO_ADDED, isSubtle=True))
    elif readonly:
        body.extend(_text(line) for _t, line in added)
    else:
        body.extend(_tilfoejet_row(line, t.id, area.id) for t, line in added)
    body += _summary_foreslaaede(overview, readonly=readonly)
    if note:
        body.append(_text(note, weight="Bolder", separator=True))
    if readonly:
        return _card(body)
    body += [
        _text(texts.SUMMARY_ADD_QUESTION, spacing="Medium"),
        {
            "type": "ActionSet",
            "spacing": "None",
            "actions": [
                {
                    "type": "Action.ShowCard",
                    "title": texts.SUMMARY_ADD,
                    "card": _add_system_card(overview),
                }
            ],
        },
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
            [_submit(texts.CORRECT_OPEN, Action.RET, fagomraade_id=area.id)],
        ),
    }
    if area.indsendt_at is not None:
        return _card(body, [correct])
    if confirm_missing:
        mangler = [system.navn for system in overview.missing]
        body.append(_text(texts.missing_before_submit(mangler=mangler), color="Attention"))
        actions = [
            _submit(
                texts.SUBMIT_ANYWAY,
                Action.INDSEND,
                style="destructive",
                fagomraade_id=area.id,
                force=True,
            )
        ]
    else:
        actions = [_submit(texts.SUBMIT, Action.INDSEND, style="positive", fagomraade_id=area.id)]
    if overview.missing:
        actions.append(_submit(texts.ANSWER_MISSING, Action.FORTSAET, fagomraade_id=area.id))
    actions += [
        correct,
        _submit(texts.FORM_SHORT, Action.FORM, fagomraade_id=area.id),
        _submit(texts.NOT_ME_SHORT, Action.HANDOVER, fagomraade_id=area.id),
    ]
    return _card(body, actions)


def _summary_forslag(overview: FagomraadeOverview) -> list[dict[str, Any]]:
    """How many answers confirmed suggestions, above the answers that are marked so."""
    sidste_runde = overview.bekraeftede(Kilde.SIDSTE_RUNDE)
    kitos = overview.bekraeftede(Kilde.KITOS)
    if not sidste_runde and not kitos:
        return []
    return [_text(texts.summary_bekraeftede(sidste_runde=sidste_runde, kitos=kitos))]


def _summary_changes(overview: FagomraadeOverview) -> list[dict[str, Any]]:
    """What differs from last round: systems new on the list, and systems gone from it."""
    body: list[dict[str, Any]] = []
    if overview.nye:
        body += [
            _text(texts.SUMMARY_NYE, weight="Bolder", separator=True),
            _text(", ".join(system.navn for system in overview.nye)),
        ]
    if overview.udgaaede:
        body += [
            _text(texts.SUMMARY_UDGAAEDE, weight="Bolder", separator=True),
            _text(
                ", ".join(
                    texts.summary_udgaaet(navn=u.navn, anvendelse=u.anvendelse)
                    for u in overview.udgaaede
                )
            ),
        ]
    return body


def _summary_foreslaaede(overview: FagomraadeOverview, *, readonly: bool) -> list[dict[str, Any]]:
    """Accepted suggested additions, each with a Tilføj that opens the add card filled in."""
    if not overview.foreslaaede:
        return []
    body: list[dict[str, Any]] = [_text(texts.SUMMARY_FORESLAAEDE, weight="Bolder", separator=True)]
    if not readonly:
        body.append(_text(texts.SUMMARY_FORESLAAEDE_HINT, isSubtle=True, spacing="None"))
    for foreslaaet in overview.foreslaaede:
        line = texts.foreslaaet_tilfoejelse(
            navn=foreslaaet.navn,
            kilde=foreslaaet.kilde,
            anvendelse=foreslaaet.anvendelse,
            leverandoer=foreslaaet.leverandoer,
            bemaerkning=foreslaaet.bemaerkning,
        )
        body.append(_text(line))
        if not readonly:
            body.append(
                {
                    "type": "ActionSet",
                    "spacing": "None",
                    "actions": [
                        {
                            "type": "Action.ShowCard",
                            "title": texts.foreslaaet_tilfoej(navn=foreslaaet.navn),
                            "card": _add_system_card(overview, foreslaaet),
                        }
                    ],
                }
            )
    return body


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
                "separator": True,
            }
        )
        if system.beskrivelse:
            body.append(_text(system.beskrivelse, isSubtle=True, size="Small", spacing="None"))
        if line.forslag is not None:
            # Shown, never preselected: a suggestion becomes an answer only when chosen.
            body.append(
                _text(
                    texts.forslag_line(
                        kilde=line.forslag.kilde,
                        kilde_navn=line.forslag.kilde_navn,
                        system=system.navn,
                        anvendelse=line.forslag.anvendelse,
                        bemaerkning=line.forslag.bemaerkning,
                    ),
                    size="Small",
                    spacing="None",
                )
            )
        body.append(
            {
                "type": "Input.Text",
                "id": f"b_{system.id}",
                "placeholder": texts.FORM_REMARK,
                "maxLength": 500,
                "spacing": "Small",
                "value": (line.answer.bemaerkning or "") if line.answer else "",
            }
        )
    title = texts.FORM_SAVE_NEXT if page + 1 < pages else texts.FORM_SAVE_LAST
    return _card(
        body,
        [
            _submit(
                title,
                Action.FORM_GEM,
                style="positive",
                fagomraade_id=overview.fagomraade.id,
                page=page,
            )
        ],
    )


def mine_card(overviews: Sequence[FagomraadeOverview]) -> Card:
    """The person's areas with progress: an open one with Start or Fortsæt, the form and
    Ikke mig; a submitted one with its summary."""
    body: list[dict[str, Any]] = [_text(texts.MINE_TITLE, size="Large", weight="Bolder")]
    for overview in overviews:
        area = overview.fagomraade
        submitted = area.indsendt_at is not None
        actions = (
            [_submit(texts.OPEN_SUMMARY, Action.OVERSIGT, fagomraade_id=area.id)]
            if submitted
            else _area_actions(area.id, begun=overview.answered > 0)
        )
        line = texts.fagomraade_progress_line(
            fagomraade=area.navn,
            besvaret=overview.answered,
            antal=len(overview.systemer),
            indsendt=submitted,
        )
        body += [
            _text(line, separator=True),
            {"type": "ActionSet", "spacing": "Small", "actions": actions},
        ]
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


def opsaet_card_used(*, kommune: str, slutdato: date) -> Card:
    """The opsæt card once sent: what it chose, nothing left to press."""
    return closed_card(
        texts.OPSAET_CARD_TITLE, texts.opsaet_card_used(kommune=kommune, slutdato=slutdato)
    )


# The roles a coordinator confirms on the mapping card; the others are kept as recognised.
KOLONNE_ROLES = (Role.SYSTEM, Role.LEVERANDOER, Role.ANVENDELSE, Role.BEMAERKNING)
_KOLONNE_CHOICES = 40
_KOLONNE_TITLE_CHARS = 60


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def opsaet_kolonner_card(reading: SheetReading) -> Card:
    """One sheet's reading: header row, a drop-down per role with the column taken, and the
    first systems, with "Ser rigtigt ud".

    One card per sheet keeps each far below Teams' message size. The submit carries the
    sheet's name, header row and the roles not on the card, so the answer is complete without
    any state; the inputs are named by role.
    """
    roles = reading.columns.roles()
    # Columns with a header, or taken for a role, are the candidates; a very wide sheet is cut
    # to the first ones, so four drop-downs stay far below Teams' message size.
    offered = [
        column
        for column in reading.header.columns
        if column.header or column.column in roles.values()
    ]
    offered = [
        column
        for index, column in enumerate(offered)
        if index < _KOLONNE_CHOICES or column.column in roles.values()
    ]
    choices = [{"title": texts.OPSAET_KOLONNER_NONE, "value": ""}] + [
        {
            "title": texts.opsaet_kolonne_choice(
                bogstav=column_letter(column.column),
                overskrift=_shortened(column.header, _KOLONNE_TITLE_CHARS),
            ),
            "value": str(column.column),
        }
        for column in offered
    ]
    body: list[dict[str, Any]] = [
        _text(texts.opsaet_kolonner_title(ark=reading.sheet), size="Medium", weight="Bolder"),
        _text(texts.opsaet_kolonner_sheet(raekke=reading.header.row)),
        *(
            _text(texts.opsaet_kolonner_doubt(tvivl=doubt.value, rolle=role.value), isSubtle=True)
            for doubt, role in reading.doubts
        ),
        *(
            {
                "type": "Input.ChoiceSet",
                "id": role.value,
                "label": texts.OPSAET_KOLONNE_LABELS[role.value],
                "style": "compact",
                "value": str(roles.get(role, "")),
                "choices": choices,
            }
            for role in KOLONNE_ROLES
        ),
        _text(texts.opsaet_kolonner_first(systemer=reading.first_systems)),
    ]
    kept = {role.value: column for role, column in roles.items() if role not in KOLONNE_ROLES}
    sheet = {"sheet": reading.sheet, "header_row": reading.header.row, "roles": kept}
    return _card(
        body,
        [
            _koordinator_submit(
                texts.OPSAET_KOLONNER_SUBMIT, KoordinatorAction.OPSAET, kolonner=sheet
            )
        ],
    )


def _koordinator_submit(title: str, action: KoordinatorAction, **data: Any) -> dict[str, Any]:
    return {
        "type": "Action.Submit",
        "title": title,
        "style": "positive",
        "data": {ACTION_KEY: action.value, **data},
    }


def tildel_card(
    areas: Sequence[tuple[Fagomraade, Sequence[str]]],
    members: Sequence[Member],
    *,
    notes: Sequence[str] = (),
    forslag: Sequence[tuple[str, Sequence[str]]] = (),
) -> Card:
    """Every fagområde with its owners, and a form to assign one to anyone the bot knows.

    notes: one line per owner who cannot be reached, with the fix. forslag: the suggested
    systemejere (last round's, KITOS') of each area nobody has yet, accepted with one press.
    """
    body: list[dict[str, Any]] = [
        _text(texts.TILDEL_CARD_TITLE, size="Large", weight="Bolder"),
        _facts(
            [
                (area.navn, ", ".join(owners) if owners else texts.TILDEL_NO_OWNER)
                for area, owners in areas
            ]
        ),
        *(_text(note, color="Attention") for note in notes),
    ]
    if forslag:
        body += [
            _text(texts.TILDEL_FORSLAG, weight="Bolder", separator=True),
            *(
                _text(texts.tildel_suggested_line(fagomraade=navn, navne=navne), spacing="None")
                for navn, navne in forslag
            ),
            {
                "type": "ActionSet",
                "actions": [
                    _koordinator_submit(
                        texts.TILDEL_ACCEPT_SUGGESTED, KoordinatorAction.TILDEL_FORSLAG
                    )
                ],
            },
        ]
    body += [
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


def start_confirm_card(*, unassigned: Sequence[str], tildelte: int) -> Card:
    """`start` while some areas have no systemejer: send to the assigned now, or assign first."""
    return _card(
        [
            _text(texts.start_confirm(unassigned=len(unassigned), tildelte=tildelte)),
            _text(", ".join(unassigned), isSubtle=True, size="Small"),
        ],
        [
            _koordinator_submit(texts.SEND_NOW, KoordinatorAction.START_NU),
            {  # the quieter choice: no style
                "type": "Action.Submit",
                "title": texts.START_TILDEL_FOERST,
                "data": {ACTION_KEY: KoordinatorAction.START_TILDEL_FOERST.value},
            },
        ],
    )


def status_card(
    progress: Progress, *, slutdato: date, zone: tzinfo, modtaget: datetime | None = None
) -> Card:
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
        if area.bekraeftede_forslag or area.aendrede_forslag:
            line += " · " + texts.status_forslag(
                bekraeftet=area.bekraeftede_forslag, aendret=area.aendrede_forslag
            )
        if area.last_activity:
            line += " · " + texts.status_last_activity(
                tidspunkt=texts.tidspunkt(area.last_activity, zone)
            )
        body.append(_text(("⚠ " if area.late else "") + line, separator=True, spacing="Small"))
    if modtaget is not None:
        body.append(
            _text(
                texts.status_kombit_modtaget(tidspunkt=texts.tidspunkt(modtaget, zone)),
                weight="Bolder",
                color="Good",
            )
        )
    elif progress.complete:
        body.append(_text(texts.STATUS_COMPLETE, weight="Bolder", color="Good"))
    elif progress.late_owners:
        body.append(
            _text(
                texts.status_late(navne=[p.navn for p in progress.late_owners]), color="Attention"
            )
        )
    return _card(body)


# --- Levering af Bilag 1 ---------------------------------------------------------------------


def _delivery_submit(
    title: str, action: DeliveryAction, *, style: str | None = None, **data: Any
) -> dict[str, Any]:
    submit: dict[str, Any] = {
        "type": "Action.Submit",
        "title": title,
        "data": {ACTION_KEY: action.value, **data},
    }
    if style:
        submit["style"] = style
    return submit


def bilag1_ready_card(version: Bilag1Version) -> Card:
    """The final workbook was just archived: fetch it, or send it to KOMBIT."""
    return _card(
        [
            _text(texts.bilag1_version_title(nummer=version.nummer), size="Large", weight="Bolder"),
            _facts(
                [
                    (texts.FILE_NAME, version.file.filename),
                    (texts.FILE_SHA256, version.file.sha256),
                ]
            ),
        ],
        [
            _delivery_submit(texts.HENT_BILAG1, DeliveryAction.HENT, version_id=version.id),
            # No version on Send: send always takes the newest answers (and says what it sends).
            _delivery_submit(texts.SEND_TIL_KOMBIT, DeliveryAction.SEND, style="positive"),
        ],
    )


def file_card(
    *,
    title: str,
    intro: str | None,
    facts: Sequence[tuple[str, str]],
    link: Link | None,
    zone: tzinfo,
) -> Card:
    """A file handed to the coordinator: what it is, and a signed link while it is valid."""
    body = [_text(title, size="Large", weight="Bolder")]
    if intro:
        body.append(_text(intro))
    body.append(_facts(facts))
    actions = []
    if link is not None:
        body.append(
            _text(
                texts.link_valid_until(tidspunkt=texts.tidspunkt(link.expires_at, zone)),
                isSubtle=True,
                size="Small",
            )
        )
        actions.append({"type": "Action.OpenUrl", "title": texts.DOWNLOAD_BUTTON, "url": link.url})
    return _card(body, actions)


def version_facts(version: Bilag1Version, zone: tzinfo) -> list[tuple[str, str]]:
    """What identifies an archived version: file, when, who, where it is, and its hash."""
    return [
        (texts.FILE_NAME, version.file.filename),
        (texts.FILE_CREATED, texts.tidspunkt(version.created_at, zone)),
        (
            texts.version_by_label(version.reason),
            texts.version_by(af=version.created_by, reason=version.reason),
        ),
        (texts.FILE_STATUS, texts.send_status_label(version, zone)),
        (texts.FILE_SHA256, version.file.sha256),
    ]


def _mail_facts(mail: Mail) -> list[tuple[str, str]]:
    facts = [
        (texts.MAIL_TO, mail.to),
        (texts.MAIL_SUBJECT, mail.subject),
        (texts.MAIL_ATTACHMENT, mail.attachment_name),
    ]
    if mail.reply_to:
        facts.append((texts.MAIL_REPLY_TO, mail.reply_to))
    return facts


def send_preview_card(mail: Mail, *, version_id: int, aendringsrapport: bool) -> Card:
    """Exactly what is about to go to KOMBIT; nothing is sent before Send nu."""
    title = texts.CHANGE_REPORT_PREVIEW_TITLE if aendringsrapport else texts.SEND_PREVIEW_TITLE
    return _card(
        [
            _text(title, size="Large", weight="Bolder"),
            _facts(_mail_facts(mail)),
            _text(texts.MAIL_BODY, weight="Bolder", spacing="Medium"),
            _text(mail.body, fontType="Monospace", size="Small"),
            _text(texts.SEND_PREVIEW_HINT, isSubtle=True),
        ],
        [
            _delivery_submit(
                texts.SEND_NOW,
                DeliveryAction.SEND_NU,
                style="positive",
                version_id=version_id,
                aendringsrapport=aendringsrapport,
            )
        ],
    )


def mail_card(
    mail: Mail,
    *,
    title: str,
    intro: str,
    sent_at: str | None = None,
    link: Link | None = None,
    zone: tzinfo | None = None,
) -> Card:
    """What was sent (or is to be sent from Outlook): recipient, subject and attachment."""
    facts = _mail_facts(mail)
    if sent_at:
        facts.append((texts.MAIL_SENT_AT, sent_at))
    body = [_text(title, size="Large", weight="Bolder"), _text(intro), _facts(facts)]
    actions = []
    if link is not None and zone is not None:
        body.append(
            _text(
                texts.link_valid_until(tidspunkt=texts.tidspunkt(link.expires_at, zone)),
                isSubtle=True,
                size="Small",
            )
        )
        actions.append({"type": "Action.OpenUrl", "title": texts.DOWNLOAD_BUTTON, "url": link.url})
    return _card(body, actions)


def send_failed_card(text: str, *, version_id: int, aendringsrapport: bool) -> Card:
    data: dict[str, Any] = {"version_id": version_id, "aendringsrapport": aendringsrapport}
    return _card(
        [_text(text, color="Attention")],
        [
            _delivery_submit(texts.SEND_RETRY, DeliveryAction.SEND_NU, style="positive", **data),
            _delivery_submit(texts.SEND_AS_EML, DeliveryAction.EML, **data),
        ],
    )


HISTORIK_SHOWN = 20
"""Versions on the historik card; a municipality makes a handful, so this is a safety cap."""


def historik_card(versions: Sequence[Bilag1Version], zone: tzinfo) -> Card:
    """Every archived version, newest first, each with its own button to fetch it."""
    body: list[dict[str, Any]] = [_text(texts.HISTORIK_TITLE, size="Large", weight="Bolder")]
    for version in versions[:HISTORIK_SHOWN]:
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    _text(
                        texts.historik_heading(
                            nummer=version.nummer,
                            tidspunkt=texts.tidspunkt(version.created_at, zone),
                            af=version.created_by,
                            reason=version.reason,
                        )
                    ),
                    _text(texts.send_status_label(version, zone), isSubtle=True, spacing="None"),
                    _text(
                        f"{texts.FILE_SHA256} {version.file.sha256}",
                        isSubtle=True,
                        size="Small",
                        spacing="None",
                    ),
                    {
                        "type": "ActionSet",
                        "actions": [
                            _delivery_submit(
                                texts.historik_button(nummer=version.nummer),
                                DeliveryAction.HENT,
                                version_id=version.id,
                            )
                        ],
                    },
                ],
            }
        )
    return _card(body)


def aendringer_card(*, title: str, lines: Sequence[str]) -> Card:
    """Changes since the last version KOMBIT got, and the button to report them."""
    return _card(
        [
            _text(title, size="Large", weight="Bolder"),
            *(_text(f"• {line}", spacing="Small") for line in lines),
        ],
        [_delivery_submit(texts.AENDRINGER_SEND, DeliveryAction.SEND, style="positive")],
    )


def file_consent_card(*, filename: str, size: int, file_id: str) -> Card:
    """Teams' FileConsentCard: the coordinator allows the bot to put the file in OneDrive.

    The contexts come back in the fileConsent/invoke; they carry the file's id only.
    """
    context = {"file_id": file_id}
    return FileConsentCard(
        description=texts.file_consent_description(filnavn=filename),
        size_in_bytes=size,
        accept_context=context,
        decline_context=context,
    ).serialize()


def as_file_consent_attachment(card: Card, *, filename: str) -> Attachment:
    # Teams takes the file name from the attachment, not from the card.
    return Attachment(content_type=ContentType.FILE_CONSENT_CARD, name=filename, content=card)


def file_info_attachment(upload: FileUploadInfo) -> Attachment:
    """The card Teams shows for a file in the user's OneDrive, after the upload."""
    return Attachment(
        content_type=ContentType.FILE_INFO_CARD,
        name=upload.name,
        content_url=upload.content_url,
        content=FileInfoCard(unique_id=upload.unique_id, file_type=upload.file_type).serialize(),
    )


class ReminderArea(NamedTuple):
    """One unfinished fagområde on a systemejer's reminder."""

    fagomraade_id: int
    fagomraade: str
    unanswered: int
    total: int


def reminders_card(areas: Sequence[ReminderArea], *, slutdato: date, dage: int) -> Card:
    """A systemejer's reminder: one card with every unfinished area, each with Fortsæt (or
    Start), the form and Ikke mig. One area gets the card of its own."""
    if len(areas) == 1:
        [area] = areas
        return build_reminder_card(
            fagomraade_id=area.fagomraade_id,
            fagomraade=area.fagomraade,
            unanswered=area.unanswered,
            total=area.total,
            slutdato=slutdato,
            dage=dage,
        )
    body: list[dict[str, Any]] = [
        _text(texts.reminders_title(fagomraader=len(areas)), weight="Bolder", size="Medium"),
        _text(texts.reminders_systemejer(slutdato=slutdato, dage=dage)),
    ]
    for area in areas:
        body += [
            _text(
                texts.reminder_area_status(
                    fagomraade=area.fagomraade, unanswered=area.unanswered, total=area.total
                ),
                separator=True,
            ),
            {
                "type": "ActionSet",
                "spacing": "Small",
                "actions": _area_actions(area.fagomraade_id, begun=area.unanswered < area.total),
            },
        ]
    return _card(body)


def build_reminder_card(
    *,
    fagomraade_id: int,
    fagomraade: str,
    unanswered: int,
    total: int,
    slutdato: date,
    dage: int,
) -> Card:
    """A reminder for one unfinished fagområde: Fortsæt (or Start), the form, Ikke mig."""
    return _card(
        [
            _text(texts.reminder_title(fagomraade=fagomraade), weight="Bolder", size="Medium"),
            _text(
                texts.reminder_systemejer(
                    fagomraade=fagomraade,
                    unanswered=unanswered,
                    total=total,
                    slutdato=slutdato,
                    dage=dage,
                )
            ),
        ],
        _area_actions(fagomraade_id, begun=unanswered < total),
    )


# --- Forslag: koordinatorens kort (kilde, gennemsyn) ------------------------------------------
# The systemejer's suggestion cards have their own block.

FORSLAG_ROWS_SHOWN = 15
"""Uncertain matches and additions with buttons per review card: each decision updates the
card in place and brings the next ones, and the card stays far below Teams' message size."""
# Additions no area claims carry a drop-down of every area: fewer of them at a time.
_AREA_CHOICES_SHOWN = 5


def forslag_kilde_card(*, sidste_runde: str | None, kitos: bool, valgt: str | None = None) -> Card:
    """Where suggestions may come from: last round (archived or uploaded), KITOS, or none.

    sidste_runde: the archived workbook's description, when the archive has one; kitos:
    whether the bot may read KITOS' API. valgt: the choice made, shown without buttons.
    """
    body: list[dict[str, Any]] = [
        _text(texts.FORSLAG_KILDE_TITLE, size="Medium", weight="Bolder"),
    ]
    if valgt is not None:
        body.append(_text(texts.forslag_kilde_used(valg=valgt), isSubtle=True))
        return _card(body)
    body.append(_text(texts.FORSLAG_KILDE_INTRO))
    if sidste_runde:
        body.append(_text(sidste_runde, isSubtle=True))
    choices = [
        (texts.FORSLAG_SIDSTE_RUNDE, ForslagKilde.SIDSTE_RUNDE, bool(sidste_runde)),
        (texts.FORSLAG_UPLOAD_BILAG1, ForslagKilde.UPLOAD_BILAG1, True),
        (texts.FORSLAG_UPLOAD_KITOS, ForslagKilde.UPLOAD_KITOS, True),
        (texts.FORSLAG_HENT_KITOS, ForslagKilde.HENT_KITOS, kitos),
        (texts.FORSLAG_INGEN, ForslagKilde.INGEN, True),
    ]
    actions = []
    for title, kilde, offered in choices:
        if not offered:
            continue
        submit = _koordinator_submit(title, KoordinatorAction.FORSLAG_KILDE, kilde=kilde.value)
        if kilde is not ForslagKilde.SIDSTE_RUNDE:
            submit.pop("style")
        actions.append(submit)
    # Five choices do not fit a row of buttons in Teams: they go under each other.
    body.append({"type": "ActionSet", "actions": actions})
    return _card(body)


def _afgoer_actions(
    action: KoordinatorAction, key: str, item_id: int, yes: str, no: str, **extra: Any
) -> dict[str, Any]:
    accept = _koordinator_submit(yes, action, **{key: item_id, "accept": True}, **extra)
    reject = _koordinator_submit(no, action, **{key: item_id, "accept": False}, **extra)
    reject.pop("style")
    return {"type": "ActionSet", "actions": [accept, reject]}


def forslag_card(oversigt: ForslagOversigt) -> Card:
    """The coordinator's review: per fagområde what is suggested, and the decisions to make.

    Undecided uncertain matches and additions come first with a button pair each, at most
    FORSLAG_ROWS_SHOWN at a time; decided ones are listed with the decision.
    """
    body: list[dict[str, Any]] = [
        _text(texts.FORSLAG_CARD_TITLE, size="Large", weight="Bolder"),
        _text(texts.FORSLAG_CARD_NOTE, isSubtle=True),
    ]
    if oversigt.tom:
        body.append(_text(texts.FORSLAG_NONE))
        return _card(body)
    areas = {area.fagomraade_id: area.navn for area in oversigt.fagomraader}
    for area in oversigt.fagomraader:
        if area.tom:
            continue
        body.append(
            _text(
                texts.forslag_area_line(
                    fagomraade=area.navn,
                    med_forslag=area.med_forslag,
                    usikre=sum(1 for u in area.usikre if u.afgjort is None),
                    tilfoejelser=len(area.tilfoejelser),
                    ejere=[p.navn for p in area.ejere],
                ),
                separator=True,
                spacing="Small",
            )
        )
        if area.udgaaede:
            body.append(
                _text(
                    texts.forslag_udgaaede(fagomraade=area.navn, navne=area.udgaaede),
                    isSubtle=True,
                    size="Small",
                )
            )
    usikre = [(area, u) for area in oversigt.fagomraader for u in area.usikre]
    asked = _usikre_rows(body, usikre)
    _tilfoejelse_rows(body, oversigt, areas, room=max(FORSLAG_ROWS_SHOWN - asked, 3))
    body.append(_text(texts.FORSLAG_MORE_SOURCES, separator=True))
    return _card(body)


def _usikre_rows(
    body: list[dict[str, Any]], usikre: Sequence[tuple[FagomraadeForslag, UsikkertForslag]]
) -> int:
    """Uncertain matches: the undecided with a button pair each, then the decided; how many
    were asked."""
    if usikre:
        body.append(_text(texts.FORSLAG_USIKRE_HEADING, weight="Bolder", separator=True))
    undecided = [(area, u) for area, u in usikre if u.afgjort is None]
    asked = undecided[:FORSLAG_ROWS_SHOWN]
    for area, usikker in asked:
        body.append(_text(_usikker_line(area, usikker)))
        body.append(
            _afgoer_actions(
                KoordinatorAction.FORSLAG_AFGOER,
                "forslag_id",
                usikker.id,
                texts.FORSLAG_SAMME,
                texts.FORSLAG_IKKE_SAMME,
            )
        )
    if len(undecided) > len(asked):
        body.append(_text(texts.forslag_flere(antal=len(undecided) - len(asked)), isSubtle=True))
    _decided_rows(body, [(_usikker_line(area, u), u.afgjort) for area, u in usikre if u.afgjort])
    return len(asked)


def _tilfoejelse_rows(
    body: list[dict[str, Any]], oversigt: ForslagOversigt, areas: dict[int, str], *, room: int
) -> None:
    """Suggested additions: the undecided to offer or turn down (with an area to choose when
    none claims them), at most room of them, then the decided."""
    tilfoejelser = _tilfoejelser_by_system(oversigt)
    if tilfoejelser:
        body.append(_text(texts.FORSLAG_TILFOEJELSER_HEADING, weight="Bolder", separator=True))
    choices = [{"title": navn, "value": str(area_id)} for area_id, navn in areas.items()]
    undecided = [t for t in tilfoejelser if t[0].afgjort is None]
    with_area = [t for t in undecided if t[1]]
    to_place = [t for t in undecided if not t[1]]
    offered = (with_area + to_place[:_AREA_CHOICES_SHOWN])[:room]
    for tilfoejelse, area_ids in offered:
        body.append(_text(_tilfoejelse_line(tilfoejelse)))
        if area_ids:
            body.append(
                _text(
                    texts.forslag_tilfoejelse_i(fagomraader=[areas[a] for a in area_ids]),
                    isSubtle=True,
                    size="Small",
                )
            )
        else:
            body.append(
                {
                    "type": "Input.ChoiceSet",
                    "id": f"omraade_{tilfoejelse.id}",
                    "label": texts.FORSLAG_OMRAADE_LABEL,
                    "style": "compact",
                    "choices": choices,
                }
            )
        body.append(
            _afgoer_actions(
                KoordinatorAction.TILFOEJELSE_AFGOER,
                "tilfoejelse_id",
                tilfoejelse.id,
                texts.FORSLAG_TILBYD,
                texts.FORSLAG_AFVIS,
            )
        )
    if len(undecided) > len(offered):
        body.append(_text(texts.forslag_flere(antal=len(undecided) - len(offered)), isSubtle=True))
    _decided_rows(body, [(_tilfoejelse_line(t), t.afgjort) for t, _ in tilfoejelser if t.afgjort])


def _decided_rows(body: list[dict[str, Any]], decided: Sequence[tuple[str, Afgjort]]) -> None:
    """The coordinator's decisions so far, subtle and bounded like the rest of the card."""
    for line, afgjort in decided[:FORSLAG_ROWS_SHOWN]:
        body.append(
            _text(
                texts.forslag_decided(text=line, accepteret=afgjort == Afgjort.ACCEPTERET),
                isSubtle=True,
                size="Small",
            )
        )
    if len(decided) > FORSLAG_ROWS_SHOWN:
        body.append(_text(texts.forslag_afgjorte(antal=len(decided) - FORSLAG_ROWS_SHOWN)))


def _usikker_line(area: FagomraadeForslag, usikker: UsikkertForslag) -> str:
    return texts.forslag_usikkert(
        system=usikker.navn,
        kilde_navn=usikker.kilde_navn,
        kilde=usikker.kilde,
        anvendelse=usikker.anvendelse,
        fagomraade=area.navn,
    )


def _tilfoejelse_line(tilfoejelse: ForeslaaetTilfoejelse) -> str:
    return texts.forslag_tilfoejelse(
        navn=tilfoejelse.navn,
        leverandoer=tilfoejelse.leverandoer,
        kilde=tilfoejelse.kilde,
        anvendelse=tilfoejelse.anvendelse,
    )


def _tilfoejelser_by_system(
    oversigt: ForslagOversigt,
) -> list[tuple[ForeslaaetTilfoejelse, tuple[int, ...]]]:
    """Each suggested addition once, with the areas it is offered in (none: to choose)."""
    items: list[tuple[ForeslaaetTilfoejelse, tuple[int, ...]]] = [
        (t, (area.fagomraade_id,)) for area in oversigt.fagomraader for t in area.tilfoejelser
    ]
    items += [(t, ()) for t in oversigt.uden_omraade]
    return items
