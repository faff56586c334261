"""Organisations: approval is their system of record. The operator registers one with its
first administrator, and may change its details; each change is announced, with the full
state, on approval.organisations.v1 for ingest and the publisher."""

from __future__ import annotations

import uuid
from uuid import UUID

import asyncpg
from countersign_contracts import (
    ORGANISATIONS,
    DuplicatePolicy,
    LedgerMode,
    OrganisationRegistered,
    OrganisationStatus,
    OrganisationUpdated,
    new_envelope,
)
from countersign_platform.outbox import enqueue

from countersign_approval.db.organisations import Organisations
from countersign_approval.db.people import People
from countersign_approval.db.workflows import Workflows
from countersign_approval.domain.organisation import Organisation
from countersign_approval.domain.people import Role
from countersign_approval.domain.refusals import OrganisationExists, OrganisationNotFound
from countersign_approval.domain.tokens import IssuedUser
from countersign_approval.handlers.people import enrol
from countersign_approval.handlers.running import PRODUCER

__all__ = ["organisation_of", "register_organisation", "update_organisation"]


async def _emit_organisation(
    conn: asyncpg.Connection,
    org: Organisation,
    event: type[OrganisationRegistered | OrganisationUpdated],
) -> None:
    payload = event(
        organisation_id=org.organisation_id,
        name=org.name,
        base_currency=org.base_currency,
        timezone=org.timezone,
        status=OrganisationStatus(org.status),
        duplicate_policy=DuplicatePolicy(org.duplicate_policy),
        ledger_mode=LedgerMode(org.ledger_mode),
        via_xero_requester=org.via_xero_requester,
    )
    envelope = new_envelope(
        payload,
        producer=PRODUCER,
        organisation_id=org.organisation_id,
        correlation_id=uuid.uuid4(),
    )
    await enqueue(conn, ORGANISATIONS, envelope)


async def register_organisation(
    pool: asyncpg.Pool, org: Organisation, admin_email: str, admin_name: str
) -> IssuedUser:
    """The organisation, its first administrator and their token, and OrganisationRegistered."""
    async with pool.acquire() as conn, conn.transaction():
        if not await Organisations(conn).add(org):
            raise OrganisationExists(f"organisation {org.organisation_id} is already registered")
        admin = await enrol(
            conn, org.organisation_id, admin_email, admin_name, frozenset({Role.ADMIN})
        )
        await _emit_organisation(conn, org, OrganisationRegistered)
        return admin


async def update_organisation(
    pool: asyncpg.Pool,
    organisation_id: UUID,
    *,
    name: str | None = None,
    base_currency: str | None = None,
    timezone: str | None = None,
    status: str | None = None,
    duplicate_policy: str | None = None,
    ledger_mode: str | None = None,
    via_xero_requester: UUID | None = None,
) -> Organisation:
    """Changes the details given (None keeps one) and announces the organisation's new state;
    ``duplicate_policy``, ``ledger_mode`` and ``via_xero_requester`` are an administrator's
    settings, the others the operator's. The via-Xero mode needs a current user as requester
    (refused naming the field)."""
    async with pool.acquire() as conn, conn.transaction():
        if status is not None:
            # Exclusive: a decision in flight (which holds it shared) ends before a suspension.
            await Workflows(conn).lock(organisation_id, exclusive=True)
        organisations = Organisations(conn)
        org = await organisations.get(organisation_id, lock=True)
        if org is None:
            raise OrganisationNotFound(f"{organisation_id} is unknown")
        changed = org.changed(
            name=name,
            base_currency=base_currency,
            timezone=timezone,
            status=status,
            duplicate_policy=duplicate_policy,
            ledger_mode=ledger_mode,
            via_xero_requester=via_xero_requester,
        )
        if ledger_mode or via_xero_requester:
            await _check_ledger_mode(conn, changed)
        if changed != org:
            await organisations.update(changed)
            await _emit_organisation(conn, changed, OrganisationUpdated)
        return changed


async def _check_ledger_mode(conn: asyncpg.Connection, org: Organisation) -> None:
    """The requester is read locked, so they cannot be removed before this commits."""
    requester = org.via_xero_requester
    org.check_ledger_mode(
        None
        if requester is None
        else await People(conn).by_id(org.organisation_id, requester, lock=True)
    )


async def organisation_of(pool: asyncpg.Pool, organisation_id: UUID) -> Organisation:
    async with pool.acquire() as conn:
        org = await Organisations(conn).get(organisation_id)
    if org is None:
        raise OrganisationNotFound(f"{organisation_id} is unknown")
    return org
