"""The Xero sandbox's repeating invoice templates (``/RepeatingInvoices``) over real HTTP:
created, listed and read as the spec shows them, refused with Xero's ValidationException,
deleted; and run by the test control, each run an invoice dated on the schedule with the
template's RepeatingInvoiceID and its status."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import control

pytestmark = pytest.mark.integration


def template(**overrides: Any) -> dict[str, Any]:
    return {
        "Type": "ACCPAY",
        "Status": "AUTHORISED",
        "Contact": {"Name": "Cloud Storage Co"},
        "Schedule": {"Period": 1, "Unit": "MONTHLY", "DueDate": 20,
                     "DueDateType": "OFFOLLOWINGMONTH", "StartDate": "2026-05-31"},
        "LineItems": [{"Description": "Storage", "Quantity": 1, "UnitAmount": 50,
                       "AccountCode": "429", "TaxType": "INPUT2"}],
        **overrides,
    }  # fmt: skip


def _create(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    answer = api.put("/RepeatingInvoices", json={"RepeatingInvoices": [template(**overrides)]})
    assert answer.status_code == 200, answer.text
    created: dict[str, Any] = answer.json()["RepeatingInvoices"][0]
    return created


def _run(sandbox_url: str, org: dict[str, Any], template_id: str) -> dict[str, Any]:
    path = f"/_sandbox/tenants/{org['tenant_id']}/repeating-invoices/{template_id}/run"
    made: dict[str, Any] = control(sandbox_url, "POST", path)
    return made


def test_xero_sandbox_a_repeating_template_is_created_listed_and_read_as_the_spec_shows(
    api: httpx.Client,
) -> None:
    created = _create(api)
    listed = api.get("/RepeatingInvoices").json()["RepeatingInvoices"]
    read = api.get(f"/RepeatingInvoices/{created['RepeatingInvoiceID']}").json()

    assert created["ID"] == created["RepeatingInvoiceID"]
    assert created["Schedule"] == {
        "Period": 1, "Unit": "MONTHLY", "DueDate": 20, "DueDateType": "OFFOLLOWINGMONTH",
        "StartDate": "/Date(1780185600000+0000)/",
        "NextScheduledDate": "/Date(1780185600000+0000)/",
    }  # fmt: skip
    assert (created["Status"], created["Total"], created["SubTotal"]) == ("AUTHORISED", 60, 50)
    assert created["Contact"]["Name"] == "Cloud Storage Co"
    assert "StatusAttributeString" not in created and "ValidationErrors" not in created
    assert [t["RepeatingInvoiceID"] for t in listed] == [created["RepeatingInvoiceID"]]
    assert read["RepeatingInvoices"] == [created]


def test_xero_sandbox_a_template_xero_would_refuse_is_a_validation_exception(
    api: httpx.Client,
) -> None:
    answer = api.put(
        "/RepeatingInvoices",
        json={"RepeatingInvoices": [template(Schedule={"Period": 0, "Unit": "DAILY"})]},
    )

    assert answer.status_code == 400
    [element] = answer.json()["Elements"]
    assert "Schedule Period must be a whole number of at least 1." in [
        e["Message"] for e in element["ValidationErrors"]
    ]
    assert api.get("/RepeatingInvoices").json()["RepeatingInvoices"] == []


def test_xero_sandbox_each_run_makes_the_next_bill_of_the_template(
    sandbox_url: str, org: dict[str, Any], api: httpx.Client
) -> None:
    approved = _create(api)["RepeatingInvoiceID"]
    draft = _create(api, Status="DRAFT")["RepeatingInvoiceID"]

    first, second = _run(sandbox_url, org, approved), _run(sandbox_url, org, approved)
    drafted = _run(sandbox_url, org, draft)
    read = api.get(f"/Invoices/{first['InvoiceID']}").json()["Invoices"][0]

    assert first["RepeatingInvoiceID"] == second["RepeatingInvoiceID"] == approved
    assert (first["Status"], second["Status"], drafted["Status"]) == (
        "AUTHORISED", "AUTHORISED", "DRAFT",
    )  # fmt: skip
    assert (first["DateString"], first["DueDateString"]) == (
        "2026-05-31T00:00:00", "2026-06-20T00:00:00",
    )  # fmt: skip
    assert second["DateString"] == "2026-06-30T00:00:00"
    assert (first["Type"], first["InvoiceNumber"], first["Total"]) == ("ACCPAY", "", 60)
    assert read["RepeatingInvoiceID"] == approved
    after = api.get(f"/RepeatingInvoices/{approved}").json()["RepeatingInvoices"][0]
    assert after["Schedule"]["NextScheduledDate"] == "/Date(1785456000000+0000)/"  # 2026-07-31


def test_xero_sandbox_a_deleted_template_makes_nothing(
    sandbox_url: str, org: dict[str, Any], api: httpx.Client
) -> None:
    template_id = _create(api)["RepeatingInvoiceID"]
    deleted = api.post(
        "/RepeatingInvoices",
        json={"RepeatingInvoices": [{"RepeatingInvoiceID": template_id, "Status": "DELETED"}]},
    )
    path = f"/_sandbox/tenants/{org['tenant_id']}/repeating-invoices/{template_id}/run"
    with httpx.Client(base_url=sandbox_url) as http:
        refused = http.post(path)

    assert deleted.status_code == 200
    assert deleted.json()["RepeatingInvoices"][0]["Status"] == "DELETED"
    assert refused.status_code == 400
