"""What `make event-examples` does to the pipeline: one organisation's people and workflow, the
paths Dext items take so that every event type of approval.requests.v1 and
ledger.publications.v1 occurs, and what happens to the organisation's Xero connection so that
ledger.connections.v1 shows each of its states (ledger.master-data.v1 follows the connect).

    paper    rejected; amended in Dext (version 2) and approved: review with a recoded line, an
             approver reassigned, the requester left out of a step; paid in Dext
    banner   withdrawn in Dext while it waits for approval
    coffee   under the auto-approval threshold
    parking  published to a bank account: a SPEND bank transaction, no approval
    laptop   its step's deadline passes, then its escalation delay (to the admins); then an
             administrator force-approves it
    chairs   republished by Dext just after its last approval: refused
    desk     withdrawn in Dext just after its last approval: refused
    pens     its account archived in Xero during review: recoded after approval by an
             administrator, retried, published with the recoded line
    toner    its account archived in Xero during review: given up by an administrator
    cover    refused by Xero (a period lock date); fixed, then retried by an administrator
    rent     the organisation switches to the via-Xero mode: a bill submitted in Xero is pulled,
             approved and authorised there; another is rejected and goes back to DRAFT; then
             the organisation switches back to the direct mode
    Xero     the connection breaks (the app removed in Xero: needs_reconnect); the admin
             connects again through Xero's consent, then disconnects

The paths run one after the other; each waits until its item (or the connection) has settled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import REQUESTER, cost_item, line
from countersign_harness.organisation import Organisation, Person
from countersign_harness.pipeline import Pipeline
from countersign_harness.via_xero import pulled_item, submit_in_xero, switch_ledger_mode
from countersign_harness.waiting import eventually
from countersign_harness.xero_consent import XeroConsent, outcome

__all__ = ["PATHS", "PEOPLE", "WORKFLOW"]

REX, ANN, BOB, DAN = (f"{name}@example.com" for name in ("rex", "ann", "bob", "dan"))
PEOPLE = (
    Person(REX, "Rex Reviewer", ("reviewer",)),
    Person(ANN, "Ann North", ("approver",)),
    Person(BOB, "Bob South", ("approver",)),
    Person(DAN, "Dan Finance", ("approver",)),
    # Dext's requester is a user too, who may not approve their own bill.
    Person(REQUESTER["email"], REQUESTER["name"], ("requester", "approver")),
)
NORTH = {"field": "tracking", "category": "Region", "values": ["North"]}
# A review; the budget holder by region (Ann North, Bob elsewhere), with a two days' deadline
# (a reminder a day before it) and an escalation to the admins four hours after it; then
# finance (Dan, or the requester, who is left out of their own bills); under 50.00 nobody.
WORKFLOW: dict[str, Any] = {
    "name": "Bill creation, review and approval",
    "review": {"reviewers": [REX]},
    "auto_approval": [{"conditions": [{"field": "total", "operator": "<", "amount": "50"}]}],
    "steps": [
        {
            "name": "Budget holder",
            "completion": "any",
            "deadline_hours": 48,
            "escalation": {"to": "admins", "after_hours": 4},
            "approvers": [
                {"approver": ANN, "rules": [{"conditions": [NORTH]}]},
                {
                    "approver": BOB,
                    "rules": [{"conditions": [{**NORTH, "match": "does_not_match"}]}],
                },
            ],
        },
        {
            "name": "Finance",
            "completion": "any",
            "approvers": [{"approver": DAN}, {"approver": REQUESTER["email"]}],
        },
    ],
    "decision_policy": "each_step",
    "requester_may_approve": False,
    "default_approver": "ada@example.com",
}
LAST_STEP = "Finance"
RACES = 6  # tries at changing an item the moment it is authorised, before ingest knows


# -- Dext and the people around an item --------------------------------------------------------


def invoice(item: str, *lines: dict[str, Any], **options: Any) -> dict[str, Any]:
    return cost_item(item, "invoice", list(lines), reference=f"INV-{item.upper()}",
                     due_in_days=30, **options)  # fmt: skip


def north(description: str, quantity: str, unit: str, account: str = "429") -> dict[str, Any]:
    return line(description, quantity, unit, account_code=account, tracking=[("Region", "North")])


async def publish(org: Organisation, metadata: dict[str, Any]) -> httpx.Response:
    item = str(metadata["dext_item_id"])
    async with org.dext() as dext:
        return await dext.publish_cost_item(metadata, f"{item}.pdf", pdf("Supplier", item))


async def published(org: Organisation, metadata: dict[str, Any]) -> None:
    sent = await publish(org, metadata)
    if sent.status_code != 202:
        raise SystemExit(f"event-examples: Dext could not publish: {sent.text}")


async def withdraw(org: Organisation, item: str, reason: str) -> httpx.Response:
    async with org.dext() as dext:
        return await dext.withdraw(item, reason)


async def act(
    org: Organisation, email: str | None, request_id: str, action: str, body: dict[str, Any]
) -> None:
    """``action`` as ``email`` (the administrator when None); stops the run if refused."""
    done = await org.act(email, request_id, action, body)
    if done.status_code != 200:
        raise SystemExit(f"event-examples: {action} as {email or 'admin'}: {done.text}")


async def recode(org: Organisation, request_id: str, index: int, coding: dict[str, Any]) -> None:
    url = (
        f"{org.endpoints.approval}/v1/organisations/{org.organisation_id}"
        f"/requests/{request_id}/lines/{index}"
    )
    async with httpx.AsyncClient(timeout=10) as http:
        done = await http.patch(url, json=coding, headers=org.auth(REX))
    if done.status_code != 200:
        raise SystemExit(f"event-examples: recoding line {index}: {done.text}")


async def at(org: Organisation, item: str, version: int, step: str) -> dict[str, Any]:
    """The item version's request once it waits in ``step`` (``Review`` for the review)."""
    states = ("in_review",) if step == "Review" else ("in_approval",)
    request = await org.request_of(item, version, states)

    def waits_in(found: dict[str, Any]) -> bool:
        current = found["current_step"]
        return step == "Review" or (current is not None and current["name"] == step)

    request = await eventually(lambda: org.request(request["request_id"]), waits_in, 30)
    if not waits_in(request):
        raise SystemExit(f"event-examples: {item} v{version} never reached {step}")
    return request


