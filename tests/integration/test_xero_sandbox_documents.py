"""The Xero sandbox's bills, attachments, payments, spend money and contacts, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import control, provision, serve
from countersign_xero_sandbox.settings import SandboxSettings


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with serve(SandboxSettings(time_scale=60, limits_enabled=False)) as url:
        yield url


@pytest.fixture
def org(sandbox_url: str) -> dict[str, Any]:
    return provision(sandbox_url, {"lock_date": "2026-01-31", "currencies": ["GBP", "USD"]})


@pytest.fixture
def api(sandbox_url: str, org: dict[str, Any]) -> Iterator[httpx.Client]:
    headers = {
        "Authorization": f"Bearer {org['token']['access_token']}",
        "xero-tenant-id": org["tenant_id"],
        "Accept": "application/json",
    }
    with httpx.Client(base_url=f"{sandbox_url}/api.xro/2.0", headers=headers) as client:
        yield client


def bill(**overrides: Any) -> dict[str, Any]:
    return {
        "Type": "ACCPAY",
        "Contact": {"Name": "Acme Supplies Ltd"},
        "Date": "2026-05-01",
        "DueDate": "2026-05-31",
        "InvoiceNumber": "SUP-1",
        "Url": "https://countersign.example/documents/1",
        "Status": "AUTHORISED",
        "LineItems": [
            {
                "Description": "Printer paper",
                "Quantity": 3,
                "UnitAmount": 33.335,
                "AccountCode": "429",
                "TaxType": "INPUT2",
                "Tracking": [{"Name": "Region", "Option": "North"}],
            }
        ],
        **overrides,
    }


def messages(element: dict[str, Any]) -> list[str]:
    return [error["Message"] for error in element["ValidationErrors"]]


def test_xero_sandbox_bill_totals_are_computed_per_line_and_dates_are_ms_json(
    api: httpx.Client,
) -> None:
    lines = [
        {"Description": "a", "Quantity": 1, "UnitAmount": 10.05, "AccountCode": "429"},
        {"Description": "b", "Quantity": 1, "UnitAmount": 10.05, "AccountCode": "429"},
    ]
    answer = api.put("/Invoices", json={"Invoices": [bill(LineItems=lines)]})
    assert answer.status_code == 200
    created = answer.json()["Invoices"][0]
    # 20% of 10.05 is 2.01 per line: tax is rounded per line, then summed.
    assert (created["SubTotal"], created["TotalTax"], created["Total"]) == (20.1, 4.02, 24.12)
    assert created["AmountDue"] == 24.12
    assert created["Date"] == "/Date(1777593600000+0000)/"
    assert created["DateString"] == "2026-05-01T00:00:00"
    assert created["StatusAttributeString"] == "OK"
    assert created["Contact"]["IsSupplier"] is True

    inclusive = api.put(
        "/Invoices",
        json={
            "Invoices": [
                bill(
                    LineAmountTypes="Inclusive",
                    LineItems=[
                        {"Description": "c", "Quantity": 1, "UnitAmount": 120, "AccountCode": "429"}
                    ],
                )
            ]
        },
    ).json()["Invoices"][0]
    assert (inclusive["SubTotal"], inclusive["TotalTax"], inclusive["Total"]) == (
        100.0,
        20.0,
        120.0,
    )


def test_xero_sandbox_accepts_ms_json_and_offset_datetimes(api: httpx.Client) -> None:
    ms = api.put("/Invoices", json={"Invoices": [bill(Date="/Date(1777593600000)/")]})
    offset = api.put("/Invoices", json={"Invoices": [bill(Date="2026-05-01T00:00:00+11:00")]})
    assert ms.json()["Invoices"][0]["DateString"] == "2026-05-01T00:00:00"
    assert offset.json()["Invoices"][0]["DateString"] == "2026-05-01T00:00:00"


def test_xero_sandbox_validation_errors_carry_xeros_messages(api: httpx.Client) -> None:
    bad = bill(
        Date="2026-01-31",
        CurrencyCode="EUR",
        Url="https://go.xero.com/bill",
        LineItems=[
            {"Description": "", "Quantity": 1, "UnitAmount": 5, "AccountCode": "999"},
            {"Description": "x", "Quantity": 1, "UnitAmount": 5, "AccountCode": "12345"},
            {
                "Description": "y",
                "Quantity": 1,
                "UnitAmount": 5,
                "AccountCode": "429",
                "TaxType": "NOPE",
            },
            {
                "Description": "z",
                "Quantity": 1,
                "UnitAmount": 5,
                "AccountCode": "429",
                "Tracking": [{"Name": "Region", "Option": "Moon"}],
            },
        ],
    )
    answer = api.put("/Invoices", json={"Invoices": [bad]})
    assert answer.status_code == 400
    body = answer.json()
    assert (body["ErrorNumber"], body["Type"]) == (10, "ValidationException")
    found = messages(body["Elements"][0])
    assert "Organisation is not subscribed to currency EUR" in found
    assert any(
        m.startswith("The document date cannot be before the period lock date") for m in found
    )
    assert "The description field is mandatory for each line item." in found
    assert any("'999' has been archived" in m for m in found)
    assert "Account code '12345' is not a valid code for this document." in found
    assert any("TaxType code 'NOPE'" in m for m in found)
    assert any("'Moon' does not exist" in m for m in found)
    assert any("xero" in m for m in found)


def test_xero_sandbox_summarize_errors_true_refuses_the_whole_batch(
    api: httpx.Client, sandbox_url: str, org: dict[str, Any]
) -> None:
    answer = api.put("/Invoices", json={"Invoices": [bill(), bill(CurrencyCode="JPY")]})
    assert answer.status_code == 400
    assert len(answer.json()["Elements"]) == 1
    state = control(sandbox_url, "GET", f"/_sandbox/tenants/{org['tenant_id']}/state")
    assert state["invoices"] == []


def test_xero_sandbox_summarize_errors_false_stores_the_valid_elements(
    api: httpx.Client, sandbox_url: str, org: dict[str, Any]
) -> None:
    answer = api.put(
        "/Invoices",
        params={"summarizeErrors": "false"},
        json={"Invoices": [bill(), bill(CurrencyCode="JPY"), bill(InvoiceNumber="SUP-2")]},
    )
    assert answer.status_code == 200
    elements = answer.json()["Invoices"]
    assert [e["StatusAttributeString"] for e in elements] == ["OK", "ERROR", "OK"]
    assert [e["HasErrors"] for e in elements] == [False, True, False]
    assert messages(elements[1]) == ["Organisation is not subscribed to currency JPY"]
    state = control(sandbox_url, "GET", f"/_sandbox/tenants/{org['tenant_id']}/state")
    assert sorted(i["InvoiceNumber"] for i in state["invoices"]) == ["SUP-1", "SUP-2"]
    assert len(state["contacts"]) == 1  # one new contact for the three elements naming it


def test_xero_sandbox_status_transitions_follow_xero(api: httpx.Client) -> None:
    draft = api.put("/Invoices", json={"Invoices": [bill(Status="DRAFT")]}).json()["Invoices"][0]
    invoice_id = draft["InvoiceID"]

    def move(status: str) -> httpx.Response:
        return api.post(f"/Invoices/{invoice_id}", json={"Invoices": [{"Status": status}]})

    assert move("PAID").status_code == 400
    assert move("SUBMITTED").json()["Invoices"][0]["Status"] == "SUBMITTED"
    assert move("AUTHORISED").json()["Invoices"][0]["Status"] == "AUTHORISED"
    refused = move("DELETED")
    assert refused.status_code == 400
    assert messages(refused.json()["Elements"][0]) == [
        "Invoice not of valid status for modification"
    ]
    assert move("VOIDED").json()["Invoices"][0]["Status"] == "VOIDED"
    assert move("AUTHORISED").status_code == 400

    other = api.put("/Invoices", json={"Invoices": [bill(Status="DRAFT")]}).json()["Invoices"][0]
    deleted = api.post(f"/Invoices/{other['InvoiceID']}", json={"Status": "DELETED"})
    assert deleted.json()["Invoices"][0]["Status"] == "DELETED"


def test_xero_sandbox_full_payment_makes_the_bill_paid_and_voiding_is_refused(
    api: httpx.Client,
) -> None:
    created = api.put("/Invoices", json={"Invoices": [bill()]}).json()["Invoices"][0]
    total = created["Total"]
    too_much = api.put(
        "/Payments",
        json={
            "Payments": [
                {
                    "Invoice": {"InvoiceID": created["InvoiceID"]},
                    "Account": {"Code": "090"},
                    "Date": "2026-05-02",
                    "Amount": total + 1,
                }
            ]
        },
    )
    assert too_much.status_code == 400
    assert messages(too_much.json()["Elements"][0]) == [
        "Payment amount exceeds the amount outstanding on this document"
    ]
    not_bank = api.post(
        "/Payments",
        json={
            "Invoice": {"InvoiceID": created["InvoiceID"]},
            "Account": {"Code": "429"},
            "Date": "2026-05-02",
            "Amount": 1,
        },
    )
    assert not_bank.status_code == 400

    first = api.post(
        "/Payments",
        json={
            "Invoice": {"InvoiceNumber": "SUP-1"},
            "Account": {"Code": "090"},
            "Date": "2026-05-02",
            "Amount": 10,
        },
    )
    assert first.status_code == 200
    assert first.json()["Payments"][0]["PaymentType"] == "ACCPAYPAYMENT"
    refused = api.post(f"/Invoices/{created['InvoiceID']}", json={"Status": "VOIDED"})
    assert refused.status_code == 400
    rest = round(total - 10, 2)
    second = api.put(
        "/Payments",
        json={
            "Payments": [
                {
                    "Invoice": {"InvoiceID": created["InvoiceID"]},
                    "Account": {"Code": "877"},
                    "Date": "2026-05-03",
                    "Amount": rest,
                }
            ]
        },
    )
    assert second.status_code == 200
    paid = api.get(f"/Invoices/{created['InvoiceID']}").json()["Invoices"][0]
    assert (paid["Status"], paid["AmountDue"], paid["AmountPaid"]) == ("PAID", 0.0, total)
    assert paid["FullyPaidOnDate"] == "/Date(1777766400000+0000)/"
    assert len(paid["Payments"]) == 2
    assert len(api.get("/Payments").json()["Payments"]) == 2


def test_xero_sandbox_payment_on_a_draft_is_refused(api: httpx.Client) -> None:
    draft = api.put("/Invoices", json={"Invoices": [bill(Status="DRAFT")]}).json()["Invoices"][0]
    answer = api.post(
        "/Payments",
        json={
            "Invoice": {"InvoiceID": draft["InvoiceID"]},
            "Account": {"Code": "090"},
            "Amount": 1,
        },
    )
    assert answer.status_code == 400


def test_xero_sandbox_attachments_enforce_count_size_and_name_rules(
    api: httpx.Client,
) -> None:
    invoice_id = api.put("/Invoices", json={"Invoices": [bill()]}).json()["Invoices"][0][
        "InvoiceID"
    ]
    pdf = {"Content-Type": "application/pdf"}
    first = api.put(
        f"/Invoices/{invoice_id}/Attachments/receipt%20one.pdf", content=b"%PDF", headers=pdf
    )
    assert first.status_code == 200
    attached = first.json()["Attachments"][0]
    assert (attached["FileName"], attached["MimeType"], attached["ContentLength"]) == (
        "receipt one.pdf",
        "application/pdf",
        4,
    )
    for name in ("a%2Fb.pdf", "a%3Ab.pdf", "a%2Bb.pdf", "a%3Fb.pdf"):
        assert (
            api.put(f"/Invoices/{invoice_id}/Attachments/{name}", content=b"x").status_code == 400
        )
    huge = b"\0" * 10_000_001  # 10 MB is 10,000,000 bytes
    assert api.put(f"/Invoices/{invoice_id}/Attachments/big.pdf", content=huge).status_code == 413
    for n in range(2, 11):
        assert (
            api.put(f"/Invoices/{invoice_id}/Attachments/f{n}.pdf", content=b"x").status_code == 200
        )
    eleventh = api.put(f"/Invoices/{invoice_id}/Attachments/f11.pdf", content=b"x")
    assert eleventh.status_code == 400
    assert "maximum of 10 attachments" in messages(eleventh.json()["Elements"][0])[0]
    # Re-using a name replaces the file rather than adding one.
    assert api.post(f"/Invoices/{invoice_id}/Attachments/f2.pdf", content=b"yy").status_code == 200
    listed = api.get(f"/Invoices/{invoice_id}/Attachments").json()["Attachments"]
    assert len(listed) == 10
    download = api.get(f"/Invoices/{invoice_id}/Attachments/f2.pdf")
    assert download.content == b"yy"
    fetched = api.get(f"/Invoices/{invoice_id}").json()["Invoices"][0]
    assert fetched["HasAttachments"] is True and len(fetched["Attachments"]) == 10


def test_xero_sandbox_spend_money_needs_a_bank_account_and_takes_attachments(
    api: httpx.Client, sandbox_url: str, org: dict[str, Any]
) -> None:
    spend = {
        "Type": "SPEND",
        "Contact": {"Name": "Taxi Co"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-05-02",
        "LineAmountTypes": "Inclusive",
        "LineItems": [
            {"Description": "Taxi", "Quantity": 1, "UnitAmount": 24, "AccountCode": "493"}
        ],
    }
    answer = api.put("/BankTransactions", json={"BankTransactions": [spend]})
    assert answer.status_code == 200
    created = answer.json()["BankTransactions"][0]
    assert (created["Status"], created["Total"], created["TotalTax"]) == ("AUTHORISED", 24.0, 4.0)
    not_bank = api.put(
        "/BankTransactions", json={"BankTransactions": [{**spend, "BankAccount": {"Code": "429"}}]}
    )
    assert not_bank.status_code == 400
    file = api.put(
        f"/BankTransactions/{created['BankTransactionID']}/Attachments/taxi.jpg", content=b"jpeg"
    )
    assert file.json()["Attachments"][0]["MimeType"] == "image/jpeg"
    state = control(sandbox_url, "GET", f"/_sandbox/tenants/{org['tenant_id']}/state")
    assert len(state["bank_transactions"][0]["Attachments"]) == 1


def test_xero_sandbox_archived_contacts_are_refused_on_new_bills(
    api: httpx.Client, sandbox_url: str, org: dict[str, Any]
) -> None:
    archived = control(
        sandbox_url,
        "POST",
        f"/_sandbox/tenants/{org['tenant_id']}/contacts",
        {"Name": "Gone Ltd", "ContactStatus": "ARCHIVED"},
    )
    answer = api.put(
        "/Invoices", json={"Invoices": [bill(Contact={"ContactID": archived["ContactID"]})]}
    )
    assert answer.status_code == 400
    assert "archived" in messages(answer.json()["Elements"][0])[0]


def test_xero_sandbox_contact_names_are_unique_and_is_supplier_follows_the_first_bill(
    api: httpx.Client,
) -> None:
    created = api.put("/Contacts", json={"Contacts": [{"Name": "Bolt & Nut Ltd"}]})
    contact = created.json()["Contacts"][0]
    assert (contact["IsSupplier"], contact["IsCustomer"]) == (False, False)
    duplicate = api.put("/Contacts", json={"Contacts": [{"Name": "bolt & nut ltd"}]})
    assert duplicate.status_code == 400
    assert messages(duplicate.json()["Elements"][0]) == [
        "The contact name bolt & nut ltd is already assigned to another contact. The contact "
        "name must be unique across all active contacts."
    ]
    api.put("/Invoices", json={"Invoices": [bill(Contact={"ContactID": contact["ContactID"]})]})
    found = api.get("/Contacts", params={"where": 'Name=="Bolt & Nut Ltd"'}).json()["Contacts"]
    assert [c["IsSupplier"] for c in found] == [True]
    assert [
        c["Name"] for c in api.get("/Contacts", params={"searchTerm": "nut"}).json()["Contacts"]
    ] == ["Bolt & Nut Ltd"]


def test_xero_sandbox_contacts_honour_if_modified_since_and_paging(
    api: httpx.Client, sandbox_url: str
) -> None:
    api.put("/Contacts", json={"Contacts": [{"Name": f"Early {n}"} for n in range(3)]})
    control(sandbox_url, "POST", "/_sandbox/clock", {"advance_seconds": 10})
    later = api.put("/Contacts", json={"Contacts": [{"Name": f"Late {n}"} for n in range(3)]})
    first_late = later.json()["Contacts"][0]["UpdatedDateUTC"]
    since = int(first_late[6:19]) / 1000 - 5
    from datetime import UTC, datetime

    header = datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    changed = api.get("/Contacts", headers={"If-Modified-Since": header}).json()["Contacts"]
    assert sorted(c["Name"] for c in changed) == ["Late 0", "Late 1", "Late 2"]
    page = api.get("/Contacts", params={"page": 2, "pageSize": 4, "order": "Name"}).json()
    assert page["pagination"] == {"page": 2, "pageSize": 4, "pageCount": 2, "itemCount": 6}
    assert [c["Name"] for c in page["Contacts"]] == ["Late 1", "Late 2"]


def test_xero_sandbox_invoice_filters_find_a_bill_by_contact_and_number(api: httpx.Client) -> None:
    created = api.put(
        "/Invoices",
        json={
            "Invoices": [
                bill(InvoiceNumber="A-1"),
                bill(InvoiceNumber="A-2", Status="DRAFT"),
                bill(InvoiceNumber="B-1", Contact={"Name": "Other Ltd"}),
            ]
        },
    ).json()["Invoices"]
    contact_id = created[0]["Contact"]["ContactID"]
    where = f'Type=="ACCPAY" AND Contact.ContactID==guid("{contact_id}")'
    both = api.get("/Invoices", params={"where": where}).json()["Invoices"]
    assert sorted(i["InvoiceNumber"] for i in both) == ["A-1", "A-2"]
    one = api.get("/Invoices", params={"where": where, "InvoiceNumbers": "A-2"}).json()["Invoices"]
    assert [i["InvoiceNumber"] for i in one] == ["A-2"]
    drafts = api.get("/Invoices", params={"Statuses": "DRAFT"}).json()["Invoices"]
    assert [i["InvoiceNumber"] for i in drafts] == ["A-2"]
    by_contact = api.get("/Invoices", params={"ContactIDs": created[2]["Contact"]["ContactID"]})
    assert [i["InvoiceNumber"] for i in by_contact.json()["Invoices"]] == ["B-1"]
    ids = api.get("/Invoices", params={"IDs": created[0]["InvoiceID"]}).json()["Invoices"]
    assert [i["InvoiceNumber"] for i in ids] == ["A-1"]
    paged = api.get("/Invoices", params={"page": 1, "pageSize": 2}).json()
    assert paged["pagination"]["itemCount"] == 3 and len(paged["Invoices"]) == 2
    broken = api.get("/Invoices", params={"where": 'Type=="ACCPAY" AND'})
    assert broken.status_code == 400 and broken.json()["Type"] == "QueryParseException"


def test_xero_sandbox_serves_the_organisation_settings(api: httpx.Client) -> None:
    banks = api.get("/Accounts", params={"where": 'Type=="BANK" AND Status=="ACTIVE"'})
    assert sorted(a["Code"] for a in banks.json()["Accounts"]) == ["090", "091"]
    assert "INPUT2" in {t["TaxType"] for t in api.get("/TaxRates").json()["TaxRates"]}
    categories = api.get("/TrackingCategories").json()["TrackingCategories"]
    assert sorted(c["Name"] for c in categories) == ["Department", "Region"]
    assert [c["Code"] for c in api.get("/Currencies").json()["Currencies"]] == ["GBP", "USD"]
    organisation = api.get("/Organisation").json()["Organisations"][0]
    assert organisation["BaseCurrency"] == "GBP"
    assert organisation["PeriodLockDate"] == "/Date(1769817600000+0000)/"


def test_xero_sandbox_post_invoices_upserts_by_invoice_id(api: httpx.Client) -> None:
    created = api.put("/Invoices", json={"Invoices": [bill(Status="DRAFT")]}).json()["Invoices"][0]
    answer = api.post(
        "/Invoices",
        json={
            "Invoices": [
                {"InvoiceID": created["InvoiceID"], "Reference": "PO-7", "Status": "AUTHORISED"},
                bill(InvoiceNumber="NEW-1"),
            ]
        },
    )
    assert answer.status_code == 200
    updated, new = answer.json()["Invoices"]
    assert (updated["InvoiceID"], updated["Status"]) == (created["InvoiceID"], "AUTHORISED")
    assert updated["Total"] == created["Total"]
    assert new["InvoiceID"] != created["InvoiceID"]
    found = api.get("/Invoices", params={"where": 'Reference=="PO-7"'}).json()["Invoices"]
    assert [i["InvoiceID"] for i in found] == [created["InvoiceID"]]
    by_number = api.get("/Invoices", params={"where": 'InvoiceNumber=="NEW-1"'}).json()
    assert [i["InvoiceID"] for i in by_number["Invoices"]] == [new["InvoiceID"]]


def test_xero_sandbox_payment_batch_checks_each_payment_against_what_earlier_ones_paid(
    api: httpx.Client,
) -> None:
    created = api.put("/Invoices", json={"Invoices": [bill()]}).json()["Invoices"][0]
    half = round(created["Total"] / 2, 2)
    payment = {
        "Invoice": {"InvoiceID": created["InvoiceID"]},
        "Account": {"Code": "090"},
        "Date": "2026-05-02",
        "Amount": half + 1,
    }
    answer = api.put(
        "/Payments", params={"summarizeErrors": "false"}, json={"Payments": [payment, payment]}
    )
    assert answer.status_code == 200
    first, second = answer.json()["Payments"]
    assert (first["StatusAttributeString"], second["StatusAttributeString"]) == ("OK", "ERROR")
    assert messages(second) == ["Payment amount exceeds the amount outstanding on this document"]
    remaining = api.get(f"/Invoices/{created['InvoiceID']}").json()["Invoices"][0]
    assert (remaining["Status"], remaining["AmountPaid"]) == ("AUTHORISED", half + 1)


def test_xero_sandbox_deleting_a_payment_reopens_the_bill_and_a_paid_bill_keeps_its_lines(
    api: httpx.Client, sandbox_url: str, org: dict[str, Any]
) -> None:
    created = api.put("/Invoices", json={"Invoices": [bill()]}).json()["Invoices"][0]
    payment = api.post(
        "/Payments",
        json={
            "Invoice": {"InvoiceID": created["InvoiceID"]},
            "Account": {"Code": "090"},
            "Amount": created["Total"],
        },
    ).json()["Payments"][0]
    invoice_url = f"/Invoices/{created['InvoiceID']}"
    assert api.post(invoice_url, json={"Url": "https://countersign.example/v2"}).status_code == 200
    lines = [{"Description": "changed", "Quantity": 1, "UnitAmount": 1, "AccountCode": "429"}]
    assert api.post(invoice_url, json={"LineItems": lines}).status_code == 400

    reversed_ = api.post(f"/Payments/{payment['PaymentID']}", json={"Status": "DELETED"})
    assert reversed_.json()["Payments"][0]["Status"] == "DELETED"
    reopened = api.get(invoice_url).json()["Invoices"][0]
    assert (reopened["Status"], reopened["AmountDue"]) == ("AUTHORISED", created["Total"])
    assert reopened["Url"] == "https://countersign.example/v2"
    assert api.post(invoice_url, json={"Status": "VOIDED"}).json()["Invoices"][0]["Status"] == (
        "VOIDED"
    )
