"""The via-Xero mode's pull: a follower of ``observe`` (``xero_changes.FOLLOWERS``, ADR 0058).

newer state of an INVOICE kept ─▶ ACCPAY? (``domain/pulled_bills.pull``)
    SUBMITTED, the organisation in via_xero, a bill not told yet as it is now
        ─▶ ``BillSubmittedInXero`` (the next version) on ledger.xero-bills.v1
    no longer SUBMITTED, last told SUBMITTED ─▶ ``BillLeftSubmittedInXero``
    in the transaction that keeps the state: a state is told once, whichever of the webhook,
    its repeats or the poll brings it

The organisation's mode is kept from approval.organisations.v1
(``record_organisation_settings``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import asyncpg
from countersign_contracts import (
    BillLeftSubmittedInXero,
    BillSubmittedInXero,
    ChangeSeenBy,
    Envelope,
    OrganisationRegistered,
    OrganisationUpdated,
    XeroBill,
    XeroInvoiceStatus,
)
from countersign_platform.organisation_status import (
    is_via_xero,
    record_ledger_mode,
    record_organisation,
)
from pydantic import ValidationError

from countersign_publisher.adapters.xero_mapping import parse_xero_datetime
from countersign_publisher.db.pulled_bills import PulledBills
from countersign_publisher.domain.pulled_bills import SUBMITTED, Pull, Pulled, pull, submitted_bill
from countersign_publisher.domain.xero_changes import ObservedChange
from countersign_publisher.handlers.events import Cause, emit_xero_bill_event

__all__ = ["pull_submitted", "record_organisation_settings"]

log = logging.getLogger(__name__)


async def record_organisation_settings(
    conn: asyncpg.Connection, envelope: Envelope[OrganisationRegistered | OrganisationUpdated]
) -> None:
    """The organisation's status (suspension) and its ledger mode, the newest event's."""
    await record_organisation(conn, envelope)
    await record_ledger_mode(conn, envelope)


async def pull_submitted(conn: asyncpg.Connection, change: ObservedChange) -> None:
    """Tells approval of a bill submitted in Xero, of its newer states, and of its leaving."""
    invoice = change.current
    if change.category != "INVOICE" or str(invoice.get("Type")).upper() != "ACCPAY":
        return
    status = str(invoice.get("Status") or "").upper()
    organisation_id, invoice_id = change.organisation_id, change.resource_id
    store = PulledBills(conn)
    last = await store.last(organisation_id, invoice_id)
    via_xero = status == SUBMITTED and await is_via_xero(conn, organisation_id)
    bill = _bill(change) if via_xero else None
    bill_json = None if bill is None else bill.model_dump(mode="json")
    outcome = pull(status, via_xero, bill_json, last)
    if outcome is Pull.NONE:
        return
    updated = parse_xero_datetime(invoice.get("UpdatedDateUTC"))
    assert updated is not None, "observe keeps only a state with its UpdatedDateUTC"
    if outcome is Pull.TELL:
        assert bill is not None and bill_json is not None
        told = Pulled(1 if last is None else last.version + 1, bill_json, status)
        await _tell_submitted(conn, change, bill, told.version, updated)
    else:
        assert last is not None
        told = Pulled(last.version, last.bill, status)
        await _tell_left(conn, change, status, updated)
    await store.told(organisation_id, invoice_id, told, updated)


def _bill(change: ObservedChange) -> XeroBill | None:
    try:
        return submitted_bill(change.current)
    except (ValueError, KeyError, ValidationError) as unreadable:
        # Not pulled until a newer state reads right; said once per state.
        log.warning(
            "bill %s of organisation %s is submitted in Xero but cannot be pulled: %s",
            change.resource_id, change.organisation_id, unreadable,
        )  # fmt: skip
        return None


async def _tell_submitted(
    conn: asyncpg.Connection,
    change: ObservedChange,
    bill: XeroBill,
    version: int,
    updated: datetime,
) -> None:
    event = BillSubmittedInXero(
        xero_invoice_id=change.resource_id,
        xero_updated_at=updated,
        seen_by=ChangeSeenBy(change.seen_by),
        version=version,
        bill=bill,
    )
    await emit_xero_bill_event(conn, event, _cause(change))
    log.info(
        "bill %s of organisation %s pulled from Xero (version %d)",
        change.resource_id, change.organisation_id, version,
    )  # fmt: skip


async def _tell_left(
    conn: asyncpg.Connection, change: ObservedChange, status: str, updated: datetime
) -> None:
    event = BillLeftSubmittedInXero(
        xero_invoice_id=change.resource_id,
        xero_updated_at=updated,
        seen_by=ChangeSeenBy(change.seen_by),
        xero_status=XeroInvoiceStatus(status),
    )
    await emit_xero_bill_event(conn, event, _cause(change))


def _cause(change: ObservedChange) -> Cause:
    # One journey per bill: every event about it shares a correlation id.
    return Cause(
        change.organisation_id, uuid.uuid5(change.organisation_id, str(change.resource_id))
    )
