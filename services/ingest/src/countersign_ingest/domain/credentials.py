"""An organisation's Dext credentials: which secrets verify a call, and when.

    issue (or register) ──▶ current ──issue again──▶ previous ──valid_until passes──▶ gone
                               │                        │     ──DELETE …/previous──▶ gone
                               └──DELETE …/current──▶ gone, and the previous with it

At most one current and one previous. Issuing while a rotation is under way replaces the
previous one: the oldest secret stops verifying at once, the one that was current keeps
verifying for the overlap. Revoking the current one leaves nothing that verifies until the
next is issued.

Last use is recorded at most once a ``LAST_USE_RESOLUTION``: a busy organisation's calls do not
each write a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

__all__ = [
    "LAST_USE_RESOLUTION",
    "Credential",
    "Role",
    "live",
    "previous_valid_until",
    "use_worth_recording",
    "verifies",
]

LAST_USE_RESOLUTION = timedelta(minutes=1)

Role = Literal["current", "previous"]


@dataclass(frozen=True)
class Credential:
    """What is known of one secret, never the secret itself."""

    credential_id: UUID
    role: Role
    created_at: datetime
    created_by: UUID | None  # the admin who issued it; None when the operator registered it
    last_used_at: datetime | None
    valid_until: datetime | None  # set on a previous credential: when its overlap ends


def verifies(credential: Credential, now: datetime) -> bool:
    """Whether a call signed with this credential's secret is accepted at ``now``."""
    if credential.role == "current":
        return True
    return credential.valid_until is not None and now < credential.valid_until


def live(credentials: Sequence[Credential], now: datetime) -> list[Credential]:
    """The credentials that verify at ``now``: the current first."""
    found = [c for c in credentials if verifies(c, now)]
    return sorted(found, key=lambda c: c.role != "current")


def previous_valid_until(now: datetime, overlap: timedelta) -> datetime:
    """Until when the credential that stops being current at ``now`` still verifies."""
    return now + overlap


def use_worth_recording(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a call verified at ``now`` should update the credential's last use."""
    return last_used_at is None or now - last_used_at >= LAST_USE_RESOLUTION
