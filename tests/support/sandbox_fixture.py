"""One sandbox process per test module (the ``xero_sandbox`` and ``qbo_sandbox`` fixtures):
skipped where it is not installed, failed instead under CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TypeVar

import pytest
from countersign_harness.sandbox_process import SandboxProcess

__all__ = ["sandbox_for_module"]

S = TypeVar("S", bound=SandboxProcess)


def sandbox_for_module(
    kind: type[S], tmp_path_factory: pytest.TempPathFactory, **settings: str
) -> Iterator[S]:
    if not kind.available():
        message = f"the {kind.LABEL} sandbox is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    log_dir = tmp_path_factory.mktemp(kind.NAME.removesuffix("-sandbox"))
    with kind.running(log_dir, **settings) as sandbox:
        yield sandbox
