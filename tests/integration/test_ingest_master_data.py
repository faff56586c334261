"""Ingest keeps the ledger's master data from ``LedgerMasterDataSynced`` entry by entry and
serves it to Dext, signed, paged and incrementally: accounts (and the ones a payment can come
from), tax rates, tracking categories and the ledger's settings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from countersign_contracts import (
    LEDGER_MASTER_DATA,
    LedgerMasterDataSynced,
    encode,
    kafka_headers,
    new_envelope,
)
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.ingest import RunningIngest
from countersign_harness.kafka import produce
from countersign_harness.waiting import eventually
from countersign_platform import decimal_json
from countersign_publisher.adapters.xero_master_data import XeroSettings, master_data
from countersign_xero_sandbox.tenancy import build_tenant
from countersign_xero_sandbox.wire import dumps, to_wire

pytestmark = pytest.mark.integration

READ = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _wire(value: Any) -> Any:
    return decimal_json.loads(dumps(to_wire(value)))


def _ledger() -> XeroSettings:
    """The Xero sandbox's default organisation, as the publisher reads it."""
    tenant = build_tenant({"lock_date": "2026-03-31"}, READ)
    return XeroSettings(
        organisation=_wire(tenant.organisation),
        accounts=_wire(list(tenant.accounts.values())),
        tax_rates=_wire(list(tenant.tax_rates.values())),
        tracking_categories=_wire(list(tenant.tracking_categories.values())),
        currencies=[{"Code": c} for c in tenant.currencies],
    )


async def _publish(
    ingest: RunningIngest, dext: DextClient, *events: LedgerMasterDataSynced
) -> list[uuid.UUID]:
    records, ids = [], []
    for payload in events:
        envelope = new_envelope(
            payload,
            producer="publisher",
            organisation_id=uuid.UUID(dext.organisation_id),
            correlation_id=uuid.uuid4(),
        )
        headers = [(k, v.encode()) for k, v in kafka_headers(envelope).items()]
        records.append((envelope.subject_id.encode(), encode(envelope), headers))
        ids.append(envelope.event_id)
    await produce(
        ingest.runtime.settings.kafka_bootstrap_servers,
        ingest.topic_prefix + LEDGER_MASTER_DATA,
        records,
    )
    return ids


async def test_dext_pulls_accounts_bank_accounts_tax_rates_and_tracking_then_only_changes(
    ingest: RunningIngest, dext: DextClient
) -> None:
    org = uuid.UUID(dext.organisation_id)
    ledger = _ledger()
    await _publish(ingest, dext, master_data(org, "tenant-1", ledger, READ))
    accounts = await eventually(
        lambda: dext.pull("accounts", page_size=4), lambda found: len(found) == 15, timeout_s=20
    )
    payable = await dext.pull("accounts", bank_accounts_only="true")
    rates = await dext.pull("tax-rates")
    tracking = await dext.pull("tracking-categories")
    settings = await dext.ledger_settings()

    assert {a["code"] for a in accounts if a["status"] == "ARCHIVED"} == {"999"}
    assert sorted(a["code"] for a in payable) == ["090", "091", "877"]
    assert next(a for a in payable if a["code"] == "090")["bank_account_number"] == "12345678"
    assert {r["tax_type"]: r["effective_rate"] for r in rates}["INPUT2"] == "20.0000"
    assert sorted(c["name"] for c in tracking) == ["Department", "Region"]
    assert settings["base_currency"] == "GBP" and settings["period_lock_date"] == "2026-03-31"
    assert set(settings["currencies"]) == {"GBP", "EUR", "USD"}

    # An account archived, a tracking option archived, a tax rate gone: only those come again.
    seen = max(datetime.fromisoformat(a["changed_at"]) for a in accounts)
    next(a for a in ledger.accounts if a["Code"] == "429")["Status"] = "ARCHIVED"
    region = next(c for c in ledger.tracking_categories if c["Name"] == "Region")
    region["Options"][0]["Status"] = "ARCHIVED"
    ledger.tax_rates[:] = [r for r in ledger.tax_rates if r["TaxType"] != "RRINPUT"]
    later = READ + timedelta(minutes=15)
    await _publish(ingest, dext, master_data(org, "tenant-1", ledger, later))
    changed = await eventually(
        lambda: dext.pull("accounts", changed_since=seen),
        lambda found: len(found) == 1,
        timeout_s=20,
    )
    rates_changed = await dext.pull("tax-rates", changed_since=seen)
    tracking_changed = await dext.pull("tracking-categories", changed_since=seen)

    assert [(a["code"], a["status"]) for a in changed] == [("429", "ARCHIVED")]
    assert [(r["tax_type"], r["removed"]) for r in rates_changed] == [("RRINPUT", True)]
    assert [c["name"] for c in tracking_changed] == ["Region"]
    assert "ARCHIVED" in {o["status"] for o in tracking_changed[0]["options"]}


