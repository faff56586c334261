"""Likely duplicates in approval, on the real broker and database: the request of an item
ingest marked links the other item's request (in its view and on RequestOpened), and an
administrator's duplicate policy is announced on approval.organisations.v1 for ingest."""

from __future__ import annotations

from typing import Any

import pytest
from countersign_contracts import (
    ORGANISATIONS,
    DuplicatePolicy,
    DuplicateReason,
    PossibleDuplicate,
    RequestOpened,
    decode,
)
from countersign_harness.approval import running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import read_until
from countersign_harness.samples import sample_bill

pytestmark = pytest.mark.integration

ONE_STEP: dict[str, Any] = {
    "steps": [{"name": "Manager", "approvers": [{"approver": "ann@example.com"}]}],
    "default_approver": "ada@example.com",
}


async def test_the_marked_request_links_the_other_request_and_says_so_when_opened(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=[("ann@example.com", ["approver"])])
        put = await approval.http.put(org.path("/workflow"), headers=org.auth(), json=ONE_STEP)
        assert put.status_code == 201, put.text
        await approval.submit(org, "dup-1", bill=sample_bill("INV-9"))
        first = await approval.request_of(org, "dup-1", state="in_approval")
        marked = PossibleDuplicate(dext_item_id="dup-1", reason=DuplicateReason.SAME_INVOICE_NUMBER)
        not_here_yet = PossibleDuplicate(
            dext_item_id="dup-0", reason=DuplicateReason.SAME_DATE_AND_AMOUNT
        )
        await approval.submit(
            org, "dup-2", bill=sample_bill("INV-9"), possible_duplicates=[marked, not_here_yet]
        )
        second = await approval.request_of(org, "dup-2", state="in_approval")
        listed = await approval.http.get(
            org.path("/requests/pending"), headers=org.auth("ann@example.com")
        )
        events = await approval.events(second["request_id"], until="RequestOpened")

    expected = [
        {
            "dext_item_id": "dup-1",
            "request_id": first["request_id"],
            "reason": "same_invoice_number",
        },
        {"dext_item_id": "dup-0", "request_id": None, "reason": "same_date_and_amount"},
    ]
    assert first["possible_duplicates"] == []
    assert second["possible_duplicates"] == expected
    rows = {r["dext_item_id"]: r["possible_duplicates"] for r in listed.json()}
    assert rows == {"dup-1": [], "dup-2": expected}
    [opened] = [e for e in events if isinstance(e, RequestOpened)]
    assert [d.model_dump(mode="json") for d in opened.possible_duplicates] == expected


async def test_an_administrator_sets_the_duplicate_policy_and_ingest_is_told(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=[("ann@example.com", ["approver"])])
        before = await approval.http.get(org.path("/settings"), headers=org.auth())
        by_approver = await approval.http.patch(
            org.path("/settings"),
            headers=org.auth("ann@example.com"),
            json={"duplicate_policy": "block"},
        )
        unknown = await approval.http.patch(
            org.path("/settings"), headers=org.auth(), json={"duplicate_policy": "ignore"}
        )
        changed = await approval.http.patch(
            org.path("/settings"), headers=org.auth(), json={"duplicate_policy": "block"}
        )
        after = await approval.http.get(org.path("/settings"), headers=org.auth())
        records = await read_until(
            infra.kafka_bootstrap_servers,
            approval.prefix + ORGANISATIONS,
            lambda rs: len(rs) >= 2,
        )

    assert before.json()["duplicate_policy"] == "warn"
    assert by_approver.status_code == 403
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"].endswith("duplicate_policy")
    assert changed.status_code == 200 and after.json()["duplicate_policy"] == "block"
    events = [decode(ORGANISATIONS, r.value) for r in records]
    assert [e.event_type for e in events] == ["OrganisationRegistered", "OrganisationUpdated"]
    assert [e.payload.duplicate_policy for e in events] == [
        DuplicatePolicy.WARN,
        DuplicatePolicy.BLOCK,
    ]
