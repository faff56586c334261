"""The ledger's master data as Dext pulls it: entry by entry, each with when it last changed.

An event carries the whole master data; what Dext needs is what changed since it last asked.
``diff`` compares the latest event's entries with those stored: a new entry, or one whose
content differs, has changed; one no longer in the event is removed (kept, marked, so Dext
learns it went); one that comes back has changed again.

Pages run in the order entries changed, after a (changed_at, entry_key) position handed to
Dext as an opaque cursor, or after an instant (``changed_since``).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from countersign_ingest.domain.refusals import CursorNotValid

__all__ = ["EntryChanges", "EntryKind", "Stored", "decode_cursor", "diff", "encode_cursor"]


class EntryKind(StrEnum):
    ACCOUNT = "account"
    TAX_RATE = "tax_rate"
    TRACKING_CATEGORY = "tracking_category"


@dataclass(frozen=True)
class Stored:
    content: Mapping[str, Any]
    removed: bool


@dataclass(frozen=True)
class EntryChanges:
    changed: dict[str, Mapping[str, Any]]  # by key: new, different or back again
    removed: list[str]  # keys gone from the ledger since last time


def diff(stored: Mapping[str, Stored], latest: Mapping[str, Mapping[str, Any]]) -> EntryChanges:
    changed = {
        key: content
        for key, content in latest.items()
        if key not in stored or stored[key].removed or dict(stored[key].content) != dict(content)
    }
    removed = sorted(
        key for key, entry in stored.items() if key not in latest and not entry.removed
    )
    return EntryChanges(changed, removed)


def encode_cursor(changed_at: datetime, key: str) -> str:
    raw = f"{changed_at.isoformat()}|{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, key = raw.split("|", 1)
        return datetime.fromisoformat(moment), key
    except ValueError as exc:
        raise CursorNotValid() from exc
