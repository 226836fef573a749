"""The reader and writer over many workbook shapes built from one catalogue."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from storage.bilag1.layout import Bilag1
from storage.bilag1.plan import FilledAnswers, SystemAnswer, answers_of
from storage.bilag1.reader import read_bilag1
from storage.bilag1.writer import write_bilag1
from tests.support.bilag1_shapes import (
    CATALOGUE,
    Shape,
    build_shape,
    catalogue_rows,
    expected_answer,
    shapes,
)

SHAPES = shapes(36)


def read(data: bytes) -> Bilag1:
    return read_bilag1(data, filename="form.xlsx")


def filled_answers(template: Bilag1) -> FilledAnswers:
    return FilledAnswers(
        answers=tuple(
            SystemAnswer(area.navn, system.navn, expected_answer(a, s), f"Svar {a}.{s}")
            for a, area in enumerate(template.fagomraader)
            for s, system in enumerate(area.systemer)
        )
    )


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.id)
def test_every_system_is_read_with_its_fagomraade_and_leverandoer(shape: Shape) -> None:
    bilag1 = read(build_shape(shape))

    assert [
        (area.navn, system.navn, system.leverandoer)
        for area in bilag1.fagomraader
        for system in area.systemer
    ] == catalogue_rows()
    assert bilag1.doubtful == ()
    answers = [system.anvendelse for area in bilag1.fagomraader for system in area.systemer]
    if shape.answered:
        assert answers == [
            expected_answer(a, s) for a, (_, _, systems) in enumerate(CATALOGUE)
            for s in range(len(systems))
        ]  # fmt: skip
    else:
        assert answers == [None] * len(answers)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.id)
def test_a_filled_copy_reads_back_exactly_what_was_written(shape: Shape) -> None:
    template = build_shape(shape)
    answers = filled_answers(read(template))

    filled = write_bilag1(template, answers, draft=False)

    assert answers_of(read(filled)).answers == answers.answers
    # Written again into the filled copy, the same answers come back once more.
    assert answers_of(read(write_bilag1(filled, answers, draft=False))).answers == answers.answers


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.id)
def test_nothing_outside_the_answer_and_remark_cells_changes(shape: Shape) -> None:
    template = build_shape(shape)
    reading = read(template)
    answer_cells = {
        (area.sheet, system.row, column)
        for area in reading.fagomraader
        for system in area.systemer
        for column in (area.table.columns.anvendelse, area.table.columns.bemaerkning)
        if column is not None
    }

    filled = write_bilag1(template, filled_answers(reading), draft=False)

    before, after = _open(template), _open(filled)
    assert before.sheetnames == after.sheetnames
    for name in before.sheetnames:
        old, new = before[name], after[name]
        assert (old.sheet_state, old.freeze_panes) == (new.sheet_state, new.freeze_panes), name
        assert set(map(str, old.merged_cells.ranges)) == set(map(str, new.merged_cells.ranges))
        assert _validations(old) == _validations(new), name
        assert _dimensions(old) == _dimensions(new), name
        for row in old.iter_rows(min_row=1, max_row=old.max_row, max_col=old.max_column):
            for cell in row:
                if (name, cell.row, cell.column) in answer_cells:
                    continue
                twin = new.cell(row=cell.row, column=cell.column)
                assert (cell.value, cell.style_id) == (twin.value, twin.style_id), (
                    f"{name}!{cell.coordinate}"
                )
        assert (old.max_row, old.max_column) == (new.max_row, new.max_column), name


def _open(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data), rich_text=True)


def _validations(sheet: object) -> list[tuple[str, str | None]]:
    return [(str(v.sqref), v.formula1) for v in sheet.data_validations.dataValidation]  # type: ignore[attr-defined]


def _dimensions(sheet: object) -> dict[str, tuple[float | None, bool]]:
    return {
        key: (dimension.width, dimension.hidden)
        for key, dimension in sheet.column_dimensions.items()  # type: ignore[attr-defined]
    }
