"""Publisher's use cases."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from countersign_contracts import Envelope, RequestAuthorised

from countersign_publisher.db import Publications
from countersign_publisher.domain import PublicationState

__all__ = ["record_publication"]


async def record_publication(conn: asyncpg.Connection, envelope: Envelope[Any]) -> None:
    """Records the publication job for an authorised request (once per request)."""
    authorised: RequestAuthorised = envelope.payload
    await Publications(conn).add(
        uuid.uuid4(),
        envelope.organisation_id,
        authorised.request_id,
        authorised.dext_item_id,
        authorised.item_version,
        PublicationState.RECORDED,
        authorised.bill.model_dump_json(),
        envelope.correlation_id,
    )
