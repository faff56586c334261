"""The admin's page of a failed publication names the organisation's ledger as the coding
options say it: "QuickBooks Online" (and its tax codes) for a QBO organisation, Xero else."""

from __future__ import annotations

from typing import Any

from countersign_web.pages.rendering import TEMPLATES


def _failed(options: dict[str, Any] | None) -> str:
    request = {
        "request_id": "r-1", "supplier": "Paper Co", "document_reference": "INV-1",
        "state": "publish_failed", "totals": {"currency": "GBP", "total": "12.00"},
        "publication": {"messages": ["Invalid Reference Id"]},
        "lines": [{"description": "Paper", "line_amount": "10.00", "account_code": "5",
                   "tax_type": "11"}],
    }  # fmt: skip
    html = TEMPLATES.get_template("admin_request.html").render(
        session=None, request=request, options=options, field_error={}
    )
    return str(html)


def test_a_qbo_organisations_failed_publication_names_quickbooks_online() -> None:
    options = {"ledger_read": True, "ledger": "qbo", "ledger_title": "QuickBooks Online",
               "accounts": [{"code": "5", "name": "Office Expenses"}],
               "tax_rates": [{"tax_type": "11", "name": "20.0% S"}]}  # fmt: skip
    html = _failed(options)
    assert "QuickBooks Online said" in html and "Fix what QuickBooks Online refused" in html
    assert "Send to QuickBooks Online again" in html and ">Tax code<" in html
    assert "Xero" not in html


def test_a_xero_organisations_page_and_one_before_the_ledger_was_read_name_xero() -> None:
    for options in ({"ledger_read": True, "ledger": "xero", "ledger_title": "Xero",
                     "accounts": [], "tax_rates": []}, None):  # fmt: skip
        html = _failed(options)
        assert "Xero said" in html and "Send to Xero again" in html and ">Tax rate<" in html
