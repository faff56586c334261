"""A QuickBooks Online organisation's coding, checked as a Xero one's is: once connected, the
publisher reads the company's accounts, tax codes, classes and departments; ingest refuses a
Dext item coded with anything the company would refuse (422 naming the field, the rule and
QuickBooks Online; nothing stored), a US company taking only TAX/NON; approval offers the
company's coding, and a reviewer's recoding to another account, class and department lands on
the QBO bill as AccountRef, ClassRef (line) and DepartmentRef (header)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from countersign_dext_sandbox.samples import line
from countersign_harness.organisation import Organisation, Person
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation
from countersign_harness.waiting import eventually

from tests.e2e.journeys import ANN, WORKFLOW, invoice, original
from tests.e2e.test_journey_qbo import named

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)

REX = "rex@example.com"
PEOPLE = (Person(REX, "Rex Reviewer", ("reviewer",)), Person(ANN, "Ann Approver", ("approver",)))
REVIEWED = {**WORKFLOW, "review": {"reviewers": [REX]}}
SEEDED_ACCOUNTS = 10  # the QBO sandbox's new company (sandbox/qbo seeding.ACCOUNTS)


async def _connected(pipeline: Pipeline, **options: Any) -> Organisation:
    """An organisation on a new QBO company, once its master data reached ingest and
    approval (the coding checks have nothing to check against before)."""
    org = await provision_organisation(
        pipeline.endpoints, REVIEWED, PEOPLE, name="Harbour Lights Ltd", ledger="qbo", **options
    )
    async with org.dext() as dext:
        await eventually(
            lambda: dext.pull("accounts"), lambda found: len(found) == SEEDED_ACCOUNTS, 60
        )
    await eventually(org.coding_options, lambda options: options["ledger_read"], timeout_s=60)
    return org


def _item(
    org: Organisation,
    item: str,
    tax: str = "20.0% S",
    account_code: str | None = None,
    tracking: list[tuple[str, str]] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """126.60 of paper, by default coded to Office Expenses; ``tax`` a TaxCode's name, or a
    code as Dext would send it (US TAX/NON, a Xero tax type)."""
    found = org.qbo.entities("TaxCode", lambda r: r.get("Name") == tax)
    coded = line(
        "Printer paper, A4",
        "5",
        "21.10",
        account_code=account_code or named(org.qbo, "Account", "Office Expenses"),
        tax_type=str(found[0]["Id"]) if found else tax,
        rate="0" if tax in ("TAX", "NON") else "0.20",
        tracking=tracking,
    )
    return invoice(item, coded, **options)


async def _publish(org: Organisation, metadata: dict[str, Any]) -> Any:
    item = str(metadata["dext_item_id"])
    async with org.dext() as dext:
        answer = await dext.publish_cost_item(metadata, f"INV-{item}.pdf", original(item))
        stored = await dext.item_status(item)
    return answer, stored.status_code


async def test_a_gb_company_refuses_coding_it_lacks_and_takes_its_own(pipeline: Pipeline) -> None:
    org = await _connected(pipeline)
    inactive = named(org.qbo, "Account", "Old Expenses")
    office = named(org.qbo, "Account", "Office Expenses")
    paid = _item(org, "gb-paid", paid_on=date.today() - timedelta(days=1))
    paid["payment"]["account"] = {"code": office}  # an expense account pays nothing
    refused = {
        "gb-inactive": _item(org, "gb-inactive", account_code=inactive),
        "gb-xero-tax": _item(org, "gb-xero-tax", tax="INPUT2"),
        "gb-class": _item(org, "gb-class", tracking=[("Class", "Marketing")]),
        "gb-region": _item(org, "gb-region", tracking=[("Region", "North")]),
        "gb-currency": _item(org, "gb-currency", currency="EUR"),
        "gb-paid": paid,
    }
    expected = {
        "gb-inactive": ("metadata.lines[0].account_code", "account_archived"),
        "gb-xero-tax": ("metadata.lines[0].tax_type", "unknown_tax_type"),
        "gb-class": ("metadata.lines[0].tracking[0].option", "unknown_tracking_option"),
        "gb-region": ("metadata.lines[0].tracking[0].category", "unknown_tracking_category"),
        "gb-currency": ("metadata.currency", "currency_not_enabled"),
        "gb-paid": ("metadata.payment.account.code", "not_a_payment_account"),
    }
    messages = {}
    for item, metadata in refused.items():
        answer, stored = await _publish(org, metadata)
        assert answer.status_code == 422, (item, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        [error] = answer.json()["errors"]
        assert (error["field"], error["rule"]) == expected[item], item
        assert stored == 404, item  # nothing stored
        messages[item] = error["message"]

    card = _item(
        org, "gb-good", paid_on=date.today() - timedelta(days=1),
        tracking=[("Class", "Operations"), ("Department", "North")],
    )  # fmt: skip
    card["payment"]["account"] = {"code": named(org.qbo, "Account", "Visa")}
    accepted, stored = await _publish(org, card)
    assert accepted.status_code == 202, accepted.text
    assert stored == 200
    assert messages["gb-xero-tax"] == "QuickBooks Online has no tax type INPUT2"
    assert not any("Xero" in message for message in messages.values()), messages


async def test_a_us_company_takes_only_tax_or_non(pipeline: Pipeline) -> None:
    org = await _connected(pipeline, tenant={"country": "US", "home_currency": "USD"})
    gb_code = _item(org, "us-gb-code", tax="INPUT2", currency="USD")
    taxable = _item(org, "us-tax", tax="TAX", currency="USD")
    exempt = _item(org, "us-non", tax="NON", currency="USD")

    refused, _ = await _publish(org, gb_code)
    taken = [(await _publish(org, metadata))[0].status_code for metadata in (taxable, exempt)]
    options = await org.coding_options()

    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [
        ("metadata.lines[0].tax_type", "unknown_tax_type")
    ]
    assert taken == [202, 202]
    assert [t["tax_type"] for t in options["tax_rates"]] == ["NON", "TAX"]


async def test_a_recode_to_a_class_and_department_lands_on_the_qbo_bill(
    pipeline: Pipeline,
) -> None:
    org = await _connected(pipeline)
    answer, _ = await _publish(org, _item(org, "gb-recode", tracking=[("Class", "Operations")]))
    assert answer.status_code == 202, answer.text
    request = await org.request_of("gb-recode", states=("in_review",))
    options = await org.coding_options()
    travel = named(org.qbo, "Account", "Travel")
    coding = {"account_code": travel, "tracking": [
        {"category": "Class", "option": "Sales"}, {"category": "Department", "option": "North"},
    ]}  # fmt: skip
    recoded = await org.recode(request["request_id"], 0, coding, REX)
    assert recoded.status_code == 200, recoded.text
    reviewed = await org.act(REX, request["request_id"], "review", {"comment": "Sales, North"})
    assert reviewed.status_code == 200, reviewed.text
    await org.request_of("gb-recode", states=("in_approval",))
    await org.approve(ANN, request["request_id"])
    publication = await org.wait_publication("gb-recode")

    assert (options["ledger"], options["ledger_title"]) == ("qbo", "QuickBooks Online")
    assert travel in {a["code"] for a in options["accounts"]}
    assert {c["name"]: c["options"] for c in options["tracking_categories"]} == {
        "Class": ["Operations", "Sales"], "Department": ["Head Office", "North"],
    }  # fmt: skip
    assert publication["state"] == "completed", pipeline.logs()
    [bill] = org.qbo.entities("Bill", lambda b: b.get("DocNumber") == "INV-gb-recode")
    [coded] = bill["Line"]
    detail = coded["AccountBasedExpenseLineDetail"]
    assert detail["AccountRef"]["value"] == travel
    assert detail["ClassRef"]["value"] == named(org.qbo, "Class", "Sales")
    assert bill["DepartmentRef"]["value"] == named(org.qbo, "Department", "North")
