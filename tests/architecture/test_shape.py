"""The shape of the source: no import cycle, no module over 400 lines, no function over 50 lines.

Read with `ast`, every import counted (those under TYPE_CHECKING and inside functions too): a cycle
hidden behind a late import is still a cycle for whoever reads the code."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).parents[2] / "src"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imported(path: Path, known: set[str]) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            candidates = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        names |= {name for name in candidates if name in known}
    return names


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), and modules importing themselves."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_no_module_in_src_imports_itself_back_through_others() -> None:
    modules = _modules()
    graph = {
        name: {target for target in _imported(path, set(modules)) if target != name}
        for name, path in modules.items()
    }
    # A package's __init__ is imported with each of its modules; an edge to a package counts only when
    # the package module itself holds code, so drop edges to empty __init__ files.
    empty = {
        name for name, path in modules.items() if path.name == "__init__.py" and not path.read_text().strip()
    }
    graph = {name: targets - empty for name, targets in graph.items()}
    assert _cycles(graph) == []


def test_no_module_in_src_is_longer_than_400_lines() -> None:
    long = {
        str(path.relative_to(SRC)): lines
        for path in _modules().values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_in_src_is_longer_than_50_lines() -> None:
    long = {}
    for path in _modules().values():
        for node in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if (lines := (node.end_lineno or node.lineno) - start + 1) > MAX_FUNCTION_LINES:
                long[f"{path.relative_to(SRC)}:{node.name}"] = lines
    assert long == {}
