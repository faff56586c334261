"""The mail sandbox's tests: one sandbox served in-process per module (real SMTP and HTTP on
loopback ports), emptied before each test. A module that needs other settings serves its own."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from countersign_mail_sandbox.harness import Served, serve


@pytest.fixture(scope="module", name="served")
def served_fixture() -> Iterator[Served]:
    with serve() as served:
        yield served


@pytest.fixture(name="mail")
def mail_fixture(served: Served) -> Served:
    httpx.delete(f"{served.url}/api/messages", timeout=10).raise_for_status()
    return served
