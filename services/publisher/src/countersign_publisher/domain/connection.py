"""An organisation's connection to Xero: the one tenant its grant is for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from countersign_platform.refusals import FieldError, Invalid

__all__ = ["Tenant", "TenantNotChosen", "choose_tenant"]


@dataclass(frozen=True)
class Tenant:
    """A Xero organisation a token reaches (Xero's ``tenantId`` and ``tenantName``)."""

    tenant_id: str
    tenant_name: str | None
    connection_id: str | None = None  # the app's connection to it, for a disconnect


class TenantNotChosen(Invalid):
    title = "Choose one Xero tenant"


def choose_tenant(tenants: Sequence[Tenant], wanted: str | None) -> Tenant:
    """The tenant asked for, or the only one the grant reaches."""
    chosen = [t for t in tenants if wanted in (None, t.tenant_id)]
    if len(chosen) != 1:
        reached = [t.tenant_id for t in tenants]
        # No detail: the field error says it all.
        raise TenantNotChosen(
            "", [FieldError("tenant_id", "one_tenant", f"the grant reaches {reached}")]
        )
    return chosen[0]
