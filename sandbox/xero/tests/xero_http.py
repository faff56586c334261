"""What the Xero sandbox's HTTP tests share besides their fixtures (in ``conftest.py``): an
Accounting client for a tenant, a bill to vary, and the messages of an element in error."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["accounting_client", "bill", "messages"]


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
