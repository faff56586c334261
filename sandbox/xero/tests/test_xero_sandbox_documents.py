"""The Xero sandbox's bills, attachments, payments, spend money and contacts, over real HTTP.
Amounts, rates and rounding: test_xero_sandbox_money.py; contact names: ..._contacts.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import control, provision

from sandbox.xero.tests.xero_http import accounting_client, bill, messages

pytestmark = pytest.mark.integration


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


@pytest.mark.parametrize("summarize", [None, "true"])
def test_xero_sandbox_summarize_errors_stores_the_valid_elements_and_answers_400(
    api: httpx.Client, sandbox_url: str, org: dict[str, Any], summarize: str | None
) -> None:
    params = {"summarizeErrors": summarize} if summarize else {}
    answer = api.put(
        "/Invoices",
        params=params,
        json={"Invoices": [bill(), bill(CurrencyCode="JPY"), bill(InvoiceNumber="SUP-2")]},
    )
    assert answer.status_code == 400
    [failed] = answer.json()["Elements"]  # only the element in error is shown
    assert messages(failed) == ["Organisation is not subscribed to currency JPY"]
    state = control(sandbox_url, "GET", f"/_sandbox/tenants/{org['tenant_id']}/state")
    assert sorted(i["InvoiceNumber"] for i in state["invoices"]) == ["SUP-1", "SUP-2"]
    assert len(state["contacts"]) == 1

    created = state["invoices"][0]
    pay = {"Invoice": {"InvoiceID": created["InvoiceID"]}, "Account": {"Code": "090"}}
    payments = api.put(
        "/Payments", params=params, json={"Payments": [{**pay, "Amount": 1}, {**pay, "Amount": 0}]}
    )
    assert payments.status_code == 400
    assert len(payments.json()["Elements"]) == 1
    assert api.get(f"/Invoices/{created['InvoiceID']}").json()["Invoices"][0]["AmountPaid"] == 1


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
    voided = move("VOIDED").json()["Invoices"][0]
    assert (voided["Status"], voided["AmountDue"], voided["AmountPaid"]) == ("VOIDED", 0.0, 0.0)
    assert voided["Total"] == draft["Total"]  # the document keeps its figures
    read = api.get(f"/Invoices/{invoice_id}").json()["Invoices"][0]
    assert (read["AmountDue"], read["AmountPaid"]) == (0.0, 0.0)
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
    found = api.get("/Invoices", params={"where": 'Status=="AUTHORISED"'}).json()["Invoices"]
    assert created["InvoiceID"] in [i["InvoiceID"] for i in found]
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


def nulls_in(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in nulls_in(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for n, item in enumerate(value) for p in nulls_in(item, f"{path}[{n}]")]
    return [path] if value is None else []


def test_xero_sandbox_leaves_absent_values_out_instead_of_sending_null(
    sandbox_url: str, api: httpx.Client
) -> None:
    unlocked = provision(sandbox_url)  # no lock date
    with accounting_client(sandbox_url, unlocked) as other:
        organisation = other.get("/Organisation").json()
        assert nulls_in(organisation) == []
        assert "PeriodLockDate" not in organisation["Organisations"][0]
    undated = {key: value for key, value in bill().items() if key != "DueDate"}
    created = api.put("/Invoices", json={"Invoices": [undated]}).json()
    assert nulls_in(created) == []
    assert "DueDate" not in created["Invoices"][0]
    invoice_id = created["Invoices"][0]["InvoiceID"]
    for answer in (
        api.get(f"/Invoices/{invoice_id}"),
        api.get("/Invoices"),
        api.get("/Contacts"),
        api.put("/Invoices", json={"Invoices": [{**undated, "CurrencyCode": "JPY"}]}),
    ):
        assert nulls_in(answer.json()) == []


def test_xero_sandbox_serves_file_bytes_for_the_accept_headers_a_download_sends(
    api: httpx.Client,
) -> None:
    invoice_id = api.put("/Invoices", json={"Invoices": [bill()]}).json()["Invoices"][0][
        "InvoiceID"
    ]
    jpeg = b"\xff\xd8\xff\xe0 not really a jpeg"
    put = api.put(
        f"/Invoices/{invoice_id}/Attachments/photo%201.jpg",
        content=jpeg,
        headers={"Content-Type": "image/jpeg"},
    )
    attachment_id = put.json()["Attachments"][0]["AttachmentID"]
    for ref in ("photo%201.jpg", attachment_id):
        for accept in ("application/octet-stream", "*/*", "image/jpeg", "image/*"):
            download = api.get(
                f"/Invoices/{invoice_id}/Attachments/{ref}", headers={"Accept": accept}
            )
            assert download.status_code == 200, accept
            assert download.content == jpeg
            assert download.headers["content-type"] == "image/jpeg"
    refused = api.get(
        f"/Invoices/{invoice_id}/Attachments/{attachment_id}", headers={"Accept": "application/xml"}
    )
    assert refused.status_code == 406


def test_xero_sandbox_renders_an_invoice_as_pdf_for_accept_application_pdf(
    api: httpx.Client,
) -> None:
    created = api.put("/Invoices", json={"Invoices": [bill()]}).json()["Invoices"][0]
    pdf = api.get(f"/Invoices/{created['InvoiceID']}", headers={"Accept": "application/pdf"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and pdf.content.rstrip().endswith(b"%%EOF")
    same = api.get(f"/Invoices/{created['InvoiceID']}", headers={"Accept": "application/pdf"})
    assert same.content == pdf.content  # the same invoice renders to the same bytes
    as_json = api.get(
        f"/Invoices/{created['InvoiceID']}", headers={"Accept": "application/json, */*"}
    )
    assert as_json.json()["Invoices"][0]["InvoiceID"] == created["InvoiceID"]
    assert api.get("/Invoices", headers={"Accept": "application/pdf"}).status_code == 406
    xml = api.get(f"/Invoices/{created['InvoiceID']}", headers={"Accept": "application/xml"})
    assert xml.status_code == 406


def test_xero_sandbox_lists_invoices_without_line_items_unless_paged(api: httpx.Client) -> None:
    created = api.put(
        "/Invoices", json={"Invoices": [bill(InvoiceNumber=f"L-{n}") for n in range(3)]}
    ).json()["Invoices"]
    assert all(len(i["LineItems"]) == 1 for i in created)
    listed = api.get("/Invoices").json()
    assert "pagination" not in listed
    assert [i["LineItems"] for i in listed["Invoices"]] == [[], [], []]
    assert {i["Total"] for i in listed["Invoices"]} == {created[0]["Total"]}
    paged = api.get("/Invoices", params={"page": 1}).json()
    assert paged["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 1, "itemCount": 3}
    assert [len(i["LineItems"]) for i in paged["Invoices"]] == [1, 1, 1]
    one = api.get(f"/Invoices/{created[0]['InvoiceID']}").json()["Invoices"][0]
    assert one["LineItems"][0]["Description"] == "Printer paper"


def test_xero_sandbox_payments_carry_the_invoice_they_pay_as_the_spec_shows(
    api: httpx.Client,
) -> None:
    created = api.put("/Invoices", json={"Invoices": [bill()]}).json()["Invoices"][0]
    total = created["Total"]
    pay = {"Invoice": {"InvoiceID": created["InvoiceID"]}, "Account": {"Code": "090"}}
    first = api.put("/Payments", json={"Payments": [{**pay, "Amount": 10}]}).json()
    invoice = first["Payments"][0]["Invoice"]
    assert (invoice["InvoiceID"], invoice["InvoiceNumber"], invoice["Type"]) == (
        created["InvoiceID"],
        "SUP-1",
        "ACCPAY",
    )
    assert (invoice["Status"], invoice["AmountPaid"], invoice["AmountDue"]) == (
        "AUTHORISED",
        10.0,
        round(total - 10, 2),
    )
    assert (invoice["Total"], invoice["CurrencyCode"]) == (total, "GBP")
    assert invoice["Contact"]["ContactID"] == created["Contact"]["ContactID"]
    assert invoice["Contact"]["Name"] == "Acme Supplies Ltd"
    assert [li["Description"] for li in invoice["LineItems"]] == ["Printer paper"]
    assert invoice["DateString"] == "2026-05-01T00:00:00"

    rest = api.post("/Payments", json={**pay, "Amount": round(total - 10, 2)}).json()
    paid = rest["Payments"][0]["Invoice"]
    assert (paid["Status"], paid["AmountDue"], paid["AmountPaid"]) == ("PAID", 0.0, total)
    assert "FullyPaidOnDate" in paid
    payment_id = rest["Payments"][0]["PaymentID"]
    one = api.get(f"/Payments/{payment_id}").json()["Payments"][0]["Invoice"]
    assert (one["Status"], one["Total"]) == ("PAID", total)

    # The list carries the summary the spec's GET /Payments example shows.
    listed = api.get("/Payments").json()["Payments"]
    summary = listed[0]["Invoice"]
    assert (summary["InvoiceID"], summary["Type"], summary["CurrencyCode"]) == (
        created["InvoiceID"],
        "ACCPAY",
        "GBP",
    )
    assert summary["Contact"]["Name"] == "Acme Supplies Ltd"
    assert summary["LineItems"] == []
    assert "AmountDue" not in summary

    reversed_ = api.post(f"/Payments/{payment_id}", json={"Status": "DELETED"}).json()
    reopened = reversed_["Payments"][0]["Invoice"]
    assert (reopened["Status"], reopened["AmountDue"]) == ("AUTHORISED", round(total - 10, 2))


def test_xero_sandbox_elements_in_error_carry_their_types_flag(api: httpx.Client) -> None:
    contacts = api.put(
        "/Contacts",
        params={"summarizeErrors": "false"},
        json={"Contacts": [{"Name": "Flagged Ltd"}, {"Name": "flagged ltd"}]},
    ).json()["Contacts"]
    assert [c["HasValidationErrors"] for c in contacts] == [False, True]
    assert [c["StatusAttributeString"] for c in contacts] == ["OK", "ERROR"]
    assert "already assigned" in messages(contacts[1])[0]
    assert all("HasErrors" not in c for c in contacts)

    created = api.put("/Invoices", json={"Invoices": [bill()]}).json()["Invoices"][0]
    pay = {"Invoice": {"InvoiceID": created["InvoiceID"]}, "Account": {"Code": "090"}}
    payments = api.put(
        "/Payments",
        params={"summarizeErrors": "false"},
        json={"Payments": [{**pay, "Amount": 1}, {**pay, "Amount": 10_000}]},
    ).json()["Payments"]
    assert [p["HasValidationErrors"] for p in payments] == [False, True]
    assert all("HasErrors" not in p for p in payments)
    refused = api.put("/Payments", json={"Payments": [{**pay, "Amount": 10_000}]})
    assert refused.json()["Elements"][0]["HasValidationErrors"] is True

    spend = {
        "Type": "SPEND",
        "Contact": {"Name": "Flagged Ltd"},
        "BankAccount": {"Code": "429"},
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 5, "AccountCode": "429"}],
    }
    [element] = api.put(
        "/BankTransactions", params={"summarizeErrors": "false"}, json={"BankTransactions": [spend]}
    ).json()["BankTransactions"]
    assert element["StatusAttributeString"] == "ERROR"
    assert "HasErrors" not in element and "HasValidationErrors" not in element

    invoices = api.put(
        "/Invoices",
        params={"summarizeErrors": "false"},
        json={"Invoices": [bill(CurrencyCode="JPY")]},
    ).json()["Invoices"]
    assert invoices[0]["HasErrors"] is True and "HasValidationErrors" not in invoices[0]


def test_xero_sandbox_ignores_reference_on_a_bill_and_keeps_it_on_a_sales_invoice(
    api: httpx.Client,
) -> None:
    created = api.put("/Invoices", json={"Invoices": [bill(Reference="PO-7")]}).json()
    assert created["Invoices"][0]["Reference"] == ""
    assert created["Invoices"][0]["InvoiceNumber"] == "SUP-1"
    invoice_id = created["Invoices"][0]["InvoiceID"]
    api.post(f"/Invoices/{invoice_id}", json={"Reference": "PO-8"})
    assert api.get(f"/Invoices/{invoice_id}").json()["Invoices"][0]["Reference"] == ""
    assert api.get("/Invoices", params={"where": 'Reference=="PO-7"'}).json()["Invoices"] == []
    sale = {
        **bill(Type="ACCREC", Reference="Order 12"),
        "LineItems": [
            {"Description": "Widget", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}
        ],
    }
    sold = api.put("/Invoices", json={"Invoices": [sale]}).json()["Invoices"][0]
    assert sold["Reference"] == "Order 12"


def test_xero_sandbox_refuses_a_tax_type_its_rate_does_not_apply_to_the_accounts_class(
    api: httpx.Client,
) -> None:
    """As Xero's organisations do: a purchase rate (ReportTaxType INPUT) is not for revenue
    accounts, a sales rate (OUTPUT) not for expense accounts; TaxRates says so per class."""
    rates = {r["TaxType"]: r for r in api.get("/TaxRates").json()["TaxRates"]}
    assert (rates["INPUT2"]["ReportTaxType"], rates["OUTPUT2"]["ReportTaxType"]) == (
        "INPUT",
        "OUTPUT",
    )
    assert (rates["INPUT2"]["CanApplyToRevenue"], rates["INPUT2"]["CanApplyToExpenses"]) == (
        False,
        True,
    )
    assert (rates["OUTPUT2"]["CanApplyToExpenses"], rates["OUTPUT2"]["CanApplyToRevenue"]) == (
        False,
        True,
    )
    assert all(rates["NONE"][flag] for flag in rates["NONE"] if flag.startswith("CanApplyTo"))

    def line(account: str, tax_type: str) -> dict[str, Any]:
        return {"Description": "a", "Quantity": 1, "UnitAmount": 10,
                "AccountCode": account, "TaxType": tax_type}  # fmt: skip

    wrong = api.put("/Invoices", json={"Invoices": [bill(LineItems=[line("429", "OUTPUT2")])]})
    sale = {**bill(Type="ACCREC"), "LineItems": [line("200", "INPUT2")]}
    wrong_sale = api.put("/Invoices", json={"Invoices": [sale]})
    right = api.put("/Invoices", json={"Invoices": [bill(LineItems=[line("429", "NONE")])]})

    assert wrong.status_code == 400
    assert messages(wrong.json()["Elements"][0]) == [
        "The TaxType code 'OUTPUT2' cannot be used with account code '429'."
    ]
    assert wrong_sale.status_code == 400
    assert messages(wrong_sale.json()["Elements"][0]) == [
        "The TaxType code 'INPUT2' cannot be used with account code '200'."
    ]
    assert right.status_code == 200
