"""QBO's bills as change-after-approval detection reads them (ADR 0072): a changed Bill read
by its Id (a webhook's event) or by CDC (the poll), mapped into the comparison's ledger-neutral
``BillState`` in Dext's codes, and the approved bill mapped the way ``qbo_mapping`` sent it.

    VendorRef ─▶ contact          TotalAmt ─▶ total         CurrencyRef ─▶ currency
    DepartmentRef ─▶ department (its name)                  deleted / Balance ─▶ status
    Line (AccountBasedExpenseLineDetail) ─▶ line: AccountRef as its code (AcctNum, else Id),
        TaxCodeRef, ClassRef as tracking "Class: <name>", the amount (TaxInclusiveAmt when
        the line carries it: the gross Dext approved)

What Countersign writes after creating a bill — Attachables, PrivateNote notes, the
BillPayment (Balance, SyncToken) — touches none of these. A seen bill is kept as
``{"bill_id", "updated_at" (MetaData.LastUpdatedTime, ISO), "state"}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from countersign_contracts import Bill

from countersign_publisher.adapters.qbo_client import QboClient
from countersign_publisher.adapters.qbo_company import QboCompanies
from countersign_publisher.adapters.qbo_mapping import CLASS, DEPARTMENT, QboCompany, account_code
from countersign_publisher.adapters.qbo_reading import bill_status
from countersign_publisher.domain.bill_changes import BillLine, BillState, tracking_text

__all__ = ["QBO_BILL", "QboChanges", "qbo_approved", "qbo_state", "seen_bill", "updated_at"]

Json = dict[str, Any]
QBO_BILL = "BILL"
EXPENSE_DETAIL = "AccountBasedExpenseLineDetail"


def updated_at(raw: Json) -> datetime | None:
    """``MetaData.LastUpdatedTime`` (QBO's clock, with its offset) as an aware time."""
    value = (raw.get("MetaData") or {}).get("LastUpdatedTime")
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _named(records: Iterable[Json], ref: Json | None) -> str | None:
    """The name (FullyQualifiedName, else Name) of the record ``ref`` points at; its own
    ``name``, else its id, when the company does not know it."""
    if not ref:
        return None
    for record in records:
        if str(record.get("Id")) == str(ref.get("value")):
            return str(record.get("FullyQualifiedName") or record.get("Name") or record["Id"])
    return str(ref.get("name") or ref.get("value"))


def _line(company: QboCompany, line: Json) -> BillLine:
    detail = line.get(EXPENSE_DETAIL) or line.get("ItemBasedExpenseLineDetail") or {}
    account = str((detail.get("AccountRef") or {}).get("value") or "")
    code = next((account_code(a) for a in company.accounts.values() if a["Id"] == account), account)
    chosen = _named(company.classes.values(), detail.get("ClassRef"))
    amount = detail.get("TaxInclusiveAmt", line.get("Amount"))
    return BillLine(
        description=str(line.get("Description") or "").strip(),
        line_amount=None if amount is None else str(amount),
        account_code=code,
        tax_type=str((detail.get("TaxCodeRef") or {}).get("value") or ""),
        tracking=tracking_text([] if chosen is None else [(CLASS, chosen)]),
    )


def qbo_state(raw: Json, company: QboCompany) -> BillState:
    """A Bill as QBO answers it, in the comparison's terms (a deleted one says only that)."""
    status = bill_status(raw)
    if raw.get("status") == "Deleted":
        return BillState(status=status)
    vendor = raw.get("VendorRef") or {}
    lines = [line for line in raw.get("Line") or () if line.get("DetailType") != "SubTotalLine"]
    return BillState(
        status=status,
        contact_id=str(vendor.get("value") or ""),
        contact_name=str(vendor.get("name") or "").strip() or None,
        total=None if raw.get("TotalAmt") is None else str(raw["TotalAmt"]),
        currency=str((raw.get("CurrencyRef") or {}).get("value") or ""),
        department=_named(company.departments.values(), raw.get("DepartmentRef")),
        lines=tuple(_line(company, line) for line in lines),
    )


def qbo_approved(bill: Bill, vendor_id: str) -> BillState:
    """The approved bill as ``qbo_bill`` sent it: a line's "Class" tracking on the line, the
    first "Department" the bill's (other tracking has no place in QBO), Dext's codes, the
    approved total (QBO computes its own), status Open (``AUTHORISED``)."""
    department = next(
        (
            t.option
            for line in bill.lines
            for t in line.tracking
            if t.category.casefold() == DEPARTMENT.casefold()
        ),
        None,
    )
    lines = tuple(
        BillLine(
            description=line.description.strip(),
            line_amount=str(line.line_amount),
            account_code=line.account_code,
            tax_type=line.tax_type,
            tracking=tracking_text(
                [(CLASS, t.option) for t in line.tracking if t.category.casefold() == "class"]
            ),
        )
        for line in bill.lines
    )
    return BillState(
        status="AUTHORISED",
        contact_id=vendor_id,
        contact_name=bill.supplier.name,
        total=str(bill.total),
        currency=bill.currency,
        department=department,
        lines=lines,
    )


def seen_bill(raw: Json, company: QboCompany, fallback: datetime | None = None) -> Json | None:
    """A bill as kept (``bill_id``, ``updated_at``, ``state``); None without an update time."""
    updated = updated_at(raw) or fallback
    if updated is None:
        return None
    state = qbo_state(raw, company)
    return {"bill_id": str(raw["Id"]), "updated_at": updated.isoformat(), "state": state.to_json()}


class QboChanges:
    """Reads a realm's changed bills through ``QboClient`` (its budget and tokens), with the
    company's accounts, classes and departments (kept a while) to name what the bills hold."""

    def __init__(self, qbo: QboClient, company_ttl_s: float = 300.0) -> None:
        self._qbo = qbo
        self._companies = QboCompanies(qbo, company_ttl_s)

    async def _company(self, organisation_id: UUID, raws: list[Json]) -> QboCompany:
        accounts = {
            str((line.get(EXPENSE_DETAIL) or {}).get("AccountRef", {}).get("value"))
            for raw in raws
            for line in raw.get("Line") or ()
        }
        company = await self._companies.company(organisation_id, set())
        if accounts - {str(a["Id"]) for a in company.accounts.values()} - {"None"}:
            # An account made after the company was read (bills name it by Id): read it again.
            self._companies.forget(organisation_id)
            company = await self._companies.company(organisation_id, set())
        return company

    async def bill(self, organisation_id: UUID, bill_id: str) -> Json | None:
        """The bill as kept now (``LedgerNotFound`` when QBO has it no more)."""
        raw = await self._qbo.read(organisation_id, "bill", bill_id)
        return seen_bill(raw, await self._company(organisation_id, [raw]))

    async def changed(self, organisation_id: UUID, since: datetime) -> list[Json]:
        """The bills changed since ``since`` (CDC, ≤ 30 days back), deleted ones included."""
        raws = await self._qbo.changed(organisation_id, "Bill", since.isoformat())
        company = await self._company(organisation_id, raws)
        seen = (seen_bill(raw, company) for raw in raws)
        return [s for s in seen if s is not None]
