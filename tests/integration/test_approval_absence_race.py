"""An absence and a substitute's decision on the real database: who stands in for the caller is
read inside the decision's transaction, after the organisation's workflow lock, so an absence
cleared while the decision waits for that lock lets no decision through (ADR 0023)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from countersign_approval.db.absences import Absences
from countersign_approval.db.workflows import Workflows
from countersign_harness.approval import running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.waiting import eventually

pytestmark = pytest.mark.integration

ANN, BOB = "ann@example.com", "bob@example.com"
ONE_STEP: dict[str, Any] = {
    "steps": [{"name": "Manager", "approvers": [{"approver": ANN}]}],
    "default_approver": "ada@example.com",
}
# Decisions and absence changes of one organisation meet at its workflow lock, an advisory
# lock whose second key is hashtext(organisation id) (db/workflows.py); pg_locks shows that key,
# unsigned, as objid.
WAITING_FOR_THE_LOCK = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    " AND objid::bigint = (hashtext($1)::bigint + 4294967296) % 4294967296"
)


def away(substitute: str) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "substitute_email": substitute,
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
    }


async def test_an_absence_cleared_while_a_substitute_decides_lets_no_decision_through(
    infra: Infrastructure, isolation: str
) -> None:
    users = [(ANN, ["approver"]), (BOB, ["approver"])]
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=users)
        people = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        ann = next(u["user_id"] for u in people if u["email"] == ANN)
        await approval.put_workflow(org, ONE_STEP)
        set_away = await approval.http.put(
            org.path(f"/users/{ann}/absence"), headers=org.auth(ANN), json=away(BOB)
        )
        await approval.submit(org, "raced")
        rid = (await approval.request_of(org, "raced", state="in_approval"))["request_id"]
        pool: asyncpg.Pool = approval.runtime.pool
        async with pool.acquire() as clearing:
            # Ann comes back: the clear's transaction, held open at the moment Bob decides.
            transaction = clearing.transaction()
            await transaction.start()
            await Workflows(clearing).lock(org.organisation_id, exclusive=True)
            assert await Absences(clearing).clear(ann)
            decision = asyncio.create_task(
                approval.http.post(
                    org.path(f"/requests/{rid}/approve"), headers=org.auth(BOB), json={}
                )
            )

            async def waiting() -> int:
                count: int = await pool.fetchval(WAITING_FOR_THE_LOCK, str(org.organisation_id))
                return count

            blocked = await eventually(waiting, lambda n: n > 0 or decision.done(), 10)
            await transaction.commit()
        by_bob = await decision
        after = await approval.http.get(org.path(f"/requests/{rid}"), headers=org.auth())

    assert set_away.status_code == 200
    assert blocked > 0, "Bob's decision did not wait for the clear to end"
    assert by_bob.status_code == 403, by_bob.text
    assert by_bob.json()["type"].endswith("not-a-participant")
    request = after.json()
    assert request["state"] == "in_approval"
    assert [e["action"] for e in request["audit_trail"] if e["action"] == "approved"] == []
    assert [a["email"] for a in request["current_step"]["approvers"]] == [ANN]
