"""Finding requests on the real database: supplier (contains, case-blind), total range, state,
opened dates, the ones I decided and the ones I requested — each applied in SQL, within what the
caller may see; bad criteria refused naming the parameter. And the out-of-office a user reads
of themselves: their absence, and whom they stand in for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from countersign_contracts import Bill, Requester, Supplier
from countersign_harness.approval import ApprovalHarness, Org, running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.samples import sample_bill

pytestmark = pytest.mark.integration

ANN, CAT = "ann@example.com", "cat@example.com"
PEOPLE = [(ANN, ["approver"]), (CAT, ["approver"])]
WORKFLOW = {
    "steps": [{"name": "Budget holder", "approvers": [{"approver": ANN}]}],
    "default_approver": "ada@example.com",
}


def bill(reference: str, supplier: str, total: str, requester: str | None = None) -> Bill:
    sample = sample_bill(reference)
    who = sample.requester
    if requester is not None:
        who = Requester(user_id="dext-cat", name="Cat", email=requester)
    return sample.model_copy(
        update={"supplier": Supplier(name=supplier), "total": Decimal(total), "requester": who}
    )


async def found(
    approval: ApprovalHarness, org: Org, email: str | None = None, **params: str
) -> list[str]:
    """The document references of the requests the query finds, as ``email`` asks."""
    answer = await approval.http.get(org.path("/requests"), headers=org.auth(email), params=params)
    assert answer.status_code == 200, answer.text
    return sorted(r["document_reference"] for r in answer.json())


async def refusal(approval: ApprovalHarness, org: Org, **params: str) -> list[tuple[str, str]]:
    answer = await approval.http.get(org.path("/requests"), headers=org.auth(), params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    return [(e["field"], e["rule"]) for e in answer.json()["errors"]]


async def _decide(approval: ApprovalHarness, org: Org, item: str, action: str, **body: Any) -> None:
    request = await approval.request_of(org, item, state="in_approval")
    path = org.path(f"/requests/{request['request_id']}/{action}")
    answer = await approval.http.post(path, headers=org.auth(ANN), json=body)
    assert answer.status_code == 200, answer.text


async def test_requests_are_found_by_supplier_total_state_date_and_whose_they_are(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=PEOPLE)
        await approval.put_workflow(org, WORKFLOW)
        bills = {
            "north-1": bill("INV-N1", "Northwind Stationery Ltd", "126.60"),
            "north-2": bill("INV-N2", "NORTHWIND stationery ltd", "900.00"),
            "acme-1": bill("INV-A1", "Acme 100% Paper_Co", "55.00", requester=CAT),
        }
        for item, each in bills.items():
            await approval.submit(org, item, bill=each)
        for item in bills:
            await approval.request_of(org, item, state="in_approval")
        await _decide(approval, org, "north-1", "approve")
        await _decide(approval, org, "north-2", "reject", reason="Not our order")
        today = datetime.now(UTC).date()
        tomorrow, yesterday = (
            (today + timedelta(days=1)).isoformat(),
            (today - timedelta(days=1)).isoformat(),
        )
        rejected = (
            await approval.http.get(
                org.path("/requests"), headers=org.auth(CAT), params={"requested_by": "me"}
            )
        ).json()
        north_2 = (
            await approval.http.get(
                org.path("/requests"), headers=org.auth(), params={"state": "rejected"}
            )
        ).json()

        assert await found(approval, org, supplier="northwind") == ["INV-N1", "INV-N2"]
        assert await found(approval, org, supplier="100%") == ["INV-A1"]  # % taken literally
        assert await found(approval, org, supplier="0%p") == []
        assert await found(approval, org, supplier="a_er") == []  # _ taken literally too
        assert await found(approval, org, min_total="100", max_total="126.60") == ["INV-N1"]
        assert await found(approval, org, min_total="126.61") == ["INV-N2"]
        assert await found(approval, org, state="in_approval") == ["INV-A1"]
        assert await found(approval, org, opened_from=today.isoformat()) == [
            "INV-A1",
            "INV-N1",
            "INV-N2",
        ]
        assert await found(approval, org, opened_to=yesterday) == []
        assert await found(approval, org, opened_from=tomorrow) == []
        assert await found(approval, org, ANN, decided_by="me") == ["INV-N1", "INV-N2"]
        assert await found(approval, org, ANN, decided_by="me", state="published") == []
        assert await found(approval, org, decided_by="me") == []  # the admin decided none
        assert await found(approval, org, CAT) == ["INV-A1"]  # only what she takes part in
        assert await found(approval, org, CAT, requested_by="me") == ["INV-A1"]
        assert await found(approval, org, ANN, requested_by="me") == []
        assert [r["requester"]["email"] for r in rejected] == [CAT]
        assert [a["email"] for a in rejected[0]["awaiting"]] == [ANN]
        assert rejected[0]["rejection"] is None
        assert north_2[0]["rejection"]["by"]["email"] == ANN
        assert north_2[0]["rejection"]["reason"] == "Not our order"
        assert north_2[0]["awaiting"] == []

        assert await refusal(approval, org, min_total="10", max_total="5") == [
            ("max_total", "not_below_min")
        ]
        assert await refusal(approval, org, opened_from=tomorrow, opened_to=yesterday) == [
            ("opened_to", "not_before_from")
        ]
        assert await refusal(approval, org, state="lost") == [("state", "enum")]
        assert await refusal(approval, org, decided_by="cat") == [("decided_by", "literal_error")]
        assert await refusal(approval, org, min_total="ten") == [("min_total", "decimal_parsing")]
        assert await refusal(approval, org, opened_from="2026-13-01") == [
            ("opened_from", "date_from_datetime_parsing")
        ]
        assert await refusal(approval, org, supplier="x" * 201) == [("supplier", "too_long")]


async def test_a_user_reads_their_absence_and_whom_they_stand_in_for(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=PEOPLE)
        listed = await approval.http.get(org.path("/users"), headers=org.auth())
        users = {u["email"]: u["user_id"] for u in listed.json()}
        ann, cat = users[ANN], users[CAT]
        now = datetime.now(UTC)
        away = {
            "substitute_email": CAT,
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
        }
        put = await approval.http.put(
            org.path(f"/users/{ann}/absence"), headers=org.auth(ANN), json=away
        )
        ann_reads = await approval.http.get(
            org.path(f"/users/{ann}/out-of-office"), headers=org.auth(ANN)
        )
        cat_reads = await approval.http.get(
            org.path(f"/users/{cat}/out-of-office"), headers=org.auth(CAT)
        )
        cat_on_ann = await approval.http.get(
            org.path(f"/users/{ann}/out-of-office"), headers=org.auth(CAT)
        )

    assert put.status_code == 200, put.text
    assert ann_reads.json()["absence"]["substitute_email"] == CAT
    assert ann_reads.json()["standing_in_for"] == []
    assert cat_reads.json()["absence"] is None
    assert [p["email"] for p in cat_reads.json()["standing_in_for"]] == [ANN]
    assert cat_on_ann.status_code == 403
