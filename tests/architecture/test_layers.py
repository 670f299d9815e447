"""The layer rules, read from the source with `ast` (import-linter checks the same in `make lint`)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src"
OURS = {"domain", "application", "adapters", "entrypoints"}
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def _imports(layer: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (SRC / layer).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(SRC)))
    return found


@pytest.mark.parametrize(
    ("layer", "allowed"), [("domain", {"domain"}), ("application", {"domain", "application"})]
)
def test_the_inner_layers_import_only_the_standard_library_and_inner_layers(
    layer: str, allowed: set[str]
) -> None:
    strays = {name: files for name, files in _imports(layer).items() if name not in STDLIB | allowed}
    assert strays == {}


def test_only_the_entrypoints_import_dependency_injector() -> None:
    for layer in OURS - {"entrypoints"}:
        assert "dependency_injector" not in _imports(layer), layer
