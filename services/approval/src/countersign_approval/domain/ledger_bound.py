"""An authorised request is bound for the ledger: the publisher may be creating its bill at this
moment. What Dext asks of the item afterwards — a new version, a withdrawal — is refused, and
the refusal is an event that says why and where the request is, so ingest (and Dext) never
believe an item changed or deleted while its bill goes to Xero. The rule is Countersign's
(ADR 0024): amend or void the bill in Xero instead.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

from countersign_contracts import LedgerBound, RepublishRefused, WithdrawalRefused

from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.domain.record import RequestRecord

__all__ = ["BOUND", "refuse_republish", "refuse_withdrawal"]

BOUND = MappingProxyType(
    {
        RequestState.AUTHORISED: LedgerBound.AUTHORISED,
        RequestState.PUBLISHING: LedgerBound.PUBLISHING,
        RequestState.PUBLISHED: LedgerBound.PUBLISHED,
        RequestState.PUBLISH_FAILED: LedgerBound.PUBLISH_FAILED,
    }
)
"""The request states past authorisation, as the refusal events name them."""


def _where(request: RequestRecord) -> str:
    stage = BOUND[request.state]
    if stage is LedgerBound.AUTHORISED:
        return "is authorised and on its way to Xero"
    if stage is LedgerBound.PUBLISH_FAILED:
        return "is authorised; its publication to Xero failed and waits for a retry"
    return "is authorised and its bill is in Xero"


def refuse_republish(request: RequestRecord, version: int, now: datetime) -> None:
    """Records that version ``version`` of the item is not taken: ``request`` stays."""
    request.emit(
        RepublishRefused(
            **request.about(),
            stage=BOUND[request.state],
            reason=(
                f"Version {version} was not taken: version {request.item_version} "
                f"{_where(request)}. Amend the bill in Xero."
            ),
            refused_item_version=version,
            refused_at=now,
        )
    )


def refuse_withdrawal(request: RequestRecord, version: int, now: datetime) -> None:
    """Records that the withdrawal of version ``version`` does not stop ``request``."""
    request.emit(
        WithdrawalRefused(
            **request.about(),
            stage=BOUND[request.state],
            reason=(
                f"The withdrawal was refused: version {request.item_version} "
                f"{_where(request)}. Void the bill in Xero."
            ),
            withdrawn_item_version=version,
            refused_at=now,
        )
    )
