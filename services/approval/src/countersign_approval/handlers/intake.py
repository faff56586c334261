"""Cost items from Dext: open a request (superseding the earlier version's), or cancel one.
Once a request is authorised, a new version or a withdrawal of its item is refused with an
event (``domain.ledger_bound``), never ignored in silence."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from countersign_contracts import (
    Actor,
    ActorKind,
    CostItemSubmitted,
    CostItemWithdrawn,
    Envelope,
    Ledger,
    PossibleDuplicate,
    Requester,
    RequestSource,
)

from countersign_approval.db.master_data import LedgerMasterData
from countersign_approval.db.people import People
from countersign_approval.db.requests import Requests, StoredRequest
from countersign_approval.db.workflows import Workflows
from countersign_approval.domain.coding import recheck_coding
from countersign_approval.domain.ledger_bound import BOUND, refuse_republish, refuse_withdrawal
from countersign_approval.domain.lifecycle import RequestState, can_transition
from countersign_approval.domain.request import ApprovalRequest
from countersign_approval.handlers.running import flush_events, load_run

__all__ = ["open_request", "open_version", "withdraw_item"]

log = logging.getLogger(__name__)

DEXT = Actor(kind=ActorKind.SYSTEM, name="Dext")


async def _requester(conn: asyncpg.Connection, organisation_id: uuid.UUID, who: Requester) -> Actor:
    """The requester as a user of the organisation when their email is one; otherwise by name."""
    person = await People(conn).by_email(organisation_id, who.email)
    if person is not None:
        return person.actor("requester")
    return Actor(kind=ActorKind.SYSTEM, name=who.name, email=who.email, role="requester")


async def _linked(
    requests: Requests, organisation_id: uuid.UUID, found: list[PossibleDuplicate]
) -> list[PossibleDuplicate]:
    """Ingest's likely duplicates, each with the other item's latest request, when it has one
    yet (its item may still be on its way here)."""
    linked = []
    for duplicate in found:
        other = await requests.latest_for_item(organisation_id, duplicate.dext_item_id)
        request_id = None if other is None else other.request.request_id
        linked.append(duplicate.model_copy(update={"request_id": request_id}))
    return linked


async def open_request(conn: asyncpg.Connection, envelope: Envelope[CostItemSubmitted]) -> None:
    await open_version(conn, envelope, envelope.payload)


async def open_version(
    conn: asyncpg.Connection,
    envelope: Envelope[Any],
    submitted: CostItemSubmitted,
    xero_invoice_id: uuid.UUID | None = None,
) -> None:
    """Opens a request for a submitted item version and starts its workflow. A pending or
    rejected request for an earlier version is superseded: its approvals do not carry over.
    With ``xero_invoice_id`` the version is a bill pulled from Xero (``pulled_bills.py``)."""
    org = envelope.organisation_id
    requests = Requests(conn)
    latest = await requests.latest_for_item(org, submitted.dext_item_id, lock=True)
    if latest is not None and latest.request.item_version >= submitted.version:
        log.info(
            "item %s version %d already has a request (latest is version %d); nothing to do",
            submitted.dext_item_id,
            submitted.version,
            latest.request.item_version,
        )
        return
    now = datetime.now(UTC)
    previous = None  # the request this one supersedes
    if latest is not None and can_transition(latest.request.state, RequestState.SUPERSEDED):
        previous = latest
    elif latest is not None and latest.request.state in BOUND:
        log.info(
            "item %s version %d refused: version %d is already %s and bound for the ledger",
            submitted.dext_item_id,
            submitted.version,
            latest.request.item_version,
            latest.request.state,
        )
        refuse_republish(latest.request, submitted.version, now)
        await flush_events(conn, latest, envelope.event_id)
        return
    request_id = uuid.uuid4()
    if previous is not None:
        previous.request.supersede(request_id, submitted.version, now)
        await requests.save(previous)
        await flush_events(conn, previous, envelope.event_id)
    request = ApprovalRequest.open(
        request_id=request_id,
        organisation_id=org,
        dext_item_id=submitted.dext_item_id,
        item_version=submitted.version,
        bill=submitted.bill,
        requester=await _requester(conn, org, submitted.bill.requester),
        submitted_at=submitted.submitted_at,
        now=now,
        previous=None if previous is None else previous.request,
        possible_duplicates=await _linked(requests, org, submitted.possible_duplicates),
        possible_duplicates_in_xero=submitted.possible_duplicates_in_xero,
    )
    if xero_invoice_id is not None:
        request.source, request.xero_invoice_id = RequestSource.XERO, xero_invoice_id
        request.ledger = Ledger.XERO
    await _start(conn, request, envelope, now)


async def _start(
    conn: asyncpg.Connection, request: ApprovalRequest, envelope: Envelope[Any], now: datetime
) -> None:
    """Keeps the new request and starts the organisation's workflow, or waits for one."""
    org = envelope.organisation_id
    # Ingest checked the coding against the master data it had; this may be newer. Its ledger
    # is the one the bill will go to (a pulled bill's is Xero already).
    master = await LedgerMasterData(conn).current(org)
    recheck_coding(request, master, now)
    if request.ledger is None and master is not None and master.ledger in set(Ledger):
        request.ledger = Ledger(master.ledger)
    await Workflows(conn).lock(org, exclusive=False)
    run = await load_run(conn, org)
    if run is None:
        request.wait_for_workflow()
        log.info("request %s waits: the organisation has no workflow yet", request.request_id)
    else:
        request.start(run, now)
    stored = StoredRequest(request, envelope.correlation_id, run.ref.version if run else None)
    await Requests(conn).add(stored)
    await flush_events(conn, stored, envelope.event_id)


async def withdraw_item(conn: asyncpg.Connection, envelope: Envelope[CostItemWithdrawn]) -> None:
    """Cancels the withdrawn version's request; refuses (with an event) when the item's request
    is already bound for the ledger — also when that is an earlier version's, the withdrawn one
    having been refused itself."""
    withdrawn = envelope.payload
    org = envelope.organisation_id
    requests = Requests(conn)
    stored = await requests.for_item_version(
        org, withdrawn.dext_item_id, withdrawn.version, lock=True
    ) or await requests.latest_for_item(org, withdrawn.dext_item_id, lock=True)
    if stored is None:
        log.warning("withdrawn item %s has no request; nothing to do", withdrawn.dext_item_id)
        return
    request = stored.request
    if request.state in BOUND:
        log.info(
            "withdrawal of item %s version %d refused: version %d is %s",
            withdrawn.dext_item_id,
            withdrawn.version,
            request.item_version,
            request.state,
        )
        refuse_withdrawal(request, withdrawn.version, datetime.now(UTC))
    elif can_transition(request.state, RequestState.CANCELLED):
        request.cancel(DEXT, withdrawn.reason or "withdrawn in Dext", withdrawn.withdrawn_at)
        await requests.save(stored)
    else:
        log.info(
            "withdrawal of item %s version %d: the request is already %s",
            withdrawn.dext_item_id,
            withdrawn.version,
            request.state,
        )
        return
    await flush_events(conn, stored, envelope.event_id)
