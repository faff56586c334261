"""`make demo`: a demo organisation, twenty items published by the Dext sandbox, approvers
deciding, and a table of where each item ended — in approval, in ingest and in Xero; then a
second organisation whose ledger is QuickBooks Online, six items, and where each ended in QBO.

Runs against any running stack described by the variables of `.local/stack.env` (INGEST_URL,
APPROVAL_URL, PUBLISHER_URL, DEXT_SANDBOX_URL, XERO_IDENTITY_URL, MAIL_SANDBOX_URL,
MAIL_SMTP_HOST/PORT, COUNTERSIGN_ADMIN_TOKEN, PUBLISHER_XERO_CLIENT_ID/SECRET, and WEB_URL for
the closing lines: how to sign in to the web app as a demo approver, with a link asked for
through it). Exits 1 when an item did not end the way the plan says.
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any, TextIO

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

import httpx  # noqa: E402 (after the path setup)
from countersign_dext_sandbox.documents import pdf  # noqa: E402
from countersign_harness import xero_consent  # noqa: E402
from countersign_harness.endpoints import Endpoints  # noqa: E402
from countersign_harness.organisation import Organisation  # noqa: E402
from countersign_harness.provisioning import provision_organisation  # noqa: E402
from countersign_harness.waiting import eventually  # noqa: E402
from countersign_harness.xero_consent import XeroConsent  # noqa: E402
from demo_plan import PEOPLE, PLAN, WORKFLOW, Item  # noqa: E402
from qbo_plan import play_qbo, publish_qbo, qbo_org, qbo_rows, reconcile_qbo  # noqa: E402

DECIDED = ("review_submitted", "approved", "rejected", "auto_approved", "force_approved")
TIMEOUT_S = 600.0


async def publish(org: Organisation, item: Item, metadata: dict[str, Any]) -> None:
    original = pdf(str(metadata.get("supplier", {}).get("name", "Receipt")), item.dext_item_id)
    async with org.dext() as dext:
        if item.bank:
            sent = await dext.publish_bank_transaction(metadata, "receipt.pdf", original)
        else:
            sent = await dext.publish_cost_item(metadata, f"{item.dext_item_id}.pdf", original)
    if sent.status_code not in (200, 202):
        raise SystemExit(f"demo: Dext could not publish {item.dext_item_id}: {sent.text}")


async def play(org: Organisation, item: Item) -> bool:
    """One round of the people around an item; True once the item has settled."""
    if item.bank:
        found = await org.publications(item.dext_item_id)
        return bool(found) and found[-1]["state"] in ("completed", "failed", "parked")
    status = (await org.item_status(item.dext_item_id))["status"]
    if status in ("withdrawn", "cancelled"):
        return True
    if status == "rejected":
        if item.republish is None or "republished" in item.acted:
            return True
        await publish(org, item, item.republish)
        item.acted.add("republished")
        return False
    if status in ("published", "publish_failed"):
        found = await org.publications(item.dext_item_id)
        return bool(found) and found[-1]["state"] in ("completed", "failed", "parked")
    requests = await org.requests(item.dext_item_id)
    if not requests:
        return False
    request = await org.request(max(requests, key=lambda r: r["item_version"])["request_id"])
    if request["state"] == "in_review":
        await org.act(request["reviewers"][0]["email"], request["request_id"], "review")
    elif request["state"] == "in_approval" and item.withdraw:
        if "withdrawn" not in item.acted:
            async with org.dext() as dext:
                await dext.withdraw(item.dext_item_id, "Deleted in Dext")
            item.acted.add("withdrawn")
    elif request["state"] == "in_approval" and request["current_step"]:
        at_the_race = request["current_step"]["name"] == item.race_at
        if item.race and at_the_race and "raced" not in item.acted:
            await race(org, item, request)
        else:
            await decide(org, item, request)
    return False


async def race(org: Organisation, item: Item, request: dict[str, Any]) -> None:
    """The last approval and Dext's withdrawal or new version, sent at the same moment."""
    waiting = [a["email"] for a in request["current_step"]["approvers"] if not a["approved"]]
    if not waiting:
        return
    approve = org.act(waiting[0], request["request_id"], "approve", {"comment": "OK"})
    async with org.dext() as dext:
        if item.race == "withdraw":
            await asyncio.gather(approve, dext.withdraw(item.dext_item_id, "Deleted in Dext"))
        else:
            assert item.republish is not None
            original = pdf("Race Supplies Ltd", item.dext_item_id)
            await asyncio.gather(
                approve,
                dext.publish_cost_item(item.republish, f"{item.dext_item_id}.pdf", original),
            )
    item.acted.add("raced")


