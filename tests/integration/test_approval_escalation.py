"""Escalation on the real broker and database: two approval instances run the deadline pass on
the same requests, and each step left undecided past its deadline and delay is escalated
exactly once; the target then approves it, recorded in the escalation role."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from countersign_contracts import AuditAction, RequestStepEscalated, RequestStepOverdue
from countersign_harness.approval import running_approval
from countersign_harness.infra import Infrastructure

pytestmark = pytest.mark.integration

PEOPLE = [("ann@example.com", ["approver"]), ("cat@example.com", ["approver"])]
ITEMS = [f"late-{n}" for n in range(5)]


def manager_step(**extra: Any) -> dict[str, Any]:
    return {
        "steps": [{"name": "Manager", "approvers": [{"approver": "ann@example.com"}], **extra}],
        "default_approver": "ada@example.com",
    }


async def test_two_instances_escalate_each_late_step_exactly_once_and_the_target_decides(
    infra: Infrastructure, isolation: str
) -> None:
    escalation = {"to": "cat@example.com", "after_hours": 4}
    async with contextlib.AsyncExitStack() as stack:
        first, second = [
            await stack.enter_async_context(
                running_approval(infra, isolation, reminder_interval_s=0.2)
            )
            for _ in range(2)
        ]
        org = await first.register(users=PEOPLE)
        no_deadline = await first.http.put(
            org.path("/workflow"), headers=org.auth(), json=manager_step(escalation=escalation)
        )
        await first.put_workflow(org, manager_step(deadline_hours=24, escalation=escalation))
        for item in ITEMS:
            await first.submit(org, item)
        requests = [await first.request_of(org, item, state="in_approval") for item in ITEMS]
        ids = [r["request_id"] for r in requests]
        # A day and more passes: the deadline and the escalation delay are both behind them.
        await first.runtime.pool.execute(
            "UPDATE requests SET due_at = now() - interval '1 minute', document = jsonb_set("
            " jsonb_set(document, '{steps,0,due_at}', to_jsonb(now() - interval '5 hours')),"
            " '{steps,0,escalates_at}', to_jsonb(now() - interval '1 minute'))"
            " WHERE request_id = ANY($1::uuid[])",
            ids,
        )
        for rid in ids:
            await first.events(rid, until="RequestStepEscalated")
        await asyncio.sleep(1)  # five more passes of each instance
        events = {rid: await first.events(rid, until="never", timeout_s=2) for rid in ids}
        outbox = await first.runtime.pool.fetchval(
            "SELECT count(*) FROM outbox WHERE payload->>'event_type' = 'RequestStepEscalated'"
        )
        approved = await second.http.post(
            org.path(f"/requests/{ids[0]}/approve"), headers=org.auth("cat@example.com"), json={}
        )
        after = await second.request_of(org, ITEMS[0])
        pending = await second.request_of(org, ITEMS[1])

    assert no_deadline.status_code == 422
    assert [(e["field"], e["rule"]) for e in no_deadline.json()["errors"]] == [
        ("steps[0].escalation", "deadline_required")
    ]
    for rid in ids:
        escalated = [e for e in events[rid] if isinstance(e, RequestStepEscalated)]
        assert len(escalated) == 1, rid
        assert [(a.name, a.role) for a in escalated[0].escalated_to] == [("Cat", "escalation")]
        assert [a.name for a in escalated[0].awaiting] == ["Ann", "Cat"]
        assert sum(isinstance(e, RequestStepOverdue) for e in events[rid]) == 1
    assert outbox == len(ITEMS)
    assert approved.status_code == 200, approved.text
    assert after["state"] == "authorised"
    trail = after["audit_trail"]
    assert [e["action"] for e in trail].count(AuditAction.ESCALATED.value) == 1
    decision = next(e for e in trail if e["action"] == "approved")
    assert (decision["actor"]["name"], decision["actor"]["role"]) == ("Cat", "escalation")
    step = pending["current_step"]
    assert step["escalated_at"] is not None
    assert [p["email"] for p in step["escalated_to"]] == ["cat@example.com"]
