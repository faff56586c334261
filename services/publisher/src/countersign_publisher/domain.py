"""A publication: the job that turns one authorised request into a ledger bill.

    recorded ─▶ (bill created ─▶ attachments ─▶ payment) ─▶ completed | failed

Until the Xero client arrives, a publication is only recorded.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["PublicationState"]


class PublicationState(StrEnum):
    RECORDED = "recorded"
    COMPLETED = "completed"
    FAILED = "failed"
