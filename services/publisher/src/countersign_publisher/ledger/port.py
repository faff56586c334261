"""The ledger port: everything the publication steps, the supplier sync and the master-data
sync ask of a ledger, in its neutral terms (ADR 0065). Every call is budgeted by the
organisation's (realm's) limits inside the adapter; every write carries ``key``, the step's
idempotency key; failures are ``LedgerError``s.

Via-ledger approval (ADR 0058: bills submitted in the ledger, authorised there) is a capability
a ledger may lack: such an adapter raises ``LedgerUnsupported``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from countersign_contracts import BankTransactionSubmitted, Bill, SupplierSynced, XeroBill

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

__all__ = ["Ledger"]


class Ledger(Protocol):
    name: str
    """The ledger's name in the contracts (``xero``)."""
    title: str
    """The ledger's name as people read it in a refusal's messages (``Xero``)."""
    max_batch: int
    """The most bills one ``create_bills`` call may carry."""

    # suppliers (contacts, vendors) ---------------------------------------------------------

    def contact_name(self, name: str) -> str:
        """The name as the ledger stores (and compares) it."""
        ...

    async def contact(self, organisation_id: UUID, contact_id: LedgerId) -> LedgerContact: ...

    async def contacts_named(self, organisation_id: UUID, name: str) -> list[LedgerContact]:
        """The active contacts of that name (compared as the ledger compares names)."""
        ...

    async def create_contact(self, organisation_id: UUID, name: str, key: str) -> LedgerContact:
        """Refused (``LedgerRefused``) when the name is taken meanwhile."""
        ...

    async def contacts_changed(
        self, organisation_id: UUID, page: int, since: datetime | None
    ) -> ContactsPage:
        """A page (from 1) of the contacts changed since ``since`` (all when None)."""
        ...

    def cached_contact(self, details: Record) -> LedgerContact:
        """A contact's ``details`` (as the contact cache keeps them) read back."""
        ...

    def supplier(self, organisation_id: UUID, details: Record) -> SupplierSynced:
        """The supplier event of the organisation's contact, from its ``details``."""
        ...

    # bills ---------------------------------------------------------------------------------

    async def create_bills(
        self, organisation_id: UUID, bills: Sequence[NewBill], key: str
    ) -> list[LedgerBill | Refusal]:
        """One call for the batch; each bill's outcome in the order given. Raises when the
        call itself failed (for all of them)."""
        ...

    async def find_bill(
        self, organisation_id: UUID, number: str, contact_id: LedgerId, marker: str
    ) -> LedgerBill | None:
        """The bill carrying ``marker`` (not deleted or voided), if an earlier try made it."""
        ...

    async def bill(self, organisation_id: UUID, bill_id: LedgerId) -> LedgerBill: ...

    # files ---------------------------------------------------------------------------------

    def attachment_name(self, name: str) -> str:
        """A file name the ledger accepts for an attachment."""
        ...

    async def attachments(
        self, organisation_id: UUID, record: LedgerRecord
    ) -> list[LedgerAttachment]: ...

    async def attach(
        self,
        organisation_id: UUID,
        record: LedgerRecord,
        file_name: str,
        content: bytes,
        media_type: str,
        key: str,
    ) -> LedgerAttachment: ...

    # payments, expenses, notes ---------------------------------------------------------------

    async def find_payment(self, organisation_id: UUID, bill_id: LedgerId) -> LedgerPayment | None:
        """A payment on the bill (not deleted), if an earlier try made it."""
        ...

    async def record_payment(
        self, organisation_id: UUID, bill: Bill, bill_id: LedgerId, key: str
    ) -> LedgerPayment:
        """The bill's payment, from the account Dext's payment names."""
        ...

    async def find_expense(self, organisation_id: UUID, marker: str) -> LedgerExpense | None: ...

    async def create_expense(
        self,
        organisation_id: UUID,
        item: BankTransactionSubmitted,
        contact_id: LedgerId,
        marker: str,
        key: str,
    ) -> LedgerExpense:
        """An expense paid from the item's bank account; refused: ``LedgerRefused``."""
        ...

    async def notes(self, organisation_id: UUID, bill_id: LedgerId) -> list[str]:
        """The texts of the notes added to the bill's history."""
        ...

    async def add_notes(
        self, organisation_id: UUID, bill_id: LedgerId, notes: Sequence[str], key: str
    ) -> None: ...

    # via-ledger approval (ADR 0058) -----------------------------------------------------------

    def submitted(self, bill: LedgerBill) -> XeroBill:
        """The bill read with ``bill`` as the contracts tell approval of it."""
        ...

    async def authorise(
        self, organisation_id: UUID, bill: LedgerBill, approved: Bill, key: str
    ) -> LedgerBill:
        """``bill`` (as just read) authorised with the approved coding on its lines."""
        ...

    async def return_to_draft(
        self, organisation_id: UUID, bill_id: LedgerId, key: str
    ) -> LedgerBill: ...

    # master data ---------------------------------------------------------------------------

    async def master_data(
        self,
        organisation_id: UUID,
        tenant_id: str,
        synced_at: datetime,
        accounts_since: datetime | None,
    ) -> MasterDataRead: ...
