"""The approval service on the real broker and database, driven through its HTTP API: review
and three steps to RequestAuthorised, rejection, resubmission, auto-approval, racing decisions
and another organisation's user."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from countersign_contracts import (
    AuditAction,
    RequestAuthorised,
    RequestOpened,
    RequestRejected,
    RequestStepDecided,
    RequestStepOverdue,
    RequestSuperseded,
)
from countersign_harness.approval import ApprovalHarness, Org, running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.samples import sample_bill

pytestmark = pytest.mark.integration

PEOPLE = [
    ("rex@example.com", ["reviewer"]),
    ("ann@example.com", ["approver"]),
    ("bob@example.com", ["approver"]),
    ("cat@example.com", ["approver"]),
    ("dan@example.com", ["approver"]),
    ("eve@example.com", ["approver"]),
    ("aud@example.com", ["auditor"]),
]


def three_steps(review: bool = False, **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": "Bills",
        "steps": [
            {
                "name": "Manager",
                "approvers": [{"approver": "ann@example.com"}, {"approver": "bob@example.com"}],
            },
            {
                "name": "Finance",
                "completion": "all",
                "approvers": [{"approver": "cat@example.com"}, {"approver": "dan@example.com"}],
            },
            {"name": "CFO", "approvers": [{"approver": "eve@example.com"}]},
        ],
        "default_approver": "ada@example.com",
        **extra,
    }
    if review:
        document["review"] = {"reviewers": ["rex@example.com"]}
    return document


async def decide(
    approval: ApprovalHarness,
    org: Org,
    request_id: str,
    who: str,
    verb: str = "approve",
    **body: Any,
) -> Any:
    return await approval.http.post(
        org.path(f"/requests/{request_id}/{verb}"), headers=org.auth(who), json=body
    )


async def test_review_and_three_steps_take_a_submitted_item_to_authorised(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=PEOPLE)
        await approval.put_workflow(org, three_steps(review=True))
        await approval.submit(org, "item-1")
        request = await approval.request_of(org, "item-1", state="in_review")
        rid = request["request_id"]
        assert request["original_document_url"] == "https://dext.example/items/INV-item-1"

        pending = await approval.http.get(
            org.path("/requests/pending"), headers=org.auth("rex@example.com")
        )
        assert [r["request_id"] for r in pending.json()] == [rid]
        recoded = await approval.http.patch(
            org.path(f"/requests/{rid}/lines/0"),
            headers=org.auth("rex@example.com"),
            json={"account_code": "400", "tracking": [{"category": "Region", "option": "South"}]},
        )
        assert recoded.status_code == 200, recoded.text
        submitted = await decide(approval, org, rid, "rex@example.com", "review", comment="coded")
        assert submitted.json()["current_step"]["name"] == "Manager"

        steps = [
            ("ann@example.com", 1),
            ("cat@example.com", 2),
            ("dan@example.com", 2),
            ("eve@example.com", 3),
        ]
        for who, position in steps:
            response = await decide(approval, org, rid, who, comment=f"ok {who}", step=position)
            assert response.status_code == 200, response.text

        events = await approval.events(rid, until="RequestAuthorised")
        final = await approval.http.get(
            org.path(f"/requests/{rid}"), headers=org.auth("aud@example.com")
        )

    types = [e.event_type for e in events]
    assert types[0] == "RequestOpened" and types[-1] == "RequestAuthorised"
    assert types.count("RequestStepDecided") == 5  # review + 4 approvals
    authorised = events[-1]
    assert isinstance(authorised, RequestAuthorised) and not authorised.auto_approved
    assert authorised.bill.lines[0].account_code == "400"
    trail = authorised.audit_trail
    assert [e.action for e in trail] == [
        AuditAction.SUBMITTED,
        AuditAction.EDITED,
        AuditAction.REVIEW_SUBMITTED,
        *[AuditAction.APPROVED] * 4,
        AuditAction.AUTHORISED,
    ]
    changes = {c.field: (c.before, c.after) for c in trail[1].changes}
    assert changes["lines[0].account_code"] == ("429", "400")
    assert "North" in (changes["lines[0].tracking"][0] or "")
    assert [e.step.name for e in trail[3:7] if e.step] == ["Manager", "Finance", "Finance", "CFO"]
    assert final.json()["state"] == "authorised"


async def test_rejection_at_step_two_needs_a_reason_and_ends_the_request(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=PEOPLE)
        await approval.put_workflow(org, three_steps())
        await approval.submit(org, "item-2")
        rid = (await approval.request_of(org, "item-2", state="in_approval"))["request_id"]
        assert (await decide(approval, org, rid, "bob@example.com")).status_code == 200
        no_reason = await decide(approval, org, rid, "cat@example.com", "reject")
        rejected = await decide(
            approval, org, rid, "cat@example.com", "reject", reason="Not our supplier"
        )
        late = await decide(approval, org, rid, "dan@example.com")
        events = await approval.events(rid, until="RequestRejected")

    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert late.status_code == 409
    final = events[-1]
    assert isinstance(final, RequestRejected)
    assert final.reason == "Not our supplier" and final.step is not None
    assert (final.step.index, final.step.name) == (1, "Finance")
    assert "RequestAuthorised" not in [e.event_type for e in events]


async def test_resubmission_supersedes_and_restarts_at_the_first_step(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=PEOPLE)
        await approval.put_workflow(org, three_steps())
        await approval.submit(org, "item-3")
        first = (await approval.request_of(org, "item-3", state="in_approval"))["request_id"]
        await decide(approval, org, first, "ann@example.com")
        await decide(approval, org, first, "cat@example.com", "reject", reason="Wrong amount")
        await approval.submit(org, "item-3", version=2, bill=sample_bill("INV-item-3-amended"))
        second = await approval.request_of(org, "item-3", version=2, state="in_approval")
        old = await approval.request_of(org, "item-3", version=1)
        first_events = await approval.events(first, until="RequestSuperseded")
        second_events = await approval.events(second["request_id"], until="RequestOpened")

    assert old["state"] == "superseded"
    assert second["current_step"]["name"] == "Manager"
    assert not any(a["approved"] for a in second["current_step"]["approvers"])
    assert second["supersedes_request_id"] == first
    superseded = first_events[-1]
    assert isinstance(superseded, RequestSuperseded) and superseded.superseded_by_item_version == 2
    opened = second_events[0]
    assert isinstance(opened, RequestOpened) and str(opened.supersedes_request_id) == first
    assert opened.current_step is not None and opened.current_step.index == 0
    actions = [e["action"] for e in second["audit_trail"]]
    assert actions == ["submitted", "approved", "rejected", "superseded", "submitted"]


async def test_auto_approval_below_a_threshold_skips_the_steps(
    infra: Infrastructure, isolation: str
) -> None:
    rule = {"conditions": [{"field": "total", "operator": "<", "amount": "500"}]}
    big = sample_bill("INV-big").model_copy(update={"total": Decimal("5000.00")})
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=PEOPLE)
        await approval.put_workflow(org, three_steps(auto_approval=[rule]))
        await approval.submit(org, "small")  # 126.60 GBP
        await approval.submit(org, "big", bill=big)
        small = await approval.request_of(org, "small", state="authorised")
        large = await approval.request_of(org, "big", state="in_approval")
        events = await approval.events(small["request_id"], until="RequestAuthorised")

    assert small["auto_approved"] is True
    assert [e["action"] for e in small["audit_trail"]] == [
        "submitted",
        "auto_approved",
        "authorised",
    ]
    assert [e.event_type for e in events] == ["RequestOpened", "RequestAuthorised"]
    assert large["auto_approved"] is False and large["current_step"]["name"] == "Manager"


async def test_two_approvers_deciding_at_once_exactly_one_wins(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=PEOPLE)
        await approval.put_workflow(org, three_steps())
        await approval.submit(org, "race")
        rid = (await approval.request_of(org, "race", state="in_approval"))["request_id"]
        responses = await asyncio.gather(
            decide(approval, org, rid, "ann@example.com", comment="ann", step=0),
            decide(approval, org, rid, "bob@example.com", comment="bob", step=0),
        )
        after = await approval.request_of(org, "race")
        decided = await approval.events(rid, until="RequestStepDecided")

    assert sorted(r.status_code for r in responses) == [200, 409]
    approvals = [e for e in after["audit_trail"] if e["action"] == "approved"]
    assert len(approvals) == 1
    assert after["current_step"]["name"] == "Finance"
    assert len([e for e in decided if isinstance(e, RequestStepDecided)]) == 1


async def test_a_decision_by_another_organisations_user_is_refused_and_nothing_recorded(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        ours = await approval.register(users=PEOPLE)
        theirs = await approval.register(users=[("ann@example.com", ["approver"])])
        await approval.put_workflow(ours, three_steps())
        await approval.submit(ours, "guarded")
        before = await approval.request_of(ours, "guarded", state="in_approval")
        rid = before["request_id"]
        outbox_before = await approval.runtime.pool.fetchval("SELECT count(*) FROM outbox")
        intruder = {"Authorization": f"Bearer {theirs.tokens['ann@example.com']}"}
        via_our_path = await approval.http.post(
            ours.path(f"/requests/{rid}/approve"), headers=intruder, json={}
        )
        via_their_path = await approval.http.post(
            theirs.path(f"/requests/{rid}/approve"), headers=intruder, json={}
        )
        not_in_step = await decide(approval, ours, rid, "eve@example.com")
        auditor = await decide(approval, ours, rid, "aud@example.com")
        after = await approval.request_of(ours, "guarded")
        outbox_after = await approval.runtime.pool.fetchval("SELECT count(*) FROM outbox")

    assert via_our_path.status_code == 404
    assert via_their_path.status_code == 404
    assert not_in_step.status_code == 403 and auditor.status_code == 403
    assert after["audit_trail"] == before["audit_trail"]
    assert after["current_step"] == before["current_step"]
    assert outbox_after == outbox_before


async def test_a_step_past_its_deadline_is_reminded_of_once_and_one_within_it_is_not(
    infra: Infrastructure, isolation: str
) -> None:
    document = {
        "steps": [
            {
                "name": "Manager",
                "approvers": [{"approver": "ann@example.com"}],
                "deadline_hours": 24,
            }
        ],
        "default_approver": "ada@example.com",
    }
    async with running_approval(infra, isolation, reminder_interval_s=0.2) as approval:
        org = await approval.register(users=[("ann@example.com", ["approver"])])
        await approval.put_workflow(org, document)
        await approval.submit(org, "late")
        await approval.submit(org, "in-time")
        late = await approval.request_of(org, "late", state="in_approval")
        in_time = await approval.request_of(org, "in-time", state="in_approval")
        # A day passes for "late" only: its deadline is now a minute ago.
        await approval.runtime.pool.execute(
            "UPDATE requests SET due_at = now() - interval '1 minute', document = jsonb_set("
            " document, '{steps,0,due_at}', to_jsonb(now() - interval '1 minute'))"
            " WHERE request_id = $1::uuid",
            late["request_id"],
        )
        await approval.events(late["request_id"], until="RequestStepOverdue")
        await asyncio.sleep(1)  # five more passes
        in_time_events = await approval.events(in_time["request_id"], until="never", timeout_s=2)
        late_events = await approval.events(late["request_id"], until="never", timeout_s=2)
        late_now = await approval.request_of(org, "late")

    overdue = [e for e in late_events if isinstance(e, RequestStepOverdue)]
    assert len(overdue) == 1
    assert overdue[0].step.name == "Manager"
    assert [a.name for a in overdue[0].awaiting] == ["Ann"]
    assert not any(isinstance(e, RequestStepOverdue) for e in in_time_events)
    assert late_now["state"] == "in_approval"  # the step keeps waiting
    assert late_now["current_step"]["overdue_at"] is not None
    assert in_time["current_step"]["due_at"] is not None
    assert in_time["current_step"]["overdue_at"] is None
