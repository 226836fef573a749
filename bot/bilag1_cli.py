"""The `kortlaegning inspect` and `fill` commands: read and fill Bilag 1 workbooks from a shell.

Each handler takes the parsed arguments and returns an exit code; bad input is a Danish
message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from dialogs import texts
from storage.bilag1.columns import column_letter
from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind, MissingAnswers
from storage.bilag1.jsonshape import bilag1_to_json, filled_answers_from_json
from storage.bilag1.layout import Bilag1
from storage.bilag1.plan import find_missing_answers
from storage.bilag1.reader import MAX_BYTES, read_bilag1
from storage.bilag1.writer import write_bilag1

logger = logging.getLogger(__name__)

BAD_INPUT = 2


class _Unreadable(Exception):
    """A file named on the command line could not be opened."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"cannot read {path}")
        self.path = path


def inspect(args: argparse.Namespace) -> int:
    """Print what a workbook holds: a summary per fagområde, how it was read, or JSON."""
    path: Path = args.file
    try:
        bilag1 = read_bilag1(_read(path), filename=path.name)
    except (Bilag1Error, _Unreadable) as err:
        return _report(err)
    if args.json:
        print(json.dumps(bilag1_to_json(bilag1), ensure_ascii=False, indent=2))
        return 0
    besvaret = [
        sum(system.anvendelse is not None for system in fagomraade.systemer)
        for fagomraade in bilag1.fagomraader
    ]
    print(
        texts.bilag1_summary(
            filename=path.name,
            fagomraader=len(bilag1.fagomraader),
            systemer=sum(len(fagomraade.systemer) for fagomraade in bilag1.fagomraader),
            besvaret=sum(besvaret),
            tilfoejede=len(bilag1.tilfoejede),
        )
    )
    for fagomraade, answered in zip(bilag1.fagomraader, besvaret, strict=True):
        print(
            texts.bilag1_fagomraade_line(
                fagomraade=fagomraade.navn, systemer=len(fagomraade.systemer), besvaret=answered
            )
        )
    if args.explain:
        _explain(bilag1)
    return 0


def _explain(bilag1: Bilag1) -> None:
    """Per sheet with a table: its header row, each column's role and why, and its blocks."""
    for reading in bilag1.readings:
        print(texts.bilag1_explain_sheet(ark=reading.sheet, raekke=reading.header.row))
        for column in reading.header.columns:
            print(
                texts.bilag1_explain_column(
                    bogstav=column_letter(column.column),
                    overskrift=column.header,
                    rolle=column.role,
                    grunde=[texts.bilag1_explain_reason(reason) for reason in column.reasons],
                )
            )
        for doubt, role in reading.doubts:
            print(texts.bilag1_explain_doubt(tvivl=doubt, rolle=role))
        for block in reading.blocks:
            print(
                texts.bilag1_explain_block(
                    fagomraade=block.fagomraade,
                    fra=block.first_row,
                    til=block.last_row,
                    kilde=block.source,
                )
            )


def fill(args: argparse.Namespace) -> int:
    """Write TEMPLATE filled with the answers of a JSON file to OUT (final unless --draft)."""
    template_path: Path = args.template
    answers_path: Path = args.answers
    out_path: Path = args.out
    try:
        template = _read(template_path)
        answers = filled_answers_from_json(_read_json(answers_path), filename=answers_path.name)
        workbook = write_bilag1(template, answers, draft=args.draft, filename=template_path.name)
        mangler = find_missing_answers(read_bilag1(template, filename=template_path.name), answers)
    except (Bilag1Error, MissingAnswers, _Unreadable) as err:
        return _report(err)
    try:
        out_path.write_bytes(workbook)
    except OSError as exc:
        logger.info("could not write the workbook: %s", type(exc).__name__)
        print(texts.file_not_writable(filename=str(out_path)), file=sys.stderr)
        return BAD_INPUT
    print(texts.bilag1_written(filename=str(out_path), draft=args.draft, mangler=len(mangler)))
    return 0


def _read(path: Path) -> bytes:
    # One byte past the limit is enough for read_bilag1 to refuse a huge file without
    # holding all of it.
    try:
        with path.open("rb") as file:
            return file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _Unreadable(path) from exc


def _read_json(path: Path) -> object:
    data = _read(path)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        # ValueError covers bad UTF-8, bad JSON and integers past Python's digit limit;
        # RecursionError, arrays or objects nested deeper than the parser goes.
        raise Bilag1Error(Bilag1ErrorKind.NOT_JSON, filename=path.name) from exc


def _report(err: Bilag1Error | MissingAnswers | _Unreadable) -> int:
    if isinstance(err, _Unreadable):
        message = texts.file_not_readable(filename=str(err.path))
    elif isinstance(err, MissingAnswers):
        message = texts.missing_answers(err)
    else:
        logger.info("bilag1 refused: %s", err.kind)
        message = texts.bilag1_error(err)
    print(message, file=sys.stderr)
    return BAD_INPUT
