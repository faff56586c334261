"""BillPayment (Check or CreditCard) and Purchase (Cash, Check or CreditCard) rules. A bill
payment's lines link bills of the same vendor and may not pay more than a bill's balance; the
bills' Balance, LinkedTxn and SyncToken follow every payment written or deleted."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from countersign_qbo_sandbox import errors, txn
from countersign_qbo_sandbox.bills import paid_on
from countersign_qbo_sandbox.model import Change, Realm, Record

__all__ = ["resettle_bills", "validate_bill_payment", "validate_purchase"]

BANK = frozenset({"Bank"})
CARD = frozenset({"Credit Card"})
PAY_TYPES = {
    "Check": ("CheckPayment", "BankAccountRef", BANK, "a bank"),
    "CreditCard": ("CreditCardPayment", "CCAccountRef", CARD, "a credit card"),
}
PURCHASE_TYPES = {
    "Cash": (BANK, "a bank"),
    "Check": (BANK, "a bank"),
    "CreditCard": (CARD, "a credit card"),
}


def _pay_line(realm: Realm, vendor: Record, line: object, index: int, skip: str | None) -> Record:
    element = f"Line[{index}]"
    if not isinstance(line, dict) or line.get("Amount") in (None, ""):
        raise errors.required(f"{element}.Amount")
    value = txn.amount(line["Amount"], f"{element}.Amount")
    links = [link for link in line.get("LinkedTxn") or [] if isinstance(link, dict)]
    if not links:
        raise errors.required(f"{element}.LinkedTxn")
    for link in links:
        if link.get("TxnType") != "Bill":
            raise errors.invalid_enum(f"{element}.LinkedTxn.TxnType", link.get("TxnType"))
        bill = realm.get("Bill", link.get("TxnId"))
        if bill is None:
            raise errors.invalid_reference(f"{element}.LinkedTxn.TxnId", "Bill", link.get("TxnId"))
        if bill["VendorRef"]["value"] != vendor["Id"]:
            raise errors.business("The bill belongs to another vendor", element)
        paid, _ = paid_on(realm, bill["Id"], skip)
        if value > bill["TotalAmt"] - paid:
            raise errors.business("The payment is more than the bill's open balance", element)
    return {
        "Amount": value,
        "LinkedTxn": [{"TxnId": str(lk["TxnId"]), "TxnType": "Bill"} for lk in links],
    }


def validate_bill_payment(
    realm: Realm, record: Record, previous: Record | None, today: date
) -> Record:
    vendor = txn.reference(realm, "Vendor", record.get("VendorRef"), "VendorRef")
    assert vendor is not None
    pay_type = txn.text(record, "PayType")
    if pay_type is None:
        raise errors.required("PayType")
    if pay_type not in PAY_TYPES:
        raise errors.invalid_enum("PayType", pay_type)
    if record.get("TotalAmt") in (None, ""):
        raise errors.business("You must set a transaction amount", "TotalAmt")
    total = txn.amount(record["TotalAmt"], "TotalAmt")
    if total < 0:
        raise errors.business("The payment amount cannot be negative", "TotalAmt")
    block, key, types, what = PAY_TYPES[pay_type]
    details = dict(record.get(block) or {})
    txn.account(realm, details.get(key), f"{block}.{key}", types, what)
    if pay_type == "Check":
        details["PrintStatus"] = details.get("PrintStatus") or "NeedToPrint"
        if details["PrintStatus"] not in ("NotSet", "NeedToPrint", "PrintComplete"):
            raise errors.invalid_enum("CheckPayment.PrintStatus", details["PrintStatus"])
    skip = previous["Id"] if previous else None
    lines = [
        _pay_line(realm, vendor, line, i, skip) for i, line in enumerate(record.get("Line") or [])
    ]
    if sum((line["Amount"] for line in lines), Decimal(0)) > total:
        raise errors.business("The lines add up to more than TotalAmt", "TotalAmt")
    other = "CreditCardPayment" if pay_type == "Check" else "CheckPayment"
    out = {k: v for k, v in record.items() if k != other}
    out.update(
        VendorRef=txn.vendor_ref(vendor),
        PayType=pay_type,
        TotalAmt=total,
        Line=lines,
        TxnDate=txn.txn_date(realm, record, today),
        **txn.document_fields(realm, record, vendor),
        **{block: details},
    )
    return out


def resettle_bills(
    realm: Realm, before: Record | None, after: Record | None, now: datetime
) -> None:
    """After a payment changed: each bill it touches (before or after) gets its Balance and
    LinkedTxn recomputed and its SyncToken bumped."""
    touched: set[str] = set()
    for payment in (before, after):
        for line in (payment or {}).get("Line", []):
            touched.update(str(link["TxnId"]) for link in line.get("LinkedTxn", []))
    for bill_id in sorted(touched):
        bill = realm.get("Bill", bill_id)
        if bill is None:
            continue
        paid, links = paid_on(realm, bill_id)
        bill["Balance"] = bill["TotalAmt"] - paid
        bill["LinkedTxn"] = links or None
        bill["SyncToken"] = str(int(bill["SyncToken"]) + 1)
        bill["MetaData"] = {**bill["MetaData"], "LastUpdatedTime": now}
        realm.changes.append(Change("Bill", bill_id, "Update", now))


def validate_purchase(realm: Realm, record: Record, previous: Record | None, today: date) -> Record:
    kind = txn.text(record, "PaymentType")
    if kind is None:
        raise errors.required("PaymentType")
    if kind not in PURCHASE_TYPES:
        raise errors.invalid_enum("PaymentType", kind)
    types, what = PURCHASE_TYPES[kind]
    txn.account(realm, record.get("AccountRef"), "AccountRef", types, what)
    raw_ref = record.get("EntityRef")
    entity_ref: Record = raw_ref if isinstance(raw_ref, dict) else {}
    party = None
    if entity_ref.get("value"):
        party_type = entity_ref.get("type") or "Vendor"
        if party_type not in ("Vendor", "Customer", "Employee"):
            raise errors.invalid_enum("EntityRef.type", party_type)
        party = txn.reference(realm, party_type, entity_ref, "EntityRef")
    day = txn.txn_date(realm, record, today)
    lines, total, tax_detail = txn.expense_lines(realm, record, previous)
    supplied = record.get("TotalAmt")
    # A supplied total must be the line sum; 0 is what clients send for "unset" (inferred).
    if supplied not in (None, "", 0) and txn.amount(supplied, "TotalAmt") not in (0, total):
        raise errors.business("TotalAmt must equal the sum of the lines", "TotalAmt")
    out = dict(record)
    out.update(
        PaymentType=kind,
        Line=lines,
        TotalAmt=total,
        TxnDate=day,
        DocNumber=txn.text(record, "DocNumber", 21),
        PrivateNote=txn.text(record, "PrivateNote", 4000),
        CurrencyRef=txn.currency(realm, record, party),
        TxnTaxDetail=tax_detail if tax_detail is not None else record.get("TxnTaxDetail"),
        EntityRef={**entity_ref, "type": entity_ref.get("type") or "Vendor"} if party else None,
    )
    if realm.us:
        out.pop("GlobalTaxCalculation", None)
    return out
