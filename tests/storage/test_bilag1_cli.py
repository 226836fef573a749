from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.cli import main
from storage.bilag1.reader import read_bilag1
from tests.support.bilag1_workbooks import (
    REFERENCE,
    build,
    compound_file,
    filled_reference,
    replace_member,
)

_TEXT = {"type": ["string", "null"]}
_ANVENDELSE = {"enum": ["Anvender", "Anvender ikke", "Sekundær anvendelse", None]}


def _exactly(**properties: object) -> dict[str, object]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


# The documented shape of `inspect --json`, with no key more and none less.
SHAPE = _exactly(
    kommune=_exactly(navn=_TEXT, kontaktperson=_TEXT, email=_TEXT, dato=_TEXT),
    fagomraader={
        "type": "array",
        "items": _exactly(
            navn={"type": "string"},
            systemer={
                "type": "array",
                "items": _exactly(
                    navn={"type": "string"},
                    leverandoer=_TEXT,
                    beskrivelse=_TEXT,
                    anvendelse=_ANVENDELSE,
                    bemaerkning=_TEXT,
                ),
            },
        ),
    },
    tilfoejede_systemer={
        "type": "array",
        "items": _exactly(
            fagomraade=_TEXT,
            navn={"type": "string"},
            leverandoer=_TEXT,
            svarer_til=_TEXT,
            anvendelse=_ANVENDELSE,
            bemaerkning=_TEXT,
        ),
    },
)


