"""A publication: the job that turns one authorised request (or one bank-account item) into
Xero records, one recorded step at a time (the steps: ``progress.py``).

    recorded ─▶ publishing ─▶ completed
         │           ├──────▶ failed   (Xero refused the content: a person must fix it)
         │           └──────▶ parked   (transient failures exhausted, or the connection broke)
         └── (retry requested: failed|parked ─▶ publishing, next generation)

A transient failure postpones the publication with a backoff that doubles from try to try; the
try that reaches ``max_attempts`` parks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from countersign_platform.refusals import Conflict, NotFound

__all__ = [
    "DUE_STATES",
    "RETRYABLE_STATES",
    "NotRetryable",
    "PublicationNotFound",
    "PublicationState",
    "RetryPolicy",
    "backoff_s",
]


class PublicationState(StrEnum):
    RECORDED = "recorded"
    PUBLISHING = "publishing"
    COMPLETED = "completed"
    FAILED = "failed"
    PARKED = "parked"
    CANCELLED = "cancelled"  # given up, as an administrator asked: nothing of it is in Xero


DUE_STATES = (PublicationState.RECORDED, PublicationState.PUBLISHING)
RETRYABLE_STATES = (PublicationState.FAILED, PublicationState.PARKED)


class PublicationNotFound(NotFound):
    title = "No such publication"


class NotRetryable(Conflict):
    """Only a failed or parked publication can be tried again."""

    kind = "not-retryable"
    title = "Publication is not failed"


def backoff_s(attempt: int, base_s: float, cap_s: float = 900.0) -> float:
    return float(min(cap_s, base_s * 2 ** max(0, attempt - 1)))


@dataclass(frozen=True)
class RetryPolicy:
    """How often, and how far apart, a publication is tried again after transient trouble."""

    max_attempts: int = 6
    backoff_base_s: float = 2.0

    def exhausted(self, attempt: int) -> bool:
        return attempt >= self.max_attempts

    def delay_s(self, attempt: int) -> float:
        return backoff_s(attempt, self.backoff_base_s)
