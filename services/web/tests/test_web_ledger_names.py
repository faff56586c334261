"""The pages name the organisation's ledger: the admin's page of a failed publication and the
failed publications' list as the coding options say it ("QuickBooks Online", and its tax
codes, for a QBO organisation), a request's page and its state as the request says it; Xero
else, and where nothing names a ledger."""

from __future__ import annotations

from typing import Any

from countersign_web.pages.forms import state_label
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


class _Reader:
    """A signed-in person who is no admin, as the request page asks of its session."""

    csrf = "t"

    def is_admin(self) -> bool:
        return False


def _request_page(ledger: str | None) -> str:
    request = {
        "request_id": "r-1", "supplier": "Paper Co", "document_reference": "INV-1",
        "state": "published", "ledger": ledger, "totals": {"currency": "GBP", "total": "12.00"},
        "requester": {"name": "Rita"}, "source": "dext", "original_document_url": "https://d/1",
        "bill": {"issue_date": "2026-11-02", "due_date": "2026-12-02",
                 "document": {"media_type": "application/pdf", "file_name": "inv.pdf"}},
        "possible_duplicates": [],
        "possible_duplicates_in_xero": [{
            "xero_invoice_id": "0000-9", "invoice_number": "INV-1", "contact_name": "Paper Co",
            "reason": "same_invoice_number"}],
        "lines": [], "steps": [], "audit_trail": [],
    }  # fmt: skip
    changed = {"at": "2026-11-04T10:00:00Z", "rows": [("Total", "12.00", "112.00")], "reports": 1}
    html = TEMPLATES.get_template("request.html").render(
        session=_Reader(), request=request, changed_in_xero=changed
    )
    return str(html)


def test_a_qbo_requests_page_says_quickbooks_online_of_duplicates_and_changes() -> None:
    html = _request_page("qbo")
    assert "already in Countersign or in QuickBooks Online" in html
    assert "entered in QuickBooks Online:" in html  # no Xero InvoiceID: it names no QBO bill
    assert "Changed in QuickBooks Online after approval" in html
    assert "in QuickBooks Online after it was approved (QuickBooks Online's time" in html
    assert "Now in QuickBooks Online" in html and "Xero" not in html


def test_a_xero_requests_page_and_one_naming_no_ledger_say_xero() -> None:
    for ledger in ("xero", None):
        html = _request_page(ledger)
        assert "or in Xero" in html and "entered in Xero (InvoiceID <code>0000-9</code>)" in html
        assert "Changed in Xero after approval" in html and "Now in Xero" in html
        assert "QuickBooks" not in html


def test_the_failed_publications_page_names_the_organisations_ledger() -> None:
    page = TEMPLATES.get_template("admin_failed.html")
    qbo = {"ledger_read": True, "ledger": "qbo", "ledger_title": "QuickBooks Online"}
    row = {"request_id": "r-1", "supplier": "Paper Co", "document_reference": "INV-1",
           "totals": {"currency": "GBP", "total": "12.00"}}  # fmt: skip
    listed = page.render(session=None, requests=[row], options=qbo)
    assert "Approved bills QuickBooks Online refused" in listed and "Xero" not in listed
    assert "every one reached QuickBooks Online." in page.render(
        session=None, requests=[], options=qbo
    )
    assert "every one reached Xero." in page.render(session=None, requests=[], options=None)


def test_a_published_requests_state_names_its_ledger() -> None:
    assert state_label("published", "qbo") == "In QuickBooks Online"
    assert state_label("published", "xero") == state_label("published") == "In Xero"
    assert state_label("publish_failed", "qbo") == "Publication failed"
