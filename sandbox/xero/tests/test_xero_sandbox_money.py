"""The Xero sandbox's money over real HTTP: unit amounts rounded to 2 dp unless ``unitdp=4``,
stated line totals, daily currency rates, negative totals, two decimals on every amount."""

from __future__ import annotations

import re
import urllib.error
from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import control, provision

from sandbox.xero.tests.xero_http import accounting_client, bill, messages

pytestmark = pytest.mark.integration


def gst_org(sandbox_url: str) -> dict[str, Any]:
    rates = [{"TaxType": "GST15", "Name": "15% GST", "EffectiveRate": 15}]
    return provision(sandbox_url, {"tax_rates": rates, "currencies": ["GBP", "USD"]})


THIRDS = [
    {
        "Description": "thirds",
        "Quantity": 3,
        "UnitAmount": 0.333,
        "AccountCode": "429",
        "TaxType": "GST15",
    }
]


def test_xero_sandbox_rounds_unit_amounts_to_two_places_unless_unitdp_4(
    sandbox_url: str,
) -> None:
    with accounting_client(sandbox_url, gst_org(sandbox_url)) as api:
        plain = api.put("/Invoices", json={"Invoices": [bill(LineItems=THIRDS)]}).json()
        [two] = plain["Invoices"]
        assert [
            (li["UnitAmount"], li["LineAmount"], li["TaxAmount"]) for li in two["LineItems"]
        ] == [(0.33, 0.99, 0.15)]
        assert (two["SubTotal"], two["TotalTax"], two["Total"], two["AmountDue"]) == (
            0.99,
            0.15,
            1.14,
            1.14,
        )

        opted = api.put(
            "/Invoices", params={"unitdp": 4}, json={"Invoices": [bill(LineItems=THIRDS)]}
        ).json()
        [four] = opted["Invoices"]
        assert [(li["UnitAmount"], li["LineAmount"]) for li in four["LineItems"]] == [(0.333, 1.00)]
        assert (four["TotalTax"], four["Total"]) == (0.15, 1.15)

        # Responses show UnitAmount at 2 dp unless this request asks for 4; totals stay.
        read = api.get(f"/Invoices/{four['InvoiceID']}").json()["Invoices"][0]
        assert (read["LineItems"][0]["UnitAmount"], read["Total"]) == (0.33, 1.15)
        read4 = api.get(f"/Invoices/{four['InvoiceID']}", params={"unitdp": 4}).json()
        assert read4["Invoices"][0]["LineItems"][0]["UnitAmount"] == 0.333
        paged = api.get("/Invoices", params={"page": 1, "unitdp": 4}).json()["Invoices"]
        assert sorted(i["LineItems"][0]["UnitAmount"] for i in paged) == [0.33, 0.333]

        # An update that does not send lines keeps their four places.
        api.post(f"/Invoices/{four['InvoiceID']}", json={"DueDate": "2026-06-30"})
        assert api.get(f"/Invoices/{four['InvoiceID']}").json()["Invoices"][0]["Total"] == 1.15


def test_xero_sandbox_refuses_a_line_amount_that_disagrees_with_the_rounded_inputs(
    sandbox_url: str,
) -> None:
    stated = [{**THIRDS[0], "LineAmount": 1.00}]
    with accounting_client(sandbox_url, gst_org(sandbox_url)) as api:
        refused = api.put("/Invoices", json={"Invoices": [bill(LineItems=stated)]})
        assert refused.status_code == 400
        assert messages(refused.json()["Elements"][0]) == [
            "The line total 1.00 does not match the expected line total 0.99"
        ]
        accepted = api.put(
            "/Invoices", params={"unitdp": "4"}, json={"Invoices": [bill(LineItems=stated)]}
        )
        assert accepted.status_code == 200


