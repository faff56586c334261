"""No package of the repository imports itself in a circle: every module-level import between
its own modules (a package's ``__init__`` included) forms a graph without cycles, so any module
can be imported first and a reader can follow the layers one way."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    package
    for root in ("libs", "services", "sandbox")
    for package in (REPO / root).glob("*/src/*")
    if (package / "__init__.py").exists()
)


def _module_name(path: Path, package: Path) -> str:
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str, is_package: bool) -> Iterator[str]:
    """Modules imported when ``module`` is (top level and class bodies; not inside functions
    or ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(), str(path))
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for found in (
            ast.walk(node) if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else ()
        ):
            if isinstance(found, ast.FunctionDef | ast.AsyncFunctionDef):
                break
            if isinstance(found, ast.Import):
                yield from (alias.name for alias in found.names)
            elif isinstance(found, ast.ImportFrom):
                base = found.module or ""
                if found.level:
                    anchor = module.split(".") if is_package else module.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (found.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                yield base
                yield from (f"{base}.{alias.name}" for alias in found.names)


def _graph(package: Path) -> dict[str, set[str]]:
    modules = {_module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        graph[name] = {m for m in _imports(path, name, is_package) if m in modules and m != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
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
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_packages_are_found() -> None:
    names = {p.name for p in SOURCES}
    assert {"countersign_platform", "countersign_ingest", "countersign_xero_sandbox"} <= names


@pytest.mark.parametrize("package", SOURCES, ids=[p.name for p in SOURCES])
def test_a_package_imports_no_module_in_a_circle(package: Path) -> None:
    assert _cycles(_graph(package)) == []


def test_a_circle_is_found_when_there_is_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
