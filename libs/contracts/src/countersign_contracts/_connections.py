"""What the publisher publishes about an organisation's connection to its ledger:
ledger.connections.v1.

The event carries the connection's full current state, so a consumer (the notifications that
tell admins, a status page) keeps the latest one per organisation and never needs the history.
"""

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field

from countersign_contracts._base import EventPayload, unknown_as
from countersign_contracts._money import UtcDatetime

__all__ = ["LedgerConnectionChanged", "LedgerConnectionStatus"]


class LedgerConnectionStatus(StrEnum):
    """Where an organisation's ledger connection stands."""

    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"  # the ledger refused our grant: an admin must reconnect
    DISCONNECTED = "disconnected"  # an admin disconnected it; nothing is published
    OTHER = "other"  # a status this reader's version does not know yet


class LedgerConnectionChanged(EventPayload):
    """An organisation's connection to its ledger changed."""

    organisation_id: UUID = Field(description="Also the envelope organisation_id and subject_id")
    ledger: str = Field(
        pattern=r"^[a-z][a-z0-9-]{1,31}$",
        description="The ledger connected: a Ledger value, 'xero' or 'qbo' (text, so a reader"
        " keeps a ledger it does not know yet)",
    )
    status: Annotated[LedgerConnectionStatus, unknown_as(LedgerConnectionStatus.OTHER)] = Field(
        description="A reader maps a value it does not know yet to 'other'"
    )
    tenant_id: str | None = Field(
        default=None,
        max_length=64,
        description="The ledger's organisation (Xero tenantId, QBO realmId)",
    )
    tenant_name: str | None = Field(default=None, max_length=255)
    reason: str | None = Field(
        default=None,
        max_length=500,
        description="Why it changed, e.g. 'invalid_grant' when Xero refused the refresh token",
    )
    changed_by: UUID | None = Field(
        default=None, description="The user who connected or disconnected; none when the ledger did"
    )
    changed_at: UtcDatetime