async def review(org: Organisation, item: str, version: int = 1) -> None:
    request = await at(org, item, version, "Review")
    await act(org, REX, request["request_id"], "review", {"comment": "Coding checked"})


async def approve_step(org: Organisation, item: str, version: int, step: str) -> None:
    """The step's first awaited approver approves."""
    request = await at(org, item, version, step)
    waiting = [a["email"] for a in request["current_step"]["approvers"] if not a["approved"]]
    await act(org, waiting[0], request["request_id"], "approve", {"comment": "Approved"})


async def in_xero(org: Organisation, item: str, *, retried: bool = False) -> None:
    """Waits for the item's publication to end; completed, or the run stops. After a retry the
    publication is still failed until the publisher takes the retry: only completed ends it."""
    ends = ("completed",) if retried else ("completed", "failed", "parked")
    publication = await org.wait_publication(item, states=ends)
    if publication["state"] != "completed":
        raise SystemExit(f"event-examples: {item} did not reach Xero: {publication}")


# -- the paths ---------------------------------------------------------------------------------


async def rejected_then_amended_approved_and_paid(org: Organisation, _: Pipeline) -> None:
    paid_on = date.today() - timedelta(days=1)
    first = invoice("paper", north("Printer paper, A4, 5 boxes", "5", "21.10"), paid_on=paid_on)
    await published(org, first)
    await review(org, "paper")
    request = await at(org, "paper", 1, "Budget holder")
    reason = "Six boxes were delivered, not five: please correct the quantity"
    await act(org, ANN, request["request_id"], "reject", {"reason": reason})
    await org.request_of("paper", 1, ("rejected",))

    amended = invoice("paper", north("Printer paper, A4, 6 boxes", "6", "21.10"), paid_on=paid_on)
    await published(org, amended)
    request = await at(org, "paper", 2, "Review")
    await recode(org, request["request_id"], 0, {"account_code": "461"})
    await review(org, "paper", 2)
    request = await at(org, "paper", 2, "Budget holder")
    away = {"from_email": ANN, "to_email": BOB, "comment": "Ann is on leave this week"}
    await act(org, None, request["request_id"], "reassign", away)
    await approve_step(org, "paper", 2, "Budget holder")
    await approve_step(org, "paper", 2, LAST_STEP)
    await in_xero(org, "paper")


