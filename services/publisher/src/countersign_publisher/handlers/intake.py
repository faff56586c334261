"""Publisher's use cases on consumed work: an authorised request, a rejected request for a bill
pulled from Xero (ADR 0058: it goes back to DRAFT there) or a bank-account item becomes a job.
They only record it: the Xero calls happen in the worker, never inside a consumer transaction.
(A consumed retry request is in ``publications.py``, beside the operator's.)"""

from __future__ import annotations

import uuid

import asyncpg
from countersign_contracts import (
    BankTransactionSubmitted,
    Envelope,
    PublicationKind,
    RequestAuthorised,
    RequestRejected,
    RequestSource,
)
from countersign_platform.tracing import traceparent_now

from countersign_publisher.db.publications import Publications

__all__ = ["record_bank_transaction", "record_publication", "record_rejection"]


async def _record_job(
    conn: asyncpg.Connection,
    envelope: (
        Envelope[RequestAuthorised] | Envelope[RequestRejected] | Envelope[BankTransactionSubmitted]
    ),
    kind: PublicationKind,
    request_id: uuid.UUID | None,
    item_version: int,
) -> None:
    # Unique per request (or bank item version): a redelivered event records nothing new.
    await Publications(conn).add(
        uuid.uuid4(),
        envelope.organisation_id,
        kind.value,
        request_id,
        envelope.payload.dext_item_id,
        item_version,
        envelope.payload.model_dump_json(),
        envelope.correlation_id,
        envelope.event_id,
        traceparent_now(),  # the consumed event's span: the job's steps continue its trace
    )


async def record_publication(
    conn: asyncpg.Connection, envelope: Envelope[RequestAuthorised]
) -> None:
    """Records the publication job for an authorised request (once per request)."""
    authorised = envelope.payload
    await _record_job(
        conn, envelope, PublicationKind.BILL, authorised.request_id, authorised.item_version
    )


async def record_rejection(conn: asyncpg.Connection, envelope: Envelope[RequestRejected]) -> None:
    """Records the job that returns a rejected bill pulled from Xero to DRAFT, with the reason
    in its history (once per request). A rejected Dext item never reached Xero: nothing."""
    rejected = envelope.payload
    if rejected.source is RequestSource.XERO and rejected.xero_invoice_id is not None:
        await _record_job(
            conn, envelope, PublicationKind.BILL, rejected.request_id, rejected.item_version
        )


async def record_bank_transaction(
    conn: asyncpg.Connection, envelope: Envelope[BankTransactionSubmitted]
) -> None:
    """Records the job that turns a bank-account item into a SPEND (once per item version)."""
    await _record_job(
        conn, envelope, PublicationKind.BANK_TRANSACTION, None, envelope.payload.version
    )