async def test_an_older_read_does_not_replace_a_newer_one(
    ingest: RunningIngest, dext: DextClient
) -> None:
    org = uuid.UUID(dext.organisation_id)
    ledger = _ledger()
    newer = master_data(org, "tenant-1", ledger, READ)
    next(a for a in ledger.accounts if a["Code"] == "429")["Status"] = "ARCHIVED"
    older = master_data(org, "tenant-1", ledger, READ - timedelta(hours=1))
    ids = await _publish(ingest, dext, newer, older)

    async def handled() -> int:
        query = "SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])"
        return int(await ingest.runtime.pool.fetchval(query, ids))

    await eventually(handled, lambda count: count == 2, timeout_s=20)
    accounts = await dext.pull("accounts")
    assert {a["code"]: a["status"] for a in accounts}["429"] == "ACTIVE"


async def test_master_data_calls_must_be_signed_and_settings_wait_for_a_first_read(
    ingest: RunningIngest, dext: DextClient
) -> None:
    with pytest.raises(httpx.HTTPStatusError) as missing:
        await dext.ledger_settings()
    assert missing.value.response.status_code == 404
    async with ingest.http() as http:
        unsigned = await http.get(f"/v1/organisations/{dext.organisation_id}/accounts")
    assert unsigned.status_code == 401


async def test_coding_xero_would_refuse_is_refused_at_intake_and_nothing_is_stored(
    ingest: RunningIngest, dext: DextClient
) -> None:
    """Checked against the ledger as last read: an archived account, a tax type Xero does not
    have, an archived tracking option; each named by line and field."""
    org = uuid.UUID(dext.organisation_id)
    ledger = _ledger()
    region = next(c for c in ledger.tracking_categories if c["Name"] == "Region")
    region["Options"][0]["Status"] = "ARCHIVED"
    west = region["Options"][0]["Name"]
    await _publish(ingest, dext, master_data(org, "tenant-1", ledger, READ))
    await eventually(lambda: dext.pull("accounts"), lambda found: len(found) == 15, timeout_s=20)
    lines = [
        line("Paper", "1", "10.00", account_code="999"),
        line("Toner", "1", "10.00", account_code="429", tax_type="VAT9"),
        line("Pens", "1", "10.00", account_code="453", tracking=[("Region", west)]),
    ]
    refused = await dext.publish_cost_item(
        cost_item("coded-1", "invoice", lines, reference="C-1", due_in_days=30),
        "C-1.pdf",
        pdf("Paper Co", "C-1"),
    )
    good = await dext.publish_cost_item(
        cost_item("coded-2", "invoice", [line("Paper", "1", "10.00", account_code="461")],
                  reference="C-2", due_in_days=30),
        "C-2.pdf",
        pdf("Paper Co", "C-2"),
    )  # fmt: skip

    assert refused.status_code == 422, refused.text
    named = {(e["field"], e["rule"]) for e in refused.json()["errors"]}
    assert named == {
        ("metadata.lines[0].account_code", "account_archived"),
        ("metadata.lines[1].tax_type", "unknown_tax_type"),
        ("metadata.lines[2].tracking[0].option", "tracking_option_archived"),
    }
    assert (await dext.item_status("coded-1")).status_code == 404  # nothing stored
    assert good.status_code == 202, good.text
