"""The rules a publication must keep beyond its shape, and its translation into the contract.

Each broken rule is a ``Violation`` naming the field and the rule, so Dext's user is told exactly
what to fix. Amounts are checked the way Xero adds them up, so what approvers approve is what
Xero holds (the publisher sends ``unitdp=4``):

    quantity and unit_amount have at most 4 decimal places (Xero keeps four)
    line_amount = quantity * unit_amount, rounded half away from zero to 2 dp
    amounts (line_amount, tax_amount, totals) have at most the currency's places, and never
        more than 2 (Xero keeps two): GBP 2, JPY 0, KWD 2
    subtotal = sum(line_amount)  (inclusive: sum(line_amount) - sum(tax_amount))
    total_tax = sum(tax_amount);  total = subtotal + total_tax
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from countersign_contracts import (
    PRICE_PLACES,
    DocumentType,
    LineAmountType,
    LineItem,
    is_iso_currency,
    minor_units,
)

from countersign_ingest.domain.metadata import BankTransactionMetadata, CostItemMetadata

__all__ = [
    "Violation",
    "bank_transaction_violations",
    "cost_item_violations",
    "effective_document_type",
]

CENT = Decimal("0.01")
LEDGER_PLACES = 2  # Xero rounds every amount to two decimal places
EARLIEST = date(2000, 1, 1)
UNSUPPORTED = {"credit_note", "credit-note", "creditnote", "refund", "credit_note_refund"}

Priced = CostItemMetadata | BankTransactionMetadata


@dataclass(frozen=True)
class Violation:
    field: str
    rule: str
    message: str


def effective_document_type(name: str) -> DocumentType | Violation:
    if name.lower() in UNSUPPORTED:
        return Violation(
            "metadata.document_type",
            "credit_notes_not_supported",
            "Credit notes and refunds are not supported by the direct Dext integration: "
            "publish them from Dext to Xero directly",
        )
    try:
        return DocumentType(name)
    except ValueError:
        known = ", ".join(t.value for t in DocumentType)
        return Violation(
            "metadata.document_type",
            "unsupported_document_type",
            f"{name!r} is not a document type Dext publishes as a bill; one of: {known}",
        )


def _needs_places(value: Decimal, count: int) -> bool:
    """True when ``value`` has a non-zero digit beyond ``count`` decimal places."""
    return value != value.quantize(Decimal(1).scaleb(-count), ROUND_HALF_UP)


@dataclass(frozen=True)
class _AmountPlaces:
    """How many decimal places an amount in one currency may have, and the rule saying so."""

    count: int
    rule: str


def _amount_places(currency: str) -> _AmountPlaces:
    count = min(minor_units(currency), LEDGER_PLACES) if is_iso_currency(currency) else 2
    if count == 0:
        return _AmountPlaces(0, f"{currency} amounts are whole numbers")
    if count < minor_units(currency):
        return _AmountPlaces(
            count, f"Xero keeps {count} decimal places of an amount, also in {currency}"
        )
    return _AmountPlaces(count, f"{currency} amounts have at most {count} decimal places")


def _line_violations(
    at: str, line: LineItem, amount_type: LineAmountType, places: _AmountPlaces
) -> list[Violation]:
    found: list[Violation] = []
    for name, value in (("quantity", line.quantity), ("unit_amount", line.unit_amount)):
        if _needs_places(value, PRICE_PLACES):
            found.append(
                Violation(
                    f"{at}.{name}",
                    "decimal_places",
                    f"a {name.replace('_', ' ')} has at most {PRICE_PLACES} decimal places"
                    " (Xero keeps four)",
                )
            )
    for name, value in (("tax_amount", line.tax_amount), ("line_amount", line.line_amount)):
        if _needs_places(value, places.count):
            found.append(Violation(f"{at}.{name}", "decimal_places", places.rule))
    expected = (line.quantity * line.unit_amount).quantize(CENT, ROUND_HALF_UP)
    if line.line_amount != expected:
        found.append(
            Violation(
                f"{at}.line_amount",
                "line_amount_is_quantity_times_unit_amount",
                f"quantity * unit_amount is {expected}, not {line.line_amount}",
            )
        )
    if amount_type is LineAmountType.NO_TAX and line.tax_amount != 0:
        found.append(
            Violation(f"{at}.tax_amount", "no_tax_means_zero_tax", "a no-tax line has no tax")
        )
    return found


def _sum_violations(meta: Priced) -> list[Violation]:
    """The totals against the lines, the way Xero adds them up."""
    found: list[Violation] = []
    line_sum = sum((line.line_amount for line in meta.lines), Decimal(0))
    tax_sum = sum((line.tax_amount for line in meta.lines), Decimal(0))
    inclusive = meta.line_amount_type is LineAmountType.INCLUSIVE
    expected_subtotal = line_sum - tax_sum if inclusive else line_sum
    if meta.subtotal != expected_subtotal:
        found.append(
            Violation(
                "metadata.subtotal",
                "subtotal_is_sum_of_lines",
                f"the lines add up to a subtotal of {expected_subtotal}, not {meta.subtotal}",
            )
        )
    if meta.total_tax != tax_sum:
        found.append(
            Violation(
                "metadata.total_tax",
                "total_tax_is_sum_of_line_tax",
                f"the lines' tax adds up to {tax_sum}, not {meta.total_tax}",
            )
        )
    if meta.total != meta.subtotal + meta.total_tax:
        found.append(
            Violation(
                "metadata.total",
                "total_is_subtotal_plus_tax",
                f"subtotal + total_tax is {meta.subtotal + meta.total_tax}, not {meta.total}",
            )
        )
    if meta.total <= 0:
        found.append(Violation("metadata.total", "positive_total", "the total must be positive"))
    return found


def _money_violations(meta: Priced) -> list[Violation]:
    found: list[Violation] = []
    if not is_iso_currency(meta.currency):
        found.append(
            Violation(
                "metadata.currency", "iso_4217", f"{meta.currency!r} is not an ISO 4217 currency"
            )
        )
    if not meta.lines:
        found.append(Violation("metadata.lines", "min_lines", "at least one line is required"))
    places = _amount_places(meta.currency)
    totals = (("subtotal", meta.subtotal), ("total_tax", meta.total_tax), ("total", meta.total))
    for name, value in totals:
        if _needs_places(value, places.count):
            found.append(Violation(f"metadata.{name}", "decimal_places", places.rule))
    for i, line in enumerate(meta.lines):
        found += _line_violations(f"metadata.lines[{i}]", line, meta.line_amount_type, places)
    return found + _sum_violations(meta)


def _required(field: str, value: object, message: str) -> list[Violation]:
    return [Violation(field, "required", message)] if value is None else []


def _date_violations(field: str, value: date, today: date) -> list[Violation]:
    if value < EARLIEST or value > today + timedelta(days=366):
        return [Violation(field, "plausible_date", f"{value} is not a plausible date")]
    return []


def _supplier_and_due_date_violations(
    meta: CostItemMetadata, kind: DocumentType
) -> list[Violation]:
    """Dext's rules per type: who the supplier is, and which type has its own number and
    due date."""
    found: list[Violation] = []
    if kind is DocumentType.EXPENSE_REPORT:
        if meta.supplier is not None:
            found.append(
                Violation(
                    "metadata.supplier",
                    "expense_report_has_no_supplier",
                    "an expense report's supplier is its requester; leave supplier out",
                )
            )
    else:
        found += _required("metadata.supplier", meta.supplier, "the supplier is required")
    if kind is DocumentType.INVOICE:
        if meta.document_reference is None:
            found.append(
                Violation(
                    "metadata.document_reference",
                    "required_for_invoice",
                    "an invoice carries its bill number",
                )
            )
        if meta.due_date is None:
            found.append(
                Violation("metadata.due_date", "required_for_invoice", "an invoice has a due date")
            )
    elif meta.due_date is not None and meta.due_date != meta.issue_date:
        found.append(
            Violation(
                "metadata.due_date",
                "only_invoice_has_due_date",
                f"a {kind.value} is due on its issue date; only an invoice has its own due date",
            )
        )
    return found


def _payment_violations(meta: CostItemMetadata, today: date) -> list[Violation]:
    found: list[Violation] = []
    paid_on = meta.payment.paid_on
    if paid_on is not None and paid_on > today:
        found.append(
            Violation("metadata.payment.paid_on", "not_in_future", "a payment date has passed")
        )
    if paid_on is not None and paid_on < meta.issue_date:
        # Money paid before a bill exists is a prepayment in Xero, a transaction of its own
        # allocated to the bill later; as a payment of this bill it would predate the bill.
        found.append(
            Violation(
                "metadata.payment.paid_on",
                "paid_on_not_before_issue",
                f"paid on {paid_on}, before the bill was issued on {meta.issue_date}",
            )
        )
    if paid_on is not None and not meta.payment.paid:
        found.append(
            Violation("metadata.payment.paid_on", "only_when_paid", "unpaid items have no date")
        )
    return found


def cost_item_violations(meta: CostItemMetadata, today: date) -> list[Violation]:
    found = _money_violations(meta)
    kind = effective_document_type(meta.document_type)
    if isinstance(kind, Violation):
        return [kind, *found]
    found += _supplier_and_due_date_violations(meta, kind)
    found += _date_violations("metadata.issue_date", meta.issue_date, today)
    if meta.due_date is not None and meta.due_date < meta.issue_date:
        found.append(
            Violation("metadata.due_date", "due_not_before_issue", "due before it was issued")
        )
    return found + _payment_violations(meta, today)


def bank_transaction_violations(meta: BankTransactionMetadata, today: date) -> list[Violation]:
    found = _money_violations(meta)
    kind = effective_document_type(meta.document_type)
    if isinstance(kind, Violation):
        found.insert(0, kind)
    elif kind is DocumentType.EXPENSE_REPORT:
        found.append(
            Violation(
                "metadata.document_type",
                "expense_report_is_a_bill",
                "an expense report is published as a bill, not as a bank transaction",
            )
        )
    found += _required("metadata.contact", meta.contact, "who was paid is required")
    found += _date_violations("metadata.transaction_date", meta.transaction_date, today)
    if meta.transaction_date > today:
        found.append(Violation("metadata.transaction_date", "not_in_future", "money already left"))
    return found
