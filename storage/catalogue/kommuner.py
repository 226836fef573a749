"""The bundled list of Denmark's 98 municipalities, read once from package data."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib.resources import files

from storage.domain.model import Kommune

_CSV_NAME = "kommuner.csv"
_COLUMNS = ["kode", "navn", "officielt_navn", "region"]


@cache
def load_kommuner() -> tuple[Kommune, ...]:
    """Return every municipality in the bundled list, in the file's order."""
    text = files("storage.catalogue").joinpath(_CSV_NAME).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames != _COLUMNS:
        raise ValueError(f"{_CSV_NAME}: expected columns {_COLUMNS}, got {reader.fieldnames}")
    return tuple(
        Kommune(
            kode=row["kode"],
            navn=row["navn"],
            officielt_navn=row["officielt_navn"],
            region=row["region"],
        )
        for row in reader
    )
