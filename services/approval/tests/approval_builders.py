"""Builders for approval's unit tests: bills, people and workflows in a few words."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from countersign_approval.domain.people import Person, Role
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.domain.run import Run
from countersign_approval.domain.staffing import WorkOnHand
from countersign_approval.domain.workflow import SavedWorkflow, Workflow
from countersign_contracts import (
    Actor,
    ActorKind,
    Bill,
    DocumentMetadata,
    DocumentType,
    LineAmountType,
    LineItem,
    Payment,
    Requester,
    Supplier,
    TrackingSelection,
    WorkflowRef,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
BASE = "GBP"


def line(
    account: str = "429",
    tax: str = "INPUT2",
    amount: str = "100.00",
    tracking: dict[str, str] | None = None,
) -> LineItem:
    return LineItem(
        description="Stationery",
        quantity=Decimal("1"),
        unit_amount=Decimal(amount),
        account_code=account,
        tax_type=tax,
        tax_amount=Decimal("0"),
        line_amount=Decimal(amount),
        tracking=[TrackingSelection(category=c, option=o) for c, o in (tracking or {}).items()],
    )


def bill(
    total: str = "100.00",
    currency: str = BASE,
    rate: str | None = None,
    supplier: str = "Acme Ltd",
    requester: str = "dana@example.com",
    lines: list[LineItem] | None = None,
) -> Bill:
    content = b"%PDF-1.4"
    return Bill(
        document_type=DocumentType.INVOICE,
        supplier=Supplier(name=supplier),
        document_reference="INV-1",
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 12, 2),
        currency=currency,
        exchange_rate=None if rate is None else Decimal(rate),
        line_amount_type=LineAmountType.NO_TAX,
        lines=lines or [line(amount=total)],
        subtotal=Decimal(total),
        total_tax=Decimal("0"),
        total=Decimal(total),
        payment=Payment(paid=False),
        requester=Requester(user_id="dext-7", name="Dana", email=requester),
        source_url="https://dext.example/items/1",
        document=DocumentMetadata(
            document_id=uuid.uuid4(),
            file_name="inv.pdf",
            media_type="application/pdf",
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        ),
    )


def person(name: str, *roles: Role) -> Person:
    return Person(
        user_id=uuid.uuid5(uuid.NAMESPACE_DNS, name),
        email=f"{name}@example.com",
        name=name.title(),
        roles=frozenset(roles or (Role.APPROVER,)),
    )


PEOPLE = {
    p.email: p
    for p in (
        person("ann"),
        person("bob"),
        person("cat"),
        person("dan"),
        person("eve"),
        person("fay"),
        person("rex", Role.REVIEWER),
        person("ada", Role.ADMIN),
        person("aud", Role.AUDITOR),
    )
}


def who(name: str) -> Person:
    return PEOPLE[f"{name}@example.com"]


def workflow(**document: Any) -> Workflow:
    document.setdefault("default_approver", "ada@example.com")
    return Workflow.model_validate(document)


def step(name: str, *approvers: str | dict[str, Any], completion: str = "any") -> dict[str, Any]:
    entries = [{"approver": f"{a}@example.com"} if isinstance(a, str) else a for a in approvers]
    return {"name": name, "completion": completion, "approvers": entries}


def run_of(flow: Workflow) -> Run:
    ref = WorkflowRef(workflow_id=uuid.uuid5(uuid.NAMESPACE_DNS, "wf"), version=1, name=flow.name)
    return Run(workflow=flow, ref=ref, people=PEOPLE, base_currency=BASE)


def new_request(
    the_bill: Bill | None = None, version: int = 1, requester: Actor | None = None
) -> ApprovalRequest:
    return ApprovalRequest.open(
        request_id=uuid.uuid4(),
        organisation_id=uuid.uuid5(uuid.NAMESPACE_DNS, "org"),
        dext_item_id="item-1",
        item_version=version,
        bill=the_bill or bill(),
        requester=requester or Actor(kind=ActorKind.SYSTEM, name="Dana", role="requester"),
        submitted_at=NOW,
        now=NOW,
    )


def started(
    flow: Workflow, the_bill: Bill | None = None, requester: Actor | None = None
) -> ApprovalRequest:
    request = new_request(the_bill, requester=requester)
    request.start(run_of(flow), NOW)
    return request


def event_types(request: ApprovalRequest) -> list[str]:
    return [event.event_type for event in request.pending_events]


def saved(document: Workflow, version: int = 1) -> SavedWorkflow:
    return SavedWorkflow(
        organisation_id=uuid.uuid4(),
        workflow_id=uuid.uuid4(),
        version=version,
        document=document,
        saved_by=who("ada").user_id,
        saved_at=NOW,
    )


def work(**facts: Any) -> WorkOnHand:
    facts.setdefault("others", [])
    facts.setdefault("current", None)
    facts.setdefault("running", {})
    facts.setdefault("awaiting", 0)
    facts.setdefault("stands_in_for", [])
    return WorkOnHand(**facts)
