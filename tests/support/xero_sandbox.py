"""What the Xero sandbox's HTTP tests share: a sandbox per module with a tenant per test and an
Accounting client for it (fixtures: import ``sandbox_url_fixture``, ``org_fixture`` and
``api_fixture`` into a test module), a bill to vary, and the messages of an element in error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import provision, serve
from countersign_xero_sandbox.settings import SandboxSettings

__all__ = [
    "accounting_client",
    "api_fixture",
    "bill",
    "messages",
    "org_fixture",
    "sandbox_url_fixture",
]


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


def accounting_client(sandbox_url: str, org: dict[str, Any]) -> httpx.Client:
    """``org`` as ``harness.provision`` returns it."""
    headers = {
        "Authorization": f"Bearer {org['token']['access_token']}",
        "xero-tenant-id": org["tenant_id"],
        "Accept": "application/json",
    }
    return httpx.Client(base_url=f"{sandbox_url}/api.xro/2.0", headers=headers)


def bill(**overrides: Any) -> dict[str, Any]:
    return {
        "Type": "ACCPAY",
        "Contact": {"Name": "Acme Supplies Ltd"},
        "Date": "2026-05-01",
        "DueDate": "2026-05-31",
        "InvoiceNumber": "SUP-1",
        "Url": "https://countersign.example/documents/1",
        "Status": "AUTHORISED",
        "LineItems": [
            {
                "Description": "Printer paper",
                "Quantity": 3,
                "UnitAmount": 33.335,
                "AccountCode": "429",
                "TaxType": "INPUT2",
                "Tracking": [{"Name": "Region", "Option": "North"}],
            }
        ],
        **overrides,
    }


def messages(element: dict[str, Any]) -> list[str]:
    return [error["Message"] for error in element["ValidationErrors"]]
