"""A publication: the job that turns one authorised request (or one bank-account item) into
Xero records, one recorded step at a time.

    bill:              create_bill ─▶ attach_original ─▶ attach_audit_report
                                  ─▶ record_payment (only if paid in Dext) ─▶ completed
    bank transaction:  create_bank_transaction ─▶ attach_original ─▶ completed

    recorded ─▶ publishing ─▶ completed
         │           ├──────▶ failed   (Xero refused the content: a person must fix it)
         │           └──────▶ parked   (transient failures exhausted, or the connection broke)
         └── (retry requested: failed|parked ─▶ publishing, next generation)

Each step's Xero id is stored before the next step starts. A step sent to Xero whose answer was
never stored (a crash, a dropped response) is looked up in Xero before it is sent again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from countersign_contracts import PublicationKind, PublicationStep
from countersign_platform.refusals import Conflict, NotFound

__all__ = [
    "DUE_STATES",
    "NotRetryable",
    "Progress",
    "PublicationNotFound",
    "PublicationState",
    "backoff_s",
    "batch_idempotency_key",
    "idempotency_key",
    "marked_url",
    "next_step",
]


class PublicationState(StrEnum):
    RECORDED = "recorded"
    PUBLISHING = "publishing"
    COMPLETED = "completed"
    FAILED = "failed"
    PARKED = "parked"


DUE_STATES = (PublicationState.RECORDED, PublicationState.PUBLISHING)
RETRYABLE_STATES = (PublicationState.FAILED, PublicationState.PARKED)


class PublicationNotFound(NotFound):
    title = "No such publication"


class NotRetryable(Conflict):
    """Only a failed or parked publication can be tried again."""

    kind = "not-retryable"
    title = "Publication is not failed"


@dataclass(frozen=True)
class Progress:
    """What a publication has achieved so far (the Xero ids of finished steps)."""

    kind: PublicationKind
    paid: bool
    xero_invoice_id: UUID | None = None
    xero_bank_transaction_id: UUID | None = None
    original_attachment_id: UUID | None = None
    audit_attachment_id: UUID | None = None
    xero_payment_id: UUID | None = None


def next_step(progress: Progress) -> PublicationStep | None:
    """The first unfinished step; None when every step is done."""
    if progress.kind is PublicationKind.BANK_TRANSACTION:
        if progress.xero_bank_transaction_id is None:
            return PublicationStep.CREATE_BANK_TRANSACTION
        if progress.original_attachment_id is None:
            return PublicationStep.ATTACH_ORIGINAL
        return None
    if progress.xero_invoice_id is None:
        return PublicationStep.CREATE_BILL
    if progress.original_attachment_id is None:
        return PublicationStep.ATTACH_ORIGINAL
    if progress.audit_attachment_id is None:
        return PublicationStep.ATTACH_AUDIT_REPORT
    if progress.paid and progress.xero_payment_id is None:
        return PublicationStep.RECORD_PAYMENT
    return None


def idempotency_key(
    publication_id: UUID, step: PublicationStep, generation: int, attempt: int
) -> str:
    """Xero's Idempotency-Key for one try of one step. A new try gets a new key because Xero
    replays cached *errors* too; what protects a new try from duplicating is the look-up that
    runs first whenever the step was sent before."""
    return f"cs-{publication_id}-{step.value}-g{generation}-a{attempt}"


def batch_idempotency_key(members: Sequence[str]) -> str:
    """The key of a batched bill creation: derived from its members' own keys."""
    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()
    return f"cs-bills-{digest[:48]}"


def marked_url(source_url: str, publication_id: UUID) -> str:
    """The bill's ``Url``: the source document, plus a fragment naming the publication, so a
    bill created by a request whose answer was lost can be found again (the fragment never
    reaches the source document's server)."""
    separator = "&" if "#" in source_url else "#"
    return f"{source_url}{separator}countersign-publication={publication_id}"


def backoff_s(attempt: int, base_s: float, cap_s: float = 900.0) -> float:
    return float(min(cap_s, base_s * 2 ** max(0, attempt - 1)))
