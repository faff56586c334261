"""The ``Ledger`` port for every organisation: each call goes to the adapter of the ledger the
organisation's connection row names (ADR 0065 "How QBO plugs in", ADR 0069).

    call(org, …) ─▶ which ledger? (kept per organisation; forgotten when its connection
                    changes here, and after ``remember_s`` so another instance's change is seen)
                 ─▶ {"xero": XeroLedger, "qbo": QboLedger}[ledger].call(org, …)

The steps, the supplier sync and the master-data sync are untouched: they hold this one
``Ledger``. The port's few calls that name no organisation (``contact_name``,
``cached_contact``, ``attachment_name``, ``submitted``, ``name``, ``title``) cannot be
dispatched: they answer as the default ledger (Xero) does, and code that serves both ledgers
asks ``for_organisation`` for the organisation's adapter first. ``supplier`` names it but is
synchronous: it answers as the ledger last chosen for the organisation.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

from countersign_contracts import BankTransactionSubmitted, Bill, SupplierSynced, XeroBill

from countersign_publisher.adapters.xero_limits import CallScheduler
from countersign_publisher.ledger.errors import LedgerAuthLost
from countersign_publisher.ledger.port import Ledger
from countersign_publisher.ledger.values import (
    ContactsPage,
    LedgerAttachment,
    LedgerBill,
    LedgerContact,
    LedgerExpense,
    LedgerId,
    LedgerPayment,
    LedgerRecord,
    MasterDataRead,
    NewBill,
    Record,
    Refusal,
)

__all__ = ["LedgerByConnection", "LedgerOf"]

LedgerOf = Callable[[UUID], Awaitable[str | None]]
"""The ledger an organisation's connection row names (None: no connection row)."""


