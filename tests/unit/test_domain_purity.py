from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import storage.domain

DOMAIN = Path(storage.domain.__file__).parent
ALLOWED_OUTSIDE_STDLIB = {"holidays", "storage"}


def imported_top_level_names(module: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(DOMAIN.glob("*.py")), ids=lambda path: path.name)
def test_domain_modules_import_only_stdlib_holidays_and_the_domain(module: Path) -> None:
    imported = imported_top_level_names(module)
    outside = {
        name
        for name in imported
        if name.split(".")[0] not in sys.stdlib_module_names | ALLOWED_OUTSIDE_STDLIB
        or (name.startswith("storage") and not name.startswith("storage.domain"))
    }

    assert outside == set()
