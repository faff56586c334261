"""What Bill, BillPayment and Purchase share: references checked against the realm, the
transaction date against the books' closing date, currency, expense lines and their tax."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from countersign_qbo_sandbox import errors
from countersign_qbo_sandbox.model import Realm, Record
from countersign_qbo_sandbox.wire import PACIFIC, money

__all__ = [
    "EXPENSE_TYPES",
    "account",
    "amount",
    "currency",
    "expense_lines",
    "reference",
    "text",
    "txn_date",
]

EXPENSE_TYPES = frozenset({"Expense", "Other Expense", "Cost of Goods Sold"})
LINE_TYPES = frozenset({"AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail"})
TAX_MODES = frozenset({"TaxExcluded", "TaxInclusive", "NotApplicable"})
CENT = Decimal("0.01")


def text(record: Record, key: str, limit: int | None = None) -> str | None:
    """A string field; "" counts as absent (clients send empty strings for unset fields)."""
    value = record.get(key)
    if value is None or value == "":
        return None
    value = str(value)
    if limit is not None and len(value) > limit:
        raise errors.too_long(key, limit, len(value))
    return value


def amount(value: Any, element: str) -> Decimal:
    try:
        parsed = money(value)
    except (ValueError, ArithmeticError) as exc:
        raise errors.invalid_enum(element, value) from exc
    whole, _, fraction = format(abs(parsed), "f").partition(".")
    if len(whole.lstrip("0")) > 10 or len(fraction.rstrip("0")) > 5:
        raise errors.business(f"{element} allows at most 15 digits in 10.5 format", element)
    return parsed


def reference(
    realm: Realm, entity: str, ref: Any, element: str, needed: bool = True
) -> Record | None:
    """The record a ``{"value": Id}`` ref names: 2020 when needed and missing, 2500 when
    unknown, 610 when inactive."""
    value = ref.get("value") if isinstance(ref, dict) else None
    if value in (None, ""):
        if needed:
            raise errors.required(element)
        return None
    found = realm.get(entity, value)
    if found is None:
        raise errors.invalid_reference(element, entity, value)
    if found.get("Active") is False:
        raise errors.not_found(element)
    return found


def account(realm: Realm, ref: Any, element: str, types: frozenset[str], what: str) -> Record:
    found = reference(realm, "Account", ref, element)
    assert found is not None
    if found["AccountType"] not in types:
        raise errors.business(f"{element} must be {what} account", element)
    return found


def txn_date(realm: Realm, record: Record, today: date) -> date:
    """TxnDate (default: today in the company's time); a date on or before the books'
    closing date is refused (6210)."""
    raw = text(record, "TxnDate")
    try:
        day = date.fromisoformat(raw[:10]) if raw else today
    except ValueError as exc:
        raise errors.invalid_enum("TxnDate", raw) from exc
    if realm.book_close_date is not None and day <= realm.book_close_date:
        raise errors.closed_period()
    return day


def company_today(now_utc: Any) -> date:
    day: date = now_utc.astimezone(PACIFIC).date()
    return day


def currency(realm: Realm, record: Record, party: Record | None) -> dict[str, str]:
    """CurrencyRef: required with multicurrency and equal to the vendor's; otherwise the home
    currency (another one is refused)."""
    ref = record.get("CurrencyRef")
    code = ref.get("value") if isinstance(ref, dict) else None
    if realm.multicurrency:
        if not code:
            raise errors.required("CurrencyRef")
        vendor_code = ((party or {}).get("CurrencyRef") or {}).get("value", realm.home_currency)
        if code != vendor_code:
            raise errors.business(
                f"The transaction currency {code} must match the vendor's ({vendor_code})",
                "CurrencyRef",
            )
        known = {c["Code"] for c in realm.of("CompanyCurrency").values()} | {realm.home_currency}
        if code not in known:
            raise errors.invalid_reference("CurrencyRef", "CompanyCurrency", code)
        return {"value": code}
    if code and code != realm.home_currency:
        raise errors.business("Multicurrency is off: the currency must be the home currency")
    return {"value": realm.home_currency}


def due_date(record: Record, day: date, term: Record | None) -> date:
    raw = text(record, "DueDate")
    if raw:
        try:
            return date.fromisoformat(raw[:10])
        except ValueError as exc:
            raise errors.invalid_enum("DueDate", raw) from exc
    return day + timedelta(days=int((term or {}).get("DueDays", 0)))


def _tax_rates(realm: Realm, detail: Record, element: str) -> list[Record]:
    ref = detail.get("TaxCodeRef")
    value = ref.get("value") if isinstance(ref, dict) else None
    if realm.us:
        if value not in (None, "", "TAX", "NON"):
            raise errors.invalid_reference(element, "TaxCode", value)
        return []
    code = reference(realm, "TaxCode", ref, element, needed=False)
    if code is None:
        return []
    rates = code["PurchaseTaxRateList"]["TaxRateDetail"]
    return [realm.of("TaxRate")[r["TaxRateRef"]["value"]] for r in rates]


def _line(realm: Realm, line: Any, index: int) -> tuple[Record, list[Record]]:
    element = f"Line[{index}]"
    if not isinstance(line, dict):
        raise errors.required(element)
    if line.get("Amount") in (None, ""):
        raise errors.required(f"{element}.Amount")
    kind = line.get("DetailType")
    if not kind:
        raise errors.required(f"{element}.DetailType")
    if kind not in LINE_TYPES:
        raise errors.invalid_enum(f"{element}.DetailType", kind)
    detail = dict(line.get(kind) or {})
    if kind == "AccountBasedExpenseLineDetail":
        account(
            realm, detail.get("AccountRef"), f"{element}.AccountRef", EXPENSE_TYPES, "an expense"
        )
    else:
        reference(realm, "Item", detail.get("ItemRef"), f"{element}.ItemRef")
    reference(realm, "Class", detail.get("ClassRef"), f"{element}.ClassRef", needed=False)
    rates = _tax_rates(realm, detail, f"{element}.TaxCodeRef")
    out = {**line, "Amount": amount(line["Amount"], f"{element}.Amount"), kind: detail}
    if not line.get("LinkedTxn"):
        out.pop("LinkedTxn", None)
    return out, rates


def _number_lines(lines: list[Record], previous: list[Record]) -> None:
    """An existing line Id is kept; an absent, non-positive or unknown one gets a new Id."""
    known = {str(line.get("Id")) for line in previous}
    taken = [int(i) for i in known if i.isdigit()]
    next_id = max(taken, default=0) + 1
    for number, line in enumerate(lines, start=1):
        line_id = str(line.get("Id") or "")
        if not (line_id in known and line_id.isdigit() and int(line_id) > 0):
            line["Id"] = str(next_id)
            next_id += 1
        line["LineNum"] = number


def expense_lines(
    realm: Realm, record: Record, previous: Record | None
) -> tuple[list[Record], Decimal, Record | None]:
    """The validated lines, the total (lines plus computed tax) and the TxnTaxDetail."""
    raw = record.get("Line") or []
    if not isinstance(raw, list) or not raw:
        raise errors.required("Line")
    mode = record.get("GlobalTaxCalculation") or None
    if not realm.us:
        if mode is None:
            raise errors.required("GlobalTaxCalculation")
        if mode not in TAX_MODES:
            raise errors.invalid_enum("GlobalTaxCalculation", mode)
    lines: list[Record] = []
    taxes: dict[str, tuple[Decimal, Decimal]] = {}
    for index, line in enumerate(raw):
        checked, rates = _line(realm, line, index)
        if mode == "TaxInclusive" and rates:
            gross = checked["Amount"]
            percent = sum((Decimal(r["RateValue"]) for r in rates), Decimal(0))
            checked["Amount"] = (gross * 100 / (100 + percent)).quantize(CENT, ROUND_HALF_UP)
            checked.setdefault(checked["DetailType"], {})["TaxInclusiveAmt"] = gross
        for rate in rates if mode != "NotApplicable" else []:
            tax = (checked["Amount"] * rate["RateValue"] / 100).quantize(CENT, ROUND_HALF_UP)
            net, total = taxes.get(rate["Id"], (Decimal(0), Decimal(0)))
            taxes[rate["Id"]] = (net + checked["Amount"], total + tax)
        lines.append(checked)
    _number_lines(lines, list((previous or {}).get("Line") or []))
    net_total = sum((line["Amount"] for line in lines), Decimal(0))
    if realm.us or not taxes:
        return lines, net_total, None
    tax_lines = [
        {
            "Amount": tax,
            "DetailType": "TaxLineDetail",
            "TaxLineDetail": {
                "TaxRateRef": {"value": rate_id},
                "PercentBased": True,
                "TaxPercent": realm.of("TaxRate")[rate_id]["RateValue"],
                "NetAmountTaxable": net,
            },
        }
        for rate_id, (net, tax) in taxes.items()
    ]
    total_tax = sum((tax for _, tax in taxes.values()), Decimal(0))
    return lines, net_total + total_tax, {"TotalTax": total_tax, "TaxLine": tax_lines}


def vendor_ref(vendor: Record) -> dict[str, str]:
    return {"value": vendor["Id"], "name": vendor["DisplayName"]}


def document_fields(realm: Realm, record: Record, vendor: Record) -> dict[str, Any]:
    """DocNumber, PrivateNote and CurrencyRef of a vendor transaction (bill or bill payment),
    checked in that order."""
    return {
        "DocNumber": text(record, "DocNumber", 21),
        "PrivateNote": text(record, "PrivateNote", 4000),
        "CurrencyRef": currency(realm, record, vendor),
    }
