"""A QuickBooks Online organisation's plan (issue 22), played by the demo and by the chaos run
(where services are killed, the broker and the database crash and QBO faults meanwhile): bills
published by Dext, each approved (some paid) or rejected, and bank-account receipts; each must
end as planned in QBO: one Bill with its two files (and one BillPayment, balance 0, when paid),
or nothing at all; a receipt one Purchase with its file."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.endpoints import Endpoints
from countersign_harness.organisation import Organisation, Person
from countersign_harness.provisioning import provision_organisation

__all__ = ["QboItem", "play_qbo", "publish_qbo", "qbo_org", "qbo_rows", "reconcile_qbo"]

APPROVER = "ann@example.com"
PEOPLE = (Person(APPROVER, "Ann Approver", ("approver",)),)
WORKFLOW: dict[str, Any] = {
    "name": "Bill creation, review and approval",
    "steps": [{"name": "Budget holder", "approvers": [{"approver": APPROVER}]}],
    "default_approver": "ada@example.com",
}


@dataclass
class QboItem:
    dext_item_id: str
    approve: bool  # else rejected
    paid: bool = False
    bank: bool = False
    ended: bool = False

    @property
    def number(self) -> str:
        return f"INV-{self.dext_item_id}"


async def qbo_org(endpoints: Endpoints, name: str = "Quayside Books Ltd") -> Organisation:
    """An organisation whose ledger is a new UK company in the QBO sandbox."""
    return await provision_organisation(endpoints, WORKFLOW, PEOPLE, name=name, ledger="qbo")


def _coding(org: Organisation) -> dict[str, str]:
    def named(kind: str, name: str) -> str:
        return str(org.qbo.entities(kind, lambda r: r.get("Name") == name)[0]["Id"])

    return {
        "account": named("Account", "Office Expenses"),
        "tax": named("TaxCode", "20.0% S"),
        "bank": named("Account", "Checking"),
    }


def _metadata(item: QboItem, coding: dict[str, str], rng: random.Random) -> dict[str, Any]:
    amount = f"{rng.randrange(60, 900)}.00"
    coded = line(
        f"Stock {item.dext_item_id}", "1", amount,
        account_code=coding["account"], tax_type=coding["tax"],
    )  # fmt: skip
    yesterday = date.today() - timedelta(days=1)
    metadata = cost_item(
        item.dext_item_id, "invoice", [coded], supplier=f"Supplier {rng.randrange(8)} Ltd",
        reference=item.number, due_in_days=30, paid_on=yesterday if item.paid else None,
    )  # fmt: skip
    if item.paid:
        metadata["payment"]["account"] = {"code": coding["bank"]}
    if not item.bank:
        return metadata
    del metadata["payment"], metadata["due_date"], metadata["issue_date"]
    metadata["document_type"] = "receipt"
    metadata["contact"] = metadata.pop("supplier")
    metadata["reference"] = metadata.pop("document_reference")
    metadata.update(bank_account={"code": coding["bank"]}, transaction_date=yesterday.isoformat())
    return metadata


async def publish_qbo(
    org: Organisation, count: int, rng: random.Random, spread_s: float
) -> list[QboItem]:
    """``count`` items over ``spread_s``: one in ten a bank-account receipt; of the bills, one
    in four rejected and one in three paid (the first six: paid, approved, rejected, paid,
    approved, receipt); ``rng`` draws their amounts and suppliers."""
    coding = await asyncio.to_thread(_coding, org)
    items = []
    for n in range(count):
        bank = n % 10 == 5
        approve = bank or n % 4 != 2
        items.append(QboItem(f"q{n:03d}", approve, approve and not bank and n % 3 == 0, bank))
    for item in items:
        await asyncio.sleep(spread_s / max(1, count))
        metadata = _metadata(item, coding, rng)
        original = pdf("Quayside", item.dext_item_id)
        while True:  # ingest may be down or restarting
            with contextlib.suppress(httpx.HTTPError):
                async with org.dext() as dext:
                    if item.bank:
                        sent = await dext.publish_bank_transaction(metadata, "r.pdf", original)
                    else:
                        name = f"{item.dext_item_id}.pdf"
                        sent = await dext.publish_cost_item(metadata, name, original)
                if sent.status_code in (200, 202):
                    break
                if sent.status_code < 500:
                    raise SystemExit(f"chaos: {item.dext_item_id} refused: {sent.text}")
            await asyncio.sleep(0.5)
    return items


async def _play(org: Organisation, item: QboItem) -> bool:
    """One move of the approver on the item; True once it has ended."""
    if not item.bank:
        found = await org.requests(item.dext_item_id)
        if not found:
            return False
        latest = max(found, key=lambda r: r["item_version"])
        if latest["state"] == "in_approval":
            decision = (
                ("approve", {"comment": "ok"}) if item.approve else ("reject", {"reason": "no"})
            )
            await org.act(APPROVER, latest["request_id"], *decision)
            return False
        if latest["state"] == "rejected":
            return True
    publications = await org.publications(item.dext_item_id)
    return bool(publications) and publications[-1]["state"] in ("completed", "failed", "parked")


async def play_qbo(org: Organisation, items: list[QboItem], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not all(i.ended for i in items):
        for item in items:
            if not item.ended:  # a service down or mid-restart: the next round tries again
                with contextlib.suppress(httpx.HTTPError, AssertionError, KeyError):
                    item.ended = await _play(org, item)
        await asyncio.sleep(0.5)


def reconcile_qbo(org: Organisation, items: list[QboItem]) -> dict[str, Any]:
    """Each item as it must end in QBO; anything missing is lost, anything twice duplicated."""
    books = org.qbo
    bills = books.entities("Bill")
    payments = books.entities("BillPayment")
    purchases = books.entities("Purchase")
    files = books.entities("Attachable")
    attached: dict[tuple[str, str], int] = {}
    for file in files:
        for ref in file.get("AttachableRef", []):
            key = (ref["EntityRef"]["type"], ref["EntityRef"]["value"])
            attached[key] = attached.get(key, 0) + 1
    lost = duplicated = 0
    wrong: list[str] = []
    for item in items:
        if item.bank:
            # Found by its marker: the item's Dext address (ids are all four characters long).
            marker = f"/costs/{item.dext_item_id}"
            found = [p for p in purchases if marker in str(p.get("PrivateNote", ""))]
            kind, want_files = "Purchase", 1
        else:
            found = [b for b in bills if b.get("DocNumber") == item.number]
            kind, want_files = "Bill", 2
        want = 1 if item.approve else 0
        got_files = sum(attached.get((kind, r["Id"]), 0) for r in found)
        ids = {r["Id"] for r in found}
        paid = [p for p in payments if p["Line"][0]["LinkedTxn"][0]["TxnId"] in ids]
        got = (len(found), got_files, len(paid))
        expected = (want, want_files * want, int(item.paid))
        if got != expected or not item.ended:
            lost += any(g < e for g, e in zip(got, expected, strict=True))
            duplicated += any(g > e for g, e in zip(got, expected, strict=True))
            wrong.append(f"{item.dext_item_id}: {kind}s, files, payments {got}, want {expected}")
        elif item.paid and found[0]["Balance"] != 0:
            lost += 1
            wrong.append(f"{item.dext_item_id}: paid, balance {found[0]['Balance']}")
    return {
        "qbo_items": len(items),
        "qbo_lost": lost,
        "qbo_duplicated": duplicated,
        "qbo_not_as_planned": wrong,
    }


def qbo_rows(org: Organisation, items: list[QboItem]) -> list[list[str]]:
    """The demo's table: each item, its plan, and what QBO holds for it."""
    books = org.qbo
    bills = {b.get("DocNumber"): b for b in books.entities("Bill")}
    purchases = books.entities("Purchase")
    rows = []
    for item in items:
        plan = (
            "receipt"
            if item.bank
            else "paid"
            if item.paid
            else "approve"
            if item.approve
            else "reject"
        )
        if item.bank:
            marker = f"/costs/{item.dext_item_id}"
            found = next((p for p in purchases if marker in str(p.get("PrivateNote", ""))), None)
            kind = "Purchase"
        else:
            found, kind = bills.get(item.number), "Bill"
        files = len(books.attachments(kind, found["Id"])) if found else 0
        held = "—" if found is None else f"{kind} {found['Id']}"
        balance = "—" if found is None or item.bank else f"{found['Balance']:.2f}"
        rows.append([item.dext_item_id, plan, held, str(files), balance])
    return rows
