from __future__ import annotations

import pytest

from dialogs import texts
from storage.bilag1.errors import Bilag1Error, MissingAnswers
from storage.bilag1.layout import KOMBIT_ANVENDELSE, Bilag1, Bilag1Tilfoejet, Forside, parse_bilag1
from storage.bilag1.plan import CellWrite, FilledAnswers, SystemAnswer, plan_writes
from storage.domain.model import Anvendelse
from tests.support.bilag1_rows import area_sheet, sheet


def template() -> Bilag1:
    return parse_bilag1(
        [
            sheet("Kommune", ["Kommune", None], ["Dato", None]),
            area_sheet(
                "ESDH", [None, "SBSYS", None, None, None], [None, "WorkZone", None, None, None]
            ),
            sheet(
                "Tilføjede", ["Fagområde", "It-system", "Svarer til", "Anvendelse"], [None, None]
            ),
        ],
        filename="bilag.xlsx",
    )


def test_final_plan_refuses_while_systems_lack_an_answer_and_names_them() -> None:
    answers = FilledAnswers(
        answers=(SystemAnswer("esdh", "sbsys", Anvendelse.ANVENDER),),
        tilfoejede=(Bilag1Tilfoejet("ESDH", "F2", anvendelse=None),),
    )
    with pytest.raises(MissingAnswers) as caught:
        plan_writes(template(), answers, draft=False, filename="bilag.xlsx")
    assert caught.value.missing == (("ESDH", "WorkZone"), ("ESDH", "F2"))
    assert texts.missing_answers(caught.value) == (
        "Bilag 1 kan ikke gøres færdigt: 2 it-systemer mangler svar.\n• ESDH: WorkZone\n• ESDH: F2"
    )


def test_draft_plan_writes_kombit_spellings_and_marks_the_unanswered() -> None:
    answers = FilledAnswers(
        forside=Forside(navn="Aarhus Kommune", dato="2023-08-31"),
        answers=(SystemAnswer("ESDH", "SBSYS", Anvendelse.SEKUNDAER, "kun opslag"),),
    )
    plan = plan_writes(template(), answers, draft=True, filename="bilag.xlsx")
    assert CellWrite("ESDH", 5, 4, "Sekundær anvendelse") in plan.cells
    assert CellWrite("ESDH", 5, 5, "kun opslag") in plan.cells
    assert CellWrite("ESDH", 6, 4, None, missing=True) in plan.cells
    assert CellWrite("Kommune", 1, 2, "Aarhus Kommune") in plan.cells
    assert any(
        write.sheet == "Kommune" and write.row == 2 and str(write.value) == "2023-08-31"
        for write in plan.cells
    )


def test_an_answer_for_a_system_not_in_the_template_is_refused_by_name() -> None:
    answers = FilledAnswers(answers=(SystemAnswer("ESDH", "Ukendt", Anvendelse.ANVENDER),))
    with pytest.raises(Bilag1Error) as caught:
        plan_writes(template(), answers, draft=True, filename="bilag.xlsx")
    assert texts.bilag1_error(caught.value) == (
        'It-systemet "Ukendt" under fagområdet "ESDH" findes ikke i skabelonen "bilag.xlsx".'
    )


def test_the_workbook_spellings_are_the_ones_users_see() -> None:
    assert dict(KOMBIT_ANVENDELSE) == texts.ANVENDELSE_LABELS