def test_xero_sandbox_bank_transactions_round_unit_amounts_like_invoices(
    sandbox_url: str,
) -> None:
    spend = {
        "Type": "SPEND",
        "Contact": {"Name": "Thirds Ltd"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-05-02",
        "LineItems": [{**THIRDS[0], "Quantity": 1.23456}],
    }
    with accounting_client(sandbox_url, gst_org(sandbox_url)) as api:
        plain = api.put("/BankTransactions", json={"BankTransactions": [spend]}).json()
        [line] = plain["BankTransactions"][0]["LineItems"]
        assert (line["Quantity"], line["UnitAmount"], line["LineAmount"]) == (1.2346, 0.33, 0.41)
        opted = api.put(
            "/BankTransactions", params={"unitdp": 4}, json={"BankTransactions": [spend]}
        ).json()
        created = opted["BankTransactions"][0]
        assert (created["LineItems"][0]["UnitAmount"], created["Total"]) == (0.333, 0.47)
        read = api.get(f"/BankTransactions/{created['BankTransactionID']}").json()
        assert read["BankTransactions"][0]["LineItems"][0]["UnitAmount"] == 0.33


def test_xero_sandbox_foreign_documents_without_a_rate_take_the_daily_rate(
    sandbox_url: str,
) -> None:
    rates = {"USD": "1.25", "EUR": {"*": "1.10", "2026-05-01": "1.15"}}
    org = provision(sandbox_url, {"currencies": ["GBP", "USD", "EUR"], "rates": rates})
    assert org["tenant"]["rates"] == {"USD": {"*": 1.25}, "EUR": {"*": 1.1, "2026-05-01": 1.15}}
    with accounting_client(sandbox_url, org) as api:

        def rate_of(**overrides: Any) -> Any:
            answer = api.put("/Invoices", json={"Invoices": [bill(**overrides)]})
            assert answer.status_code == 200, answer.text
            return answer.json()["Invoices"][0]["CurrencyRate"]

        assert rate_of(CurrencyCode="USD") == 1.25
        assert rate_of(CurrencyCode="EUR", Date="2026-04-30") == 1.10
        assert rate_of(CurrencyCode="EUR", Date="2026-05-02") == 1.15
        assert rate_of() == 1
        assert rate_of(CurrencyCode="GBP", CurrencyRate=0.5) == 1  # base currency: always 1
        exact = api.put(
            "/Invoices",
            content=(
                '{"Invoices":[{"Type":"ACCPAY","Contact":{"Name":"R Ltd"},"Date":"2026-05-01",'
                '"CurrencyCode":"USD","CurrencyRate":1.2345678901,"LineItems":[{"Description":'
                '"x","Quantity":1,"UnitAmount":10,"AccountCode":"429"}]}]}'
            ),
            headers={"Content-Type": "application/json"},
        )
        assert '"CurrencyRate":1.2345678901' in exact.text

        control(
            sandbox_url, "PATCH", f"/_sandbox/tenants/{org['tenant_id']}", {"rates": {"USD": 1.3}}
        )
        assert rate_of(CurrencyCode="USD") == 1.3
        control(
            sandbox_url,
            "PATCH",
            f"/_sandbox/tenants/{org['tenant_id']}",
            {"currencies": ["GBP", "USD", "EUR", "NZD"]},
        )
        assert rate_of(CurrencyCode="NZD") == 2.13  # the default table (per 1 GBP)

        spend = {
            "Type": "SPEND",
            "Contact": {"Name": "Dollar Taxi"},
            "BankAccount": {"Code": "090"},
            "Date": "2026-05-02",
            "CurrencyCode": "EUR",
            "LineItems": [
                {"Description": "x", "Quantity": 1, "UnitAmount": 5, "AccountCode": "493"}
            ],
        }
        made = api.put("/BankTransactions", json={"BankTransactions": [spend]}).json()
        assert made["BankTransactions"][0]["CurrencyRate"] == 1.15

        usd = api.put("/Invoices", json={"Invoices": [bill(CurrencyCode="USD")]}).json()
        payment = api.post(
            "/Payments",
            json={
                "Invoice": {"InvoiceID": usd["Invoices"][0]["InvoiceID"]},
                "Account": {"Code": "090"},
                "Date": "2026-05-03",
                "Amount": 1,
            },
        ).json()["Payments"][0]
        assert payment["CurrencyRate"] == 1.3


def test_xero_sandbox_refuses_a_tenant_spec_with_unusable_rates(sandbox_url: str) -> None:
    for rates in ({"USD": "-1"}, {"USD": {"someday": "1.2"}}):
        with pytest.raises(urllib.error.HTTPError) as refused:
            control(sandbox_url, "POST", "/_sandbox/tenants", {"rates": rates})
        assert refused.value.code == 400
    with pytest.raises(urllib.error.HTTPError):
        control(sandbox_url, "POST", "/_sandbox/tenants", {"currencies": ["GBP", "XYZ"]})


def test_xero_sandbox_refuses_a_bill_or_spend_whose_total_is_negative(
    api: httpx.Client, sandbox_url: str, org: dict[str, Any]
) -> None:
    def lines(*amounts: float) -> list[dict[str, Any]]:
        return [
            {"Description": f"l{n}", "Quantity": 1, "UnitAmount": a, "AccountCode": "429"}
            for n, a in enumerate(amounts)
        ]

    negative = api.put("/Invoices", json={"Invoices": [bill(LineItems=lines(100, -150))]})
    assert negative.status_code == 400
    assert messages(negative.json()["Elements"][0]) == [
        "The Total for this document must be greater than or equal to zero."
    ]
    draft = api.put("/Invoices", json={"Invoices": [bill(Status="DRAFT", LineItems=lines(-1))]})
    assert draft.status_code == 400
    discounted = api.put("/Invoices", json={"Invoices": [bill(LineItems=lines(100, -40))]})
    assert discounted.status_code == 200
    assert discounted.json()["Invoices"][0]["Total"] == 72.0
    zero = api.put("/Invoices", json={"Invoices": [bill(LineItems=lines(10, -10))]})
    assert zero.status_code == 200

    spend = {
        "Type": "SPEND",
        "Contact": {"Name": "Refund Co"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-05-02",
        "LineItems": lines(-5),
    }
    refused = api.put("/BankTransactions", json={"BankTransactions": [spend]})
    assert refused.status_code == 400
    assert messages(refused.json()["Elements"][0]) == [
        "The Total for this document must be greater than or equal to zero."
    ]
    state = control(sandbox_url, "GET", f"/_sandbox/tenants/{org['tenant_id']}/state")
    assert len(state["invoices"]) == 2 and state["bank_transactions"] == []


MONEY_KEYS = (
    "LineAmount|TaxAmount|SubTotal|TotalTax|Total|AmountDue|AmountPaid|AmountCredited"
    "|TotalDiscount|Amount|BankAmount"
)


def money_texts(text: str) -> list[tuple[str, str]]:
    return re.findall(rf'"({MONEY_KEYS})":(-?[0-9.eE+]+)', text)


THIRDS_NO_TAX = [
    {"Description": "x", "Quantity": 3, "UnitAmount": 1, "AccountCode": "429", "TaxType": "NONE"}
]


def test_xero_sandbox_writes_every_money_amount_with_two_decimals(api: httpx.Client) -> None:
    created = api.put("/Invoices", json={"Invoices": [bill(LineItems=THIRDS_NO_TAX)]})
    invoice_id = created.json()["Invoices"][0]["InvoiceID"]
    paid = api.post(
        "/Payments",
        json={"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Amount": 0.5},
    )
    spend = {
        "Type": "SPEND",
        "Contact": {"Name": "Two Places Ltd"},
        "BankAccount": {"Code": "090"},
        "LineItems": THIRDS_NO_TAX,
    }
    made = api.put("/BankTransactions", json={"BankTransactions": [spend]})
    texts = [
        created.text,
        paid.text,
        made.text,
        api.get(f"/Invoices/{invoice_id}").text,
        api.get("/Payments").text,
    ]
    found = [pair for text in texts for pair in money_texts(text)]
    assert {key for key, _ in found} >= {
        "LineAmount",
        "TaxAmount",
        "SubTotal",
        "TotalTax",
        "Total",
        "AmountDue",
        "AmountPaid",
        "Amount",
    }
    assert [(key, value) for key, value in found if not re.fullmatch(r"-?\d+\.\d\d", value)] == []
