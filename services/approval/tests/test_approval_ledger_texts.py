"""What people read of a published bill names the organisation's ledger: the trail's entry for a
bill changed after approval is by "QuickBooks Online" and in its words for a QBO organisation,
by "Xero" with Xero's status else; the request keeps the ledger the publisher names, carries
it on its events and shows it."""

from __future__ import annotations

from uuid import uuid4

import pytest
from countersign_approval.api.views import request_summary
from countersign_approval.domain.publication import (
    changed_comment,
    changed_in_xero,
    publication_progressed,
)
from countersign_approval.domain.request import ApprovalRequest
from countersign_contracts import (
    AuditAction,
    BillChangedInXero,
    FieldChange,
    Ledger,
    PublicationStatus,
    RequestPublicationUpdated,
    with_ledger_names,
)

from services.approval.tests.approval_builders import NOW, run_of, started, step, who, workflow


def _approved() -> ApprovalRequest:
    f = workflow(steps=[step("Finance", "ann")])
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    return request


def _changed(ledger: Ledger | None, status: str) -> BillChangedInXero:
    return BillChangedInXero(
        publication_id=uuid4(), kind="bill", request_id=uuid4(), dext_item_id="item-1",
        item_version=1, ledger=ledger, xero_invoice_id=uuid4(), ledger_bill_id="146",
        differences=[{"field": "total", "approved": "126.60", "now": "1326.60"}],
        xero_status=status, xero_updated_at=NOW, seen_by="webhook",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("ledger", "status", "comment"),
    [
        (Ledger.QBO, "AUTHORISED", "Changed in QuickBooks Online after approval"
         " (bill open, seen by webhook)"),
        (Ledger.QBO, "DELETED", "Changed in QuickBooks Online after approval"
         " (bill deleted, seen by webhook)"),
        (Ledger.QBO, "VOIDED", "Changed in QuickBooks Online after approval (seen by webhook)"),
        (Ledger.XERO, "VOIDED", "Changed in Xero after approval"
         " (Xero status VOIDED, seen by webhook)"),
        (None, "AUTHORISED", "Changed in Xero after approval"
         " (Xero status AUTHORISED, seen by webhook)"),
    ],
)  # fmt: skip
def test_the_changed_bills_trail_comment_is_in_its_ledgers_words(
    ledger: Ledger | None, status: str, comment: str
) -> None:
    assert changed_comment(_changed(ledger, status)) == comment


@pytest.mark.parametrize(
    ("ledger", "actor"), [(Ledger.QBO, "QuickBooks Online"), (Ledger.XERO, "Xero"), (None, "Xero")]
)
def test_the_changed_bills_trail_entry_is_by_its_ledger(ledger: Ledger | None, actor: str) -> None:
    request = _approved()
    total = FieldChange(field="total", before="126.60", after="1326.60")

    changed_in_xero(request, NOW, [total], "edited", ledger)

    [entry] = [e for e in request.trail if e.action is AuditAction.CHANGED_IN_XERO]
    assert entry.actor.name == actor


def test_a_qbo_publication_is_kept_carried_on_the_requests_events_and_shown() -> None:
    request = _approved()
    request.ledger = Ledger.QBO  # the organisation's master data at intake said so
    bill_uuid = uuid4()

    publication_progressed(
        request, uuid4(), PublicationStatus.PUBLISHING, NOW,
        xero_invoice_id=bill_uuid, ledger=Ledger.QBO, ledger_bill_id="146",
    )  # fmt: skip
    publication_progressed(request, uuid4(), PublicationStatus.PUBLISHED, NOW)  # named nothing

    updated = [e for e in request.pending_events if isinstance(e, RequestPublicationUpdated)]
    named = [with_ledger_names(e) for e in updated]  # as approval stages them
    assert [(e.ledger, e.ledger_bill_id) for e in named] == [(Ledger.QBO, "146")] * 2
    assert (request_summary(request).ledger, request.xero_invoice_id) == (Ledger.QBO, bill_uuid)


def test_a_xero_publication_still_names_xero() -> None:
    request = _approved()
    bill_id = uuid4()

    publication_progressed(
        request, uuid4(), PublicationStatus.PUBLISHING, NOW, xero_invoice_id=bill_id
    )

    [updated] = [e for e in request.pending_events if isinstance(e, RequestPublicationUpdated)]
    named = with_ledger_names(updated)
    assert (named.ledger, named.ledger_bill_id) == (Ledger.XERO, str(bill_id))
