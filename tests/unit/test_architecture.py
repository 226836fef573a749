"""The layering and the one-place-for-Danish rule, checked on the source (README: layout)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DANISH = re.compile(r"[æøåÆØÅ]")


def _modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", _modules("storage"), ids=lambda p: str(p.relative_to(ROOT)))
def test_storage_never_imports_the_outer_layers(path: Path) -> None:
    assert not _imports(path) & {"bot", "dialogs", "botbuilder", "aiohttp"}


@pytest.mark.parametrize("path", _modules("dialogs"), ids=lambda p: str(p.relative_to(ROOT)))
def test_dialogs_never_import_the_bot_layer(path: Path) -> None:
    assert "bot" not in _imports(path)


@pytest.mark.parametrize("path", _modules("storage/domain"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_core_is_pure(path: Path) -> None:
    allowed = {"__future__", "storage", "holidays"}
    imported = _imports(path)
    third_party = {name for name in imported if name not in allowed and not _is_stdlib(name)}
    assert third_party == set()


def _is_stdlib(name: str) -> bool:
    import sys

    return name in sys.stdlib_module_names


@pytest.mark.parametrize(
    "path",
    [p for p in _modules("bot") + _modules("dialogs") if p.name != "texts.py"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_danish_text_lives_only_in_texts(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    offending = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and DANISH.search(node.value)
    ]
    assert offending == []
