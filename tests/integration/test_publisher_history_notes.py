"""The approval written to the Xero bill's History and Notes: on by default, one note per
decision; an organisation's admin (or the operator) turns it off over HTTP, and the bills
published after that get none. Crashes around the notes: test_publisher_crashes.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from countersign_contracts import APPROVAL_REQUESTS, LEDGER_PUBLICATIONS
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import Infrastructure
from countersign_harness.publisher import running_publisher
from countersign_harness.publisher_samples import authorised_request, document_bytes, sample_bill
from countersign_harness.xero_process import XeroSandbox

from tests.integration.test_publisher_publication import events, send, settled, types

pytestmark = pytest.mark.integration


def notes_on(state: dict[str, Any], invoice_id: str) -> list[str]:
    return [r["Details"] for r in state["history"].get(invoice_id, []) if r["Changes"] == "Note"]


async def test_history_notes_are_on_by_default_and_off_for_bills_published_after_turning_off(
    infra: Infrastructure,
    isolation: str,
    settings_for: Any,
    xero_sandbox: XeroSandbox,
    documents: DocumentServer,
) -> None:
    tenant = xero_sandbox.create_tenant(name="Notes Trading Ltd")
    org = uuid.uuid4()
    first, second = sample_bill("HN-ON"), sample_bill("HN-OFF")
    for bill in (first, second):
        documents.add(bill.document.document_id, document_bytes(bill.document_reference))
    settings_path = f"/v1/organisations/{org}/publication-settings"
    async with running_publisher(settings_for()) as publisher:
        await publisher.connect(org, xero_sandbox, tenant["tenant_id"])
        default = (await publisher.http.get(settings_path)).json()
        on = authorised_request(first)
        await send(infra, isolation, APPROVAL_REQUESTS, org, on)
        (written,) = await settled(publisher, org, on.dext_item_id)

        turned_off = await publisher.http.put(settings_path, json={"xero_history_notes": False})
        refused = await publisher.http.put(settings_path, json={"xero_history_notes": "maybe"})
        off = authorised_request(second)
        await send(infra, isolation, APPROVAL_REQUESTS, org, off)
        (unwritten,) = await settled(publisher, org, off.dext_item_id)
        published = await events(
            infra,
            isolation,
            LEDGER_PUBLICATIONS,
            lambda e: types(e).count("PublicationCompleted") == 2,
        )

    assert default == {
        "organisation_id": str(org),
        "xero_history_notes": True,
        # Bypass detection's start date: the day Xero was connected (ADR 0055).
        "bypass_detection_from": datetime.now(UTC).date().isoformat(),
        "changed_by": None,
        "changed_at": None,
        "ledger_mode": "direct",  # as the publisher acts on it (ADR 0058)
    }
    assert turned_off.status_code == 200, turned_off.text
    assert turned_off.json()["xero_history_notes"] is False
    assert turned_off.json()["changed_by"] == "operator"
    assert refused.status_code == 422 and "xero_history_notes" in refused.text

    state = xero_sandbox.state(tenant["tenant_id"])
    assert (written["state"], unwritten["state"]) == ("completed", "completed")
    assert (written["history_notes"], unwritten["history_notes"]) == (3, None)
    assert notes_on(state, unwritten["xero_invoice_id"]) == []
    # Newest first, as Xero lists them: the three decisions, in one call.
    assert notes_on(state, written["xero_invoice_id"]) == [
        'Countersign, step 3 "Director approval": force-approved by Olu Adebayo'
        ' (administrator), 2026-11-03 09:30 UTC: "Director away; forced"',
        'Countersign, step 2 "Finance approval": approved by Priya Natarajan,'
        ' 2026-11-03 09:30 UTC: "Fine by me"',
        'Countersign, step 1 "Review": reviewed by Ravi Mehta, 2026-11-03 09:30 UTC:'
        ' "Coded to expenses"',
    ]
    added = [e["payload"] for e in published if e["event_type"] == "HistoryNotesAdded"]
    assert [(a["publication_id"], a["notes"]) for a in added] == [(written["publication_id"], 3)]
