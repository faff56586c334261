"""The QuickBooks Online sandbox as a process (one per module), as ``xero_sandbox`` is."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from countersign_harness.qbo_process import QboSandbox, qbo_sandbox_process


@pytest.fixture(scope="module")
def qbo_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QboSandbox]:
    if not QboSandbox.available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the QBO sandbox is not installed", pytrace=False)
        pytest.skip("the QBO sandbox is not installed")
    with qbo_sandbox_process(tmp_path_factory.mktemp("qbo")) as sandbox:
        yield sandbox