async def withdrawn_while_pending(org: Organisation, _: Pipeline) -> None:
    await published(org, invoice("banner", north("Exhibition banner", "1", "180.00", "400")))
    await review(org, "banner")
    await at(org, "banner", 1, "Budget holder")
    asked = await withdraw(org, "banner", "Deleted in Dext: a duplicate of INV-BANNER-1")
    if asked.status_code != 202:
        raise SystemExit(f"event-examples: withdrawing banner: {asked.text}")
    await org.request_of("banner", 1, ("cancelled",))


async def auto_approved(org: Organisation, _: Pipeline) -> None:
    await published(org, invoice("coffee", north("Coffee beans, 1 kg", "2", "12.50", "453")))
    await review(org, "coffee")
    await in_xero(org, "coffee")


async def bank_transaction(org: Organisation, _: Pipeline) -> None:
    spend = {
        "dext_item_id": "parking",
        "document_type": "receipt",
        "contact": {"name": "City Parking Services"},
        "bank_account": {"code": "090"},
        "transaction_date": (date.today() - timedelta(days=1)).isoformat(),
        "reference": "PARK-11",
        "currency": "GBP",
        "line_amount_type": "exclusive",
        "lines": [line("Parking, monthly permit", "1", "95.00", account_code="493")],
        "subtotal": "95.00",
        "total_tax": "19.00",
        "total": "114.00",
        "requester": REQUESTER,
        "source_url": "https://dext.example/costs/parking",
    }
    async with org.dext() as dext:
        sent = await dext.publish_bank_transaction(spend, "parking.pdf", pdf("Parking", "PARK-11"))
    if sent.status_code != 202:
        raise SystemExit(f"event-examples: Dext could not publish parking: {sent.text}")
    await in_xero(org, "parking")


async def overdue_then_forced(org: Organisation, pipeline: Pipeline) -> None:
    await published(org, invoice("laptop", north("Laptop, 14 inch", "1", "1249.00", "453")))
    await review(org, "laptop")
    request = await at(org, "laptop", 1, "Budget holder")
    # First a day passes for this step only: it entered a day and a minute ago, its reminder
    # (a day before its deadline) came due a minute ago.
    await _shift_step(
        pipeline, request["request_id"], entered="1 day 1 minute", reminds="1 minute",
        due="-1 day -1 minute", escalates="-1 day -4 hours -1 minute",
    )  # fmt: skip
    await eventually(
        lambda: org.request(request["request_id"]),
        lambda found: found["current_step"]["reminded_at"] is not None,
        30,
    )
    # Then another day and four hours: its deadline passed four hours and a minute ago, its
    # escalation delay a minute ago.
    await _shift_step(
        pipeline, request["request_id"], entered="2 days 4 hours 1 minute",
        reminds="1 day 4 hours 1 minute", due="4 hours 1 minute", escalates="1 minute",
    )  # fmt: skip
    reminded = await eventually(
        lambda: org.request(request["request_id"]),
        lambda found: found["current_step"]["escalated_at"] is not None,
        30,
    )
    if reminded["current_step"]["escalated_at"] is None:
        raise SystemExit("event-examples: the laptop's overdue step was never escalated")
    comment = "Overdue and needed on Monday: approved by the finance director"
    await act(org, None, request["request_id"], "force-approve", {"comment": comment})
    await in_xero(org, "laptop")


