"""Bills pulled from Xero (ledger.xero-bills.v1, ADR 0058): requests with ``source: xero``.

BillSubmittedInXero ─▶ the organisation's via_xero_requester ─▶ ``pulled_version`` ─▶ the
    Dext path (``intake.open_version``): opened, superseding the request for an earlier
    state, or refused once that one is bound for the ledger
BillLeftSubmittedInXero ─▶ a request still running for the bill is cancelled (approved,
    drafted, voided or deleted in Xero by someone else); one bound for the ledger carries on
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import asyncpg
from countersign_contracts import (
    Actor,
    ActorKind,
    BillLeftSubmittedInXero,
    BillSubmittedInXero,
    Envelope,
)
from pydantic import ValidationError

from countersign_approval.db.organisations import Organisations
from countersign_approval.db.people import People
from countersign_approval.db.requests import Requests
from countersign_approval.domain.lifecycle import PENDING
from countersign_approval.domain.pulled_bills import pulled_item_id, pulled_version
from countersign_approval.handlers.intake import open_version
from countersign_approval.handlers.running import flush_events

__all__ = ["bill_left_submitted", "bill_submitted"]

log = logging.getLogger(__name__)

XERO = Actor(kind=ActorKind.SYSTEM, name="Xero")


async def bill_submitted(conn: asyncpg.Connection, envelope: Envelope[BillSubmittedInXero]) -> None:
    """Opens (or supersedes) the request for a state of a bill submitted in Xero."""
    pulled, org_id = envelope.payload, envelope.organisation_id
    org = await Organisations(conn).get(org_id)
    owner = None if org is None else org.via_xero_requester
    requester = None if owner is None else await People(conn).by_id(org_id, owner, lock=False)
    if requester is None:
        # The publisher pulls only while approval announced a requester; not one of ours.
        log.warning(
            "bill %s pulled for organisation %s without a requester", pulled.xero_invoice_id, org_id
        )
        return
    try:
        submitted = pulled_version(pulled, requester)
    except (ValueError, ValidationError) as unusable:
        log.warning(
            "bill %s of organisation %s cannot be approved as pulled: %s",
            pulled.xero_invoice_id, org_id, unusable,
        )  # fmt: skip
        return
    await open_version(conn, envelope, submitted, pulled.xero_invoice_id)


async def bill_left_submitted(
    conn: asyncpg.Connection, envelope: Envelope[BillLeftSubmittedInXero]
) -> None:
    """Cancels the bill's request while it is still running (pending): a rejected one stays
    rejected (the publisher returned its bill to DRAFT), an authorised one goes on."""
    left = envelope.payload
    requests = Requests(conn)
    item = pulled_item_id(left.xero_invoice_id)
    stored = await requests.latest_for_item(envelope.organisation_id, item, lock=True)
    if stored is None or stored.request.state not in PENDING:
        return
    reason = f"the bill is no longer awaiting approval in Xero (now {left.xero_status.value})"
    stored.request.cancel(XERO, reason, datetime.now(UTC))
    await requests.save(stored)
    await flush_events(conn, stored, envelope.event_id)
