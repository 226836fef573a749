"""Card sizes and shapes: what Teams will accept and what a person can press."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dialogs import cards, texts
from storage.domain.forslag import (
    Afgjort,
    FagomraadeForslag,
    ForeslaaetTilfoejelse,
    ForslagOversigt,
    Kilde,
    UsikkertForslag,
)
from storage.domain.model import (
    Answer,
    Anvendelse,
    Fagomraade,
    FagomraadeOverview,
    ItSystem,
    Person,
    SystemAnswer,
)
from storage.domain.progress import FagomraadeFacts, compute_progress
from storage.domain.suggestions import SourcePerson

TEAMS_MESSAGE_LIMIT = 28 * 1024
"""Teams refuses bot messages over about 28 KB, card JSON included."""


def _overview(systems: int, *, answered: int = 0) -> FagomraadeOverview:
    area = Fagomraade(
        id=1, navn="Sags- og dokumenthåndtering (ESDH)", position=0, antal_systemer=systems
    )
    lines = tuple(
        SystemAnswer(
            system=ItSystem(
                id=100 + i,
                fagomraade_id=1,
                navn=f"Et meget langt systemnavn nummer {i} " + "x" * 60,
                leverandoer="En leverandør med et langt navn A/S",
                beskrivelse="Beskrivelse " * 10,
                position=i,
            ),
            answer=Answer(100 + i, Anvendelse.ANVENDER, None, 1, datetime.now(UTC))
            if i < answered
            else None,
        )
        for i in range(systems)
    )
    return FagomraadeOverview(area, 1, date(2027, 8, 31), lines, ())


def _size(card: cards.Card) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode())


def test_every_form_page_of_a_large_area_fits_a_teams_message() -> None:
    overview = _overview(100, answered=40)

    pages = cards.form_pages(overview)

    assert pages == 10
    assert (
        max(_size(cards.form_card(overview, page)) for page in range(pages)) < TEAMS_MESSAGE_LIMIT
    )


def test_form_pages_are_prefilled_with_answers_given() -> None:
    card = cards.form_card(_overview(12, answered=3), 0)

    values = [e["value"] for e in card["body"] if e["type"] == "Input.ChoiceSet"]

    assert values == ["anvender"] * 3 + [""] * 7


def test_the_status_card_for_fourteen_areas_with_several_owners_fits() -> None:
    owners = tuple(
        Person(i, "t", f"aad-{i}", f"Systemejer Med Langt Navn {i}", f"s{i}@kommune.dk")
        for i in range(4)
    )
    facts = [
        FagomraadeFacts(
            Fagomraade(i, f"Fagområde med et langt navn nummer {i}", i, 100),
            50,
            owners,
            datetime(2027, 8, 1, 12, tzinfo=UTC),
        )
        for i in range(14)
    ]
    progress = compute_progress(
        facts, today=date(2027, 8, 20), slutdato=date(2027, 8, 31), helligdage=frozenset()
    )

    card = cards.status_card(
        progress, slutdato=date(2027, 8, 31), zone=ZoneInfo("Europe/Copenhagen")
    )

    assert _size(card) < TEAMS_MESSAGE_LIMIT
    assert texts.status_overall(
        procent=50, besvaret=700, antal=1400, indsendt=0, fagomraader=14
    ) in json.dumps(card, ensure_ascii=False)


def test_the_summary_card_marks_missing_answers_and_offers_submit() -> None:
    card = cards.summary_card(_overview(3, answered=1))
    dumped = json.dumps(card, ensure_ascii=False)

    assert dumped.count(texts.MISSING_ANSWER) == 2
    assert card["actions"][0]["title"] == texts.SUBMIT
    assert "actions" not in cards.summary_card(_overview(3), readonly=True)


def test_a_system_card_carries_ids_for_every_answer_button() -> None:
    overview = _overview(2)
    card = cards.system_card(overview, overview.systemer[1].system)

    answers = [a["data"] for a in card["actions"] if a.get("data", {}).get("action") == "answer"]

    assert [a["anvendelse"] for a in answers] == ["anvender", "anvender_ikke", "sekundaer"]
    assert {(a["fagomraade_id"], a["system_id"]) for a in answers} == {(1, 101)}


def test_every_button_of_a_live_card_carries_its_token_however_deeply_nested() -> None:
    card = cards.summary_card(_overview(3, answered=3))

    live = cards.with_token(card, "t-1")

    def submits(node: object) -> list[dict[str, object]]:
        if isinstance(node, list):
            return [s for item in node for s in submits(item)]
        if not isinstance(node, dict):
            return []
        own = [node["data"]] if node.get("type") == "Action.Submit" else []
        return own + [s for value in node.values() for s in submits(value)]

    assert len(submits(card)) > len(card["actions"])  # some sit inside an Action.ShowCard
    assert all(data["kort"] == "t-1" for data in submits(live))
    assert all("kort" not in data for data in submits(card))  # the card itself is untouched


def test_the_first_system_has_no_tilbage_and_the_extra_choices_are_secondary() -> None:
    overview = _overview(2)
    first, second = (cards.system_card(overview, line.system) for line in overview.systemer)

    def titles(card: cards.Card, mode: str | None) -> list[str]:
        return [a["title"] for a in card["actions"] if a.get("mode") == mode]

    assert titles(first, None) == list(texts.ANVENDELSE_LABELS.values())
    assert titles(first, "secondary") == [texts.SKIP, texts.PAUSE]
    assert titles(second, "secondary") == [texts.SKIP, texts.BACK, texts.PAUSE]


def test_ret_et_svar_is_offered_once_per_summary() -> None:
    card = cards.summary_card(_overview(3, answered=3))

    assert json.dumps(card, ensure_ascii=False).count(f'"title": "{texts.CORRECT}"') == 1


def _oversigt_with_many_decisions(
    areas: int, per_area: int, afgjort: Afgjort | None = None
) -> ForslagOversigt:
    return ForslagOversigt(
        fagomraader=tuple(
            FagomraadeForslag(
                fagomraade_id=a,
                navn=f"Et fagområde med et langt navn nummer {a}",
                med_forslag=40,
                usikre=tuple(
                    UsikkertForslag(
                        id=a * 1000 + i,
                        navn=f"Et langt systemnavn nummer {i} " + "x" * 40,
                        kilde_navn=f"Et lignende navn i KITOS nummer {i} " + "y" * 40,
                        anvendelse=Anvendelse.ANVENDER,
                        kilde=Kilde.KITOS,
                        afgjort=afgjort,
                    )
                    for i in range(per_area)
                ),
                tilfoejelser=tuple(
                    ForeslaaetTilfoejelse(
                        id=a * 1000 + 500 + i,
                        navn=f"Et system, der ikke er på listen, nummer {i}",
                        leverandoer="En leverandør A/S",
                        anvendelse=Anvendelse.ANVENDER,
                        kilde=Kilde.KITOS,
                        afgjort=afgjort,
                    )
                    for i in range(per_area)
                ),
                ejere=(SourcePerson("Anne Jensen", "anne@kommune.dk"),),
                udgaaede=("SBSYS",),
            )
            for a in range(14)
        )[:areas],
        uden_omraade=tuple(
            ForeslaaetTilfoejelse(
                id=90_000 + i,
                navn=f"Zoom {i}",
                leverandoer=None,
                anvendelse=None,
                kilde=Kilde.KITOS,
                afgjort=None,
            )
            for i in range(30)
        ),
    )


def test_the_review_card_offers_a_bounded_number_of_decisions_and_stays_under_teams_limit() -> None:
    card = cards.forslag_card(_oversigt_with_many_decisions(areas=14, per_area=20))

    presses = [
        action["data"]
        for node in card["body"]
        if node.get("type") == "ActionSet"
        for action in node["actions"]
        if action["data"].get("accept") is True
    ]
    assert len(presses) == cards.FORSLAG_ROWS_SHOWN + 3
    assert texts.forslag_flere(antal=14 * 20 - cards.FORSLAG_ROWS_SHOWN) in json.dumps(
        card, ensure_ascii=False
    )
    assert len(json.dumps(card).encode()) < TEAMS_MESSAGE_LIMIT


def test_a_review_with_everything_decided_lists_a_bounded_number_of_decisions() -> None:
    card = cards.forslag_card(
        _oversigt_with_many_decisions(areas=14, per_area=20, afgjort=Afgjort.ACCEPTERET)
    )

    text = json.dumps(card, ensure_ascii=False)
    assert texts.forslag_afgjorte(antal=14 * 20 - cards.FORSLAG_ROWS_SHOWN) in text
    assert len(json.dumps(card).encode()) < TEAMS_MESSAGE_LIMIT


def test_a_review_with_nothing_suggested_says_how_to_load_suggestions() -> None:
    card = cards.forslag_card(ForslagOversigt((), ()))

    assert [block["text"] for block in card["body"]][-1] == texts.FORSLAG_NONE
