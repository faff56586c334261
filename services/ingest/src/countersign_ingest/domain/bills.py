"""A checked Dext item as the contract has it: what approval approves and Xero receives.

Dext's rules for the types it publishes as bills: only an invoice carries its own bill number
and due date; for the other types Dext generates the number and the bill is due on its issue
date. An expense report is one bill whose supplier is "<requester> - Expense report", with one
line per expense.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from countersign_contracts import (
    BankTransactionSubmitted,
    Bill,
    DocumentMetadata,
    DocumentType,
    Supplier,
)

from countersign_ingest.domain.metadata import BankTransactionMetadata, CostItemMetadata

__all__ = ["to_bank_transaction", "to_bill"]

# Both kinds carry the money, who asked and where the item is in Dext exactly as Dext sent them.
_AS_SENT = (
    "currency",
    "exchange_rate",
    "line_amount_type",
    "lines",
    "subtotal",
    "total_tax",
    "total",
    "requester",
    "source_url",
)


def _as_sent(meta: CostItemMetadata | BankTransactionMetadata) -> dict[str, Any]:
    return {name: getattr(meta, name) for name in _AS_SENT}


def to_bill(meta: CostItemMetadata, document: DocumentMetadata) -> Bill:
    """Assumes ``rules.cost_item_violations(meta)`` found nothing."""
    kind = DocumentType(meta.document_type)
    if kind is DocumentType.EXPENSE_REPORT:
        supplier = Supplier(name=f"{meta.requester.name} - Expense report"[:255])
    else:
        assert meta.supplier is not None  # checked by the rules
        supplier = meta.supplier
    is_invoice = kind is DocumentType.INVOICE
    return Bill(
        document_type=kind,
        supplier=supplier,
        document_reference=meta.document_reference or f"DEXT-{meta.dext_item_id}"[:255],
        issue_date=meta.issue_date,
        due_date=meta.due_date if is_invoice and meta.due_date else meta.issue_date,
        payment=meta.payment,
        document=document,
        **_as_sent(meta),
    )


def to_bank_transaction(
    meta: BankTransactionMetadata, version: int, document: DocumentMetadata, at: datetime
) -> BankTransactionSubmitted:
    """Assumes ``rules.bank_transaction_violations(meta)`` found nothing."""
    assert meta.contact is not None  # checked by the rules
    return BankTransactionSubmitted(
        dext_item_id=meta.dext_item_id,
        version=version,
        document_type=DocumentType(meta.document_type),
        contact=meta.contact,
        bank_account=meta.bank_account,
        transaction_date=meta.transaction_date,
        reference=meta.reference,
        document=document,
        submitted_at=at,
        **_as_sent(meta),
    )
