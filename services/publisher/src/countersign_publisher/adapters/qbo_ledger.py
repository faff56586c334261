"""The ledger port (ADR 0065) on QuickBooks Online's Accounting API. Every call goes through
``QboClient`` (the realm's budget, tokens, ``requestid``s); payloads are built in
``qbo_mapping``, answers read in ``qbo_reading``.

    contact    ─ Vendor (query DisplayName =, GET by id, POST; CDC ≤ 30 days, else pages)
    bill       ─ POST /batch (one Bill per item, bId = its place; a Fault → its Refusal);
                 found again by a query on DocNumber + VendorRef, our marker in PrivateNote
    files      ─ POST /upload linked to the Bill / Purchase; listed by an Attachable query
    payment    ─ BillPayment (Check / CreditCard) of the bill's balance; found again among
                 the bill's LinkedTxn
    expense    ─ Purchase (Cash / CreditCard); found again among the latest purchases by the
                 marker in PrivateNote (not a field QBO can filter on)
    notes      ─ the bill's PrivateNote below the marker; added by a sparse update (a stale
                 SyncToken, 5010, is read again and retried once)
    via ledger ─ not in QBO: LedgerUnsupported
    company    ─ codes and facts the mapping needs, kept a while (``qbo_company``)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import NoReturn
from uuid import UUID

from countersign_contracts import BankTransactionSubmitted, Bill, SupplierSynced, XeroBill

from countersign_publisher.adapters.qbo_client import QboClient, query_text
from countersign_publisher.adapters.qbo_company import QboCompanies
from countersign_publisher.adapters.qbo_errors import QboRefused, QboStale
from countersign_publisher.adapters.qbo_mapping import (
    Json,
    qbo_bill,
    qbo_bill_payment,
    qbo_contact_name,
    qbo_file_name,
    qbo_purchase,
)
from countersign_publisher.adapters.qbo_master_data import accounts_changed_at, master_data
from countersign_publisher.adapters.qbo_reading import (
    PAYMENT_LINKS,
    bill_status,
    marker_of,
    notes_of,
    read_attachment,
    read_batch_item,
    read_bill,
    read_contact,
    read_expense,
    read_payment,
    supplier_synced,
    with_notes,
)
from countersign_publisher.ledger.errors import LedgerUnsupported
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

__all__ = ["QboLedger"]

CONTACTS_PAGE = 100
CDC_LOOK_BACK = timedelta(days=29)  # Intuit keeps 30 days; a day's margin for clocks
CDC_MAX = 1000
EXPENSE_PAGES = 3
_ENTITIES = {RecordKind.BILL: "Bill", RecordKind.EXPENSE: "Purchase"}


class QboLedger:
    name = "qbo"
    title = "QuickBooks Online"
    max_batch = 30  # a batch request carries at most 30 items (Intuit)

    def __init__(self, qbo: QboClient, company_ttl_s: float = 300.0) -> None:
        self._qbo = qbo
        self._companies = QboCompanies(qbo, company_ttl_s)

    # suppliers -----------------------------------------------------------------------------

    def contact_name(self, name: str) -> str:
        return qbo_contact_name(name)

    async def contact(self, organisation_id: UUID, contact_id: str) -> LedgerContact:
        return read_contact(await self._qbo.read(organisation_id, "vendor", contact_id))

    async def contacts_named(self, organisation_id: UUID, name: str) -> list[LedgerContact]:
        text = f"select * from Vendor where DisplayName = {query_text(name)}"
        found = await self._qbo.query(organisation_id, text)
        return [read_contact(raw) for raw in found if raw.get("Active", True)]

    async def create_contact(self, organisation_id: UUID, name: str, key: str) -> LedgerContact:
        vendor = await self._qbo.write(organisation_id, "vendor", {"DisplayName": name}, key)
        return read_contact(vendor)

    async def contacts_changed(
        self, organisation_id: UUID, page: int, since: datetime | None
    ) -> ContactsPage:
        """CDC while ``since`` is within Intuit's 30 days (one answer, all of them), else (or
        when CDC's 1000 are reached) pages of a Vendor query."""
        recent = since is not None and datetime.now(UTC) - since < CDC_LOOK_BACK
        if recent and page == 1:
            assert since is not None
            found = await self._qbo.changed(organisation_id, "Vendor", since.isoformat())
            vendors = [raw for raw in found if raw.get("DisplayName")]
            if len(found) < CDC_MAX:
                return ContactsPage([read_contact(raw) for raw in vendors], False)
        text = "select * from Vendor"
        if recent:
            assert since is not None
            text += f" where MetaData.LastUpdatedTime >= {query_text(since.isoformat())}"
        start = (page - 1) * CONTACTS_PAGE + 1
        found = await self._qbo.query(organisation_id, f"{text} orderby Id", start, CONTACTS_PAGE)
        return ContactsPage([read_contact(raw) for raw in found], len(found) >= CONTACTS_PAGE)

    def cached_contact(self, details: Json) -> LedgerContact:
        return read_contact(details)

    def supplier(self, organisation_id: UUID, details: Json) -> SupplierSynced:
        return supplier_synced(organisation_id, details)

    # bills ---------------------------------------------------------------------------------

    async def create_bills(
        self, organisation_id: UUID, bills: Sequence[NewBill], key: str
    ) -> list[LedgerBill | Refusal]:
        codes = {line.account_code for new in bills for line in new.bill.lines}
        company = await self._companies.company(organisation_id, codes)
        items: list[Json] = []
        outcomes: dict[int, LedgerBill | Refusal] = {}
        for index, new in enumerate(bills):
            try:
                payload = qbo_bill(company, new.bill, new.contact_id, new.marker)
            except QboRefused as refused:  # coding QBO does not have: this bill only
                outcomes[index] = Refusal(refused.messages)
                continue
            items.append({"bId": str(index + 1), "operation": "create", "Bill": payload})
        answers = await self._qbo.batch(organisation_id, items, key) if items else []
        by_id = {str(a.get("bId")): a for a in answers}
        for index in range(len(bills)):
            if index not in outcomes:
                outcomes[index] = read_batch_item(by_id.get(str(index + 1), {}))
        return [outcomes[index] for index in range(len(bills))]

    async def find_bill(
        self, organisation_id: UUID, number: str, contact_id: str, marker: str
    ) -> LedgerBill | None:
        number_is, vendor_is = query_text(number[:21]), query_text(contact_id)
        text = f"select * from Bill where DocNumber = {number_is} and VendorRef = {vendor_is}"
        found = [read_bill(raw) for raw in await self._qbo.query(organisation_id, text)]
        return next((bill for bill in found if bill.marker == marker), None)

    async def bill(self, organisation_id: UUID, bill_id: str) -> LedgerBill:
        return read_bill(await self._qbo.read(organisation_id, "bill", bill_id))

    # files ---------------------------------------------------------------------------------

    def attachment_name(self, name: str) -> str:
        return qbo_file_name(name)

    async def attachments(
        self, organisation_id: UUID, record: LedgerRecord
    ) -> list[LedgerAttachment]:
        entity = _ENTITIES[record.kind]
        text = (
            "select * from Attachable where AttachableRef.EntityRef.Type = "
            f"{query_text(entity)} and AttachableRef.EntityRef.value = "
            f"{query_text(record.record_id)}"
        )
        return [read_attachment(raw) for raw in await self._qbo.query_all(organisation_id, text)]

    async def attach(
        self,
        organisation_id: UUID,
        record: LedgerRecord,
        file_name: str,
        content: bytes,
        media_type: str,
        key: str,
    ) -> LedgerAttachment:
        link = {"type": _ENTITIES[record.kind], "value": record.record_id}
        metadata = {
            "AttachableRef": [{"EntityRef": link, "IncludeOnSend": False}],
            "FileName": file_name,
            "ContentType": media_type,
        }
        answer = await self._qbo.upload(
            organisation_id, metadata, file_name, content, media_type, key
        )
        return read_attachment(answer)

    # payments, expenses, notes ---------------------------------------------------------------

    async def find_payment(self, organisation_id: UUID, bill_id: str) -> LedgerPayment | None:
        raw = await self._qbo.read(organisation_id, "bill", bill_id)
        links = [lk for lk in raw.get("LinkedTxn") or () if lk.get("TxnType") in PAYMENT_LINKS]
        if not links:
            return None
        payment = await self._qbo.read(organisation_id, "billpayment", str(links[0]["TxnId"]))
        return read_payment(payment, bill_status(raw))

    async def record_payment(
        self, organisation_id: UUID, bill: Bill, bill_id: str, key: str
    ) -> LedgerPayment:
        paid_from = bill.payment.account
        codes = {paid_from.code} if paid_from is not None and paid_from.code else set()
        company = await self._companies.company(organisation_id, codes)
        raw = await self._qbo.read(organisation_id, "bill", bill_id)
        payment = qbo_bill_payment(company, bill, raw)
        answer = await self._qbo.write(organisation_id, "billpayment", payment, key)
        return read_payment(answer, "PAID")

    async def find_expense(self, organisation_id: UUID, marker: str) -> LedgerExpense | None:
        text = "select * from Purchase orderby MetaData.CreateTime desc"
        for page in range(EXPENSE_PAGES):
            found = await self._qbo.query(organisation_id, text, page * 1000 + 1)
            match = next((p for p in found if marker_of(p.get("PrivateNote")) == marker), None)
            if match is not None:
                return read_expense(match)
            if len(found) < 1000:
                break
        return None

    async def create_expense(
        self,
        organisation_id: UUID,
        item: BankTransactionSubmitted,
        contact_id: str,
        marker: str,
        key: str,
    ) -> LedgerExpense:
        codes = {line.account_code for line in item.lines}
        if item.bank_account.code:
            codes.add(item.bank_account.code)
        company = await self._companies.company(organisation_id, codes)
        purchase = qbo_purchase(company, item, contact_id, marker)
        return read_expense(await self._qbo.write(organisation_id, "purchase", purchase, key))

    async def notes(self, organisation_id: UUID, bill_id: str) -> list[str]:
        raw = await self._qbo.read(organisation_id, "bill", bill_id)
        return notes_of(raw.get("PrivateNote"))

    async def add_notes(
        self, organisation_id: UUID, bill_id: str, notes: Sequence[str], key: str
    ) -> None:
        for attempt in range(2):
            raw = await self._qbo.read(organisation_id, "bill", bill_id)
            update = {
                "Id": raw["Id"],
                "SyncToken": raw["SyncToken"],
                "sparse": True,
                "PrivateNote": with_notes(raw.get("PrivateNote"), list(notes)),
            }
            try:
                # A retry needs its own requestid: the first one would replay the 5010.
                await self._qbo.write(organisation_id, "bill", update, f"{key}-r{attempt}")
                return
            except QboStale:
                if attempt:
                    raise

    # via-ledger approval: not in QBO -------------------------------------------------------

    def submitted(self, bill: LedgerBill) -> XeroBill:
        self._unsupported("via-ledger approval")

    async def authorise(
        self, organisation_id: UUID, bill: LedgerBill, approved: Bill, key: str
    ) -> LedgerBill:
        self._unsupported("authorising a bill in the ledger")

    async def return_to_draft(self, organisation_id: UUID, bill_id: str, key: str) -> LedgerBill:
        self._unsupported("returning a bill to draft")

    def _unsupported(self, operation: str) -> NoReturn:
        raise LedgerUnsupported(self.title, operation)

    # master data ---------------------------------------------------------------------------

    async def master_data(
        self,
        organisation_id: UUID,
        tenant_id: str,
        synced_at: datetime,
        accounts_since: datetime | None,
    ) -> MasterDataRead:
        settings, accounts = await self._companies.settings(organisation_id, accounts_since)
        snapshot = master_data(organisation_id, tenant_id, settings, synced_at)
        changed_at = accounts_changed_at(accounts) if accounts is not None else accounts_since
        return MasterDataRead(snapshot, accounts is not None, changed_at)
