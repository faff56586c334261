"""The ledger port (ADR 0065) on Xero's Accounting API: the domain values the steps pass become
Xero's JSON here (``xero_mapping``), and Xero's answers become the port's values. Every call goes
through ``XeroClient`` (the organisation's budget, tokens, idempotency keys).

    contact    ─ Contacts (where Name==, by id, PUT, pages If-Modified-Since)
    bill       ─ PUT /Invoices (batch, summarizeErrors=false) ; found again by InvoiceNumbers +
                 ContactIDs, our marker in Url
    files      ─ /Invoices|BankTransactions/{id}/Attachments
    payment    ─ PUT /Payments ; found again among the bill's Payments
    expense    ─ a SPEND BankTransaction ; found again by its Url
    notes      ─ /Invoices/{id}/History (records whose Changes is "Note")
    via Xero   ─ POST /Invoices/{id} (Status AUTHORISED with the approved coding, or DRAFT)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from countersign_contracts import BankTransactionSubmitted, Bill, SupplierSynced, XeroBill

from countersign_publisher.adapters.xero_client import XeroClient
from countersign_publisher.adapters.xero_errors import XeroValidationError
from countersign_publisher.adapters.xero_mapping import (
    Json,
    element_failed,
    supplier_synced,
    where_text,
    xero_bank_transaction,
    xero_bill,
    xero_contact_name,
    xero_file_name,
    xero_payment,
)
from countersign_publisher.adapters.xero_master_data import (
    XeroSettings,
    accounts_changed_at,
    master_data,
)
from countersign_publisher.adapters.xero_reading import (
    active,
    read_attachment,
    read_bill,
    read_contact,
    read_expense,
    read_payment,
)
from countersign_publisher.domain.pulled_bills import submitted_bill
from countersign_publisher.ledger.values import (
    ContactsPage,
    LedgerAttachment,
    LedgerBill,
    LedgerContact,
    LedgerExpense,
    LedgerPayment,
    LedgerRecord,
    MasterDataRead,
    NewBill,
    RecordKind,
    Refusal,
)

__all__ = ["XeroLedger"]

CONTACTS_PAGE = 100
NOTE = "Note"
"""The Changes of a history record a client added (Xero's own records name what happened)."""

_ENDPOINTS = {RecordKind.BILL: "Invoices", RecordKind.EXPENSE: "BankTransactions"}
_GONE = ("DELETED", "VOIDED")


def _refused(raw: Json) -> Json:
    """``raw``, unless Xero refused the record it answers for."""
    messages = element_failed(raw)
    if messages is not None:
        raise XeroValidationError(messages)
    return raw


class XeroLedger:
    name = "xero"
    title = "Xero"
    max_batch = 50  # Xero asks for no more than 50 invoices per PUT

    def __init__(self, xero: XeroClient) -> None:
        self._xero = xero

    # suppliers -----------------------------------------------------------------------------

    def contact_name(self, name: str) -> str:
        return xero_contact_name(name)

    async def contact(self, organisation_id: UUID, contact_id: str) -> LedgerContact:
        return read_contact(await self._xero.contact(organisation_id, UUID(contact_id)))

    async def contacts_named(self, organisation_id: UUID, name: str) -> list[LedgerContact]:
        found = await self._xero.contacts_named(organisation_id, name)
        return [read_contact(raw) for raw in found if active(raw)]

    async def create_contact(self, organisation_id: UUID, name: str, key: str) -> LedgerContact:
        return read_contact(await self._xero.create_contact(organisation_id, name, key))

    async def contacts_changed(
        self, organisation_id: UUID, page: int, since: datetime | None
    ) -> ContactsPage:
        found = await self._xero.contacts_page(organisation_id, page, since)
        return ContactsPage([read_contact(raw) for raw in found], len(found) >= CONTACTS_PAGE)

    def cached_contact(self, details: Json) -> LedgerContact:
        return read_contact(details)

    def supplier(self, organisation_id: UUID, details: Json) -> SupplierSynced:
        return supplier_synced(details)

    # bills ---------------------------------------------------------------------------------

    async def create_bills(
        self, organisation_id: UUID, bills: Sequence[NewBill], key: str
    ) -> list[LedgerBill | Refusal]:
        payloads = [xero_bill(b.bill, UUID(b.contact_id), b.marker) for b in bills]
        elements = await self._xero.create_bills(organisation_id, payloads, key)
        by_url = {str(e.get("Url")): e for e in elements if e.get("Url")}
        outcomes: list[LedgerBill | Refusal] = []
        for index, new in enumerate(bills):
            element = by_url.get(new.marker) or (elements[index] if index < len(elements) else {})
            messages = element_failed(element)
            if messages is not None or not element.get("InvoiceID"):
                outcomes.append(Refusal(messages or ["Xero returned no bill"]))
            else:
                outcomes.append(read_bill(element))
        return outcomes

    async def find_bill(
        self, organisation_id: UUID, number: str, contact_id: str, marker: str
    ) -> LedgerBill | None:
        for raw in await self._xero.bills_numbered(organisation_id, number, UUID(contact_id)):
            if raw.get("Url") == marker and raw.get("Status") not in _GONE:
                return read_bill(raw)
        return None

    async def bill(self, organisation_id: UUID, bill_id: str) -> LedgerBill:
        return read_bill(await self._xero.bill(organisation_id, UUID(bill_id)))

    # files ---------------------------------------------------------------------------------

    def attachment_name(self, name: str) -> str:
        return xero_file_name(name)

    async def attachments(
        self, organisation_id: UUID, record: LedgerRecord
    ) -> list[LedgerAttachment]:
        found = await self._xero.attachments(
            organisation_id, _ENDPOINTS[record.kind], UUID(record.record_id)
        )
        return [read_attachment(raw) for raw in found]

    async def attach(
        self,
        organisation_id: UUID,
        record: LedgerRecord,
        file_name: str,
        content: bytes,
        media_type: str,
        key: str,
    ) -> LedgerAttachment:
        endpoint, record_id = _ENDPOINTS[record.kind], UUID(record.record_id)
        return read_attachment(
            await self._xero.attach(
                organisation_id, endpoint, record_id, file_name, content, media_type, key
            )
        )

    # payments, expenses, notes ---------------------------------------------------------------

    async def find_payment(self, organisation_id: UUID, bill_id: str) -> LedgerPayment | None:
        invoice = await self._xero.bill(organisation_id, UUID(bill_id))
        live = (p for p in invoice.get("Payments") or () if p.get("Status") != "DELETED")
        found = next(live, None)
        return None if found is None else read_payment(found)

    async def record_payment(
        self, organisation_id: UUID, bill: Bill, bill_id: str, key: str
    ) -> LedgerPayment:
        payment = xero_payment(bill, UUID(bill_id))
        return read_payment(await self._xero.create_payment(organisation_id, payment, key))

    async def find_expense(self, organisation_id: UUID, marker: str) -> LedgerExpense | None:
        found = await self._xero.bank_transactions_where(
            organisation_id, f"Url=={where_text(marker)}"
        )
        spend = next((t for t in found if t.get("Status") == "AUTHORISED"), None)
        return None if spend is None else read_expense(spend)

    async def create_expense(
        self,
        organisation_id: UUID,
        item: BankTransactionSubmitted,
        contact_id: str,
        marker: str,
        key: str,
    ) -> LedgerExpense:
        spend = xero_bank_transaction(item, UUID(contact_id), marker)
        answer = await self._xero.create_bank_transaction(organisation_id, spend, key)
        return read_expense(_refused(answer))

    async def notes(self, organisation_id: UUID, bill_id: str) -> list[str]:
        records = await self._xero.history(organisation_id, UUID(bill_id))
        return [str(r.get("Details")) for r in records if r.get("Changes") == NOTE]

    async def add_notes(
        self, organisation_id: UUID, bill_id: str, notes: Sequence[str], key: str
    ) -> None:
        await self._xero.add_notes(organisation_id, UUID(bill_id), notes, key)

    # via Xero (ADR 0058) ---------------------------------------------------------------------

    def submitted(self, bill: LedgerBill) -> XeroBill:
        return submitted_bill(bill.record)

    async def authorise(
        self, organisation_id: UUID, bill: LedgerBill, approved: Bill, key: str
    ) -> LedgerBill:
        contact_id = UUID(str(bill.contact_id))
        lines = xero_bill(approved, contact_id, "")["LineItems"]
        for line, theirs in zip(lines, bill.record.get("LineItems") or [], strict=True):
            line["LineItemID"] = theirs["LineItemID"]
        changes = {
            "InvoiceID": bill.record["InvoiceID"],
            "Status": "AUTHORISED",
            "LineItems": lines,
        }
        return await self._update(organisation_id, bill.bill_id, changes, key)

    async def return_to_draft(self, organisation_id: UUID, bill_id: str, key: str) -> LedgerBill:
        draft = {"InvoiceID": bill_id, "Status": "DRAFT"}
        return await self._update(organisation_id, bill_id, draft, key)

    async def _update(
        self, organisation_id: UUID, bill_id: str, changes: Json, key: str
    ) -> LedgerBill:
        answer = await self._xero.update_bill(organisation_id, UUID(bill_id), changes, key)
        return read_bill(_refused(answer))

    # master data ---------------------------------------------------------------------------

    async def master_data(
        self,
        organisation_id: UUID,
        tenant_id: str,
        synced_at: datetime,
        accounts_since: datetime | None,
    ) -> MasterDataRead:
        accounts, changed_at = await self._accounts(organisation_id, accounts_since)
        settings = XeroSettings(
            organisation=(await self._xero.settings(organisation_id, "Organisations"))[0],
            accounts=accounts or [],
            tax_rates=await self._xero.settings(organisation_id, "TaxRates"),
            tracking_categories=await self._xero.settings(organisation_id, "TrackingCategories"),
            currencies=await self._xero.settings(organisation_id, "Currencies"),
        )
        snapshot = master_data(organisation_id, tenant_id, settings, synced_at)
        return MasterDataRead(snapshot, accounts is not None, changed_at)

    async def _accounts(
        self, organisation_id: UUID, since: datetime | None
    ) -> tuple[list[Json] | None, datetime | None]:
        """The whole chart as Xero sends it, or None when nothing changed since ``since``
        (If-Modified-Since: anything newer, and the whole chart is read again, so a deleted
        account goes too)."""
        if since is not None:
            changed = await self._xero.accounts(organisation_id, since)
            newest = accounts_changed_at(changed)
            # Xero answers to the second: what changed in the boundary second comes back again.
            if newest is None or newest <= since:
                return None, since
        accounts = await self._xero.accounts(organisation_id)
        return accounts, accounts_changed_at(accounts)
