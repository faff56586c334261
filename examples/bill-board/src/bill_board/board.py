"""The board: one row per approval request, its bill and where it stands, in SQLite.

Events of the two topics are not ordered relative to each other (a bill's `BillCreated` may
come before its `RequestAuthorised`), so a status only moves forward: a later event never
takes a bill back to an earlier stage. Applying an event twice changes nothing, so the
consumer may commit its offsets after the board, and a redelivery is harmless.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from countersign_contracts import (
    APPROVAL_REQUESTS,
    LEDGER_PUBLICATIONS,
    BillAuthorised,
    BillCreated,
    BillReturnedToDraft,
    Envelope,
    PublicationCompleted,
    PublicationFailed,
    RequestAuthorised,
    RequestCancelled,
    RequestOpened,
    RequestPublicationUpdated,
    RequestRejected,
    RequestSuperseded,
)

__all__ = ["RANK", "TOPICS", "Board"]

TOPICS = (APPROVAL_REQUESTS, LEDGER_PUBLICATIONS)

RANK = {
    "awaiting_approval": 1,
    "authorised": 2,
    "publishing": 3,
    "publish_failed": 4,
    "in_xero": 5,
    "rejected": 9,
    "returned_to_draft": 9,
    "superseded": 9,
    "cancelled": 9,
}
"""How far each status is; a bill moves only forward (``publish_failed`` → ``in_xero`` after a
retry; never back)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bills (
    request_id      TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    dext_item_id    TEXT NOT NULL,
    item_version    INTEGER NOT NULL,
    supplier        TEXT,
    currency        TEXT,
    total           TEXT,
    status          TEXT NOT NULL,
    xero_invoice_id TEXT,
    updated_at      TEXT NOT NULL
)
"""


_PUBLICATION = {
    "publishing": "publishing",
    "published": "in_xero",
    "publish_failed": "publish_failed",
    "publication_cancelled": "cancelled",
}
"""RequestPublicationUpdated's status, as the board names it (a value added later: nothing)."""


def _status(payload: Any) -> str | None:
    """What the event says of its bill's status; None: nothing (a decision, a note...)."""
    if isinstance(payload, RequestOpened):
        return "awaiting_approval"
    if isinstance(payload, RequestAuthorised):
        return "authorised"
    if isinstance(payload, RequestRejected):
        return "rejected"
    if isinstance(payload, RequestSuperseded):
        return "superseded"
    if isinstance(payload, RequestCancelled):
        return "cancelled"
    if isinstance(payload, RequestPublicationUpdated):
        return _PUBLICATION.get(payload.status.value)
    if isinstance(payload, BillCreated | BillAuthorised | PublicationCompleted):
        return "in_xero"
    if isinstance(payload, PublicationFailed):
        return "publish_failed"
    if isinstance(payload, BillReturnedToDraft):
        return "returned_to_draft"
    return None


class Board:
    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path)
        self._db.execute(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def apply(self, envelope: Envelope[Any]) -> bool:
        """Applies one event (not committed: ``commit`` after a batch); True when it moved a
        bill."""
        payload = envelope.payload
        request_id = getattr(payload, "request_id", None)
        status = _status(payload)
        if request_id is None or status is None:
            return False
        bill = getattr(payload, "bill", None)
        row = (
            str(request_id), str(envelope.organisation_id), payload.dext_item_id,
            payload.item_version,
            None if bill is None else bill.supplier.name,
            None if bill is None else bill.currency,
            None if bill is None else str(bill.total),
            status,
            _invoice_id(payload),
            envelope.occurred_at.isoformat(),
        )  # fmt: skip
        before = self._db.execute(
            "SELECT status FROM bills WHERE request_id = ?", (row[0],)
        ).fetchone()
        if before is not None and RANK[before[0]] > RANK[status]:
            self._fill(row)
            return False
        self._db.execute(
            "INSERT INTO bills VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id)"
            " DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,"
            " supplier = coalesce(excluded.supplier, supplier),"
            " currency = coalesce(excluded.currency, currency),"
            " total = coalesce(excluded.total, total),"
            " xero_invoice_id = coalesce(excluded.xero_invoice_id, xero_invoice_id)",
            row,
        )
        return True

    def _fill(self, row: tuple[Any, ...]) -> None:
        """A late event still fills in what the row lacks (the bill, its Xero id)."""
        self._db.execute(
            "UPDATE bills SET supplier = coalesce(supplier, ?), currency = coalesce(currency, ?),"
            " total = coalesce(total, ?), xero_invoice_id = coalesce(xero_invoice_id, ?)"
            " WHERE request_id = ?",
            (row[4], row[5], row[6], row[8], row[0]),
        )

    def commit(self) -> None:
        self._db.commit()

    def by_status(self) -> dict[str, list[dict[str, Any]]]:
        shown: dict[str, list[dict[str, Any]]] = {}
        cursor = self._db.execute("SELECT * FROM bills ORDER BY updated_at")
        names = [column[0] for column in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            shown.setdefault(row["status"], []).append(row)
        return shown


def _invoice_id(payload: Any) -> str | None:
    """The bill's id in its ledger: ``ledger_bill_id`` (any ledger, since the minor versions
    that added it), else the Xero id of an older event."""
    found = getattr(payload, "ledger_bill_id", None) or getattr(payload, "xero_invoice_id", None)
    return None if found is None else str(found)