def inspect_json(path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    assert main(["inspect", "--json", str(path)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert isinstance(document, dict)
    return document


def test_inspect_prints_each_fagomraade_with_its_systems_and_answers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["inspect", str(REFERENCE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        '"reference-bilag1.xlsx": 14 fagområder, 55 it-systemer, 0 besvaret, 0 tilføjede systemer.'
    )
    assert lines[1] == "  Sags- og dokumenthåndtering (ESDH): 8 it-systemer, 0 besvaret"
    assert lines[-1] == "  Kultur og bibliotek: 3 it-systemer, 0 besvaret"
    assert len(lines) == 15


def test_inspect_json_has_exactly_the_documented_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled = tmp_path / "udfyldt.xlsx"
    filled.write_bytes(filled_reference())

    document = inspect_json(filled, capsys)

    jsonschema.validate(document, SHAPE)
    assert document["kommune"] == {
        "navn": "Aarhus Kommune",
        "kontaktperson": None,
        "email": None,
        "dato": "2023-08-31",
    }
    [esdh, *_] = document["fagomraader"]
    assert esdh["navn"] == "Sags- og dokumenthåndtering (ESDH)"
    assert esdh["systemer"][:2] == [
        {
            "navn": "WorkZone",
            "leverandoer": "KMD",
            "beskrivelse": "ESDH-system",
            "anvendelse": "Anvender",
            "bemaerkning": "Hovedsystem",
        },
        {
            "navn": "Acadre",
            "leverandoer": "Formpipe Software",
            "beskrivelse": "ESDH-system",
            "anvendelse": "Anvender ikke",
            "bemaerkning": None,
        },
    ]
    assert document["tilfoejede_systemer"] == [
        {
            "fagomraade": "Skole",
            "navn": "Itslearning",
            "leverandoer": "Itslearning",
            "svarer_til": "MinUddannelse",
            "anvendelse": "Anvender",
            "bemaerkning": None,
        }
    ]


def test_fill_writes_the_answers_of_an_inspected_workbook_into_the_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = inspect_json(REFERENCE, capsys)
    for area in document["fagomraader"]:
        for system in area["systemer"]:
            system["anvendelse"] = "ja"  # spelled loosely, written as KOMBIT spells it
    document["kommune"]["navn"] = "Aarhus Kommune"
    answers, out = tmp_path / "svar.json", tmp_path / "bilag1.xlsx"
    answers.write_text(json.dumps(document), encoding="utf-8")

    assert main(["fill", str(REFERENCE), str(answers), str(out)]) == 0

    assert capsys.readouterr().out.strip() == f'Bilag 1 er gemt i "{out}".'
    written = inspect_json(out, capsys)
    assert written["kommune"]["navn"] == "Aarhus Kommune"
    assert {
        system["anvendelse"] for area in written["fagomraader"] for system in area["systemer"]
    } == {"Anvender"}


def test_fill_refuses_missing_answers_unless_it_is_a_draft(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers, out = tmp_path / "svar.json", tmp_path / "bilag1.xlsx"
    answers.write_text(
        json.dumps(
            {"fagomraader": [{"navn": "Skole", "systemer": [{"navn": "Aula", "anvendelse": 1}]}]}
        ),
        encoding="utf-8",
    )

    assert main(["fill", str(REFERENCE), str(answers), str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("Bilag 1 kan ikke gøres færdigt: 54 it-systemer mangler svar.")
    assert not out.exists()

    assert main(["fill", "--draft", str(REFERENCE), str(answers), str(out)]) == 0
    assert capsys.readouterr().out.strip() == (
        f'Udkastet er gemt i "{out}". 54 it-systemer mangler svar og er markeret.'
    )
    skole = next(
        area
        for area in read_bilag1(out.read_bytes(), filename="x").fagomraader
        if area.navn == "Skole"
    )
    assert skole.systemer[0].anvendelse is not None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (compound_file(["Workbook"]), 'Filen "bilag.xlsx" er en gammel Excel-fil (.xls).'),
        (b"not a workbook", 'Filen "bilag.xlsx" er ikke en Excel-fil (.xlsx)'),
        (compound_file(["EncryptedPackage"]), 'Filen "bilag.xlsx" er beskyttet med adgangskode.'),
    ],
)
def test_inspect_of_a_bad_file_exits_2_with_a_danish_message_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "bilag.xlsx"
    path.write_bytes(content)

    assert main(["inspect", str(path)]) == 2

    captured = capsys.readouterr()
    assert captured.err.startswith(message)
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_a_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "findes-ikke.xlsx"
    assert main(["inspect", str(missing)]) == 2
    assert capsys.readouterr().err.strip() == (
        f'Filen "{missing}" findes ikke eller kan ikke læses.'
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", 'Filen "svar.json" er ikke gyldig JSON.'),
        # Past what Python's JSON parser turns into values: nesting, and ints over 4,300 digits.
        ('{"a": ' + "[" * 50_000 + "]" * 50_000 + "}", 'Filen "svar.json" er ikke gyldig JSON.'),
        ('{"a": ' + "9" * 5_000 + "}", 'Filen "svar.json" er ikke gyldig JSON.'),
        (
            '{"fagomraader": [{"systemer": []}]}',
            'Filen "svar.json" har ikke den forventede opbygning (se fagomraader[0].navn).',
        ),
        (
            json.dumps(
                {
                    "fagomraader": [
                        {"navn": "Skole", "systemer": [{"navn": "Aula", "anvendelse": "måske"}]}
                    ]
                }
            ),
            'Filen "svar.json" (fagområdet "Skole"): "måske" er ikke et gyldigt svar.',
        ),
    ],
)
def test_fill_with_bad_answers_json_exits_2_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    answers = tmp_path / "svar.json"
    answers.write_text(content, encoding="utf-8")

    assert main(["fill", "--draft", str(REFERENCE), str(answers), str(tmp_path / "ud.xlsx")]) == 2

    captured = capsys.readouterr()
    assert captured.err.startswith(message)
    assert "Traceback" not in captured.err


def _unparseable_workbook(path: Path) -> Path:
    """A zip that looks like a workbook until openpyxl parses its XML."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not-xml")
    return path


def test_the_command_prints_only_the_danish_message_for_a_workbook_it_cannot_parse(
    tmp_path: Path,
) -> None:
    # A real process: pytest's own log handlers would hide what Python prints without any.
    path = _unparseable_workbook(tmp_path / "bilag.xlsx")

    done = subprocess.run(
        [sys.executable, "-m", "bot", "inspect", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )

    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        'Filen "bilag.xlsx" er ikke en Excel-fil (.xlsx), eller også er den beskadiget. '
        "Åbn den i Excel, gem den som .xlsx og prøv igen."
    ]


def test_asked_with_v_the_cli_logs_why_for_the_operator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _unparseable_workbook(tmp_path / "bilag.xlsx")

    assert main(["-v", "inspect", str(path)]) == 2

    assert "workbook could not be parsed" in capsys.readouterr().err


def test_inspect_explain_says_per_sheet_which_column_is_what_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "liste.xlsx"
    path.write_bytes(
        build(
            [
                (
                    "Alle systemer",
                    [
                        ["Kortlægning"],
                        ["Nr.", "Systemets navn", "Producent", "Status", "Noter"],
                        ["Økonomi"],
                        [1, "Prisme", "Fujitsu", "Anvender", None],
                        ["Skole"],
                        [2, "Aula", "Netcompany", None, None],
                    ],
                )
            ]
        )
    )

    assert main(["inspect", "--explain", str(path)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[3:] == [
        'Arket "Alle systemer": overskrifterne står i række 2.',
        '  A "Nr.": bruges ikke – ordene "Nr" peger på en anden slags kolonne',
        '  B "Systemets navn": it-system – ordene "Systemets, navn" peger på it-system',
        '  C "Producent": leverandør – ordene "Producent" peger på leverandør',
        '  D "Status": svar (anvendelse) – 1 celle indeholder svar',
        '  E "Noter": bemærkning – ordene "Noter" peger på bemærkning',
        '  Række 4–4: fagområdet "Økonomi" (fra en overskriftsrække)',
        '  Række 6–6: fagområdet "Skole" (fra en overskriftsrække)',
    ]


def test_inspect_of_a_cell_in_the_last_row_exits_2_naming_the_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lang.xlsx"
    path.write_bytes(build([("ESDH", [["It-system", "Anvendelse"]] + [[]] * 3 + [["x"]])]))
    # The sheet's XML is rewritten so its one cell sits in Excel's last row.
    data = path.read_bytes()
    path.write_bytes(
        replace_member(
            data,
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c>'
            b"</row></sheetData></worksheet>",
        )
    )

    assert main(["inspect", str(path)]) == 2

    captured = capsys.readouterr()
    assert captured.err.startswith('Filen "lang.xlsx", arket "ESDH" har celler under række')
    assert "Traceback" not in captured.err
