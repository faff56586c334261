"""A company (realm) and what it holds: entities by type and Id, attachment bytes, the change
log (CDC and webhooks). (Its requestid memory is the sandbox's ``request_ids``.)"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = ["Change", "Realm", "Record"]

Record = dict[str, Any]

# Entity names as the API spells them, by the lower-case path segment clients use.
ENTITY_NAMES = {
    name.lower(): name
    for name in (
        "Account",
        "Attachable",
        "Bill",
        "BillPayment",
        "Class",
        "CompanyCurrency",
        "CompanyInfo",
        "Customer",
        "Department",
        "Employee",
        "Preferences",
        "Purchase",
        "TaxCode",
        "TaxRate",
        "Term",
        "Vendor",
    )
}
NAME_LISTS = ("Vendor", "Customer", "Employee")


@dataclass(frozen=True)
class Change:
    entity: str
    entity_id: str
    operation: str  # Create | Update | Delete
    at: datetime


@dataclass
class Realm:
    realm_id: str
    name: str
    country: str
    home_currency: str
    multicurrency: bool
    book_close_date: date | None
    created: datetime
    entities: dict[str, dict[str, Record]] = field(default_factory=dict)
    deleted: dict[str, dict[str, Record]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _next_id: int = 1

    def new_id(self) -> str:
        value = self._next_id
        self._next_id += 1
        return str(value)

    def of(self, entity: str) -> dict[str, Record]:
        return self.entities.setdefault(entity, {})

    def get(self, entity: str, entity_id: Any) -> Record | None:
        return self.of(entity).get(str(entity_id))

    def add(self, entity: str, record: Record, now: datetime) -> Record:
        """Stores a seeded or created ``record`` with its Id, SyncToken "0" and MetaData."""
        record = {
            "Id": self.new_id(),
            "SyncToken": "0",
            "domain": "QBO",
            "sparse": False,
            **record,
            "MetaData": {"CreateTime": now, "LastUpdatedTime": now},
        }
        self.of(entity)[record["Id"]] = record
        return record

    @property
    def us(self) -> bool:
        return self.country == "US"
