"""Bill rules: VendorRef and at least one line, expense accounts on account lines, TotalAmt
computed (a supplied one is ignored), Balance = TotalAmt less what payments applied, DueDate
from the terms, DocNumber ≤ 21, currency and closing date as every transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from countersign_qbo_sandbox import errors, txn
from countersign_qbo_sandbox.model import Realm, Record

__all__ = ["paid_on", "validate_bill"]

READ_ONLY = ("TotalAmt", "Balance", "HomeBalance", "HomeTotalAmt", "LinkedTxn", "RecurDataRef")


def paid_on(
    realm: Realm, bill_id: str, skip_payment: str | None = None
) -> tuple[Decimal, list[Record]]:
    """What the realm's payments applied to a bill, and their links (BillPaymentCheck /
    BillPaymentCreditCard), leaving out ``skip_payment``."""
    paid, links = Decimal(0), []
    for payment in realm.of("BillPayment").values():
        if payment["Id"] == skip_payment:
            continue
        for line in payment.get("Line", []):
            for link in line.get("LinkedTxn", []):
                if link.get("TxnType") == "Bill" and str(link.get("TxnId")) == bill_id:
                    paid += line["Amount"]
                    kind = (
                        "BillPaymentCheck"
                        if payment["PayType"] == "Check"
                        else "BillPaymentCreditCard"
                    )
                    links.append({"TxnId": payment["Id"], "TxnType": kind})
    return paid, links


def validate_bill(realm: Realm, record: Record, previous: Record | None, today: date) -> Record:
    vendor = txn.reference(realm, "Vendor", record.get("VendorRef"), "VendorRef")
    assert vendor is not None
    if not record.get("Line"):
        raise errors.required("Line")
    day = txn.txn_date(realm, record, today)
    lines, total, tax_detail = txn.expense_lines(realm, record, previous)
    term = txn.reference(realm, "Term", record.get("SalesTermRef"), "SalesTermRef", needed=False)
    if term is None:
        term = txn.reference(realm, "Term", vendor.get("TermRef"), "TermRef", needed=False)
    ap = record.get("APAccountRef")
    if ap and ap.get("value"):
        txn.account(
            realm, ap, "APAccountRef", frozenset({"Accounts Payable"}), "an Accounts Payable"
        )
    txn.reference(realm, "Department", record.get("DepartmentRef"), "DepartmentRef", needed=False)
    out = {k: v for k, v in record.items() if k not in READ_ONLY}
    paid, links = (Decimal(0), []) if previous is None else paid_on(realm, previous["Id"])
    if total < paid:
        raise errors.business("The bill's total is less than the payments applied to it", "Line")
    out.update(
        VendorRef=txn.vendor_ref(vendor),
        Line=lines,
        TxnDate=day,
        DueDate=txn.due_date(record, day, term),
        **txn.document_fields(realm, record, vendor),
        TotalAmt=total,
        Balance=total - paid,
        LinkedTxn=links or None,
        TxnTaxDetail=tax_detail if tax_detail is not None else record.get("TxnTaxDetail"),
        ExchangeRate=_rate(record),
    )
    if realm.us:
        out.pop("GlobalTaxCalculation", None)
    return out


def _rate(record: Record) -> Decimal:
    """ExchangeRate defaults to 1; a 0 (what some clients send for "unset") counts as unset."""
    raw = record.get("ExchangeRate")
    if raw in (None, "", 0):
        return Decimal(1)
    value = txn.amount(raw, "ExchangeRate")
    return value if value > 0 else Decimal(1)