async def _shift_step(
    pipeline: Pipeline, request_id: str, *, entered: str, reminds: str, due: str, escalates: str
) -> None:
    """Moves the first step's times (and the request's next due time) this long into the
    past, in approval's table (as tests/integration/test_approval_workflow.py does)."""
    conn = await asyncpg.connect(pipeline.infra.database_url)
    try:
        await conn.execute(
            f'UPDATE "{pipeline.isolation}_approval".requests'
            " SET due_at = now() - interval '1 minute', document = jsonb_set(jsonb_set("
            " jsonb_set(jsonb_set(document,"
            " '{steps,0,due_at}', to_jsonb(now() - $2::text::interval)),"
            " '{steps,0,reminds_at}', to_jsonb(now() - $3::text::interval)),"
            " '{steps,0,escalates_at}', to_jsonb(now() - $4::text::interval)),"
            " '{steps,0,entered_at}', to_jsonb(now() - $5::text::interval))"
            " WHERE request_id = $1::uuid",
            request_id, due, reminds, escalates, entered,
        )  # fmt: skip
    finally:
        await conn.close()


async def changed_once_authorised(
    org: Organisation, first: dict[str, Any], amended: dict[str, Any] | None
) -> bool:
    """Dext republishes the item (``amended``, its version 2) or, without one, withdraws it the
    moment its last approval has been given: approval has authorised it, ingest may not know yet
    and so passes the change on, and approval refuses it. False when ingest already knew and
    refused the change itself (409)."""
    item = str(first["dext_item_id"])
    await published(org, first)
    await review(org, item)
    await approve_step(org, item, 1, "Budget holder")
    await approve_step(org, item, 1, LAST_STEP)
    if amended is not None:
        asked = await publish(org, amended)
    else:
        asked = await withdraw(org, item, "Deleted in Dext by mistake")
    await in_xero(org, item)
    return asked.status_code == 202


async def republished_once_authorised(org: Organisation, _: Pipeline) -> None:
    for attempt in range(1, RACES + 1):
        item = f"chairs-{attempt}"
        first = invoice(item, north("Office chairs", "4", "119.00"))
        amended = invoice(item, north("Office chairs", "5", "119.00"))
        if await changed_once_authorised(org, first, amended):
            return
    print(f"  ingest refused all {RACES} republishes itself: approval saw none to refuse")


async def withdrawn_once_authorised(org: Organisation, _: Pipeline) -> None:
    for attempt in range(1, RACES + 1):
        first = invoice(f"desk-{attempt}", north("Standing desk", "1", "420.00", "453"))
        if await changed_once_authorised(org, first, None):
            return
    print(f"  ingest refused all {RACES} withdrawals itself: approval saw none to refuse")


async def refused_by_xero_then_retried(org: Organisation, _: Pipeline) -> None:
    """The books are closed up to yesterday: a bill dated three days ago is refused. Run after
    the other bills, alone: the lock date holds for every bill of the tenant."""
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    tenant = f"/_sandbox/tenants/{org.tenant_id}"
    org.xero_control("PATCH", tenant, {"lock_date": yesterday})
    await published(org, invoice("cover", north("Printer maintenance cover", "1", "240.00")))
    await review(org, "cover")
    await approve_step(org, "cover", 1, "Budget holder")
    await approve_step(org, "cover", 1, LAST_STEP)
    request = await org.request_of("cover", 1, ("publish_failed",))
    org.xero_control("PATCH", tenant, {"lock_date": None})
    comment = "Period reopened by the accountant"
    await act(org, None, request["request_id"], "retry-publication", {"comment": comment})
    await in_xero(org, "cover", retried=True)


async def refused_by_xero(
    org: Organisation, item: str, description: str, account: str
) -> dict[str, Any]:
    """A bill auto-approved once reviewed, coded to an account that is archived in Xero while
    the bill is in review (intake took it: it was active then): Xero refuses it."""
    await published(org, invoice(item, north(description, "2", "12.00", account)))
    archived = f"/_sandbox/tenants/{org.tenant_id}/accounts/{account}"
    org.xero_control("PATCH", archived, {"Status": "ARCHIVED"})
    await review(org, item)
    request: dict[str, Any] = await org.request_of(item, 1, ("publish_failed",))
    return request


