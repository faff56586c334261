"""Publishing through ingest's signed API on the real broker and database: what is stored, what
goes on the topics, republish, idempotent replay, withdrawal, and the original document."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from countersign_contracts import BANK_TRANSACTIONS, COST_ITEMS
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import jpeg, pdf, png
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.ingest import RunningIngest, new_secret
from countersign_harness.kafka import read_until

pytestmark = pytest.mark.integration

ORIGINAL = pdf("Northwind Stationery Ltd", "Invoice NW-7")


def invoice(item: str = "nw-7", quantity: str = "5") -> dict[str, Any]:
    lines = [
        line("Paper", quantity, "21.10", tracking=[("Region", "North"), ("Team", "Ops")]),
        line("Toner", "1", "64.99", account_code="463"),
    ]
    return cost_item(item, "invoice", lines, reference="NW-7", due_in_days=30)


async def _events(
    ingest: RunningIngest, dext: DextClient, topic: str, count: int
) -> list[dict[str, Any]]:
    """The organisation's events on ``topic``, once ``count`` are there (or time is up)."""

    def mine(records: list[Any]) -> list[dict[str, Any]]:
        events = [json.loads(record.value) for record in records]
        return [e for e in events if e["organisation_id"] == dext.organisation_id]

    records = await read_until(
        ingest.runtime.settings.kafka_bootstrap_servers,
        ingest.topic_prefix + topic,
        lambda found: len(mine(found)) >= count,
        timeout_s=10,
    )
    return mine(records)


async def test_a_cost_item_is_stored_with_its_file_and_submitted_for_approval(
    ingest: RunningIngest, dext: DextClient
) -> None:
    response = await dext.publish_cost_item(invoice(), "NW-7.pdf", ORIGINAL)

    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["version"] == 1
    [event] = await _events(ingest, dext, COST_ITEMS, 1)
    assert event["event_type"] == "CostItemSubmitted"
    assert event["organisation_id"] == dext.organisation_id
    assert event["correlation_id"] == answer["correlation_id"]
    bill = event["payload"]["bill"]
    assert bill["supplier"] == {"name": "Northwind Stationery Ltd", "xero_contact_id": None}
    assert bill["total"] == "204.59" and bill["lines"][0]["tracking"][1]["option"] == "Ops"
    assert bill["document"]["media_type"] == "application/pdf"
    assert bill["document"]["document_id"] == answer["document_id"]
    assert bill["document"]["size_bytes"] == len(ORIGINAL)
    [stored] = await ingest.fetch(
        "SELECT content FROM documents WHERE organisation_id = $1", uuid.UUID(dext.organisation_id)
    )
    assert bytes(stored["content"]) == ORIGINAL


async def test_only_an_invoice_keeps_its_own_due_date_and_number(
    ingest: RunningIngest, dext: DextClient
) -> None:
    issued = date.today() - timedelta(days=4)
    receipt = cost_item("r-1", "receipt", [line("Lunch", "1", "30.00")], issue=issued)
    assert (await dext.publish_cost_item(receipt, "r.jpg", jpeg())).status_code == 202

    [event] = await _events(ingest, dext, COST_ITEMS, 1)
    bill = event["payload"]["bill"]
    assert bill["due_date"] == issued.isoformat()
    assert bill["document_reference"] == "DEXT-r-1"
    assert bill["document"]["media_type"] == "image/jpeg"


async def test_an_expense_report_is_one_bill_from_the_requester_with_a_line_per_expense(
    ingest: RunningIngest, dext: DextClient
) -> None:
    expenses = [
        line("Train", "1", "86.40", amount_type="no_tax"),
        line("Hotel", "1", "119.00", amount_type="no_tax"),
        line("Taxi", "1", "23.80", amount_type="no_tax"),
    ]
    report = cost_item("x-1", "expense_report", expenses, supplier=None, amount_type="no_tax")
    assert (await dext.publish_cost_item(report, "x.pdf", ORIGINAL)).status_code == 202

    [event] = await _events(ingest, dext, COST_ITEMS, 1)
    bill = event["payload"]["bill"]
    assert bill["supplier"]["name"] == "Priya Natarajan - Expense report"
    assert [x["description"] for x in bill["lines"]] == ["Train", "Hotel", "Taxi"]
    assert bill["total"] == "229.20"


