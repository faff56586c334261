"""A request for a likely duplicate carries the warning ingest found at intake on its events
and in its view, so approvers (and the audit report) see it (no IO)."""

from __future__ import annotations

import uuid

from countersign_approval.api.views import request_summary, request_view
from countersign_approval.domain.request import ApprovalRequest
from countersign_contracts import (
    Actor,
    ActorKind,
    DuplicateReason,
    PossibleDuplicate,
    RequestAuthorised,
    RequestOpened,
    XeroBillDuplicate,
)

from services.approval.tests.approval_builders import NOW, bill, run_of, step, who, workflow

OTHER = PossibleDuplicate(
    dext_item_id="item-0",
    request_id=uuid.uuid4(),
    reason=DuplicateReason.SAME_INVOICE_NUMBER,
)


def flagged(duplicates: list[PossibleDuplicate] | None) -> ApprovalRequest:
    return ApprovalRequest.open(
        request_id=uuid.uuid4(),
        organisation_id=uuid.uuid5(uuid.NAMESPACE_DNS, "org"),
        dext_item_id="item-1",
        item_version=1,
        bill=bill(),
        requester=Actor(kind=ActorKind.SYSTEM, name="Dana", role="requester"),
        submitted_at=NOW,
        now=NOW,
        possible_duplicates=duplicates,
    )


def test_the_opening_and_the_authorisation_say_which_request_it_likely_duplicates() -> None:
    flow = workflow(steps=[step("Manager", "ann")])
    request = flagged([OTHER])
    request.start(run_of(flow), NOW)
    request.approve(who("ann"), None, run_of(flow), NOW)

    opened, authorised = request.pending_events[0], request.pending_events[-1]
    assert isinstance(opened, RequestOpened) and opened.possible_duplicates == [OTHER]
    assert isinstance(authorised, RequestAuthorised)
    assert authorised.possible_duplicates == [OTHER]


def test_the_view_and_the_inbox_row_show_the_warning_and_the_link() -> None:
    request = flagged([OTHER])

    assert request_view(request).possible_duplicates == [OTHER]
    assert request_summary(request).possible_duplicates == [OTHER]


def test_an_item_like_no_other_carries_no_warning() -> None:
    request = flagged(None)
    request.start(run_of(workflow(steps=[step("Manager", "ann")])), NOW)

    opened = request.pending_events[0]
    assert isinstance(opened, RequestOpened) and opened.possible_duplicates == []
    assert request_summary(request).possible_duplicates == []


def test_a_request_saved_before_the_warning_existed_still_reads() -> None:
    document = flagged(None).model_dump(mode="json")
    del document["possible_duplicates"]

    assert ApprovalRequest.model_validate(document).possible_duplicates == []


def test_a_bill_entered_in_xero_it_likely_duplicates_is_carried_to_events_and_views() -> None:
    in_xero = XeroBillDuplicate(
        xero_invoice_id=uuid.uuid4(),
        invoice_number="INV-9",
        contact_name="Acme",
        reason=DuplicateReason.SAME_DATE_AND_AMOUNT,
    )
    flow = workflow(steps=[step("Manager", "ann")])
    request = ApprovalRequest.open(
        request_id=uuid.uuid4(),
        organisation_id=uuid.uuid5(uuid.NAMESPACE_DNS, "org"),
        dext_item_id="item-2",
        item_version=1,
        bill=bill(),
        requester=Actor(kind=ActorKind.SYSTEM, name="Dana", role="requester"),
        submitted_at=NOW,
        now=NOW,
        possible_duplicates_in_xero=[in_xero],
    )
    request.start(run_of(flow), NOW)
    request.approve(who("ann"), None, run_of(flow), NOW)

    opened, authorised = request.pending_events[0], request.pending_events[-1]
    assert isinstance(opened, RequestOpened) and opened.possible_duplicates_in_xero == [in_xero]
    assert isinstance(authorised, RequestAuthorised)
    assert authorised.possible_duplicates_in_xero == [in_xero]
    assert request_view(request).possible_duplicates_in_xero == [in_xero]
    assert request_summary(request).possible_duplicates_in_xero == [in_xero]
