"""Ingest refuses a malformed publication before touching the database (no IO here)."""

from __future__ import annotations

import uuid

import httpx
from countersign_ingest.app import create_app
from countersign_ingest.settings import IngestSettings


class Tripwire:
    """Stands in for the running service: any use of the database or broker fails the test."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"a refused request must not reach {name}")


async def test_a_bill_without_a_supplier_is_refused_naming_the_field() -> None:
    app = create_app(
        IngestSettings(database_url="postgresql://unused", kafka_bootstrap_servers="x")
    )
    app.state.runtime = Tripwire()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            f"/v1/organisations/{uuid.uuid4()}/cost-items",
            json={"dext_item_id": "d-1", "bill": {"document_type": "invoice"}},
        )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert "bill.supplier" in fields
    assert "bill.total" in fields
