"""Likely duplicates at intake (``domain.duplicates``): a new cost item version is checked
against the organisation's other open or published items, and the bills entered in its Xero
(``ledger_bills``), inside the call's transaction, and
either marked (policy ``warn``: ``CostItemSubmitted.possible_duplicates``) or refused (policy
``block``: ``LikelyDuplicate``, 409, nothing stored). The policy is approval's, kept from
approval.organisations.v1."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_contracts import (
    CostItemSubmitted,
    DuplicatePolicy,
    Envelope,
    OrganisationRegistered,
    OrganisationUpdated,
)
from countersign_platform.organisation_status import record_ledger_mode, record_organisation

from countersign_ingest.db.duplicates import Duplicates
from countersign_ingest.db.ledger_bills import LedgerBills
from countersign_ingest.domain.duplicates import (
    DuplicateKeys,
    duplicate_keys,
    possible_duplicates,
    xero_bill_duplicates,
)
from countersign_ingest.domain.refusals import LikelyDuplicate

__all__ = ["mark_duplicates", "record_organisation_settings"]


async def mark_duplicates(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    reference_sent: str | None,
    event: CostItemSubmitted,
) -> tuple[DuplicateKeys, CostItemSubmitted]:
    """The item's keys (to store with its version) and its event, marked with the items it
    likely duplicates; ``LikelyDuplicate`` when there are some and the organisation blocks
    them. ``reference_sent``: the document reference as Dext sent it."""
    keys = duplicate_keys(event.bill, reference_sent)
    store = Duplicates(conn)
    await store.lock_keys(organisation_id, keys)
    found = possible_duplicates(await store.matching(organisation_id, event.dext_item_id, keys))
    in_xero = xero_bill_duplicates(await LedgerBills(conn).matching(organisation_id, keys))
    if not found and not in_xero:
        return keys, event
    if await store.policy(organisation_id) is DuplicatePolicy.BLOCK:
        raise LikelyDuplicate(event.dext_item_id, found, in_xero)
    marked = {"possible_duplicates": found, "possible_duplicates_in_xero": in_xero}
    return keys, event.model_copy(update=marked)


async def record_organisation_settings(
    conn: asyncpg.Connection, envelope: Envelope[OrganisationRegistered | OrganisationUpdated]
) -> None:
    """The organisation's status (suspension), its ledger mode and its duplicate policy, the
    newest event's."""
    await record_organisation(conn, envelope)
    await record_ledger_mode(conn, envelope)
    await Duplicates(conn).keep_policy(
        envelope.organisation_id, envelope.payload.duplicate_policy, envelope.occurred_at
    )
