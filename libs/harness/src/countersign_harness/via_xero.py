"""An organisation in the via-Xero mode (ADR 0058), as its admin and its capture tool act: the
admin switches the ledger mode in approval's settings (and waits until the publisher acts on
it), a capture tool submits a bill in Xero ("Awaiting Approval"), someone edits it there."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from countersign_harness.organisation import Organisation
from countersign_harness.waiting import eventually
from countersign_platform.client_tls import client_tls

__all__ = ["edit_in_xero", "pulled_item", "submit_in_xero", "switch_ledger_mode", "xero_invoice"]


async def _user_id(org: Organisation, email: str) -> str:
    return next(str(u["user_id"]) for u in await org.users() if u["email"] == email)


async def _publisher_mode(org: Organisation) -> str:
    url = f"{org.endpoints.publisher}/v1/organisations/{org.organisation_id}/publication-settings"
    headers = {"Authorization": f"Bearer {await org.access_token()}"}
    async with httpx.AsyncClient(timeout=10, verify=client_tls()) as http:
        answer = await http.get(url, headers=headers)
    answer.raise_for_status()
    return str(answer.json()["ledger_mode"])


async def switch_ledger_mode(org: Organisation, mode: str, requester: str | None = None) -> None:
    """The admin sets ``mode`` (``via_xero`` with ``requester``'s e-mail, or ``direct``); back
    once the publisher acts on it, so a bill submitted in Xero afterwards is pulled."""
    body: dict[str, Any] = {"ledger_mode": mode}
    if requester is not None:
        body["via_xero_requester"] = await _user_id(org, requester)
    url = f"{org.endpoints.approval}/v1/organisations/{org.organisation_id}/settings"
    async with httpx.AsyncClient(timeout=10, verify=client_tls()) as http:
        answer = await http.patch(url, json=body, headers=org.auth())
    assert answer.status_code == 200, answer.text
    await eventually(lambda: _publisher_mode(org), lambda found: found == mode, timeout_s=30)


def submit_in_xero(
    org: Organisation, number: str, lines: list[dict[str, Any]], supplier: str = "Harbour Rentals"
) -> str:
    """A capture tool submits a bill for approval in Xero; its InvoiceID."""
    today = date.today()
    bill = {"Type": "ACCPAY", "Status": "SUBMITTED", "Contact": {"Name": supplier},
            "InvoiceNumber": number, "Date": today.isoformat(),
            "DueDate": (today + timedelta(days=30)).isoformat(), "LineItems": lines}  # fmt: skip
    created = org.xero_control("POST", f"/_sandbox/tenants/{org.tenant_id}/invoices", bill)
    return str(created["InvoiceID"])


def edit_in_xero(org: Organisation, invoice_id: str, changes: dict[str, Any]) -> None:
    """Someone changes the bill in Xero (its lines, status…)."""
    path = f"/_sandbox/tenants/{org.tenant_id}/invoices/{invoice_id}"
    org.xero_control("PATCH", path, changes)


def xero_invoice(org: Organisation, invoice_id: str) -> dict[str, Any]:
    [found] = org.xero_invoices(lambda invoice: invoice["InvoiceID"] == invoice_id)
    return dict(found)


def pulled_item(invoice_id: str) -> str:
    """The item id approval gives a bill pulled from Xero."""
    return f"xero:{invoice_id}"
