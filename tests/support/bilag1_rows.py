"""Plain-value sheets for the pure Bilag 1 tests: no openpyxl, no files."""

from __future__ import annotations

from collections.abc import Sequence

from storage.bilag1.layout import SheetContent

HEADER = ["Leverandør", "It-system", "Beskrivelse", "Anvendelse", "Bemærkning"]


def sheet(name: str, *rows: Sequence[object], hidden: bool = False) -> SheetContent:
    return SheetContent(name=name, hidden=hidden, rows=[tuple(row) for row in rows])


def area_sheet(name: str, *systems: Sequence[object]) -> SheetContent:
    """A sheet shaped like the reference: title, hint, blank row, header on row 4, systems."""
    return sheet(name, [f"Fagområde: {name}"], ["Vælg ét svar pr. system."], [], HEADER, *systems)
