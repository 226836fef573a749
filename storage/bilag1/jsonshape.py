"""Bilag 1 as the JSON document of `kortlaegning inspect --json` and `kortlaegning fill`.

Pure: stdlib and the layout types only. Values are strings or null; anvendelse is KOMBIT's
spelling. Input answers are read as loosely as a workbook's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from storage.bilag1.errors import Bilag1Error, Bilag1ErrorKind
from storage.bilag1.layout import KOMBIT_ANVENDELSE, Bilag1, Bilag1Tilfoejet, Forside, parse_answer
from storage.bilag1.plan import FilledAnswers, SystemAnswer
from storage.domain.model import Anvendelse


def bilag1_to_json(bilag1: Bilag1) -> dict[str, object]:
    """Return the whole workbook in the documented JSON shape, in workbook order."""
    return {
        "kommune": {
            "navn": bilag1.forside.navn,
            "kontaktperson": bilag1.forside.kontaktperson,
            "email": bilag1.forside.email,
            "dato": bilag1.forside.dato,
        },
        "fagomraader": [
            {
                "navn": fagomraade.navn,
                "systemer": [
                    {
                        "navn": system.navn,
                        "leverandoer": system.leverandoer,
                        "beskrivelse": system.beskrivelse,
                        "anvendelse": _spelling(system.anvendelse),
                        "bemaerkning": system.bemaerkning,
                    }
                    for system in fagomraade.systemer
                ],
            }
            for fagomraade in bilag1.fagomraader
        ],
        "tilfoejede_systemer": [
            {
                "fagomraade": tilfoejet.fagomraade,
                "navn": tilfoejet.navn,
                "leverandoer": tilfoejet.leverandoer,
                "svarer_til": tilfoejet.svarer_til,
                "anvendelse": _spelling(tilfoejet.anvendelse),
                "bemaerkning": tilfoejet.bemaerkning,
            }
            for tilfoejet in bilag1.tilfoejede
        ],
    }


def filled_answers_from_json(document: object, *, filename: str) -> FilledAnswers:
    """Read answers in the JSON shape; raise Bilag1Error naming the first misplaced value.

    Only what the writer needs is required: each fagområde's and system's navn. Other keys may
    be missing (= null), so a hand-written file need not repeat the catalogue.
    """
    shape = _Shape(filename)
    top = shape.mapping(document, "$")
    kommune = shape.mapping(top.get("kommune", {}), "kommune")
    forside = Forside(
        navn=shape.text(kommune, "navn", "kommune"),
        kontaktperson=shape.text(kommune, "kontaktperson", "kommune"),
        email=shape.text(kommune, "email", "kommune"),
        dato=shape.text(kommune, "dato", "kommune"),
    )
    answers: list[SystemAnswer] = []
    for i, area in enumerate(shape.items(top, "fagomraader", "$")):
        where = f"fagomraader[{i}]"
        area_map = shape.mapping(area, where)
        fagomraade = shape.required_text(area_map, "navn", where)
        for j, item in enumerate(shape.items(area_map, "systemer", where)):
            system_where = f"{where}.systemer[{j}]"
            system = shape.mapping(item, system_where)
            answers.append(
                SystemAnswer(
                    fagomraade=fagomraade,
                    navn=shape.required_text(system, "navn", system_where),
                    anvendelse=shape.anvendelse(system, system_where, fagomraade),
                    bemaerkning=shape.text(system, "bemaerkning", system_where),
                )
            )
    tilfoejede: list[Bilag1Tilfoejet] = []
    for i, item in enumerate(shape.items(top, "tilfoejede_systemer", "$")):
        where = f"tilfoejede_systemer[{i}]"
        added = shape.mapping(item, where)
        fagomraade_text = shape.text(added, "fagomraade", where)
        tilfoejede.append(
            Bilag1Tilfoejet(
                fagomraade=fagomraade_text,
                navn=shape.required_text(added, "navn", where),
                leverandoer=shape.text(added, "leverandoer", where),
                svarer_til=shape.text(added, "svarer_til", where),
                anvendelse=shape.anvendelse(added, where, fagomraade_text),
                bemaerkning=shape.text(added, "bemaerkning", where),
            )
        )
    return FilledAnswers(forside=forside, answers=tuple(answers), tilfoejede=tuple(tilfoejede))


def _spelling(anvendelse: Anvendelse | None) -> str | None:
    return KOMBIT_ANVENDELSE[anvendelse] if anvendelse else None


class _Shape:
    """Typed access to a JSON document that raises BAD_JSON_SHAPE with the path at fault."""

    def __init__(self, filename: str) -> None:
        self._filename = filename

    def _bad(self, where: str) -> Bilag1Error:
        return Bilag1Error(Bilag1ErrorKind.BAD_JSON_SHAPE, filename=self._filename, value=where)

    def mapping(self, value: object, where: str) -> Mapping[str, object]:
        if not isinstance(value, Mapping):
            raise self._bad(where)
        return value

    def items(self, parent: Mapping[str, object], key: str, where: str) -> Sequence[object]:
        value = parent.get(key, [])
        if not isinstance(value, list):
            raise self._bad(f"{where}.{key}")
        return value

    def text(self, parent: Mapping[str, object], key: str, where: str) -> str | None:
        value = parent.get(key)
        if value is not None and not isinstance(value, str):
            raise self._bad(f"{where}.{key}")
        return (value.strip() or None) if value is not None else None

    def required_text(self, parent: Mapping[str, object], key: str, where: str) -> str:
        value = self.text(parent, key, where)
        if value is None:
            raise self._bad(f"{where}.{key}")
        return value

    def anvendelse(
        self, parent: Mapping[str, object], where: str, fagomraade: str | None
    ) -> Anvendelse | None:
        # A number is allowed: 1, 2 and 3 are among the loose spellings.
        value = parent.get("anvendelse")
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            raise self._bad(f"{where}.anvendelse")
        return parse_answer(
            None if value is None else str(value),
            filename=self._filename,
            sheet=None,
            row=None,
            fagomraade=fagomraade,
        )