async def test_a_bank_transaction_goes_to_the_bank_topic_without_approval(
    ingest: RunningIngest, dext: DextClient
) -> None:
    lines = [line("Parking", "1", "95.00", amount_type="inclusive")]
    meta = {
        "dext_item_id": "bank-1",
        "document_type": "receipt",
        "contact": {"name": "City Parking"},
        "bank_account": {"code": "090", "name": "Current"},
        "transaction_date": date.today().isoformat(),
        "reference": "PARK-1",
        "currency": "EUR",
        "line_amount_type": "inclusive",
        "lines": lines,
        "subtotal": "79.17",
        "total_tax": "15.83",
        "total": "95.00",
        "requester": {"user_id": "u1", "name": "Priya", "email": "priya@example.com"},
        "source_url": "https://dext.example/costs/bank-1",
    }
    response = await dext.publish_bank_transaction(meta, "parking.png", png())

    assert response.status_code == 202, response.text
    [event] = await _events(ingest, dext, BANK_TRANSACTIONS, 1)
    assert event["event_type"] == "BankTransactionSubmitted"
    assert event["payload"]["bank_account"]["code"] == "090"
    assert event["payload"]["document"]["media_type"] == "image/png"
    assert (await ingest.counts(uuid.UUID(dext.organisation_id)))["outbox"] == 1


async def test_a_republished_item_is_version_two_superseding_version_one(
    ingest: RunningIngest, dext: DextClient
) -> None:
    first = await dext.publish_cost_item(invoice(quantity="5"), "NW-7.pdf", ORIGINAL)
    second = await dext.publish_cost_item(invoice(quantity="6"), "NW-7.pdf", ORIGINAL)

    assert (first.status_code, second.status_code) == (202, 202)
    assert second.json()["version"] == 2
    assert second.json()["correlation_id"] == first.json()["correlation_id"]
    events = await _events(ingest, dext, COST_ITEMS, 2)
    assert [(e["payload"]["version"], e["payload"]["supersedes_version"]) for e in events] == [
        (1, None),
        (2, 1),
    ]
    assert events[1]["payload"]["bill"]["lines"][0]["quantity"] == "6"
    counts = await ingest.counts(uuid.UUID(dext.organisation_id))
    assert (counts["item_versions"], counts["documents"]) == (2, 1)  # same file, stored once


async def test_publishing_the_same_item_again_changes_nothing_and_answers_the_same(
    ingest: RunningIngest, dext: DextClient
) -> None:
    first = await dext.publish_cost_item(invoice(), "NW-7.pdf", ORIGINAL)
    org = uuid.UUID(dext.organisation_id)
    before = await ingest.counts(org)
    again = await dext.publish_cost_item(invoice(), "NW-7.pdf", ORIGINAL)

    assert again.status_code == 200
    assert again.json() == first.json()
    after = await ingest.counts(org)
    assert after == {**before, "seen_signatures": before["seen_signatures"] + 1}
    assert len(await _events(ingest, dext, COST_ITEMS, 2)) == 1


async def test_a_file_of_exactly_10_mb_is_accepted_and_stored_whole(
    ingest: RunningIngest, dext: DextClient
) -> None:
    """10 MB is 10,000,000 bytes (Xero's attachment limit read strictly); one byte more is a
    413 (test_ingest_refusals: "file one byte over 10 MB")."""
    largest = ORIGINAL + b"%" * (10_000_000 - len(ORIGINAL))

    response = await dext.publish_cost_item(invoice(), "NW-7.pdf", largest)

    assert response.status_code == 202, response.text
    [stored] = await ingest.fetch(
        "SELECT length(content) AS size FROM documents WHERE organisation_id = $1",
        uuid.UUID(dext.organisation_id),
    )
    assert stored["size"] == 10_000_000


async def test_metadata_of_exactly_256_kb_is_accepted(dext: DextClient) -> None:
    """256 KB is 256,000 bytes, said the same way as the file's 10 MB (JSON whitespace pads
    the part to the edge); one byte more is a 413 (test_ingest_refusals)."""
    metadata = json.dumps(invoice()).ljust(256_000)

    path = f"/v1/organisations/{dext.organisation_id}/cost-items"
    file = ("NW-7.pdf", ORIGINAL, "application/pdf")
    response = await dext.send(dext.sign(dext.build("POST", path, metadata=metadata, file=file)))

    assert response.status_code == 202, response.text


async def test_a_new_file_alone_is_a_new_version(ingest: RunningIngest, dext: DextClient) -> None:
    await dext.publish_cost_item(invoice(), "NW-7.pdf", ORIGINAL)
    rescanned = await dext.publish_cost_item(invoice(), "NW-7.jpg", jpeg())

    assert rescanned.status_code == 202 and rescanned.json()["version"] == 2
    assert (await ingest.counts(uuid.UUID(dext.organisation_id)))["documents"] == 2


