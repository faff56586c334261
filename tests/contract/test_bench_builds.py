"""`make bench` is run by hand, not by `make test`: these keep it from rotting unseen. Every
benchmark module imports, and the baseline service builds its app in each of its roles."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from bench.baseline.service import BaselineSettings, create_app
from tests.security.endpoints import endpoints_of

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize(
    "module", sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "__init__")
)
def test_every_benchmark_module_imports(module: str) -> None:
    importlib.import_module(f"bench.{module}")


@pytest.mark.parametrize("role", ["front", "middle", "back"])
def test_the_baseline_builds_its_app_in_every_role(role: str) -> None:
    settings = BaselineSettings(
        database_url="postgresql://unused", kafka_bootstrap_servers="-", role=role
    )
    app = create_app(settings)
    assert ("POST /items/{item}" in endpoints_of(app)) is (role == "front")