async def decide(org: Organisation, item: Item, request: dict[str, Any]) -> None:
    step = request["current_step"]
    waiting = [a["email"] for a in step["approvers"] if not a["approved"]]
    if not waiting:
        return
    first_version = request["item_version"] == 1
    if item.reject_at == step["name"] and (first_version or item.republish is None):
        await org.act(waiting[0], request["request_id"], "reject", {"reason": item.reason})
    else:
        await org.act(waiting[0], request["request_id"], "approve", {"comment": "OK"})


def progress(settled: int, total: int, started: float, out: TextIO) -> None:
    filled = round(30 * settled / total)
    bar = "█" * filled + "·" * (30 - filled)
    out.write(
        f"\r  pipeline [{bar}] {settled}/{total} settled  {time.monotonic() - started:5.1f} s"
    )
    out.flush()


async def outcome(org: Organisation, item: Item, xero: dict[str, Any]) -> list[str]:
    """The row of the table: item, path, who decided, final state, Xero id/status/files/payment."""
    status = await org.item_status(item.dext_item_id)
    deciders: list[str] = []
    requests = await org.requests(item.dext_item_id)
    for request in requests[-1:] if requests else []:
        trail = (await org.request(request["request_id"]))["audit_trail"]
        deciders += [
            "auto" if e["action"] == "auto_approved" else e["actor"]["name"].split()[0]
            for e in trail
            if e["action"] in DECIDED
        ]
    record: dict[str, Any] = {}
    for kind in ("invoices", "bank_transactions"):
        for found in xero[kind]:
            if str(found.get("Url", "")).startswith(str(item.metadata["source_url"])):
                record = found
    kind = record.get("Type", "")
    state = "SPEND" if kind == "SPEND" else record.get("Status") or status["status"]
    ids = {p["PaymentID"] for p in record.get("Payments") or []}
    payments = [p for p in xero["payments"] if p["PaymentID"] in ids]
    paid = ", ".join(f"{p['Amount']:.2f} from {p['Account'].get('Code', '')}" for p in payments)
    row = [
        item.dext_item_id.split("-", 1)[1],
        item.path,
        ", ".join(deciders) or "—",
        state,
        str(record.get("InvoiceID") or record.get("BankTransactionID") or "—")[:8],
        str(len(record.get("Attachments", []))) if record else "—",
        paid or "—",
        "✓" if state == item.expected else f"✗ expected {item.expected}",
    ]
    return row


