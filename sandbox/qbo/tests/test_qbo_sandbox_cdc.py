"""Change data capture: what changed since a moment, full payloads, deletes, and its limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from sandbox.qbo.tests.qbo_http import Company, bill, fault_code


def _cdc(company: Company, entities: str, since: str) -> httpx.Response:
    return company.get("cdc", entities=entities, changedSince=since)


def _changed(answer: httpx.Response) -> dict[str, list[dict[str, Any]]]:
    assert answer.status_code == 200, answer.text
    (block,) = answer.json()["CDCResponse"]
    return {k: v for item in block["QueryResponse"] for k, v in item.items() if k[0].isupper()}


def _sandbox_now(client: httpx.Client) -> datetime:
    return datetime.fromisoformat(client.post("/_sandbox/clock", json={}).json()["now"])


def test_cdc_returns_full_payloads_and_deleted_objects(
    client: httpx.Client, company: Company
) -> None:
    # The vendor is made after the moment read, however slow the run: it is a change too.
    since = _sandbox_now(client).isoformat()
    vendor = company.post("vendor", {"DisplayName": "Acme Supplies"}).json()["Vendor"]
    kept = company.post("bill", bill(company, vendor["Id"])).json()["Bill"]
    gone = company.post("bill", bill(company, vendor["Id"], DocNumber="SUP-2")).json()["Bill"]
    deleted = company.post(
        "bill", {"Id": gone["Id"], "SyncToken": gone["SyncToken"]}, operation="delete"
    )
    assert deleted.status_code == 200, deleted.text
    changed = _changed(_cdc(company, "Bill,Vendor,Purchase", since))
    assert set(changed) == {"Bill", "Vendor"}
    bills = {b["Id"]: b for b in changed["Bill"]}
    assert bills[kept["Id"]]["DocNumber"] == "SUP-1"
    assert bills[kept["Id"]]["Line"] and bills[kept["Id"]]["TotalAmt"] == 100.25
    assert bills[gone["Id"]]["status"] == "Deleted"
    assert set(bills[gone["Id"]]) == {"domain", "status", "Id", "MetaData"}
    assert [v["DisplayName"] for v in changed["Vendor"]] == ["Acme Supplies"]


def test_cdc_lists_only_what_changed_since_and_takes_lower_case_names(
    client: httpx.Client, company: Company, vendor: dict[str, Any]
) -> None:
    company.post("bill", bill(company, vendor["Id"]))
    client.post("/_sandbox/clock", json={"advance_seconds": 600})
    since = _sandbox_now(client).isoformat()
    assert _changed(_cdc(company, "bill,vendor", since)) == {}
    updated = company.post("vendor", {**vendor, "sparse": True, "CompanyName": "Acme Ltd"})
    assert updated.status_code == 200, updated.text
    changed = _changed(_cdc(company, "bill,vendor", since))
    assert list(changed) == ["Vendor"] and changed["Vendor"][0]["SyncToken"] == "1"


def test_cdc_look_back_is_at_most_30_days(client: httpx.Client, company: Company) -> None:
    now = _sandbox_now(client)
    inside = (now - timedelta(days=29)).astimezone(UTC).isoformat()
    assert _cdc(company, "Bill", inside).status_code == 200
    old = (now - timedelta(days=31)).date().isoformat()
    answer = _cdc(company, "Bill", old)
    assert answer.status_code == 400 and fault_code(answer) == "500"
    detail = answer.json()["Fault"]["Error"][0]["Detail"]
    assert f"changedSince date {old} which is older than fixed days" in detail


def test_cdc_refuses_tax_entities_unknown_names_and_missing_parameters(
    client: httpx.Client, company: Company
) -> None:
    since = _sandbox_now(client).date().isoformat()
    assert fault_code(_cdc(company, "Bill,TaxCode", since)) == "500"
    assert fault_code(_cdc(company, "TaxRate", since)) == "500"
    assert fault_code(_cdc(company, "Bill,Invoicez", since)) == "2170"
    assert fault_code(company.get("cdc", entities="Bill")) == "2020"
    assert fault_code(company.get("cdc", changedSince=since)) == "2020"


def test_cdc_answers_at_most_1000_objects(client: httpx.Client, company: Company) -> None:
    since = (_sandbox_now(client) - timedelta(seconds=1)).isoformat()
    items = [
        {"bId": str(i), "operation": "create", "Vendor": {"DisplayName": f"V{n}-{i}"}}
        for n in range(34)
        for i in range(30)
    ]
    for start in range(0, len(items), 30):
        answer = company.post("batch", {"BatchItemRequest": items[start : start + 30]})
        assert answer.status_code == 200
    assert len(_changed(_cdc(company, "Vendor", since))["Vendor"]) == 1000
