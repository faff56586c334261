"""A claimed publication while it runs: its progress, its inputs, the identifiers its ledger
requests carry, and how its events name the ledger's records."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from countersign_contracts import (
    LEDGER_ID_FIELDS,
    TOLERANT,
    BankTransactionSubmitted,
    PublicationKind,
    PublicationStep,
    RequestAuthorised,
    RequestRejected,
    ledger_uuid,
)
from countersign_platform.tracing import context_of
from opentelemetry.context import Context

from countersign_publisher.db.publications import PublicationRow
from countersign_publisher.domain.identifiers import idempotency_key, marked_url
from countersign_publisher.domain.progress import Progress
from countersign_publisher.handlers.events import Cause
from countersign_publisher.ledger.values import LedgerId

__all__ = ["Job"]

_XERO_FIELDS = {ledger: xero for xero, ledger in LEDGER_ID_FIELDS.items()}


@dataclass
class Job:
    """A claimed publication and what is known of it while it runs: ``progress`` starts as
    claimed and is replaced as each step is sent and stored."""

    row: PublicationRow
    progress: Progress = field(init=False)

    def __post_init__(self) -> None:
        self.progress = self.row.progress

    @property
    def kind(self) -> PublicationKind:
        return self.progress.kind

    # Parsed once per job: every step reads them, and the stored document never changes (a new
    # row state replaces ``row``, never its document).
    @functools.cached_property
    def authorised(self) -> RequestAuthorised:
        # Read as consumed (tolerantly): a document stored before a rule tightened still opens.
        return RequestAuthorised.model_validate_json(self.row.document, context=TOLERANT)

    @functools.cached_property
    def rejected(self) -> RequestRejected:
        """The document of a rejected bill pulled from Xero, to return to DRAFT (ADR 0058)."""
        return RequestRejected.model_validate_json(self.row.document, context=TOLERANT)

    @functools.cached_property
    def bank_item(self) -> BankTransactionSubmitted:
        return BankTransactionSubmitted.model_validate_json(self.row.document, context=TOLERANT)

    def key(self, step: PublicationStep) -> str:
        return idempotency_key(self.row.publication_id, step, self.row.generation, self.row.attempt)

    def url(self) -> str:
        source = (
            self.authorised.bill.source_url
            if self.kind is PublicationKind.BILL
            else self.bank_item.source_url
        )
        return marked_url(source, self.row.publication_id)

    @property
    def cause(self) -> Cause:
        """What its events are caused by: the event that recorded the job, in its journey."""
        return Cause(
            self.row.organisation_id,
            self.row.correlation_id,
            self.row.causation_id,
            ledger=self.progress.ledger,
        )

    def trace_context(self) -> Context | None:
        """The trace the job was recorded in: its steps' spans continue it (tracing on)."""
        traceparent = self.row.traceparent
        return context_of({"traceparent": traceparent}) if traceparent else None

    def common(self) -> dict[str, Any]:
        """The fields every publication event starts with."""
        return {
            "publication_id": self.row.publication_id,
            "kind": self.kind,
            "request_id": self.row.request_id,
            "dext_item_id": self.row.dext_item_id,
            "item_version": self.row.item_version,
        }

    def named(self, **ledger_ids: LedgerId | None) -> dict[str, Any]:
        """An event's fields naming records by their ledger ids (``ledger_bill_id="146"``):
        each ``ledger_*_id`` and the v1 ``xero_*`` field beside it, which holds the Xero id or,
        in another ledger, the record's ``ledger_uuid`` (ADR 0068). Unset ids stay unset."""
        fields: dict[str, Any] = {}
        for name, ledger_id in ledger_ids.items():
            if ledger_id is None:
                continue
            kind = name.removeprefix("ledger_").removesuffix("_id")
            fields[name] = ledger_id
            fields[_XERO_FIELDS[name]] = ledger_uuid(
                self.progress.ledger, self.row.organisation_id, kind, ledger_id
            )
        return fields