async def master_data_pulled(org: Organisation) -> str:
    """What the publisher read from Xero once connected (it reads at connect), as counts."""
    token = await org.access_token()
    url = f"{org.endpoints.publisher}/v1/organisations/{org.organisation_id}/master-data"

    async def read() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.get(url, headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    pulled = await eventually(read, lambda found: found["synced_at"] is not None, timeout_s=30)
    return (
        f"{pulled['accounts']} accounts, {pulled['tax_rates']} tax rates,"
        f" {pulled['tracking_categories']} tracking categories, {pulled['currencies']} currencies"
    )


async def connect_xero(org: Organisation) -> None:
    """The admin connects Xero as a person does (docs/connecting.md): Countersign's link to
    Xero's consent page, sign in, tick the organisation, allow, back to Countersign."""
    consent = XeroConsent(org)
    try:
        await consent.prepare([org.tenant_id])
        page = await consent.connect([org.tenant_id])
    finally:
        await consent.aclose()
    if xero_consent.outcome(page) != "connected":
        raise RuntimeError(f"Xero did not connect: {xero_consent.outcome(page)}")


async def web_sign_in_link(endpoints: Endpoints, email: str, organisation: str) -> str:
    """Asks the web app for a sign-in link as a person does (the form, with the token its page
    carries in the pending cookie) and reads the link to ``organisation`` out of the mail
    sandbox. Each demo run adds an organisation, so the mail may hold one link per run."""
    mailbox = f"{endpoints.mail_sandbox}/api/messages"
    query = {"to": email, "subject": "sign-in link"}
    async with httpx.AsyncClient(timeout=10) as http:
        before = {m["id"] for m in (await http.get(mailbox, params=query)).json()}
        async with httpx.AsyncClient(base_url=endpoints.web, timeout=10) as browser:
            form = await browser.get("/sign-in")
            form.raise_for_status()
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            if token is None:
                raise RuntimeError("the sign-in page carries no form token")
            asked = await browser.post("/sign-in", data={"email": email, "csrf": token[1]})
            asked.raise_for_status()

        async def new_mail() -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = (await http.get(mailbox, params=query)).json()
            return [m for m in found if m["id"] not in before]

        arrived = await eventually(new_mail, bool, timeout_s=15)
    for message in arrived:
        for link in message["links"]:
            if "/sign-in/link?" in link["url"] and link["text"] == f"Sign in to {organisation}":
                return str(link["url"])
    raise RuntimeError(f"no sign-in link to {organisation} arrived for {email}")


async def how_to_sign_in(endpoints: Endpoints, organisation: str) -> str:
    """The closing lines about the web app: where it is, who to sign in as, and how."""
    if not endpoints.web:
        return ""
    who = "ann@example.com"  # Ann North, the budget holder for the North region
    try:
        link = await web_sign_in_link(endpoints, who, organisation)
        asked = (
            f"  A sign-in link for Ann, asked for just now (works once, for 15 minutes):\n"
            f"    {link}\n"
            "  Open it, click Continue: Ann's inbox lists the bills awaiting her; a bill's page"
            " has Approve and Reject.\n"
        )
    except (httpx.HTTPError, RuntimeError) as failed:
        asked = f"  (could not ask for a sign-in link just now: {failed})\n"
    return (
        f"\nSign in as an approver: {endpoints.web}/sign-in\n"
        f'  Type {who} and click "E-mail me a sign-in link"; the mail arrives in the mail'
        f" sandbox, {endpoints.mail_sandbox}/?to={who}; pick the link to {organisation}.\n" + asked
    )


XERO_HEADER = ["item", "path taken", "who decided", "final", "Xero id", "files", "payment", "", "s"]
QBO_HEADER = ["item", "plan", "in QBO", "files", "balance"]


def table(rows: list[list[str]], out: TextIO, header: list[str] = XERO_HEADER) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for n, row in enumerate([header, *rows]):
        out.write("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        out.write("\n")
        if n == 0:
            out.write("  " + "  ".join("─" * w for w in widths) + "\n")


async def run(endpoints: Endpoints, out: TextIO = sys.stdout) -> int:
    run_id = uuid.uuid4().hex[:4]
    name = f"Demo {run_id} Ltd"
    out.write("Countersign demo: Dext → ingest → approval → publisher → Xero\n\n")
    org = await provision_organisation(endpoints, WORKFLOW, PEOPLE, name=name, connect_xero=False)
    await connect_xero(org)
    pulled = await master_data_pulled(org)
    out.write(
        f"  organisation {org.organisation_id}: review (Rex), budget holder by region (Ann"
        " North / Bob elsewhere), finance (Dan from 1,000, else Eve), auto-approval under 50.00;"
        f"\n  Xero sandbox tenant {org.tenant_id} (accounts, tax rates, tracking, two bank"
        " accounts), connected by its admin through Xero's consent page; master data pulled"
        f" from Xero: {pulled}\n\n"
    )
    items = PLAN(run_id)
    for item in items:
        await publish(org, item, item.metadata)
    out.write(f"  Dext published {len(items)} items; approvers at work …\n")
    started, settled = time.monotonic(), dict[str, float]()
    while len(settled) < len(items) and time.monotonic() - started < TIMEOUT_S:
        for item in items:
            if item.dext_item_id not in settled and await play(org, item):
                settled[item.dext_item_id] = time.monotonic() - started
        progress(len(settled), len(items), started, out)
        await asyncio.sleep(0.5)
    out.write("\n\n")
    xero = org.xero_state()
    rows = [
        [*await outcome(org, item, xero), f"{settled.get(item.dext_item_id, TIMEOUT_S):.1f}"]
        for item in items
    ]
    table(rows, out)
    wrong = [row[0] for row in rows if not row[-2].startswith("✓")]
    out.write(
        f"\n  {len(items) - len(wrong)}/{len(items)} items ended as planned"
        + (f"; not: {', '.join(wrong)}" if wrong else "")
        + "\n\nWhere to look:\n"
        f"  OpenAPI       {endpoints.ingest}/docs  {endpoints.approval}/docs"
        f"  {endpoints.publisher}/docs\n"
        "  AsyncAPI      docs/asyncapi/ingest.json, approval.json, publisher.json\n"
        f"  item status   GET {endpoints.ingest}/v1/organisations/{org.organisation_id}/items/"
        f"<item>  (signed as Dext signs: docs/ingest-api.md)\n"
        f"  requests      GET {endpoints.approval}/v1/organisations/{org.organisation_id}/requests"
        f"  (Authorization: Bearer {org.admin_token})\n"
        f"  Xero sandbox  GET {endpoints.xero_root}/_sandbox/tenants/{org.tenant_id}/state\n"
        f"  mail sandbox  {endpoints.mail_sandbox}  (SMTP {endpoints.mail_smtp[0]}:"
        f"{endpoints.mail_smtp[1]})\n"
        + (f"  web app       {endpoints.web}\n" if endpoints.web else "")
        + "  logs          .local/logs/*.log\n"
    )
    wrong += await qbo_part(endpoints, run_id, out)
    out.write(await how_to_sign_in(endpoints, name))
    out.write("Stop the stack with: make down\n")
    return 1 if wrong else 0


async def qbo_part(endpoints: Endpoints, run_id: str, out: TextIO) -> list[str]:
    """The QuickBooks Online organisation beside the Xero one: its items, where they ended."""
    org = await qbo_org(endpoints, f"Demo {run_id} Books Ltd")
    out.write(
        f"\nQuickBooks Online: organisation {org.organisation_id}, QBO sandbox company"
        f" {org.tenant_id} (UK, VAT), connected as the Xero one is; Ann approves …\n"
    )
    items = await publish_qbo(org, 6, random.Random(run_id), 0)
    await play_qbo(org, items, TIMEOUT_S)
    table(qbo_rows(org, items), out, QBO_HEADER)
    found = reconcile_qbo(org, items)
    out.write(
        f"\n  {len(items) - len(found['qbo_not_as_planned'])}/{len(items)} QBO items ended as"
        f" planned; QBO sandbox GET {endpoints.qbo_root}/_sandbox/companies/{org.tenant_id}/state\n"
    )
    return [line.split(":")[0] for line in found["qbo_not_as_planned"]]


def main() -> None:
    sys.exit(asyncio.run(run(Endpoints.from_environment())))


if __name__ == "__main__":
    main()
