"""`make demo`'s script, run against the five processes of the pipeline harness: every one of its
twenty items ends the way its plan says, and the table shows it."""

from __future__ import annotations

import importlib.util
import io
import sys

import pytest
from countersign_harness.infra import REPO
from countersign_harness.pipeline import Pipeline

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # the demo's organisation is its own; no faults, no clock (conftest.py)


def load_demo() -> object:
    sys.path.insert(0, str(REPO / "scripts"))
    spec = importlib.util.spec_from_file_location("countersign_demo", REPO / "scripts" / "demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_demo_ends_with_every_item_where_its_plan_says(pipeline: Pipeline) -> None:
    demo = load_demo()
    out = io.StringIO()

    exit_code = await demo.run(pipeline.endpoints, out)  # type: ignore[attr-defined]

    printed = out.getvalue()
    assert exit_code == 0, printed + pipeline.logs()
    assert "20/20 items ended as planned" in printed
    assert printed.count("✓") == 20
    # The QuickBooks Online organisation beside it (scripts/qbo_plan.py).
    assert "6/6 QBO items ended as planned" in printed
    assert "make down" in printed
