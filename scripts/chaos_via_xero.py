"""The chaos run's via-Xero organisation (ADR 0058): bills a capture tool submits in Xero while
services are killed, the broker and the database crash and Xero's webhooks are lost,
duplicated and delayed; each is pulled, reviewed and approved or rejected, and must end as
the one bill it was: AUTHORISED with its notes and one audit report, or back in DRAFT with
the rejection's note, never a second bill, never a file or a note twice."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass
from typing import Any

import httpx
from countersign_harness.organisation import Organisation, Person
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.via_xero import pulled_item, submit_in_xero, switch_ledger_mode

__all__ = ["PulledBill", "play_pulled", "reconcile_pulled", "submit_pulled", "via_xero_org"]

APPROVER, REQUESTER = "ann@example.com", "pat@example.com"
PEOPLE = (
    Person(APPROVER, "Ann Approver", ("approver",)),
    Person(REQUESTER, "Pat Payables", ("requester",)),
)
WORKFLOW: dict[str, Any] = {
    "name": "Bill creation, review and approval",
    "steps": [{"name": "Budget holder", "approvers": [{"approver": APPROVER}]}],
    "default_approver": "ada@example.com",
}
ENDED = ("published", "rejected")


@dataclass
class PulledBill:
    number: str
    approve: bool  # else rejected
    invoice_id: str = ""
    ended: bool = False


async def via_xero_org(pipeline: Pipeline) -> Organisation:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name="Pulled Ltd")
    await switch_ledger_mode(org, "via_xero", requester=REQUESTER)
    return org


async def submit_pulled(
    org: Organisation, count: int, rng: random.Random, spread_s: float
) -> list[PulledBill]:
    """``count`` bills submitted in Xero over ``spread_s``; about one in four to be rejected."""
    bills = [PulledBill(f"PULL-{n:03d}", rng.random() >= 0.25) for n in range(count)]
    for bill in bills:
        await asyncio.sleep(spread_s / max(1, count))
        line = {"Description": f"Rent {bill.number}", "Quantity": 1,
                "UnitAmount": f"{rng.randrange(100, 2000)}.00", "AccountCode": "429",
                "TaxType": "INPUT2"}  # fmt: skip
        bill.invoice_id = await asyncio.to_thread(submit_in_xero, org, bill.number, [line])
    return bills


async def _play(org: Organisation, bill: PulledBill) -> bool:
    """One move of the approver on the bill's request; True once it has ended."""
    found = await org.requests(pulled_item(bill.invoice_id))
    if not found:
        return False
    latest = max(found, key=lambda r: r["item_version"])
    if latest["state"] in ENDED:
        publications = await org.publications(pulled_item(bill.invoice_id))
        return bool(publications) and publications[-1]["state"] == "completed"
    if latest["state"] == "in_approval":
        request_id = latest["request_id"]
        if bill.approve:
            await org.act(APPROVER, request_id, "approve", {"comment": "Chaos approves"})
        else:
            await org.act(APPROVER, request_id, "reject", {"reason": "Chaos rejects"})
    return False


async def play_pulled(org: Organisation, bills: list[PulledBill], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not all(b.ended for b in bills):
        for bill in bills:
            if bill.ended or not bill.invoice_id:
                continue
            # A service down or mid-restart: the next round tries again.
            with contextlib.suppress(httpx.HTTPError, AssertionError, KeyError):
                bill.ended = await _play(org, bill)
        await asyncio.sleep(0.5)


def reconcile_pulled(org: Organisation, bills: list[PulledBill]) -> dict[str, Any]:
    """Each bill as it must end in Xero; anything missing is lost, anything twice duplicated."""
    state = org.xero_state()
    invoices = {i["InvoiceID"]: i for i in state["invoices"] if i["Type"] == "ACCPAY"}
    lost, duplicated, wrong = 0, len(invoices) - len(bills), []
    for bill in bills:
        invoice = invoices.get(bill.invoice_id)
        notes = [r["Details"] for r in state["history"].get(bill.invoice_id, [])
                 if r["Changes"] == "Note"]  # fmt: skip
        files = len((invoice or {}).get("Attachments") or [])
        want = ("AUTHORISED", 1) if bill.approve else ("DRAFT", 0)
        got = (None if invoice is None else invoice["Status"], files)
        duplicated += max(0, files - want[1]) + len(notes) - len(set(notes))
        if not bill.ended or got != want or not notes:
            lost += got != want or not notes
            wrong.append(f"{bill.number} {bill.invoice_id}: {got}, {len(notes)} notes, want {want}")
    return {
        "pulled_bills": len(bills),
        "pulled_lost": lost,
        "pulled_duplicated": max(0, duplicated),
        "pulled_not_as_planned": wrong,
    }
