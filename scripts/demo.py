"""Publishes one cost item to ingest, as Dext would, and follows it through the services."""

from __future__ import annotations

import hashlib
import os
import sys
import time
import uuid
from typing import Any

import httpx

OPERATOR = {"Authorization": f"Bearer {os.environ['COUNTERSIGN_ADMIN_TOKEN']}"}
INGEST = os.environ["INGEST_URL"]
APPROVAL = os.environ["APPROVAL_URL"]
PUBLISHER = os.environ["PUBLISHER_URL"]


def cost_item(dext_item_id: str) -> dict[str, Any]:
    original = b"%PDF-1.4 demo invoice"
    return {
        "dext_item_id": dext_item_id,
        "bill": {
            "document_type": "invoice",
            "supplier": {"name": "Northwind Stationery Ltd"},
            "document_reference": "NW-20431",
            "issue_date": "2026-11-02",
            "due_date": "2026-12-02",
            "currency": "GBP",
            "line_amount_type": "exclusive",
            "lines": [
                {
                    "description": "Printer paper, A4, 5 boxes",
                    "quantity": "5",
                    "unit_amount": "21.10",
                    "account_code": "429",
                    "tax_type": "INPUT2",
                    "tax_amount": "21.10",
                    "line_amount": "105.50",
                    "tracking": [{"category": "Region", "option": "North"}],
                }
            ],
            "subtotal": "105.50",
            "total_tax": "21.10",
            "total": "126.60",
            "payment": {"paid": False},
            "requester": {"user_id": "dext-42", "name": "Dana Reyes", "email": "dana@example.com"},
            "source_url": f"https://dext.example/items/{dext_item_id}",
            "document": {
                "document_id": str(uuid.uuid4()),
                "file_name": "NW-20431.pdf",
                "media_type": "application/pdf",
                "size_bytes": len(original),
                "sha256": hashlib.sha256(original).hexdigest(),
            },
        },
    }


# The demo organisation authorises everything below 1,000 GBP without people.
AUTO_APPROVE_SMALL_BILLS = {
    "name": "Demo: auto-approve small bills",
    "auto_approval": [{"conditions": [{"field": "total", "operator": "<", "amount": "1000"}]}],
    "steps": [{"name": "Finance", "approvers": [{"approver": "finance@example.com"}]}],
    "default_approver": "finance@example.com",
}


def register_organisation(http: httpx.Client, org: uuid.UUID) -> dict[str, str]:
    """Registers the organisation with approval (its system of record) and sets its workflow;
    returns the admin's authorisation header."""
    registered = http.post(
        f"{APPROVAL}/v1/organisations",
        headers=OPERATOR,
        json={
            "organisation_id": str(org),
            "name": "Demo Trading Ltd",
            "base_currency": "GBP",
            "timezone": "Europe/London",
            "admin": {"email": "finance@example.com", "name": "Fran Finance"},
        },
    )
    registered.raise_for_status()
    admin = {"Authorization": f"Bearer {registered.json()['admin']['token']}"}
    http.put(
        f"{APPROVAL}/v1/organisations/{org}/workflow", headers=admin, json=AUTO_APPROVE_SMALL_BILLS
    ).raise_for_status()
    return admin


def wait_for(describe: str, probe: Any, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    sys.exit(f"demo: gave up waiting for {describe}")


def main() -> None:
    org = uuid.uuid4()
    item = f"dext-demo-{uuid.uuid4().hex[:6]}"
    base = f"/v1/organisations/{org}"
    with httpx.Client(timeout=10) as http:
        admin = register_organisation(http, org)
        print("0. approval   registered the demo organisation and its workflow")
        started = time.monotonic()
        accepted = http.post(f"{INGEST}{base}/cost-items", json=cost_item(item))
        accepted.raise_for_status()
        print(
            f"1. ingest     accepted {item} as version {accepted.json()['version']}"
            f" (HTTP {accepted.status_code})"
        )
        requests = wait_for(
            "the approval request",
            lambda: http.get(
                f"{APPROVAL}{base}/requests", params={"dext_item_id": item}, headers=admin
            ).json(),
        )
        print(
            f"2. approval   opened request {requests[0]['request_id']}:"
            f" {requests[0]['state']} (auto-approval: total under 1,000 GBP)"
        )
        publications = wait_for(
            "the publication",
            lambda: http.get(
                f"{PUBLISHER}{base}/publications", params={"dext_item_id": item}
            ).json(),
        )
        print(
            f"3. publisher  recorded publication {publications[0]['publication_id']}:"
            f" {publications[0]['state']}"
        )
        status = wait_for(
            "ingest to hear of the authorisation",
            lambda: (
                (s := http.get(f"{INGEST}{base}/cost-items/{item}").json())["status"]
                == "authorised"
                and s
            ),
        )
        elapsed_ms = (time.monotonic() - started) * 1000
        print(f"4. ingest     item status is now '{status['status']}'")
        print(f"\n{item}: Dext → ingest → approval → publisher in {elapsed_ms:.0f} ms")
    print("\nWhere to look:")
    print(f"  ingest API     {INGEST}/docs      status: {INGEST}{base}/cost-items/{item}")
    print(f"  approval API   {APPROVAL}/docs")
    print(f"  publisher API  {PUBLISHER}/docs")
    print("  event docs     docs/asyncapi/*.json, docs/contracts.md")
    print("  logs           .local/logs/*.log")
    print("Stop the stack with: make down")


if __name__ == "__main__":
    main()