class LedgerByConnection:
    def __init__(
        self,
        ledgers: Mapping[str, tuple[Ledger, CallScheduler]],
        ledger_of: LedgerOf,
        *,
        default: str = "xero",
        remember_s: float = 60.0,
    ) -> None:
        self._ledgers = dict(ledgers)
        self._ledger_of = ledger_of
        self._default = default
        self._remember_s = remember_s
        self._chosen: dict[UUID, tuple[str, float]] = {}
        self.lookups = 0  # connection rows read: what the cache saves
        self.name = self._fallback.name
        self.title = self._fallback.title

    @property
    def _fallback(self) -> Ledger:
        return self._ledgers[self._default][0]

    async def name_of(self, organisation_id: UUID) -> str:
        kept = self._chosen.get(organisation_id)
        if kept is not None and kept[1] > time.monotonic():
            return kept[0]
        self.lookups += 1
        name = await self._ledger_of(organisation_id) or self._default
        self._chosen[organisation_id] = (name, time.monotonic() + self._remember_s)
        return name

    async def for_organisation(self, organisation_id: UUID) -> Ledger:
        """The adapter of the organisation's ledger; ``LedgerAuthLost`` when this instance
        has none for it (parks the work until one is configured)."""
        name = await self.name_of(organisation_id)
        found = self._ledgers.get(name)
        if found is None:
            raise LedgerAuthLost(f"no adapter for ledger {name!r} here: it cannot be published")
        return found[0]

    def _kept(self, organisation_id: UUID) -> Ledger:
        kept = self._chosen.get(organisation_id)
        found = None if kept is None else self._ledgers.get(kept[0])
        return self._fallback if found is None else found[0]

    def forget(self, organisation_id: UUID) -> None:
        """The connection changed: the next call reads which ledger it is again."""
        self._chosen.pop(organisation_id, None)

    def held_back(self, organisation_id: UUID) -> bool:
        """Whether the organisation's ledger's scheduler holds its calls back now."""
        kept = self._chosen.get(organisation_id)
        if kept is not None and kept[0] in self._ledgers:
            return self._ledgers[kept[0]][1].held_back(str(organisation_id))
        # Not looked up yet: only a scheduler that served it can be holding it back.
        return any(s.held_back(str(organisation_id)) for _, s in self._ledgers.values())

    # the calls that name no organisation: the default ledger's --------------------------------

    def contact_name(self, name: str) -> str:
        return self._fallback.contact_name(name)

    def cached_contact(self, details: Record) -> LedgerContact:
        return self._fallback.cached_contact(details)

    def supplier(self, organisation_id: UUID, details: Record) -> SupplierSynced:
        """Synchronous: the ledger last chosen for the organisation (its contacts were just
        read through this dispatch), else the default's."""
        return self._kept(organisation_id).supplier(organisation_id, details)

    def attachment_name(self, name: str) -> str:
        return self._fallback.attachment_name(name)

    def submitted(self, bill: LedgerBill) -> XeroBill:
        return self._fallback.submitted(bill)

    # the calls for one organisation: its ledger's ---------------------------------------------

    async def contact(self, organisation_id: UUID, contact_id: LedgerId) -> LedgerContact:
        return await (await self.for_organisation(organisation_id)).contact(
            organisation_id, contact_id
        )

    async def contacts_named(self, organisation_id: UUID, name: str) -> list[LedgerContact]:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.contacts_named(organisation_id, name)

    async def create_contact(self, organisation_id: UUID, name: str, key: str) -> LedgerContact:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.create_contact(organisation_id, name, key)

    async def contacts_changed(
        self, organisation_id: UUID, page: int, since: datetime | None
    ) -> ContactsPage:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.contacts_changed(organisation_id, page, since)

    async def create_bills(
        self, organisation_id: UUID, bills: Sequence[NewBill], key: str
    ) -> list[LedgerBill | Refusal]:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.create_bills(organisation_id, bills, key)

    async def find_bill(
        self, organisation_id: UUID, number: str, contact_id: LedgerId, marker: str
    ) -> LedgerBill | None:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.find_bill(organisation_id, number, contact_id, marker)

    async def bill(self, organisation_id: UUID, bill_id: LedgerId) -> LedgerBill:
        return await (await self.for_organisation(organisation_id)).bill(organisation_id, bill_id)

    async def attachments(
        self, organisation_id: UUID, record: LedgerRecord
    ) -> list[LedgerAttachment]:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.attachments(organisation_id, record)

    async def attach(
        self,
        organisation_id: UUID,
        record: LedgerRecord,
        file_name: str,
        content: bytes,
        media_type: str,
        key: str,
    ) -> LedgerAttachment:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.attach(organisation_id, record, file_name, content, media_type, key)

    async def find_payment(self, organisation_id: UUID, bill_id: LedgerId) -> LedgerPayment | None:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.find_payment(organisation_id, bill_id)

    async def record_payment(
        self, organisation_id: UUID, bill: Bill, bill_id: LedgerId, key: str
    ) -> LedgerPayment:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.record_payment(organisation_id, bill, bill_id, key)

    async def find_expense(self, organisation_id: UUID, marker: str) -> LedgerExpense | None:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.find_expense(organisation_id, marker)

    async def create_expense(
        self,
        organisation_id: UUID,
        item: BankTransactionSubmitted,
        contact_id: LedgerId,
        marker: str,
        key: str,
    ) -> LedgerExpense:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.create_expense(organisation_id, item, contact_id, marker, key)

    async def notes(self, organisation_id: UUID, bill_id: LedgerId) -> list[str]:
        return await (await self.for_organisation(organisation_id)).notes(organisation_id, bill_id)

    async def add_notes(
        self, organisation_id: UUID, bill_id: LedgerId, notes: Sequence[str], key: str
    ) -> None:
        ledger = await self.for_organisation(organisation_id)
        await ledger.add_notes(organisation_id, bill_id, notes, key)

    async def authorise(
        self, organisation_id: UUID, bill: LedgerBill, approved: Bill, key: str
    ) -> LedgerBill:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.authorise(organisation_id, bill, approved, key)

    async def return_to_draft(
        self, organisation_id: UUID, bill_id: LedgerId, key: str
    ) -> LedgerBill:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.return_to_draft(organisation_id, bill_id, key)

    async def master_data(
        self,
        organisation_id: UUID,
        tenant_id: str,
        synced_at: datetime,
        accounts_since: datetime | None,
    ) -> MasterDataRead:
        ledger = await self.for_organisation(organisation_id)
        return await ledger.master_data(organisation_id, tenant_id, synced_at, accounts_since)
