"""How far a publication has come, and which step it takes next.

    bill:              create_bill ─▶ write_history (unless the organisation turned it off)
                       ─▶ attach_original ─▶ attach_audit_report
                       ─▶ record_payment (only if paid in Dext) ─▶ completed
    pulled from Xero:  authorise_bill ─▶ write_history ─▶ attach_audit_report ─▶ completed
      rejected:        return_to_draft ─▶ write_history (the rejection) ─▶ completed
    bank transaction:  create_bank_transaction ─▶ attach_original ─▶ completed

Each step's ledger id is stored before the next step starts, so the first step without its id
is the next one. A step is *sent* from just before its request leaves until its id is stored; a
step found sent (a crash, a dropped response) is looked up in the ledger before it is sent again.
Ids are the ledger's own, as text (ADR 0068); for a Xero organisation the uuid ``xero_*``
columns beside them are kept too (``xero_ids``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from uuid import UUID

from countersign_contracts import Ledger, PublicationKind, PublicationStep

from countersign_publisher.ledger.values import LedgerId

__all__ = ["RESULTS", "STEPS", "WANTED", "XERO_COLUMNS", "Progress", "StepRule", "next_step"]


@dataclass(frozen=True)
class Progress:
    """A publication's progress: what it is to achieve (its kind; a payment when the bill was
    paid in Dext; history notes unless its organisation turned them off; for a bill pulled from
    Xero, set AUTHORISED or, rejected, back to DRAFT, ADR 0058) and in which ledger (its
    organisation's connection), the ledger id each finished step stored (of the notes: how
    many were written), the ledger's status of the record, and the steps sent whose answer is
    not stored yet. The one value the running job, the stored row and the operator's view
    share."""

    kind: PublicationKind
    paid: bool
    history: bool = False
    pulled: bool = False
    rejected: bool = False
    ledger: Ledger = Ledger.XERO
    ledger_contact_id: LedgerId | None = None
    ledger_bill_id: LedgerId | None = None
    ledger_expense_id: LedgerId | None = None
    ledger_original_attachment_id: LedgerId | None = None
    ledger_audit_attachment_id: LedgerId | None = None
    ledger_payment_id: LedgerId | None = None
    history_notes: int | None = None
    xero_status: str | None = None
    sent_steps: frozenset[PublicationStep] = frozenset()

    def results(self) -> dict[str, LedgerId | int | None]:
        """The ledger ids and status, each by the name of its column (and of its view field)."""
        return {name: getattr(self, name) for name in RESULTS}

    def xero_ids(self) -> dict[str, UUID | None]:
        """The ids by the name of their uuid ``xero_*`` column (and view field): a Xero
        organisation's, which older readers still read; None in another ledger."""
        if self.ledger is not Ledger.XERO:
            return dict.fromkeys(XERO_COLUMNS.values())
        return {
            column: None if (value := getattr(self, name)) is None else UUID(value)
            for name, column in XERO_COLUMNS.items()
        }

    def was_sent(self, step: PublicationStep) -> bool:
        return step in self.sent_steps

    def sending(self, step: PublicationStep) -> Progress:
        return replace(self, sent_steps=self.sent_steps | {step})

    def answered(self, step: PublicationStep | None) -> Progress:
        """The step's answer is stored: it is no longer sent."""
        return self if step is None else replace(self, sent_steps=self.sent_steps - {step})


WANTED = ("kind", "paid", "history", "pulled", "rejected", "ledger")
"""What a publication is to achieve, and where: read from its document and its organisation's
settings and connection."""

RESULTS = tuple(f.name for f in fields(Progress) if f.name not in (*WANTED, "sent_steps"))
"""What the steps store: the ledger ids and status."""

XERO_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "ledger_contact_id": "xero_contact_id",
        "ledger_bill_id": "xero_invoice_id",
        "ledger_expense_id": "xero_bank_transaction_id",
        "ledger_original_attachment_id": "original_attachment_id",
        "ledger_audit_attachment_id": "audit_attachment_id",
        "ledger_payment_id": "xero_payment_id",
    }
)
"""Each ledger id and the uuid column kept beside it for a Xero organisation (migration 0013)."""


@dataclass(frozen=True)
class StepRule:
    """Which publications take a step, and where its ledger id is kept once it is done."""

    kinds: frozenset[PublicationKind]
    result: Callable[[Progress], LedgerId | int | None]
    wanted: Callable[[Progress], bool] = lambda progress: True

    def to_do(self, progress: Progress) -> bool:
        if progress.kind not in self.kinds or not self.wanted(progress):
            return False
        return self.result(progress) is None


_BILL = frozenset({PublicationKind.BILL})
_BANK = frozenset({PublicationKind.BANK_TRANSACTION})
_EVERY = _BILL | _BANK

STEPS: Mapping[PublicationStep, StepRule] = MappingProxyType(
    {
        PublicationStep.CREATE_BILL: StepRule(
            _BILL, lambda p: p.ledger_bill_id, wanted=lambda p: not p.pulled
        ),
        # A bill pulled from Xero has its InvoiceID stored once it is AUTHORISED (or DRAFT).
        PublicationStep.AUTHORISE_BILL: StepRule(
            _BILL, lambda p: p.ledger_bill_id, wanted=lambda p: p.pulled and not p.rejected
        ),
        PublicationStep.RETURN_TO_DRAFT: StepRule(
            _BILL, lambda p: p.ledger_bill_id, wanted=lambda p: p.rejected
        ),
        PublicationStep.CREATE_BANK_TRANSACTION: StepRule(_BANK, lambda p: p.ledger_expense_id),
        PublicationStep.WRITE_HISTORY: StepRule(
            _BILL, lambda p: p.history_notes, wanted=lambda p: p.history
        ),
        # A pulled bill has its scan in Xero already (its capture tool attached it).
        PublicationStep.ATTACH_ORIGINAL: StepRule(
            _EVERY, lambda p: p.ledger_original_attachment_id, wanted=lambda p: not p.pulled
        ),
        PublicationStep.ATTACH_AUDIT_REPORT: StepRule(
            _BILL, lambda p: p.ledger_audit_attachment_id, wanted=lambda p: not p.rejected
        ),
        PublicationStep.RECORD_PAYMENT: StepRule(
            _BILL, lambda p: p.ledger_payment_id, wanted=lambda p: p.paid
        ),
    }
)
"""Every step, in the order a publication takes them."""


def next_step(progress: Progress) -> PublicationStep | None:
    """The first unfinished step; None when every step is done."""
    return next((step for step, rule in STEPS.items() if rule.to_do(progress)), None)