async def recoded_after_approval_then_retried(org: Organisation, _: Pipeline) -> None:
    request = await refused_by_xero(org, "pens", "Pens", "400")
    coding = {"account_code": "453", "comment": "400 is archived: office expenses"}
    recoded = await org.recode_publication(request["request_id"], 0, coding)
    if recoded.status_code != 200:
        raise SystemExit(f"event-examples: recode: {recoded.text}")
    comment = "Recoded to 453"
    await act(org, None, request["request_id"], "retry-publication", {"comment": comment})
    await in_xero(org, "pens", retried=True)


async def refused_by_xero_then_given_up(org: Organisation, _: Pipeline) -> None:
    request = await refused_by_xero(org, "toner", "Toner", "493")
    reason = {"reason": "Entered by hand in Xero instead"}
    given_up = await org.act(None, request["request_id"], "cancel-publication", reason)
    if given_up.status_code != 202:
        raise SystemExit(f"event-examples: cancel-publication: {given_up.text}")
    await org.request_of("toner", 1, ("publication_cancelled",))


async def changed_in_xero_and_one_authorised_there(org: Organisation, _: Pipeline) -> None:
    """The stapler bill, approved and in Xero, then its quantity edited in Xero; and a bill
    someone entered and authorised in Xero directly. Xero's webhooks tell the publisher (the
    run registers them)."""
    await published(org, invoice("stapler", north("Heavy-duty stapler", "2", "80.00")))
    await review(org, "stapler")
    await approve_step(org, "stapler", 1, "Budget holder")
    await approve_step(org, "stapler", 1, LAST_STEP)
    await in_xero(org, "stapler")
    [bill] = org.xero_invoices(lambda found: found["InvoiceNumber"] == "INV-STAPLER")
    kept = ("Description", "AccountCode", "TaxType", "Tracking")
    edited = {key: bill["LineItems"][0][key] for key in kept}
    tenant = f"/_sandbox/tenants/{org.tenant_id}/invoices"
    org.xero_control("PATCH", f"{tenant}/{bill['InvoiceID']}",
                     {"LineItems": [{**edited, "Quantity": 3, "UnitAmount": "80.00"}]})  # fmt: skip
    await admins_told(org, "Changed in Xero after approval")
    today = date.today()
    entered = {"Type": "ACCPAY", "Contact": {"Name": "Quick Cash Consulting"},
               "Date": today.isoformat(), "DueDate": (today + timedelta(days=14)).isoformat(),
               "InvoiceNumber": "QC-77", "Status": "AUTHORISED",
               "LineItems": [{"Description": "Advice", "Quantity": 1, "UnitAmount": "2500.00",
                              "AccountCode": "429", "TaxType": "INPUT2"}]}  # fmt: skip
    org.xero_control("POST", tenant, entered)
    # Told before the next path disconnects Xero, which would leave the change unread.
    await admins_told(org, "Authorised in Xero without approval")


async def pulled_from_xero_approved_and_rejected(org: Organisation, _: Pipeline) -> None:
    """Bills a capture tool submitted in Xero, in the via-Xero mode (owned by Dext's requester,
    so Dan approves at Finance): one approved and authorised there, one rejected at the budget
    holder's step and returned to DRAFT. Xero's webhooks tell the publisher."""
    await switch_ledger_mode(org, "via_xero", requester=REQUESTER["email"])
    rent = {"Description": "Office rent, December", "Quantity": 1, "UnitAmount": "1000.00",
            "AccountCode": "429", "TaxType": "INPUT2"}  # fmt: skip
    approved = pulled_item(submit_in_xero(org, "RENT-12", [rent]))
    await review(org, approved)
    await approve_step(org, approved, 1, "Budget holder")
    await approve_step(org, approved, 1, LAST_STEP)
    await in_xero(org, approved)
    rejected = pulled_item(submit_in_xero(org, "RENT-13", [rent]))
    await review(org, rejected)
    request = await at(org, rejected, 1, "Budget holder")
    waiting = [a["email"] for a in request["current_step"]["approvers"] if not a["approved"]]
    reason = {"reason": "Already paid by standing order"}
    await act(org, waiting[0], request["request_id"], "reject", reason)
    await in_xero(org, rejected)
    await switch_ledger_mode(org, "direct")


