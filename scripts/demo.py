"""Publishes one cost item to ingest, as Dext would, and follows it through the services."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
import time
import uuid
from typing import Any

import httpx
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line

INGEST = os.environ["INGEST_URL"]
APPROVAL = os.environ["APPROVAL_URL"]
PUBLISHER = os.environ["PUBLISHER_URL"]
ADMIN_TOKEN = os.environ["COUNTERSIGN_ADMIN_TOKEN"]


def register_dext_secret(http: httpx.Client, org: uuid.UUID) -> str:
    """What an operator does once per organisation: give ingest the secret Dext signs with."""
    secret = base64.urlsafe_b64encode(os.urandom(32)).decode()
    http.put(
        f"{INGEST}/v1/operator/organisations/{org}/dext-secret",
        json={"secret": secret},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    ).raise_for_status()
    return secret


def publish_as_dext(org: uuid.UUID, secret: str, item: str) -> httpx.Response:
    metadata = cost_item(
        item,
        "invoice",
        [line("Printer paper, A4, 5 boxes", "5", "21.10", tracking=[("Region", "North")])],
        reference="NW-20431",
        due_in_days=30,
    )
    original = pdf("Northwind Stationery Ltd", "Invoice NW-20431", "Printer paper, A4, 5 boxes")

    async def publish() -> httpx.Response:
        async with DextClient(INGEST, org, secret) as dext:
            return await dext.publish_cost_item(metadata, "NW-20431.pdf", original)

    return asyncio.run(publish())


def item_status(org: uuid.UUID, secret: str, item: str) -> dict[str, Any]:
    async def status() -> dict[str, Any]:
        async with DextClient(INGEST, org, secret) as dext:
            view: dict[str, Any] = (await dext.item_status(item)).json()
            return view

    return asyncio.run(status())


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
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
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
        secret = register_dext_secret(http, org)
        print("0. operator   registered the demo organisation, its workflow and its Dext secret")
        started = time.monotonic()
        accepted = publish_as_dext(org, secret, item)
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
                f"{PUBLISHER}{base}/publications",
                params={"dext_item_id": item},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            ).json(),
        )
        print(
            f"3. publisher  recorded publication {publications[0]['publication_id']}:"
            f" {publications[0]['state']}"
        )
        status = wait_for(
            "ingest to hear of the authorisation",
            lambda: (
                (s := item_status(org, secret, item))["status"] in ("authorised", "published") and s
            ),
        )
        elapsed_ms = (time.monotonic() - started) * 1000
        print(f"4. ingest     item status is now '{status['status']}'")
        print(f"\n{item}: Dext → ingest → approval → publisher in {elapsed_ms:.0f} ms")
    print("\nWhere to look:")
    print(f"  ingest API     {INGEST}/docs      (Dext calls are signed: docs/ingest-api.md)")
    print(f"  approval API   {APPROVAL}/docs")
    print(f"  publisher API  {PUBLISHER}/docs")
    print("  event docs     docs/asyncapi/*.json, docs/contracts.md")
    print(
        "  Dext samples   .venv/bin/countersign-dext-sandbox publish-samples"
        f" --ingest-url {INGEST} --organisation {org} --secret <its Dext secret>"
    )
    print("  logs           .local/logs/*.log")
    print("Stop the stack with: make down")


if __name__ == "__main__":
    main()
