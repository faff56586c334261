"""Realistic contract objects for tests."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from countersign_contracts import (
    Bill,
    CostItemSubmitted,
    DocumentMetadata,
    DocumentType,
    Envelope,
    LineAmountType,
    LineItem,
    Payment,
    Requester,
    Supplier,
    TrackingSelection,
    new_envelope,
)

__all__ = ["cost_item_submitted", "sample_bill"]


def sample_bill(reference: str = "INV-1001") -> Bill:
    content = f"%PDF-1.4 sample {reference}".encode()
    return Bill(
        document_type=DocumentType.INVOICE,
        supplier=Supplier(name="Acme Office Supplies Ltd"),
        document_reference=reference,
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 12, 2),
        currency="GBP",
        line_amount_type=LineAmountType.EXCLUSIVE,
        lines=[
            LineItem(
                description="Printer paper, A4, 5 boxes",
                quantity=Decimal("5"),
                unit_amount=Decimal("21.10"),
                account_code="429",
                tax_type="INPUT2",
                tax_amount=Decimal("21.10"),
                line_amount=Decimal("105.50"),
                tracking=[TrackingSelection(category="Region", option="North")],
            )
        ],
        subtotal=Decimal("105.50"),
        total_tax=Decimal("21.10"),
        total=Decimal("126.60"),
        payment=Payment(paid=False),
        requester=Requester(user_id="dext-user-7", name="Dana Reyes", email="dana@example.com"),
        source_url=f"https://dext.example/items/{reference}",
        document=DocumentMetadata(
            document_id=uuid.uuid4(),
            file_name=f"{reference}.pdf",
            media_type="application/pdf",
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        ),
    )


def cost_item_submitted(
    organisation_id: UUID,
    dext_item_id: str,
    version: int = 1,
    **envelope_fields: Any,
) -> Envelope[CostItemSubmitted]:
    payload = CostItemSubmitted(
        dext_item_id=dext_item_id,
        version=version,
        bill=sample_bill(f"INV-{dext_item_id}"),
        submitted_at=datetime.now(UTC),
    )
    return new_envelope(
        payload,
        producer="ingest",
        organisation_id=organisation_id,
        correlation_id=envelope_fields.pop("correlation_id", uuid.uuid4()),
        **envelope_fields,
    )
