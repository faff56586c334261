"""Worked webhook events are not kept for ever: after ``PUBLISHER_XERO_CHANGE_EVENTS_KEPT_S``
the change watcher deletes them, and only them (real Postgres, the publisher's own loops)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

import pytest
from countersign_harness.publisher import running_publisher
from countersign_harness.waiting import eventually

pytestmark = pytest.mark.integration

KEY = "webhook-key-for-the-retention-test"


def _delivery(tenant_id: str) -> tuple[bytes, dict[str, str]]:
    event = {"resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/x",
             "resourceId": str(uuid.uuid4()), "eventDateUtc": "2026-05-01T10:00:00.123",
             "eventType": "UPDATE", "eventCategory": "INVOICE", "tenantId": tenant_id,
             "tenantType": "ORGANISATION"}  # fmt: skip
    payload = {"events": [event], "firstEventSequence": 1, "lastEventSequence": 1,
               "entropy": "ABCDEFGHIJ"}  # fmt: skip
    body = json.dumps(payload).encode()
    digest = hmac.new(KEY.encode(), body, hashlib.sha256).digest()
    return body, {"x-xero-signature": base64.b64encode(digest).decode()}


async def test_worked_events_are_deleted_after_their_keeping_time_and_waiting_ones_are_not(
    settings_for: Any,
) -> None:
    config = settings_for(
        xero_webhook_key=KEY, xero_change_events_kept_s=1.0, worker_poll_interval_s=0.2
    )
    tenant_id = f"no-such-tenant-{uuid.uuid4()}"  # worked at once: no organisation holds it
    async with running_publisher(config) as publisher:
        pool = publisher.runtime.pool

        async def rows() -> list[Any]:
            return await pool.fetch(
                "SELECT outcome FROM xero_change_events WHERE tenant_id = $1", tenant_id
            )

        # One waiting event (due tomorrow), as a Xero outage leaves it between its tries.
        await pool.execute(
            "INSERT INTO xero_change_events (tenant_id, event_category, resource_id,"
            " event_date_utc, event_type, next_attempt_at)"
            " VALUES ($1, 'INVOICE', $2, now(), 'CREATE', now() + interval '1 day')",
            tenant_id,
            uuid.uuid4(),
        )
        body, headers = _delivery(tenant_id)
        answer = await publisher.http.post("/v1/xero/webhooks", content=body, headers=headers)
        worked = await eventually(rows, lambda found: "no_organisation" in {r[0] for r in found})
        left = await eventually(rows, lambda found: len(found) == 1, timeout_s=15)

    assert answer.status_code == 200
    assert sorted(r[0] or "" for r in worked) == ["", "no_organisation"]
    assert [r[0] for r in left] == [None]  # the waiting one stays
