"""Every service has the one shape docs/architecture.md draws, and keeps it: the same packages,
pure domain rules, HTTP only in ``api/``, and modules and functions short enough to read."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The web app keeps no state and consumes nothing (ADR 0049): pages over the services' APIs.
FRONT_ENDS = sorted(p for p in (REPO / "services").glob("web/src/countersign_*") if p.is_dir())
SERVICES = sorted(
    p for p in (REPO / "services").glob("*/src/countersign_*") if p.is_dir() and p not in FRONT_ENDS
)
LIBRARIES = sorted(p for p in (REPO / "libs").glob("*/src/countersign_*") if p.is_dir())
SANDBOXES = sorted(p for p in (REPO / "sandbox").glob("*/src/countersign_*") if p.is_dir())

LAYOUT = ("api", "handlers", "domain", "db", "subscriptions.py", "app.py", "settings.py")
FRONT_END_LAYOUT = ("pages", "templates", "static", "app.py", "settings.py")
IO = ("asyncpg", "aiokafka", "httpx", "fastapi", "starlette")
HTTP = ("fastapi", "starlette")
MODULE_LINES = 300
FUNCTION_LINES = 60
# Data, not logic: the demo's plan of twenty items, one literal.
DATA_TABLES = {"countersign_dext_sandbox/samples.py:_steps"}


def _modules(package: Path, layer: str | None = None) -> Iterator[Path]:
    root = package / layer if layer else package
    yield from sorted(root.rglob("*.py"))


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _offending(path: Path, forbidden: tuple[str, ...]) -> set[str]:
    return {name for name in _imported(path) if any(name.split(".")[0] == f for f in forbidden)}


def _layer_imports(path: Path, package: str, layers: tuple[str, ...]) -> set[str]:
    return {
        name
        for name in _imported(path)
        if any(name.startswith(f"{package}.{layer}") for layer in layers)
    }


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_every_service_has_the_same_packages(service: Path) -> None:
    assert [part for part in LAYOUT if not (service / part).exists()] == []


@pytest.mark.parametrize("front_end", FRONT_ENDS, ids=[s.name for s in FRONT_ENDS])
def test_a_front_end_has_pages_and_no_state(front_end: Path) -> None:
    assert [part for part in FRONT_END_LAYOUT if not (front_end / part).exists()] == []
    assert {
        name for path in _modules(front_end) for name in _offending(path, ("asyncpg", "aiokafka"))
    } == set()


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_domain_rules_do_no_io_and_know_no_other_layer(service: Path) -> None:
    found = {
        str(path.relative_to(service)): _offending(path, IO)
        | _layer_imports(path, service.name, ("api", "handlers", "db", "adapters"))
        for path in _modules(service, "domain")
    }
    assert {module: names for module, names in found.items() if names} == {}


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_no_http_types_below_the_api(service: Path) -> None:
    found = {
        str(path.relative_to(service)): _offending(path, HTTP)
        for layer in ("handlers", "domain", "db")
        for path in _modules(service, layer)
    }
    assert {module: names for module, names in found.items() if names} == {}


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_sql_stays_in_db(service: Path) -> None:
    """``api/`` and ``domain/`` never hold a statement: they ask a handler or a db function."""
    keywords = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM")
    found = [
        str(path.relative_to(service))
        for layer in ("api", "domain")
        for path in _modules(service, layer)
        if any(
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and any(node.value.lstrip().upper().startswith(k) for k in keywords)
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]
    assert found == []


PACKAGES = [*SERVICES, *FRONT_ENDS, *LIBRARIES, *SANDBOXES]


@pytest.mark.parametrize("package", [*SERVICES, *FRONT_ENDS, *LIBRARIES], ids=lambda p: p.name)
def test_modules_are_short(package: Path) -> None:
    long = {
        str(path.relative_to(package)): lines
        for path in _modules(package)
        if (lines := path.read_text().count("\n")) > MODULE_LINES
    }
    assert long == {}


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_functions_are_short(package: Path) -> None:
    long = {}
    for path in _modules(package):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{package.name}/{path.relative_to(package)}:{node.name}"
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > FUNCTION_LINES and name not in DATA_TABLES:
                    long[f"{name}@{node.lineno}"] = lines
    assert long == {}


def test_the_checks_see_every_package() -> None:
    assert {s.name for s in SERVICES} == {
        "countersign_ingest",
        "countersign_approval",
        "countersign_publisher",
        "countersign_notifier",
    }
    assert {f.name for f in FRONT_ENDS} == {"countersign_web"}
    assert {"countersign_platform", "countersign_contracts"} <= {p.name for p in LIBRARIES}
