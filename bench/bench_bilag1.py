"""Time reading and writing a large Bilag 1: 14 fagområder × 100 systems, plus added systems.

Run: .venv/bin/python bench/bench_bilag1.py [--fagomraader 14] [--systemer 100] [--repeat 3]
Prints the best CPU time of each step and its peak Python heap (tracemalloc, one extra run),
then how long hostile files (one cell in Excel's last row or column) take to be refused.
"""

from __future__ import annotations

import argparse
import io
import time
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

from openpyxl import Workbook
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from storage.bilag1.errors import Bilag1Error
from storage.bilag1.layout import Bilag1, Bilag1Tilfoejet, Forside
from storage.bilag1.plan import FilledAnswers, SystemAnswer
from storage.bilag1.reader import read_bilag1
from storage.bilag1.writer import write_bilag1
from storage.domain.model import Anvendelse

T = TypeVar("T")
_HEADER = ["Leverandør", "It-system", "Beskrivelse", "Anvendelse", "Bemærkning"]
_ANSWERS = '"Anvender,Anvender ikke,Sekundær anvendelse"'


def build_template(fagomraader: int, systemer: int, free_rows: int = 30) -> bytes:
    """A sheet-per-fagområde workbook shaped like the reference one, styled and validated."""
    workbook = Workbook()
    workbook.active.title = "1 LÆS MIG"
    workbook.active["A1"] = "Vejledning"
    forside = workbook.create_sheet("2 Kommune")
    for row, label in enumerate(("Kommune", "Kontaktperson", "E-mail", "Dato"), start=3):
        forside.cell(row=row, column=1, value=label)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", start_color="FF1F4E78")
    for area in range(fagomraader):
        sheet = workbook.create_sheet(f"{area + 3} Område {area + 1}")
        sheet["A1"] = f"Fagområde: Område {area + 1}"
        sheet.append([])
        sheet.append([])
        sheet.append(_HEADER)
        for cell in sheet[4]:
            cell.font, cell.fill, cell.border = Font(bold=True), header_fill, border
        for n in range(systemer):
            sheet.append([f"Leverandør {n % 7}", f"System {area}-{n}", "Beskrivelse", None, None])
            for cell in sheet[5 + n]:
                cell.border = border
        validation = DataValidation(type="list", formula1=_ANSWERS)
        validation.add(f"D5:D{4 + systemer}")
        sheet.add_data_validation(validation)
        sheet.freeze_panes = "A5"
    added = workbook.create_sheet(f"{fagomraader + 3} Tilføjede systemer")
    added.append(["Fagområde", "Leverandør", "It-system", "Svarer til", "Anvendelse", "Bemærkning"])
    for row in range(2, 2 + free_rows):
        for column in range(1, 7):
            added.cell(row=row, column=column).border = border
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def answers_for(bilag1: Bilag1, added: int) -> FilledAnswers:
    kinds = list(Anvendelse)
    return FilledAnswers(
        forside=Forside("Aarhus Kommune", "Jens Hansen", "jens@aarhus.dk", "2023-08-31"),
        answers=tuple(
            SystemAnswer(area.navn, system.navn, kinds[n % 3], "=bemærkning" if n % 10 else None)
            for area in bilag1.fagomraader
            for n, system in enumerate(area.systemer)
        ),
        tilfoejede=tuple(
            Bilag1Tilfoejet("Område 1", f"Ekstra {n}", "Lev", "System 0-0", kinds[n % 3])
            for n in range(added)
        ),
    )


def hostile(coordinate: str) -> bytes:
    """A tiny workbook: a header, one system, and one cell far away."""
    workbook = Workbook()
    workbook.active.append(_HEADER)
    workbook.active.append(["KMD", "System", None, None, None])
    workbook.active[coordinate] = "x"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def refuse(data: bytes) -> str:
    try:
        read_bilag1(data, filename="h.xlsx")
    except Bilag1Error as err:
        return err.kind
    raise AssertionError("a hostile file was read")


def measure(step: Callable[[], T], repeat: int) -> tuple[T, float, float]:
    """Return the step's result, its best time (s) and its peak traced heap (MB).

    The time is the process's CPU time, not wall time: on a shared machine another process's
    load would otherwise be measured too. Each step is single-threaded and does no I/O wait.
    """
    best = float("inf")
    result = step()
    for _ in range(repeat):
        started = time.process_time()
        result = step()
        best = min(best, time.process_time() - started)
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, best, peak / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fagomraader", type=int, default=14)
    parser.add_argument("--systemer", type=int, default=100)
    parser.add_argument("--tilfoejede", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    template = build_template(args.fagomraader, args.systemer)
    total = args.fagomraader * args.systemer
    print(f"template: {args.fagomraader} fagområder × {args.systemer} systems = {total}, ", end="")
    print(f"{len(template) / 1024:.0f} KiB")

    bilag1, read_s, read_mb = measure(lambda: read_bilag1(template, filename="b.xlsx"), args.repeat)
    answers = answers_for(bilag1, args.tilfoejede)
    filled, write_s, write_mb = measure(
        lambda: write_bilag1(template, answers, draft=False), args.repeat
    )
    _, reread_s, reread_mb = measure(lambda: read_bilag1(filled, filename="b.xlsx"), args.repeat)

    print(f"read template      {read_s * 1000:7.0f} ms   peak {read_mb:5.1f} MB")
    print(f"write final        {write_s * 1000:7.0f} ms   peak {write_mb:5.1f} MB", end="")
    print(f"   ({len(answers.answers)} answers, {args.tilfoejede} added systems)")
    print(f"read filled        {reread_s * 1000:7.0f} ms   peak {reread_mb:5.1f} MB")
    for coordinate in ("A1048576", "XFD2"):
        data = hostile(coordinate)
        kind, refuse_s, refuse_mb = measure(lambda data=data: refuse(data), args.repeat)
        print(
            f"refuse {coordinate:<10}  {refuse_s * 1000:7.0f} ms   peak {refuse_mb:5.1f} MB", end=""
        )
        print(f"   ({len(data) / 1024:.0f} KiB file: {kind})")


if __name__ == "__main__":
    main()
