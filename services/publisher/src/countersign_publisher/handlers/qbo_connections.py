"""An organisation's QuickBooks Online connection: an operator's import of a grant made
elsewhere, and disconnecting (ADR 0069).

token set + realmId ─▶ the realm's CompanyInfo with that token (proves the token reaches the
                       company, and names it) ─▶ stored, sealed, with ledger ``qbo`` and its
                       event (``connections.bind``)
disconnect          ─▶ tokens destroyed here with the event ─▶ the refresh token revoked at
                       Intuit (which disconnects the app from the company)

Admins connect through Intuit's consent instead (``connecting.py``).
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
from countersign_platform.refusals import FieldError

from countersign_publisher.adapters.intuit_identity import IntuitIdentity
from countersign_publisher.adapters.oauth_grants import TokenSet
from countersign_publisher.adapters.tokens import LedgerTokens
from countersign_publisher.db.connections import ConnectionRow, Connections
from countersign_publisher.handlers.connections import (
    OtherLedgerConnectedFirst,
    TokenRefused,
    bind,
)
from countersign_publisher.handlers.events import emit_connection
from countersign_publisher.ledger.errors import LedgerAuthLost, LedgerTransient

__all__ = [
    "connect_qbo",
    "disconnect_qbo",
    "intuit_of",
    "refuse_other_ledger",
]

QBO = "qbo"


def intuit_of(tokens: LedgerTokens) -> IntuitIdentity:
    intuit = tokens.grants_for(QBO)
    assert isinstance(intuit, IntuitIdentity)
    return intuit


async def connect_qbo(
    tokens: LedgerTokens, organisation_id: UUID, token_set: TokenSet, realm_id: str
) -> ConnectionRow:
    """Connects (or reconnects) the organisation to the QBO company its token reaches."""
    async with tokens.pool.acquire() as conn:  # before Intuit is asked; bind checks it again
        await refuse_other_ledger(conn, organisation_id, QBO)
    try:
        company = await intuit_of(tokens).company(token_set.access_token, realm_id)
    except LedgerAuthLost as refused:
        raise TokenRefused(
            "",
            [
                FieldError(
                    "access_token",
                    "reaches_realm",
                    f"QuickBooks Online answered {refused.status} for realm {realm_id}",
                )
            ],
        ) from refused
    return await bind(tokens, organisation_id, company, token_set, None, QBO)


async def refuse_other_ledger(conn: asyncpg.Connection, organisation_id: UUID, ledger: str) -> None:
    """Refuses to act on ``ledger``'s connection while the organisation is connected to (or
    must reconnect) another ledger: a DELETE for one ledger never disconnects the other."""
    current = await Connections(conn).get(organisation_id)
    if current is not None and current.status != "disconnected" and current.ledger != ledger:
        raise OtherLedgerConnectedFirst(
            f"the organisation is connected to {current.ledger}, not {ledger}: disconnect it first",
            extensions={"connected_ledger": current.ledger},
        )


async def disconnect_qbo(
    tokens: LedgerTokens, organisation_id: UUID, by: UUID | None
) -> tuple[ConnectionRow | None, bool]:
    """Disconnects a QBO connection here (tokens destroyed, the event written) and at Intuit
    (the refresh token revoked). Intuit unreachable does not keep the tokens: the answer says
    whether Intuit let go too. None when nothing was connected."""
    async with tokens.pool.acquire() as conn, conn.transaction():
        await refuse_other_ledger(conn, organisation_id, QBO)
        held = await tokens.current(conn, organisation_id)
        row = await Connections(conn).disconnect(organisation_id, by)
        if row is not None:
            await emit_connection(conn, row)
    tokens.forget(organisation_id)
    if held is None:
        return row, False
    try:
        await intuit_of(tokens).revoke(held.refresh_token)
    except LedgerTransient:
        return row, False
    return row, True
