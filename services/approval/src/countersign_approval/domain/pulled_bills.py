"""A bill pulled from Xero as the item version a request is opened for (ADR 0058; pure).

    BillSubmittedInXero (version n) ─▶ ``pulled_version`` ─▶ the same path as a Dext item
        version: opened, or superseding the request for version n-1 (its approvals do not
        carry over), or refused once that one is bound for the ledger

The item is ``xero:<InvoiceID>``; the bill is the contracts' ``Bill`` as Dext would have sent
it: supplier, number, dates, currency, lines and totals as Xero holds them, owned by the
organisation's ``via_xero_requester``, unpaid, its link the bill's page in Xero. Its document
is the Xero bill itself (the digest of the state pulled; ingest holds no file for it).
"""

from __future__ import annotations

import hashlib
import json
from uuid import UUID

from countersign_contracts import (
    Bill,
    BillSubmittedInXero,
    CostItemSubmitted,
    DocumentMetadata,
    DocumentType,
    LineItem,
    Payment,
    Requester,
    XeroBillLine,
)

from countersign_approval.domain.people import Participant

__all__ = ["XERO_BILL_PAGE", "pulled_item_id", "pulled_version"]

XERO_BILL_PAGE = "https://go.xero.com/AccountsPayable/View.aspx?InvoiceID={}"
_NO_DESCRIPTION = "(no description in Xero)"


def pulled_item_id(invoice_id: UUID) -> str:
    return f"xero:{invoice_id}"


def _line(line: XeroBillLine) -> LineItem:
    if line.account_code is None or line.tax_type is None:
        # Xero codes every line of a submitted bill (the account's default tax type at least).
        raise ValueError("a line of a submitted bill without its account or tax type")
    return LineItem(
        description=line.description or _NO_DESCRIPTION,
        quantity=line.quantity,
        unit_amount=line.unit_amount,
        account_code=line.account_code,
        tax_type=line.tax_type,
        tax_amount=line.tax_amount,
        line_amount=line.line_amount,
        tracking=line.tracking,
        item_code=line.item_code,
    )


def _document(pulled: BillSubmittedInXero) -> DocumentMetadata:
    state = json.dumps(pulled.bill.model_dump(mode="json"), sort_keys=True).encode()
    return DocumentMetadata(
        document_id=pulled.xero_invoice_id,
        file_name=f"xero-bill-{pulled.xero_invoice_id}.json",
        media_type="application/json",
        size_bytes=len(state),
        sha256=hashlib.sha256(state).hexdigest(),
    )


def pulled_version(pulled: BillSubmittedInXero, requester: Participant) -> CostItemSubmitted:
    """The pulled bill as the item version approval opens a request for; ``ValueError``
    (pydantic's included) when it cannot be one."""
    xero = pulled.bill
    bill = Bill(
        document_type=DocumentType.INVOICE,
        supplier=xero.supplier,
        document_reference=xero.invoice_number or str(pulled.xero_invoice_id),
        issue_date=xero.issue_date,
        due_date=xero.due_date or xero.issue_date,
        currency=xero.currency,
        exchange_rate=xero.exchange_rate,
        line_amount_type=xero.line_amount_type,
        lines=[_line(line) for line in xero.lines],
        subtotal=xero.subtotal,
        total_tax=xero.total_tax,
        total=xero.total,
        payment=Payment(paid=False),
        requester=Requester(
            user_id=str(requester.user_id), name=requester.name, email=requester.email
        ),
        source_url=XERO_BILL_PAGE.format(pulled.xero_invoice_id),
        document=_document(pulled),
    )
    return CostItemSubmitted(
        dext_item_id=pulled_item_id(pulled.xero_invoice_id),
        version=pulled.version,
        supersedes_version=pulled.version - 1 or None,
        bill=bill,
        submitted_at=pulled.xero_updated_at,
    )
