"""The approval request and the rule that decides it.

    opened ─▶ authorised

The workflow engine (review, auto-approval, approval steps from a rule matrix) replaces the
single stub rule below; until then every request is authorised by the system on arrival.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RequestState", "authorise_on_arrival"]


class RequestState(StrEnum):
    OPENED = "opened"
    AUTHORISED = "authorised"


def authorise_on_arrival() -> bool:
    """The stub rule: every request is authorised as soon as it is opened."""
    return True
