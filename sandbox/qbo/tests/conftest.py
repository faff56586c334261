"""The QBO sandbox's own tests: a sandbox served in-process per module (limits off, a minute of
its clock per second, as the Xero sandbox's tests), a US company per test with a minted token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from countersign_qbo_sandbox.harness import serve
from countersign_qbo_sandbox.settings import SandboxSettings

from sandbox.qbo.tests.qbo_http import Company


@pytest.fixture(scope="module", name="sandbox_url")
def sandbox_url_fixture() -> Iterator[str]:
    with serve(SandboxSettings(time_scale=60, limits_enabled=False)) as url:
        yield url


@pytest.fixture(name="client")
def client_fixture(sandbox_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_url, timeout=10) as client:
        yield client


@pytest.fixture(name="company")
def company_fixture(client: httpx.Client) -> Company:
    return Company.create(client, {"name": "Sandbox US", "book_close_date": "2026-01-31"})


@pytest.fixture(name="vendor")
def vendor_fixture(company: Company) -> dict[str, Any]:
    answer = company.post("vendor", {"DisplayName": "Acme Supplies"})
    assert answer.status_code == 200, answer.text
    vendor: dict[str, Any] = answer.json()["Vendor"]
    return vendor
