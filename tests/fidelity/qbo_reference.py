"""The fields Intuit documents per QBO entity, as python-quickbooks (0.9.12) models them.

python-quickbooks is a maintained client nobody here wrote; its object classes name each
entity's fields: the attributes an instance starts with, the nested objects (``class_dict``),
the lists (``list_dict``) and the line classes chosen by a line's ``DetailType``
(``detail_dict``). ``unknown_fields`` walks a body down those classes and names every key the
class for that place does not know — the QBO counterpart of "property not declared by …".

What Intuit documents beyond the SDK's classes is listed in ``EXTRA_FIELDS`` with its evidence
(``shared/reference/qbo-api.md``); fix the sandbox or the publisher rather than growing it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from quickbooks.objects.account import Account
from quickbooks.objects.attachable import Attachable
from quickbooks.objects.bill import Bill
from quickbooks.objects.billpayment import BillPayment
from quickbooks.objects.company_info import CompanyInfo
from quickbooks.objects.companycurrency import CompanyCurrency
from quickbooks.objects.customer import Customer
from quickbooks.objects.department import Department
from quickbooks.objects.employee import Employee
from quickbooks.objects.exchangerate import ExchangeRate
from quickbooks.objects.item import Item
from quickbooks.objects.paymentmethod import PaymentMethod
from quickbooks.objects.preferences import Preferences
from quickbooks.objects.purchase import Purchase
from quickbooks.objects.taxcode import TaxCode
from quickbooks.objects.taxrate import TaxRate
from quickbooks.objects.term import Term
from quickbooks.objects.trackingclass import Class
from quickbooks.objects.vendor import Vendor

from tests.fidelity.schemas import JsonPath, Violation

__all__ = ["ENTITIES", "EXTRA_FIELDS", "entity_name", "unknown_fields"]

ENTITIES: Mapping[str, type] = {
    cls.qbo_object_name: cls
    for cls in (
        Account,
        Attachable,
        Bill,
        BillPayment,
        Class,
        CompanyCurrency,
        CompanyInfo,
        Customer,
        Department,
        Employee,
        ExchangeRate,
        Item,
        PaymentMethod,
        Preferences,
        Purchase,
        TaxCode,
        TaxRate,
        Term,
        Vendor,
    )
}

# Every entity an answer carries (qbo-api.md §2: "Entities carry domain, sparse and
# MetaData{CreateTime,LastUpdatedTime}"); a deleted one is {domain, status: Deleted, Id} [REST].
_EVERY_ENTITY = {"Id", "SyncToken", "domain", "sparse", "MetaData", "status"}
# Fields Intuit documents that the SDK's classes lack, by class name, with the evidence.
EXTRA_FIELDS: Mapping[str, frozenset[str]] = {
    # qbo-api.md §4.1: "Read-only: TotalAmt, Balance, HomeBalance, RecurDataRef".
    "Bill": frozenset({"HomeBalance", "RecurDataRef"}),
    # qbo-api.md §4.2: "Optional: … ExchangeRate, DocNumber, PrivateNote, TxnDate".
    "BillPayment": frozenset({"TxnDate", "ExchangeRate"}),
    # qbo-api.md §4.3: Purchase header as for Bill "plus PaymentMethodRef, PaymentRefNum".
    "Purchase": frozenset({"PaymentRefNum"}),
    # qbo-api.md §4.6 names CompanyInfo's `SubscriptionStatus`; QBO answers it as a pair in
    # `NameValue` [{Name, Value}] (inferred: python-quickbooks models such pairs as NameValue).
    "CompanyInfo": frozenset({"NameValue"}),
    # qbo-api.md §4.6: AccountingInfoPrefs{…, BookCloseDate, DefaultAPAccount}.
    "AccountingInfoPrefs": frozenset({"DefaultAPAccount"}),
}


def entity_name(segment: str) -> str | None:
    """The entity a lower-case path segment names (``billpayment`` -> ``BillPayment``)."""
    return _BY_SEGMENT.get(segment.lower())


_BY_SEGMENT = {name.lower(): name for name in ENTITIES}


@functools.cache
def _known(cls: type) -> frozenset[str]:
    try:
        instance = cls()
    except TypeError:  # a class whose constructor wants arguments: its declared dicts only
        instance = None
    attributes = {k for k in vars(instance) if not k.startswith("_")} if instance else set()
    declared = {*getattr(cls, "class_dict", {}), *getattr(cls, "list_dict", {})}
    names = attributes | declared | EXTRA_FIELDS.get(cls.__name__, frozenset())
    if cls in ENTITIES.values():
        names |= _EVERY_ENTITY
    return frozenset(names - {"class_dict", "list_dict", "detail_dict"})


def _nested(cls: type, key: str) -> tuple[type | None, bool]:
    """The class of ``key``'s value inside ``cls`` and whether the value is a list of them."""
    class_dict = getattr(cls, "class_dict", {})
    list_dict = getattr(cls, "list_dict", {})
    if key in class_dict:
        return class_dict[key], False
    if key in list_dict:
        return list_dict[key], True
    return None, False


def unknown_fields(cls: type, body: Any, path: JsonPath = ()) -> Iterator[Violation]:
    """Every key of ``body`` (and of its nested objects) that ``cls`` does not know."""
    if not isinstance(body, dict):
        return
    known = _known(cls)
    for key, value in body.items():
        where = (*path, key)
        if key not in known:
            shown = repr(value)
            yield Violation(
                where,
                f"field python-quickbooks' {cls.__name__} does not know",
                shown if len(shown) <= 80 else shown[:79] + "…",
            )
            continue
        inner, listed = _nested(cls, key)
        if inner is None:
            continue
        if not listed:
            yield from unknown_fields(inner, value, where)
            continue
        for index, item in enumerate(value if isinstance(value, list) else []):
            yield from unknown_fields(_line_class(cls, inner, item), item, (*where, index))


def _line_class(owner: type, default: type, item: Any) -> type:
    """A line's class: the one ``owner.detail_dict`` names for its ``DetailType``."""
    detail = item.get("DetailType") if isinstance(item, dict) else None
    chosen: type = getattr(owner, "detail_dict", {}).get(detail, default)
    return chosen
