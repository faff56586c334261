"""Where a page of suppliers starts: after the (xero_updated_at, xero_contact_id) position of
the last supplier Dext was given, which it hands back as an opaque cursor, or after an instant
(``changed_since``, the newest ``xero_updated_at`` Dext has seen)."""

from __future__ import annotations

import base64
from datetime import datetime
from uuid import UUID

from countersign_ingest.domain.refusals import CursorNotValid

__all__ = ["Position", "encode_cursor", "start_after"]

Position = tuple[datetime, UUID]

_AFTER_EVERY_ID = UUID(int=(1 << 128) - 1)


def encode_cursor(position: Position) -> str:
    raw = f"{position[0].isoformat()}|{position[1]}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, contact = raw.split("|")
        return datetime.fromisoformat(moment), UUID(contact)
    except ValueError as exc:
        raise CursorNotValid() from exc


def start_after(cursor: str | None, changed_since: datetime | None) -> Position | None:
    """The position a page starts after (None: the first page); the cursor wins."""
    if cursor is not None:
        return _decode(cursor)
    if changed_since is not None:
        return (changed_since, _AFTER_EVERY_ID)
    return None
