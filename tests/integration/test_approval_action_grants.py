"""E-mail buttons on the real database (ADR 0048): the notifier gets a single-use grant for the
decision of a person the step waits for; the web app shows what it is for and decides with it,
as that person; the grant is spent with the decision, or not at all.

    grant for Ann (awaited) ─▶ preview ─▶ approve ─▶ the step decided as Ann; again ─▶ 403
    grant for someone not awaited ─▶ 409 · a reject without its reason ─▶ 422, nothing spent
    a grant whose step moved on ─▶ 409, not spent · no client credential ─▶ 401
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from countersign_harness.approval import ApprovalHarness, Org, running_approval
from countersign_harness.infra import Infrastructure

from tests.integration.test_approval_sign_in import AS_NOTIFIER, AS_WEB, CLIENTS

pytestmark = pytest.mark.integration

ANN, BOB = "ann@example.com", "bob@example.com"
WORKFLOW = {
    "name": "Bills",
    "steps": [{"name": "Manager", "approvers": [{"approver": ANN}, {"approver": BOB}]}],
    "default_approver": "ada@example.com",
}


@pytest.fixture
async def approval(infra: Infrastructure, isolation: str) -> AsyncIterator[ApprovalHarness]:
    async with running_approval(infra, isolation, clients=CLIENTS) as running:
        yield running


async def _waiting(
    approval: ApprovalHarness, item: str
) -> tuple[Org, dict[str, Any], dict[str, str]]:
    org = await approval.register(users=[(ANN, ["approver"]), (BOB, ["approver"])])
    await approval.put_workflow(org, WORKFLOW)
    await approval.submit(org, item)
    request = await approval.request_of(org, item, state="in_approval")
    users = await approval.http.get(org.path("/users"), headers=org.auth())
    ids = {u["email"]: u["user_id"] for u in users.json()}
    return org, request, ids


async def _grant(approval: ApprovalHarness, org: Org, request: dict[str, Any], user_id: str) -> Any:
    body = {"organisation_id": str(org.organisation_id), "request_id": request["request_id"],
            "user_id": user_id}  # fmt: skip
    return await approval.http.post("/action-grants", json=body, headers=AS_NOTIFIER)


async def test_a_grant_decides_once_as_its_person(approval: ApprovalHarness) -> None:
    org, request, ids = await _waiting(approval, "grant-1")
    issued = await _grant(approval, org, request, ids[ANN])
    not_awaited = await _grant(approval, org, request, ids["ada@example.com"])
    grant = issued.json()["grant"]
    anonymous = await approval.http.post("/action-grants/preview", json={"grant": grant})
    shown = await approval.http.post(
        "/action-grants/preview", json={"grant": grant}, headers=AS_WEB
    )
    unreasoned = await approval.http.post(
        "/action-grants/decide", json={"grant": grant, "decision": "reject"}, headers=AS_WEB
    )
    decided = await approval.http.post(
        "/action-grants/decide",
        json={"grant": grant, "decision": "approve", "comment": "from my phone"},
        headers=AS_WEB,
    )
    again = await approval.http.post(
        "/action-grants/decide", json={"grant": grant, "decision": "approve"}, headers=AS_WEB
    )

    assert issued.status_code == 201, issued.text
    assert issued.headers["Cache-Control"] == "no-store"
    assert (issued.json()["step"], grant.startswith("csg_")) == (0, True)
    assert not_awaited.status_code == 409
    assert anonymous.status_code == 401
    assert shown.status_code == 200, shown.text
    assert (shown.json()["name"], shown.json()["request"]["request_id"]) == (
        "Ann",
        request["request_id"],
    )
    assert unreasoned.status_code == 422  # and the grant is still good: it decided next
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "authorised"
    approved = [e for e in decided.json()["audit_trail"] if e["action"] == "approved"]
    assert [(e["actor"]["email"], e["comment"]) for e in approved] == [(ANN, "from my phone")]
    assert again.status_code == 403 and again.json()["type"].endswith("sign-in-refused")


async def test_a_grant_whose_step_moved_on_decides_nothing(approval: ApprovalHarness) -> None:
    org, request, ids = await _waiting(approval, "grant-2")
    grant = (await _grant(approval, org, request, ids[ANN])).json()["grant"]
    bob = await approval.http.post(
        org.path(f"/requests/{request['request_id']}/approve"), headers=org.auth(BOB), json={}
    )
    late = await approval.http.post(
        "/action-grants/decide", json={"grant": grant, "decision": "reject", "comment": "no"},
        headers=AS_WEB,
    )  # fmt: skip
    after = await approval.http.get(
        org.path(f"/requests/{request['request_id']}"), headers=org.auth()
    )

    assert bob.status_code == 200, bob.text
    assert late.status_code == 409
    assert after.json()["state"] == "authorised"
    assert "rejected" not in [e["action"] for e in after.json()["audit_trail"]]


async def test_an_expired_grant_or_one_for_another_organisation_decides_nothing(
    approval: ApprovalHarness,
) -> None:
    org, request, ids = await _waiting(approval, "grant-3")
    other, theirs, their_ids = await _waiting(approval, "grant-4")
    grant = (await _grant(approval, org, request, ids[ANN])).json()["grant"]
    await approval.runtime.pool.execute(
        "UPDATE action_grants SET expires_at = now() - interval '1 second'"
        " WHERE organisation_id = $1",
        org.organisation_id,
    )
    expired = [
        await approval.http.post(f"/action-grants/{use}", json=body, headers=AS_WEB)
        for use, body in (
            ("preview", {"grant": grant}),
            ("decide", {"grant": grant, "decision": "approve"}),
        )
    ]
    # The notifier asks for its organisation's request with another's user, or the reverse.
    crossed = [
        await _grant(approval, org, request, their_ids[ANN]),
        await _grant(approval, other, request, ids[ANN]),
    ]
    after = await approval.http.get(
        org.path(f"/requests/{request['request_id']}"), headers=org.auth()
    )

    assert [a.status_code for a in expired] == [403, 403]
    assert all("used, expired" in a.json()["detail"] for a in expired)
    assert [a.status_code for a in crossed] == [409, 404], [a.text for a in crossed]
    assert after.json()["state"] == "in_approval"
    assert "approved" not in [e["action"] for e in after.json()["audit_trail"]]
    assert theirs["state"] == "in_approval"
