"""What a client may send QBO as an entity body (create, update, delete; alone, in a batch
item or as an upload's metadata), by ``shared/reference/qbo-api.md`` §2 and §4.

A field sent as ``null`` or ``""`` counts as not sent: python-quickbooks, a maintained client
used against QBO, sends every attribute its class has with such defaults (inferred, and the
sandbox reads them so: sandbox/qbo/README.md). Required means present and set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from tests.fidelity.qbo_reference import ENTITIES, unknown_fields
from tests.fidelity.schemas import JsonPath, Violation

__all__ = ["ATTACHABLE_TARGETS", "entity_request"]

ATTACHABLE_TARGETS = ("Bill", "Purchase")  # what Countersign attaches files to (§4.5)
_LINE_DETAILS = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")  # §4.1
_TAX_CALCULATION = ("TaxExcluded", "TaxInclusive", "NotApplicable")
_PAY_TYPES = {
    "Check": ("CheckPayment", "BankAccountRef"),
    "CreditCard": ("CreditCardPayment", "CCAccountRef"),
}
_PAYMENT_TYPES = ("Cash", "Check", "CreditCard")  # §4.3 (the XSD adds Expense, Other)
_PRINT_STATUS = ("NotSet", "NeedToPrint", "PrintComplete")
_LINKED_TO_PAYMENT = ("Bill", "VendorCredit", "JournalEntry")  # §4.2
_ENTITY_REF_TYPES = ("Vendor", "Customer", "Employee")  # §4.3
_NAME_FIELDS = ("DisplayName", "Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
_FORBIDDEN_IN_NAMES = re.compile(r"[:\t\n]")  # §4.4
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"\d+")


def _set(value: Any) -> bool:
    return value is not None and value != ""


def _v(path: JsonPath, rule: str, value: Any) -> Violation:
    shown = repr(value)
    return Violation(path, rule, shown if len(shown) <= 80 else shown[:79] + "…")


def _required(body: Mapping[str, Any], name: str, path: JsonPath) -> Iterator[Violation]:
    if not _set(body.get(name)):
        yield Violation((*path, name), "required but missing", "absent")


def _ref(
    body: Mapping[str, Any], name: str, path: JsonPath, *, needed: bool
) -> Iterator[Violation]:
    """A reference: ``{"value": "<id>", "name"?: …}`` with the id as a string."""
    ref = body.get(name)
    if not _set(ref):
        if needed:
            yield Violation((*path, name), "required reference missing", "absent")
        return
    if not isinstance(ref, dict):
        yield _v((*path, name), "a reference is an object {value, name?}", ref)
    elif not isinstance(ref.get("value"), str) or not ref["value"]:
        yield _v(
            (*path, name, "value"), "a reference's value is a non-empty string", ref.get("value")
        )


def _one_of(
    body: Mapping[str, Any], name: str, allowed: tuple[str, ...], path: JsonPath
) -> Iterator[Violation]:
    value = body.get(name)
    if _set(value) and value not in allowed:
        yield _v((*path, name), f"not one of {', '.join(allowed)}", value)


def _date(body: Mapping[str, Any], name: str, path: JsonPath) -> Iterator[Violation]:
    value = body.get(name)
    if not _set(value):
        return
    try:
        ok = (
            isinstance(value, str)
            and bool(_DATE.fullmatch(value))
            and bool(date.fromisoformat(value))
        )
    except ValueError:
        ok = False
    if not ok:
        yield _v((*path, name), "not a date yyyy-mm-dd", value)


def amount(value: Any, path: JsonPath, *, needed: bool = False) -> Iterator[Violation]:
    """A decimal amount: a JSON number, "max 15 digits in 10.5 format" (§7)."""
    if not _set(value):
        if needed:
            yield Violation(path, "required amount missing", "absent")
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        yield _v(path, "an amount is a JSON number", value)
        return
    try:
        whole, _, fraction = format(abs(Decimal(str(value))), "f").partition(".")
    except InvalidOperation:
        yield _v(path, "an amount is a JSON number", value)
        return
    if len(whole.lstrip("0")) > 10 or len(fraction.rstrip("0")) > 5:
        yield _v(path, "more than 10 integer or 5 decimal digits (10.5 format)", value)


def _max_length(
    body: Mapping[str, Any], name: str, limit: int, path: JsonPath
) -> Iterator[Violation]:
    value = body.get(name)
    if isinstance(value, str) and len(value) > limit:
        yield Violation(
            (*path, name), f"longer than {limit} characters", f"{len(value)} characters"
        )


def _expense_lines(body: Mapping[str, Any], path: JsonPath) -> Iterator[Violation]:
    lines = body.get("Line")
    if not isinstance(lines, list) or not lines:
        yield Violation((*path, "Line"), "at least one line required", repr(lines))
        return
    for index, line in enumerate(lines):
        where = (*path, "Line", index)
        if not isinstance(line, dict):
            yield _v(where, "a line is an object", line)
            continue
        yield from amount(line.get("Amount"), (*where, "Amount"), needed=True)
        yield from _max_length(line, "Description", 4000, where)
        kind = line.get("DetailType")
        if kind not in _LINE_DETAILS:
            yield _v((*where, "DetailType"), f"not one of {', '.join(_LINE_DETAILS)}", kind)
            continue
        detail = line.get(kind)
        if not isinstance(detail, dict):
            yield Violation(
                (*where, kind), "the detail object DetailType names is missing", "absent"
            )
            continue
        if kind == "AccountBasedExpenseLineDetail":
            yield from _ref(detail, "AccountRef", (*where, kind), needed=True)
        for ref in ("TaxCodeRef", "ClassRef", "CustomerRef", "ItemRef"):
            yield from _ref(detail, ref, (*where, kind), needed=False)


def _transaction(body: Mapping[str, Any], path: JsonPath) -> Iterator[Violation]:
    """What Bill, BillPayment and Purchase share (§4.1 header)."""
    for name in ("TxnDate", "DueDate"):
        yield from _date(body, name, path)
    yield from _max_length(body, "DocNumber", 21, path)
    yield from _max_length(body, "PrivateNote", 4000, path)
    for ref in ("CurrencyRef", "DepartmentRef", "APAccountRef", "SalesTermRef"):
        yield from _ref(body, ref, path, needed=False)
    yield from _one_of(body, "GlobalTaxCalculation", _TAX_CALCULATION, path)


def _bill(body: Mapping[str, Any], path: JsonPath) -> Iterator[Violation]:
    yield from _ref(body, "VendorRef", path, needed=True)
    yield from _expense_lines(body, path)
    yield from _transaction(body, path)


def _bill_payment(body: Mapping[str, Any], path: JsonPath) -> Iterator[Violation]:
    yield from _ref(body, "VendorRef", path, needed=True)
    yield from _transaction(body, path)
    yield from amount(body.get("TotalAmt"), (*path, "TotalAmt"), needed=True)
    pay_type = body.get("PayType")
    if pay_type not in _PAY_TYPES:
        yield _v((*path, "PayType"), "not one of Check, CreditCard", pay_type)
    else:
        holder, account = _PAY_TYPES[pay_type]
        payment = body.get(holder)
        if not isinstance(payment, dict):
            yield Violation((*path, holder), f"required with PayType {pay_type}", "absent")
        else:
            yield from _ref(payment, account, (*path, holder), needed=True)
            yield from _one_of(payment, "PrintStatus", _PRINT_STATUS, (*path, holder))
    lines = body.get("Line")
    if not isinstance(lines, list) or not lines:
        yield Violation((*path, "Line"), "at least one line required", repr(lines))
        return
    for index, line in enumerate(lines):
        where = (*path, "Line", index)
        yield from amount(line.get("Amount"), (*where, "Amount"), needed=True)
        linked = line.get("LinkedTxn")
        if not isinstance(linked, list) or not linked:
            yield Violation((*where, "LinkedTxn"), "a paid line links a transaction", repr(linked))
            continue
        for number, txn in enumerate(linked):
            yield from _required(txn, "TxnId", (*where, "LinkedTxn", number))
            yield from _one_of(txn, "TxnType", _LINKED_TO_PAYMENT, (*where, "LinkedTxn", number))


def _purchase(body: Mapping[str, Any], path: JsonPath) -> Iterator[Violation]:
    payment_type = body.get("PaymentType")
    if payment_type not in _PAYMENT_TYPES:
        yield _v((*path, "PaymentType"), f"not one of {', '.join(_PAYMENT_TYPES)}", payment_type)
    yield from _ref(body, "AccountRef", path, needed=True)
    yield from _expense_lines(body, path)
    yield from _transaction(body, path)
    yield from amount(body.get("TotalAmt"), (*path, "TotalAmt"))
    yield from _ref(body, "EntityRef", path, needed=False)
    yield from _one_of(body.get("EntityRef") or {}, "type", _ENTITY_REF_TYPES, (*path, "EntityRef"))


def _vendor(body: Mapping[str, Any], path: JsonPath) -> Iterator[Violation]:
    if not body.get("sparse") and not any(_set(body.get(name)) for name in _NAME_FIELDS):
        yield Violation((*path, "DisplayName"), "DisplayName or a name part required", "absent")
    yield from _max_length(body, "DisplayName", 500, path)
    for name in (*_NAME_FIELDS, "CompanyName", "PrintOnCheckName"):
        value = body.get(name)
        if isinstance(value, str) and _FORBIDDEN_IN_NAMES.search(value):
            yield _v((*path, name), "a name may not hold ':', a tab or a new line", value)


def attachable(body: Mapping[str, Any], path: JsonPath) -> Iterator[Violation]:
    yield from _max_length(body, "FileName", 1000, path)
    yield from _max_length(body, "Note", 2000, path)
    refs = body.get("AttachableRef") or []
    for index, ref in enumerate(refs if isinstance(refs, list) else [refs]):
        where = (*path, "AttachableRef", index)
        entity = ref.get("EntityRef") if isinstance(ref, dict) else None
        if not isinstance(entity, dict):
            yield Violation((*where, "EntityRef"), "required reference missing", "absent")
            continue
        yield from _ref(ref, "EntityRef", where, needed=True)
        yield from _one_of(entity, "type", ATTACHABLE_TARGETS, (*where, "EntityRef"))
        if not _set(entity.get("type")):
            yield Violation((*where, "EntityRef", "type"), "required but missing", "absent")


_RULES: Mapping[str, Callable[[Mapping[str, Any], JsonPath], Iterator[Violation]]] = {
    "Bill": _bill,
    "BillPayment": _bill_payment,
    "Purchase": _purchase,
    "Vendor": _vendor,
    "Attachable": attachable,
}


def _version(body: Mapping[str, Any], path: JsonPath, operation: str) -> Iterator[Violation]:
    """An update, a sparse update or a delete names the object and the version it read (§2)."""
    changing = (
        operation in ("update", "delete") or _set(body.get("Id")) or body.get("sparse") is True
    )
    if not changing:
        return
    yield from _required(body, "Id", path)
    token = body.get("SyncToken")
    if not _set(token):
        yield Violation(
            (*path, "SyncToken"), "an update or delete needs the SyncToken read", "absent"
        )
    elif not (isinstance(token, str) and _DIGITS.fullmatch(token)) and not (
        isinstance(token, int) and not isinstance(token, bool)
    ):
        yield _v((*path, "SyncToken"), "SyncToken is a string of digits", token)


def entity_request(
    entity: str, body: Any, operation: str = "create", path: JsonPath = ()
) -> Iterator[Violation]:
    """Every way ``body`` breaks what QBO documents for ``entity`` (``operation``: create,
    update — a body with ``Id`` is one — or delete)."""
    if not isinstance(body, dict):
        yield _v(path, f"a {entity} body is a JSON object", body)
        return
    yield from unknown_fields(ENTITIES[entity], body, path)
    yield from _version(body, path, operation)
    if operation == "delete":
        return
    if body.get("sparse") is True:  # only the fields sent change: their formats still hold
        if entity in ("Bill", "BillPayment", "Purchase"):
            yield from _transaction(body, path)
        return
    rules = _RULES.get(entity)
    if rules is not None:
        yield from rules(body, path)