async def test_a_withdrawal_is_asked_of_approval_once_and_the_item_takes_no_new_version(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await dext.publish_cost_item(invoice(), "NW-7.pdf", ORIGINAL)
    withdrawn = await dext.withdraw("nw-7", "deleted in Dext")
    again = await dext.withdraw("nw-7", "deleted in Dext")
    republished = await dext.publish_cost_item(invoice(quantity="9"), "NW-7.pdf", ORIGINAL)

    # Approval decides (ingest's copy of the status may be behind): until it answers, the
    # withdrawal is requested, and the item is where it was.
    assert withdrawn.status_code == 202, withdrawn.text
    view = withdrawn.json()
    assert (view["status"], view["withdrawal"]["state"]) == ("received", "requested")
    assert view["withdrawal"]["reason"] == "deleted in Dext"
    assert again.status_code == 202
    assert republished.status_code == 409
    assert "withdrawal pending" in republished.json()["detail"]
    events = await _events(ingest, dext, COST_ITEMS, 3)
    assert [e["event_type"] for e in events] == ["CostItemSubmitted", "CostItemWithdrawn"]
    assert events[1]["payload"]["reason"] == "deleted in Dext"
    assert events[1]["payload"]["version"] == 1


async def test_withdrawing_an_unknown_item_is_not_found(dext: DextClient) -> None:
    response = await dext.withdraw("never-published")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_status_view_links_to_the_original_document_and_to_dext(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await dext.publish_cost_item(invoice(), "NW-7.pdf", ORIGINAL)
    status = await dext.item_status("nw-7")

    assert status.status_code == 200
    view = status.json()
    assert (view["status"], view["version"], view["kind"]) == ("received", 1, "cost_item")
    assert view["source_url"] == "https://dext.example/costs/nw-7"
    async with ingest.http() as http:
        original = await http.get(view["original_document_url"])
        tampered = await http.get(
            view["original_document_url"].replace("signature=", "signature=0")
        )
    assert original.status_code == 200
    assert original.content == ORIGINAL
    assert original.headers["content-type"] == "application/pdf"
    assert tampered.status_code == 403


async def test_a_document_link_opens_only_its_own_document_and_only_until_it_expires(
    ingest: RunningIngest, dext: DextClient
) -> None:
    from countersign_harness.ingest import LINK_SECRET
    from countersign_platform.links import sign_document_link

    first = await dext.publish_cost_item(invoice("a"), "a.pdf", ORIGINAL)
    second = await dext.publish_cost_item(invoice("b"), "b.jpg", jpeg())
    first_id = uuid.UUID(first.json()["document_id"])
    second_id = second.json()["document_id"]
    link = sign_document_link(LINK_SECRET.encode(), first_id, 60)
    expired = sign_document_link(LINK_SECRET.encode(), first_id, -1)
    async with ingest.http() as http:
        own = await http.get(link)
        other = await http.get(link.replace(str(first_id), second_id))
        stale = await http.get(expired)
    assert own.status_code == 200 and own.content == ORIGINAL
    assert other.status_code == 403
    assert stale.status_code == 403


async def test_one_organisation_cannot_see_anothers_items(
    ingest: RunningIngest, dext: DextClient
) -> None:
    await dext.publish_cost_item(invoice(), "NW-7.pdf", ORIGINAL)
    other, secret = uuid.uuid4(), new_secret()
    await ingest.register_secret(other, secret)
    async with ingest.dext(other, secret) as intruder:
        status = await intruder.item_status("nw-7")
        withdrawal = await intruder.withdraw("nw-7")
    assert status.status_code == 404
    assert withdrawal.status_code == 404
    [row] = await ingest.fetch(
        "SELECT withdrawal FROM items WHERE organisation_id = $1", uuid.UUID(dext.organisation_id)
    )
    assert row["withdrawal"] is None


async def test_the_openapi_document_describes_every_dext_call_and_its_signature(
    ingest: RunningIngest,
) -> None:
    async with ingest.http() as http:
        spec = (await http.get("/openapi.json")).json()
    paths = spec["paths"]
    publish = paths["/v1/organisations/{organisation_id}/cost-items"]["post"]
    headers = {p["name"] for p in publish["parameters"] if p["in"] == "header"}

    assert {
        "/v1/organisations/{organisation_id}/cost-items",
        "/v1/organisations/{organisation_id}/bank-transactions",
        "/v1/organisations/{organisation_id}/cost-items/{dext_item_id}/withdrawal",
        "/v1/organisations/{organisation_id}/items/{dext_item_id}",
        "/v1/organisations/{organisation_id}/suppliers",
        "/v1/documents/{document_id}",
        "/v1/operator/organisations/{organisation_id}/dext-secret",
    } <= set(paths)
    assert headers == {"x-dext-timestamp", "x-dext-signature"}
    assert "multipart/form-data" in publish["requestBody"]["content"]
    assert {"401", "413", "415", "422"} <= set(publish["responses"])
