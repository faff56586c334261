"""A claimed publication while it runs: its stored progress, its inputs, and the identifiers
its Xero requests carry."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from countersign_contracts import (
    TOLERANT,
    BankTransactionSubmitted,
    PublicationKind,
    PublicationStep,
    RequestAuthorised,
)

from countersign_publisher.db.publications import PublicationRow
from countersign_publisher.domain.publication import Progress, idempotency_key, marked_url

__all__ = ["Job"]


@dataclass
class Job:
    """A claimed publication and what is known of it while it runs."""

    row: PublicationRow
    progress: dict[str, Any] = field(default_factory=dict)
    sent: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for name in (
            "xero_contact_id",
            "xero_invoice_id",
            "xero_bank_transaction_id",
            "original_attachment_id",
            "audit_attachment_id",
            "xero_payment_id",
            "xero_status",
        ):
            self.progress[name] = getattr(self.row, name)
        self.sent = set(self.row.sent_steps)

    @property
    def kind(self) -> PublicationKind:
        return PublicationKind(self.row.kind)

    # Parsed once per job: every step reads them, and the stored document never changes (a new
    # row state replaces ``row``, never its document).
    @functools.cached_property
    def authorised(self) -> RequestAuthorised:
        # Read as consumed (tolerantly): a document stored before a rule tightened still opens.
        return RequestAuthorised.model_validate_json(self.row.document, context=TOLERANT)

    @functools.cached_property
    def bank_item(self) -> BankTransactionSubmitted:
        return BankTransactionSubmitted.model_validate_json(self.row.document, context=TOLERANT)

    @property
    def state(self) -> Progress:
        paid = self.kind is PublicationKind.BILL and self.authorised.bill.payment.paid
        fields_ = {
            k: v for k, v in self.progress.items() if k not in ("xero_contact_id", "xero_status")
        }
        return Progress(kind=self.kind, paid=paid, **fields_)

    def key(self, step: PublicationStep | str) -> str:
        value = PublicationStep(step) if not isinstance(step, PublicationStep) else step
        return idempotency_key(
            self.row.publication_id, value, self.row.generation, self.row.attempt
        )

    def url(self) -> str:
        source = (
            self.authorised.bill.source_url
            if self.kind is PublicationKind.BILL
            else self.bank_item.source_url
        )
        return marked_url(source, self.row.publication_id)

    def common(self) -> dict[str, Any]:
        return {
            "publication_id": self.row.publication_id,
            "kind": self.kind,
            "request_id": self.row.request_id,
            "dext_item_id": self.row.dext_item_id,
            "item_version": self.row.item_version,
        }
