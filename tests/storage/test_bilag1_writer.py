from __future__ import annotations

import io
import zipfile
from copy import copy

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from dialogs import texts
from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind, MissingAnswers
from storage.bilag1.layout import Bilag1, Bilag1Tilfoejet, Forside
from storage.bilag1.plan import FilledAnswers, SystemAnswer, answers_of
from storage.bilag1.reader import read_bilag1
from storage.bilag1.writer import write_bilag1
from storage.domain.model import Anvendelse
from tests.support.bilag1_workbooks import one_sheet_layout, reference_bytes

STYLE_PARTS = ("font", "fill", "border", "alignment", "protection", "number_format")
# The one cell whose number format changes: a date written into a General cell.
DATE_CELL = "2 Kommune!B6"
CYCLE = (Anvendelse.ANVENDER, Anvendelse.ANVENDER_IKKE, Anvendelse.SEKUNDAER)
TILFOEJET = "17 Tilføjede systemer"


def reference() -> Bilag1:
    return read_bilag1(reference_bytes(), filename="reference-bilag1.xlsx")


def all_answered(template: Bilag1, **overrides: str) -> FilledAnswers:
    """An answer for every system, the three kinds in turn; overrides give remarks by system."""
    systems = [(a.navn, s.navn) for a in template.fagomraader for s in a.systemer]
    return FilledAnswers(
        forside=Forside("Aarhus Kommune", "Jens Hansen", "jens@aarhus.dk", "2023-08-31"),
        answers=tuple(
            SystemAnswer(area, navn, CYCLE[n % 3], overrides.get(navn))
            for n, (area, navn) in enumerate(systems)
        ),
    )


def opened(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def test_import_answer_export_import_gives_back_the_same_answers() -> None:
    template = reference()
    answers = FilledAnswers(
        forside=Forside("Aarhus Kommune", "Jens Hansen", "jens@aarhus.dk", "2023-08-31"),
        answers=all_answered(template, WorkZone="Kun læseadgang", Aula="Fælles").answers,
        tilfoejede=(
            Bilag1Tilfoejet("Skole", "Itslearning", "Itslearning", "MinUddannelse", CYCLE[0], "x"),
        ),
    )

    written = read_bilag1(write_bilag1(reference_bytes(), answers, draft=False), filename="ud.xlsx")

    assert answers_of(written) == answers
    assert written.fagomraader[0].systemer[0].bemaerkning == "Kun læseadgang"


def test_answers_are_written_exactly_as_kombit_spells_them() -> None:
    data = write_bilag1(reference_bytes(), all_answered(reference()), draft=False)
    esdh = opened(data)["3 ESDH"]
    assert [esdh.cell(row=row, column=4).value for row in (5, 6, 7)] == [
        "Anvender",
        "Anvender ikke",
        "Sekundær anvendelse",
    ]


def test_front_page_fields_are_filled_and_the_date_is_a_date() -> None:
    kommune = opened(write_bilag1(reference_bytes(), all_answered(reference()), draft=False))[
        "2 Kommune"
    ]
    assert [kommune[f"B{row}"].value for row in (3, 4, 5)] == [
        "Aarhus Kommune",
        "Jens Hansen",
        "jens@aarhus.dk",
    ]
    assert kommune["B6"].is_date
    assert kommune["B6"].value.date().isoformat() == "2023-08-31"
    assert kommune["B6"].number_format == "dd-mm-yyyy"


def test_the_template_sheets_validations_widths_panes_and_styles_are_kept() -> None:
    before = opened(reference_bytes())
    after = opened(write_bilag1(reference_bytes(), all_answered(reference()), draft=False))

    assert after.sheetnames == before.sheetnames
    for old, new in zip(before.worksheets, after.worksheets, strict=True):
        assert new.sheet_state == old.sheet_state, old.title
        assert new.freeze_panes == old.freeze_panes, old.title
        assert _widths(new) == _widths(old), old.title
        assert _validations(new) == _validations(old), old.title
        assert new.merged_cells.ranges == old.merged_cells.ranges, old.title
        for row in old.iter_rows():
            for cell in row:
                where = f"{old.title}!{cell.coordinate}"
                parts = slice(0, -1) if where == DATE_CELL else slice(None)
                assert _style(new[cell.coordinate])[parts] == _style(cell)[parts], where
    assert [c.value for c in after["1 LÆS MIG"]["A"]] == [c.value for c in before["1 LÆS MIG"]["A"]]
    assert [c.value for c in after["Lister"]["A"]] == [c.value for c in before["Lister"]["A"]]


def _widths(sheet: Worksheet) -> dict[str, float]:
    return {key: dimension.width for key, dimension in sheet.column_dimensions.items()}


def _validations(sheet: Worksheet) -> list[tuple[str, str | None, str | None]]:
    return [(str(v.sqref), v.type, v.formula1) for v in sheet.data_validations.dataValidation]


def _style(cell: object) -> tuple[object, ...]:
    # copy() unwraps openpyxl's StyleProxy, which never compares equal to another proxy.
    return tuple(copy(getattr(cell, name)) for name in STYLE_PARTS)


@pytest.mark.parametrize("text", ["=1+1", "+45 12 34 56 78", "-nedlagt", "@SUM(A1:A2)"])
def test_formula_looking_remark_is_stored_as_text(text: str) -> None:
    answers = all_answered(reference(), WorkZone=text)
    answers = FilledAnswers(forside=Forside(navn=text), answers=answers.answers)
    data = write_bilag1(reference_bytes(), answers, draft=False)

    workbook = opened(data)
    for cell in (workbook["3 ESDH"]["E5"], workbook["2 Kommune"]["B3"]):
        assert (cell.value, cell.data_type) == (text, "s")
        assert cell.quotePrefix is True
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in archive.read(name) for name in sheets)


