"""The via-Xero mode's settings in approval (ADR 0058), on the real broker and database: an
administrator switches an organisation to via_xero with the user who owns pulled bills, the
rules refuse it without one (problem+json naming the field), and ingest and the publisher are
told on approval.organisations.v1."""

from __future__ import annotations

import uuid

import pytest
from countersign_contracts import ORGANISATIONS, LedgerMode, decode
from countersign_harness.approval import running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import read_until

pytestmark = pytest.mark.integration


async def test_an_administrator_switches_to_via_xero_with_a_requester_and_back(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=[("finance@example.com", ["approver"])])
        users = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        [finance] = [u["user_id"] for u in users if u["email"] == "finance@example.com"]

        async def patch(body: dict[str, object]) -> tuple[int, dict[str, object]]:
            response = await approval.http.patch(
                org.path("/settings"), headers=org.auth(), json=body
            )
            return response.status_code, response.json()

        without = await patch({"ledger_mode": "via_xero"})
        nobody = await patch({"ledger_mode": "via_xero", "via_xero_requester": str(uuid.uuid4())})
        switched = await patch({"ledger_mode": "via_xero", "via_xero_requester": finance})
        removal = await approval.http.delete(org.path(f"/users/{finance}"), headers=org.auth())
        back = await patch({"ledger_mode": "direct"})
        records = await read_until(
            infra.kafka_bootstrap_servers,
            approval.prefix + ORGANISATIONS,
            lambda rs: len(rs) >= 3,
        )

    for (status, problem), rule in ((without, "required"), (nobody, "unknown_user")):
        assert status == 422
        assert [(e["field"], e["rule"]) for e in problem["errors"]] == [  # type: ignore[attr-defined]
            ("via_xero_requester", rule)
        ]
    assert switched == (
        200,
        {"duplicate_policy": "warn", "ledger_mode": "via_xero", "via_xero_requester": finance},
    )
    assert removal.status_code == 409 and "via_xero_requester" in removal.text
    assert back[1]["ledger_mode"] == "direct" and back[1]["via_xero_requester"] == finance
    events = [decode(ORGANISATIONS, r.value).payload for r in records]
    assert [(e.ledger_mode, e.via_xero_requester) for e in events] == [
        (LedgerMode.DIRECT, None),
        (LedgerMode.VIA_XERO, uuid.UUID(finance)),
        (LedgerMode.DIRECT, uuid.UUID(finance)),
    ]
