"""The QuickBooks Online sandbox as a process (one per module), as ``xero_sandbox`` is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from countersign_harness.qbo_process import QboSandbox

from tests.support.sandbox_fixture import sandbox_for_module


@pytest.fixture(scope="module")
def qbo_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QboSandbox]:
    yield from sandbox_for_module(QboSandbox, tmp_path_factory)