def test_formula_looking_added_system_is_stored_as_text() -> None:
    answers = FilledAnswers(
        answers=all_answered(reference()).answers,
        tilfoejede=(Bilag1Tilfoejet("Skole", '=HYPERLINK("http://x")', anvendelse=CYCLE[0]),),
    )
    added = opened(write_bilag1(reference_bytes(), answers, draft=False))[TILFOEJET]
    assert (added["C4"].value, added["C4"].data_type) == ('=HYPERLINK("http://x")', "s")


def test_draft_leaves_unanswered_cells_empty_with_a_fill_and_a_note() -> None:
    template = reference()
    answers = FilledAnswers(answers=all_answered(template).answers[1:])  # WorkZone unanswered

    esdh = opened(write_bilag1(reference_bytes(), answers, draft=True))["3 ESDH"]

    assert esdh["D5"].value is None
    assert esdh["D5"].comment is not None and esdh["D5"].comment.text == "Mangler svar"
    assert esdh["D5"].fill.fgColor.rgb == "FFFFC7CE"
    assert esdh["D6"].value == "Anvender ikke"
    assert esdh["D6"].comment is None
    assert copy(esdh["D6"].fill) == copy(opened(reference_bytes())["3 ESDH"]["D6"].fill)


def test_final_refuses_with_missing_answers_named_by_fagomraade_and_system() -> None:
    answers = FilledAnswers(answers=all_answered(reference()).answers[2:])
    with pytest.raises(MissingAnswers) as caught:
        write_bilag1(reference_bytes(), answers, draft=False)
    assert caught.value.missing == (
        ("Sags- og dokumenthåndtering (ESDH)", "WorkZone"),
        ("Sags- og dokumenthåndtering (ESDH)", "Acadre"),
    )
    assert "• Sags- og dokumenthåndtering (ESDH): Acadre" in texts.missing_answers(caught.value)


def test_added_systems_beyond_the_free_rows_get_new_rows_styled_and_validated() -> None:
    tilfoejede = tuple(
        Bilag1Tilfoejet("Skole", f"System {n}", "Leverandør", "Aula", CYCLE[n % 3])
        for n in range(33)
    )
    answers = FilledAnswers(answers=all_answered(reference()).answers, tilfoejede=tilfoejede)

    data = write_bilag1(reference_bytes(), answers, draft=False)

    added = opened(data)[TILFOEJET]
    assert added.max_row == 36  # header on row 3, 30 free rows, 3 new ones
    assert _style(added["A36"]) == _style(added["A33"])
    assert added["F36"].border.left.style == "thin"
    assert [str(v.sqref) for v in added.data_validations.dataValidation] == ["A4:A36", "E4:E36"]
    assert read_bilag1(data, filename="ud.xlsx").tilfoejede[-1].navn == "System 32"


def test_rewriting_a_filled_workbook_leaves_no_stale_added_systems() -> None:
    first = FilledAnswers(
        answers=all_answered(reference()).answers,
        tilfoejede=tuple(Bilag1Tilfoejet("Skole", f"S{n}", anvendelse=CYCLE[0]) for n in range(3)),
    )
    filled = write_bilag1(reference_bytes(), first, draft=False)
    second = FilledAnswers(answers=first.answers, tilfoejede=first.tilfoejede[:1])

    again = read_bilag1(write_bilag1(filled, second, draft=False), filename="igen.xlsx")

    assert [t.navn for t in again.tilfoejede] == ["S0"]


def test_one_sheet_layout_is_filled_and_read_back() -> None:
    template = read_bilag1(one_sheet_layout(), filename="alle.xlsx")
    answers = FilledAnswers(
        answers=tuple(
            SystemAnswer(area.navn, system.navn, Anvendelse.SEKUNDAER, "ok")
            for area in template.fagomraader
            for system in area.systemer
        ),
        tilfoejede=(Bilag1Tilfoejet("ESDH", "F2", "cBrain", "SBSYS", Anvendelse.ANVENDER),),
    )
    again = read_bilag1(write_bilag1(one_sheet_layout(), answers, draft=False), filename="a.xlsx")
    assert answers_of(again).answers == answers.answers
    assert answers_of(again).tilfoejede == answers.tilfoejede


def test_an_answer_for_an_unknown_fagomraade_is_refused() -> None:
    answers = FilledAnswers(answers=(SystemAnswer("Fritid", "Foreningsportal", CYCLE[0]),))
    with pytest.raises(Bilag1Error) as caught:
        write_bilag1(reference_bytes(), answers, draft=True, filename="skabelon.xlsx")
    assert caught.value.kind is Bilag1ErrorKind.UNKNOWN_FAGOMRAADE
    assert texts.bilag1_error(caught.value) == (
        'Fagområdet "Fritid" findes ikke i skabelonen "skabelon.xlsx".'
    )


def test_control_characters_from_chat_are_dropped_not_fatal() -> None:
    answers = all_answered(reference(), WorkZone="linje\x00 \x07to")
    esdh = opened(write_bilag1(reference_bytes(), answers, draft=False))["3 ESDH"]
    assert esdh["E5"].value == "linje to"
