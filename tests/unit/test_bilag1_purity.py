"""Only the upload opener, the workbook readers (Bilag 1, KITOS' export) and the writer may
import openpyxl."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OPENPYXL_USERS = {
    "storage/bilag1/reader.py",
    "storage/bilag1/writer.py",
    "storage/suggestions/kitos_export.py",
    "storage/xlsx_container.py",
}


def _imports_openpyxl(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(
            alias.name.split(".")[0] == "openpyxl" for alias in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "openpyxl":
            return True
    return False


@pytest.mark.parametrize(
    "path",
    sorted(
        path
        for folder in ("bot", "dialogs", "storage")
        for path in (ROOT / folder).rglob("*.py")
        if path.relative_to(ROOT).as_posix() not in OPENPYXL_USERS
    ),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_only_the_workbook_readers_and_writer_import_openpyxl(path: Path) -> None:
    assert not _imports_openpyxl(path)
