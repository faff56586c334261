"""Publisher's use cases on consumed events. They only record work: the Xero calls happen in
the worker, never inside a consumer transaction."""

from __future__ import annotations

import logging
import uuid

import asyncpg
from countersign_contracts import (
    BankTransactionSubmitted,
    Envelope,
    PublicationKind,
    PublicationRetryRequested,
    RequestAuthorised,
)

from countersign_publisher.db.publications import Publications

__all__ = ["record_bank_transaction", "record_publication", "retry_publication"]

log = logging.getLogger(__name__)


async def record_publication(
    conn: asyncpg.Connection, envelope: Envelope[RequestAuthorised]
) -> None:
    """Records the publication job for an authorised request (once per request)."""
    authorised = envelope.payload
    await Publications(conn).add(
        uuid.uuid4(),
        envelope.organisation_id,
        PublicationKind.BILL.value,
        authorised.request_id,
        authorised.dext_item_id,
        authorised.item_version,
        authorised.model_dump_json(),
        envelope.correlation_id,
        envelope.event_id,
    )


async def record_bank_transaction(
    conn: asyncpg.Connection, envelope: Envelope[BankTransactionSubmitted]
) -> None:
    """Records the job that turns a bank-account item into a SPEND (once per item version)."""
    item = envelope.payload
    await Publications(conn).add(
        uuid.uuid4(),
        envelope.organisation_id,
        PublicationKind.BANK_TRANSACTION.value,
        None,
        item.dext_item_id,
        item.version,
        item.model_dump_json(),
        envelope.correlation_id,
        envelope.event_id,
    )


async def retry_publication(
    conn: asyncpg.Connection, envelope: Envelope[PublicationRetryRequested]
) -> None:
    """Puts a failed or parked publication back to work; anything else is left as it is."""
    retry = envelope.payload
    reopened = await Publications(conn).reopen(envelope.organisation_id, retry.publication_id)
    if reopened is None:
        log.info("retry of publication %s ignored: not failed", retry.publication_id)
