"""The Xero sandbox's contact names over real HTTP: trimmed, compared case-insensitively,
found with ``where`` in any script and with quotes, as httpx encodes the query."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import control

from sandbox.xero.tests.xero_http import bill, messages

pytestmark = pytest.mark.integration

NAMES = ["Zoë Ltd", "株式会社テスト", "Café ☕ 🎉 Ltd", 'Say "Hi" Ltd', "C:\\new\\tab Ltd"]


@pytest.mark.parametrize("name", NAMES)
def test_xero_sandbox_where_finds_non_ascii_and_quoted_names_over_http(
    api: httpx.Client, name: str
) -> None:
    created = api.put("/Contacts", json={"Contacts": [{"Name": name}]})
    assert created.status_code == 200
    literal = name.replace('"', '""')  # Xero's where escapes a quote by doubling it
    found = api.get("/Contacts", params={"where": f'Name=="{literal}"'})
    assert found.status_code == 200
    assert [c["Name"] for c in found.json()["Contacts"]] == [name]
    # The query string exactly as httpx percent-encodes it (UTF-8), decoded by the sandbox.
    assert "%" in str(found.request.url)


def test_xero_sandbox_where_refuses_a_backslash_escaped_quote(api: httpx.Client) -> None:
    api.put("/Contacts", json={"Contacts": [{"Name": 'Say "Hi" Ltd'}]})
    refused = api.get("/Contacts", params={"where": 'Name=="Say \\"Hi\\" Ltd"'})
    assert refused.status_code == 400
    assert refused.json()["Type"] == "QueryParseException"


def test_xero_sandbox_trims_contact_names_and_compares_them_case_insensitively(
    api: httpx.Client,
) -> None:
    created = api.put("/Contacts", json={"Contacts": [{"Name": "  Trailing Co  "}]})
    contact = created.json()["Contacts"][0]
    assert contact["Name"] == "Trailing Co"
    duplicate = api.put("/Contacts", json={"Contacts": [{"Name": "trailing co\t"}]})
    assert duplicate.status_code == 400
    assert "is already assigned to another contact" in messages(duplicate.json()["Elements"][0])[0]

    upserted = api.post(
        "/Contacts", json={"Contacts": [{"Name": " TRAILING CO ", "EmailAddress": "a@b.example"}]}
    ).json()["Contacts"][0]
    assert (upserted["ContactID"], upserted["Name"]) == (contact["ContactID"], "TRAILING CO")

    on_bill = api.put(
        "/Invoices", json={"Invoices": [bill(Contact={"Name": "  trailing CO "})]}
    ).json()["Invoices"][0]
    assert on_bill["Contact"]["ContactID"] == contact["ContactID"]

    spend = {
        "Type": "SPEND",
        "Contact": {"Name": "  New Spend Co  "},
        "BankAccount": {"Code": "090"},
        "Date": "2026-05-02",
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 5, "AccountCode": "429"}],
    }
    made = api.put("/BankTransactions", json={"BankTransactions": [spend]}).json()
    assert made["BankTransactions"][0]["Contact"]["Name"] == "New Spend Co"
    again = api.put(
        "/Invoices", json={"Invoices": [bill(Contact={"Name": "new spend co"})]}
    ).json()["Invoices"][0]
    assert again["Contact"]["ContactID"] == made["BankTransactions"][0]["Contact"]["ContactID"]

    # The where literal is compared as sent with the stored, trimmed name.
    def named(literal: str) -> list[str]:
        found = api.get("/Contacts", params={"where": f'Name=="{literal}"'})
        return [c["Name"] for c in found.json()["Contacts"]]

    assert named("Trailing Co") == ["TRAILING CO"]
    assert named("Trailing Co ") == []
    assert named("New Spend Co") == ["New Spend Co"]


def test_xero_sandbox_a_blank_contact_name_does_not_identify_a_contact(
    api: httpx.Client, sandbox_url: str, org: dict[str, Any]
) -> None:
    answer = api.put("/Invoices", json={"Invoices": [bill(Contact={"Name": "   "})]})
    assert answer.status_code == 400
    assert messages(answer.json()["Elements"][0]) == [
        "The Contact must contain at least 1 of the following elements to identify the "
        "contact: Name, ContactID, ContactNumber"
    ]
    blank = api.put("/Contacts", json={"Contacts": [{"Name": " \t "}]})
    assert messages(blank.json()["Elements"][0]) == ["The contact name must be specified."]
    state = control(sandbox_url, "GET", f"/_sandbox/tenants/{org['tenant_id']}/state")
    assert state["contacts"] == []
