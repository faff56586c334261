"""A failed publication whose bill is not in Xero: an administrator recodes it (an edit after
approval), retries it with the recoded bill, or has the publisher give it up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from countersign_approval.domain.coding import CodingEdit
from countersign_approval.domain.lifecycle import RequestState as S
from countersign_approval.domain.publication import (
    ask_to_cancel_publication,
    changed_in_xero,
    publication_given_up,
    publication_progressed,
    recode_publication,
    retry_publication,
)
from countersign_approval.domain.refusals import OutOfTurn
from countersign_approval.domain.request import ApprovalRequest
from countersign_contracts import (
    AuditAction,
    FieldChange,
    PublicationCancelRequested,
    PublicationRetryRequested,
    PublicationStatus,
    RequestPublicationUpdated,
)

from services.approval.tests.approval_builders import NOW, run_of, started, step, who, workflow


def _failed(*, bill_in_xero: bool = False) -> ApprovalRequest:
    f = workflow(steps=[step("Finance", "ann")])
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    publication_progressed(
        request,
        request.request_id,
        PublicationStatus.PUBLISH_FAILED,
        NOW,
        xero_invoice_id=request.request_id if bill_in_xero else None,
        messages=["Account code '999' is not a valid code for this document."],
    )
    return request


def test_a_recoded_line_is_an_edit_after_approval_and_the_retry_carries_the_bill() -> None:
    request = _failed()
    before = request.bill.lines[0].account_code
    recode_publication(request, who("ada"), 0, CodingEdit(account_code="453"), "not 999", None, NOW)
    entry = request.trail[-1]
    assert request.state is S.PUBLISH_FAILED  # nothing is sent until the retry
    assert entry.action is AuditAction.EDITED_AFTER_APPROVAL
    assert (entry.actor.role, entry.comment) == ("admin", "not 999")
    assert [(c.field, c.before, c.after) for c in entry.changes] == [
        ("lines[0].account_code", before, "453")
    ]
    retry_publication(request, who("ada"), "recoded", NOW)
    retry = request.pending_events[-1]
    assert isinstance(retry, PublicationRetryRequested)
    assert retry.bill is not None and retry.bill.lines[0].account_code == "453"
    assert retry.audit_trail is not None and retry.audit_trail[-1] == entry


def test_a_retry_without_a_recode_carries_no_bill() -> None:
    request = _failed()
    retry_publication(request, who("ada"), "period reopened", NOW)
    retry = request.pending_events[-1]
    assert isinstance(retry, PublicationRetryRequested)
    assert (retry.bill, retry.audit_trail) == (None, None)


@pytest.mark.parametrize("act", ["recode", "cancel"])
def test_a_bill_already_in_xero_is_neither_recoded_nor_given_up(act: str) -> None:
    request = _failed(bill_in_xero=True)
    with pytest.raises(OutOfTurn, match="amend or void it there"):
        if act == "recode":
            recode_publication(
                request, who("ada"), 0, CodingEdit(account_code="453"), None, None, NOW
            )
        else:
            ask_to_cancel_publication(request, who("ada"), "typed in Xero", NOW)


def test_only_a_failed_publication_is_recoded_or_given_up() -> None:
    f = workflow(steps=[step("Finance", "ann")])
    request = started(f)
    with pytest.raises(OutOfTurn):
        recode_publication(request, who("ada"), 0, CodingEdit(account_code="453"), None, None, NOW)
    with pytest.raises(OutOfTurn):
        ask_to_cancel_publication(request, who("ada"), "no", NOW)


def test_giving_up_is_asked_of_the_publisher_and_ends_the_request_when_it_answers() -> None:
    request = _failed()
    ask_to_cancel_publication(request, who("ada"), "typed in Xero by hand", NOW)
    asked = request.pending_events[-1]
    assert isinstance(asked, PublicationCancelRequested)
    assert request.state is S.PUBLISH_FAILED  # the publisher decides
    publication_given_up(request, request.request_id, "Ada Admin", "typed in Xero by hand", NOW)
    assert request.state is S.PUBLICATION_CANCELLED
    assert request.trail[-1].action is AuditAction.PUBLICATION_CANCELLED
    assert "Ada Admin" in (request.trail[-1].comment or "")
    mirrored = request.pending_events[-1]
    assert isinstance(mirrored, RequestPublicationUpdated)
    assert mirrored.status is PublicationStatus.PUBLICATION_CANCELLED
    publication_given_up(request, request.request_id, "Ada Admin", "again", NOW)  # a redelivery
    assert sum(e.action is AuditAction.PUBLICATION_CANCELLED for e in request.trail) == 1


def test_a_bill_changed_in_xero_is_on_the_trail_once_and_the_request_stays_published() -> None:
    f = workflow(steps=[step("Finance", "ann")])
    request = started(f)
    request.approve(who("ann"), None, run_of(f), NOW)
    for status in (PublicationStatus.PUBLISHING, PublicationStatus.PUBLISHED):
        publication_progressed(request, request.request_id, status, NOW)
    total = FieldChange(field="total", before="126.60", after="1126.60")
    voided = FieldChange(field="status", before="AUTHORISED", after="VOIDED")

    changed_in_xero(request, NOW, [total], "edited")
    changed_in_xero(request, NOW, [total], "edited")  # the same report again
    later = NOW + timedelta(hours=1)
    changed_in_xero(request, later, [total, voided], "voided")

    entries = [e for e in request.trail if e.action is AuditAction.CHANGED_IN_XERO]
    assert [(e.at, e.changes, e.actor.name) for e in entries] == [
        (NOW, [total], "Xero"),
        (later, [total, voided], "Xero"),
    ]
    assert request.state is S.PUBLISHED
