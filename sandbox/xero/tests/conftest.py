"""The Xero sandbox's HTTP tests: a sandbox served in-process per module (limits off, a minute of
its clock per second), a tenant per test and an Accounting client for that tenant. A module that
needs other settings defines its own ``sandbox_url``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import provision, serve
from countersign_xero_sandbox.settings import SandboxSettings

from sandbox.xero.tests.xero_http import accounting_client


@pytest.fixture(scope="module", name="sandbox_url")
def sandbox_url_fixture() -> Iterator[str]:
    with serve(SandboxSettings(time_scale=60, limits_enabled=False)) as url:
        yield url


@pytest.fixture(name="org")
def org_fixture(sandbox_url: str) -> dict[str, Any]:
    return provision(sandbox_url, {"lock_date": "2026-01-31", "currencies": ["GBP", "USD"]})


@pytest.fixture(name="api")
def api_fixture(sandbox_url: str, org: dict[str, Any]) -> Iterator[httpx.Client]:
    with accounting_client(sandbox_url, org) as client:
        yield client
