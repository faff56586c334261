"""What approvers approve is exactly what Xero holds: unit prices to four places and Xero's
line arithmetic, suppliers found however Xero spells or trims their names, the approved
exchange rate, and every amount on every topic at its currency's scale. An NZD organisation
with 15% GST, as ledger-fidelity needs figures that round."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    COST_ITEMS,
    LEDGER_PUBLICATIONS,
    minor_units,
    places,
)
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.kafka import read_until
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from pypdf import PdfReader

from tests.e2e.journeys import (
    ANN,
    PEOPLE,
    WORKFLOW,
    original,
)

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)

NZ_TENANT: dict[str, Any] = {
    "name": "Kiwi Fidelity Ltd",
    "base_currency": "NZD",
    "currencies": ["NZD", "USD", "JPY"],
    "rates": {"USD": "0.6", "JPY": "90"},
    "accounts": [
        {"Code": "090", "Name": "Business Bank Account", "Type": "BANK", "CurrencyCode": "NZD"},
        {"Code": "461", "Name": "Printing & Stationery", "Type": "OVERHEADS", "TaxType": "INPUT2"},
    ],
    "tax_rates": [
        {"TaxType": "INPUT2", "Name": "GST on Expenses", "EffectiveRate": 15.0},
        {"TaxType": "NONE", "Name": "No GST", "EffectiveRate": 0.0},
    ],
    "tracking_categories": [{"Name": "Region", "Options": ["North", "South"]}],
    "contacts": [{"Name": "Zoë Ltd"}, {"Name": "Trailing Co"}, {"Name": 'The "Quote" Co'}],
}
AMOUNTS = ("subtotal", "total_tax", "total", "amount")
LINE_AMOUNTS = ("tax_amount", "line_amount")


@pytest.fixture(name="org")
async def nz_organisation(pipeline: Pipeline) -> Organisation:
    return await provision_organisation(
        pipeline.endpoints, WORKFLOW, PEOPLE, name="Kiwi Fidelity Ltd", tenant=NZ_TENANT
    )


def gst(description: str, quantity: str, unit: str) -> dict[str, Any]:
    return line(description, quantity, unit, account_code="461", rate="0.15")


def bill(item: str, *lines: dict[str, Any], **options: Any) -> dict[str, Any]:
    options.setdefault("currency", "NZD")
    return cost_item(
        item, "invoice", list(lines), reference=f"INV-{item}", due_in_days=30, **options
    )


async def published(org: Organisation, metadata: dict[str, Any]) -> dict[str, Any]:
    """Publishes as Dext, approves when a step waits, and returns the bill Xero holds."""
    item = str(metadata["dext_item_id"])
    async with org.dext() as dext:
        accepted = await dext.publish_cost_item(metadata, f"INV-{item}.pdf", original(item))
    assert accepted.status_code == 202, accepted.text
    request = await org.request_of(
        item, states=("in_approval", "authorised", "publishing", "published")
    )
    if request["state"] == "in_approval":
        await org.approve(ANN, request["request_id"])
    publication = await org.wait_publication(item)
    assert publication["state"] == "completed", publication.get("last_error")
    [found] = org.xero_invoices(lambda i: i["InvoiceNumber"] == f"INV-{item}")
    return dict(found)


async def test_unit_prices_of_three_places_reach_xero_with_the_totals_approved(
    org: Organisation,
) -> None:
    """3 x 0.333 at 15%: Xero would hold 0.99 / 0.15 / 1.14 a line if it rounded the unit
    price to 0.33 (no unitdp=4); what was approved is 1.00 / 0.15 / 1.15 a line."""
    metadata = bill("thirds", *(gst(f"Widget {n}", "3", "0.333") for n in range(3)))
    assert (metadata["subtotal"], metadata["total_tax"], metadata["total"]) == (
        "3.00",
        "0.45",
        "3.45",
    )

    xero = await published(org, metadata)
    approved = (await org.request_of("thirds"))["bill"]

    assert (xero["SubTotal"], xero["TotalTax"], xero["Total"]) == (3.0, 0.45, 3.45)
    assert [(x["UnitAmount"], x["LineAmount"], x["TaxAmount"]) for x in xero["LineItems"]] == [
        (0.333, 1.0, 0.15)
    ] * 3
    assert (approved["subtotal"], approved["total_tax"], approved["total"]) == (
        "3.00",
        "0.45",
        "3.45",
    )
    report = org.xero_attachment(xero["InvoiceID"], "approval-audit-thirds-v1.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report)).pages)
    assert "3.45 NZD (tax 0.45)" in text and "0.333" in text


async def test_suppliers_already_in_xero_are_found_whatever_their_spelling(
    org: Organisation,
) -> None:
    before = {c["Name"]: c["ContactID"] for c in org.xero_state()["contacts"]}

    trailing = "Trailing Co "  # as Dext has it; Xero trims names
    zoe = await published(org, bill("zoe", gst("Paper", "10", "6.50"), supplier="Zoë Ltd"))
    first = await published(org, bill("trail-1", gst("Ink", "2", "30.00"), supplier=trailing))
    second = await published(org, bill("trail-2", gst("Ink", "3", "30.00"), supplier=trailing))
    quoted = await published(
        org, bill("quote", gst("Pens", "9", "8.00"), supplier='The "Quote" Co')
    )

    after = {c["Name"]: c["ContactID"] for c in org.xero_state()["contacts"]}
    assert zoe["Contact"]["ContactID"] == before["Zoë Ltd"]
    assert first["Contact"]["ContactID"] == second["Contact"]["ContactID"] == before["Trailing Co"]
    assert quoted["Contact"]["ContactID"] == before['The "Quote" Co']
    assert after == before  # nothing created twice under another spelling


async def test_a_usd_bill_reaches_xero_at_the_rate_approved_not_xero_s_daily_rate(
    org: Organisation,
) -> None:
    metadata = bill("usd", gst("Licence", "1", "120.00"), currency="USD")
    metadata["exchange_rate"] = "0.6123"

    xero = await published(org, metadata)

    assert xero["CurrencyCode"] == "USD"
    assert Decimal(str(xero["CurrencyRate"])) == Decimal("0.6123")


async def test_every_amount_on_every_topic_has_its_currency_s_scale(
    pipeline: Pipeline, org: Organisation
) -> None:
    yen = bill("yen", gst("Tea", "4", "1250"), currency="JPY")
    yen["exchange_rate"] = "90"
    for name, value in (("subtotal", "5000.00"), ("total_tax", "750.00"), ("total", "5750.00")):
        assert Decimal(yen[name]) == Decimal(value)
    await published(org, yen)
    await published(org, bill("nzd", gst("Folders", "5", "4.5")))

    amounts: list[tuple[str, str, str]] = []
    for topic in (COST_ITEMS, APPROVAL_REQUESTS, LEDGER_PUBLICATIONS):
        records = await read_until(
            pipeline.infra.kafka_bootstrap_servers,
            f"{pipeline.isolation}.{topic}",
            lambda rs: False,
            timeout_s=3,
        )
        for record in records:
            envelope = json.loads(record.value)
            if envelope["organisation_id"] == str(org.organisation_id):
                amounts += _amounts(envelope["event_type"], envelope["payload"])

    assert {currency for _, currency, _ in amounts} >= {"JPY", "NZD"}
    wrong = [
        f"{where}: {value} {currency}"
        for where, currency, value in amounts
        if places(Decimal(value)) != minor_units(currency)
    ]
    assert not wrong, wrong
    assert ("CostItemSubmitted.bill.total", "JPY", "5750") in amounts


def _amounts(where: str, value: Any, currency: str | None = None) -> list[tuple[str, str, str]]:
    """(path, currency, amount) of every money amount in a payload, unit prices left out."""
    found: list[tuple[str, str, str]] = []
    if isinstance(value, dict):
        currency = value.get("currency", currency)
        for key, item in value.items():
            if key in AMOUNTS + LINE_AMOUNTS and isinstance(item, str) and currency:
                found.append((f"{where}.{key}", currency, item))
            else:
                found += _amounts(f"{where}.{key}", item, currency)
    elif isinstance(value, list):
        for item in value:
            found += _amounts(f"{where}[]", item, currency)
    return found