async def admins_told(org: Organisation, subject: str) -> None:
    """Waits for the notifier's mail to the admin whose subject starts so."""

    async def mails() -> list[Any]:
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.get(
                f"{org.endpoints.mail_sandbox}/api/messages", params={"to": "ada@example.com"}
            )
        return [m for m in answer.json() if str(m["subject"]).startswith(subject)]

    await eventually(mails, bool, timeout_s=60)


async def xero_connection(org: Organisation, method: str = "GET") -> dict[str, Any]:
    """The organisation's Xero connection as its admin sees it (``DELETE``: disconnects it)."""
    url = f"{org.endpoints.publisher}/v1/organisations/{org.organisation_id}/xero-connection"
    async with httpx.AsyncClient(timeout=30) as http:
        done = await http.request(method, url, headers=await admin_bearer(org))
    if done.status_code != 200:
        raise SystemExit(f"event-examples: {method} xero-connection: {done.text}")
    found: dict[str, Any] = done.json()
    return found


async def admin_bearer(org: Organisation) -> dict[str, str]:
    return {"Authorization": f"Bearer {await org.access_token()}"}


async def connection_broken_reconnected_and_disconnected(
    org: Organisation, pipeline: Pipeline
) -> None:
    """The finance team removes Countersign's app in Xero and the access token runs out (the
    sandbox's clock moves on 31 minutes); the publisher's next call is refused and Xero refuses
    the refresh token too (invalid_grant): needs_reconnect. The admin connects again through
    Xero's consent, then disconnects. Run last: afterwards nothing reaches Xero, and the
    sandbox's clock is half an hour ahead."""
    endpoints = pipeline.endpoints
    tenant = f"/_sandbox/tenants/{org.tenant_id}"
    org.xero_control("POST", f"{tenant}/disconnect", {"client_id": endpoints.xero_client_id})
    org.xero_control("POST", "/_sandbox/clock", {"advance_seconds": 31 * 60})
    url = f"{endpoints.publisher}/v1/organisations/{org.organisation_id}/supplier-sync"
    async with httpx.AsyncClient(timeout=30) as http:
        await http.post(url, headers=await admin_bearer(org))  # refused by Xero: 502
    broken = await eventually(
        lambda: xero_connection(org), lambda found: found["status"] == "needs_reconnect", 30
    )
    if broken["status"] != "needs_reconnect":
        raise SystemExit(f"event-examples: the connection never needed a reconnect: {broken}")
    consent = XeroConsent(org)
    try:
        await consent.prepare([org.tenant_id])
        page = await consent.connect([org.tenant_id])
    finally:
        await consent.aclose()
    if outcome(page) != "connected":
        raise SystemExit(f"event-examples: reconnecting through consent: {outcome(page)}")
    disconnected = await xero_connection(org, "DELETE")
    if disconnected["status"] != "disconnected":
        raise SystemExit(f"event-examples: disconnecting: {disconnected}")


Path = Callable[[Organisation, Pipeline], Awaitable[None]]
PATHS: list[tuple[str, Path]] = [
    ("paper: rejected, amended, approved, paid", rejected_then_amended_approved_and_paid),
    ("banner: withdrawn while pending", withdrawn_while_pending),
    ("coffee: auto-approved", auto_approved),
    ("parking: bank transaction", bank_transaction),
    ("laptop: overdue, then force-approved", overdue_then_forced),
    ("chairs: republished once authorised", republished_once_authorised),
    ("desk: withdrawn once authorised", withdrawn_once_authorised),
    ("pens: recoded after approval, retried", recoded_after_approval_then_retried),
    ("toner: given up after Xero refused it", refused_by_xero_then_given_up),
    ("cover: refused by Xero, retried", refused_by_xero_then_retried),
    ("stapler: changed in Xero; a bill authorised there", changed_in_xero_and_one_authorised_there),
    ("rent: pulled from Xero, approved; another rejected", pulled_from_xero_approved_and_rejected),
    ("Xero: connection broken, reconnected, disconnected",
     connection_broken_reconnected_and_disconnected),
]  # fmt: skip
