"""Which ledger a record is in, and its id there, in names that fit every ledger (ADR 0065).

The ledger events were written for Xero: their ids are Xero's UUIDs, named ``xero_*``. Since
the minor versions that added them, the same events also carry ``ledger`` (the ledger the
record is in) and, beside each Xero id, a ``ledger_*_id`` naming the same record as opaque text
(Xero's UUID as text, QuickBooks Online's digits). The ``xero_*`` fields keep their meaning and
stay filled for a Xero organisation; a reader that serves both ledgers reads the ``ledger_*``
ones. The names follow the thing, not Xero's word for it:

    xero_invoice_id           ─▶ ledger_bill_id        (Xero ACCPAY invoice, QBO Bill)
    xero_bank_transaction_id  ─▶ ledger_expense_id     (Xero SPEND, QBO Purchase)
    xero_contact_id           ─▶ ledger_contact_id     (Xero Contact, QBO Vendor)
    xero_attachment_id        ─▶ ledger_attachment_id  (QBO Attachable)
    xero_payment_id           ─▶ ledger_payment_id     (QBO BillPayment)
    account_id, tracking_*_id ─▶ ledger_account_id, ledger_tracking_*_id (master data)

Several ``xero_*`` ids are required in v1. For a record in another ledger they hold
``ledger_uuid``: a stable name-based UUID of that record, meaningless in Xero (ADR 0068).
"""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, TypeVar
from uuid import UUID, uuid5

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from countersign_contracts._base import ContractModel, is_tolerant

__all__ = [
    "LEDGER_ID_FIELDS",
    "LEDGER_RECORD_KINDS",
    "QBO_ID_NAMESPACE",
    "Ledger",
    "LedgerId",
    "LedgerName",
    "ledger_title",
    "ledger_uuid",
    "with_ledger_names",
]


class Ledger(StrEnum):
    """The accounting ledger an organisation is connected to, and its records are in."""

    XERO = "xero"
    QBO = "qbo"


def _unknown_as_none(
    value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
) -> Any:
    try:
        return handler(value)
    except ValidationError:
        if isinstance(value, str) and is_tolerant(info):
            return None  # a ledger added in a later minor version: this reader cannot name it
        raise


_TITLES = {Ledger.XERO: "Xero", Ledger.QBO: "QuickBooks Online"}


def ledger_title(ledger: Ledger | str | None) -> str:
    """The ledger's name as people read it: "Xero", "QuickBooks Online". None (an event or a
    record from before ``ledger`` existed) is Xero; a ledger this reader does not know is
    "the ledger"."""
    try:
        return _TITLES[Ledger(ledger or Ledger.XERO)]
    except ValueError:
        return "the ledger"


LedgerName = Annotated[Ledger | None, WrapValidator(_unknown_as_none)]
"""An event's ``ledger``: null from producers before the field; a tolerant reader also reads a
ledger it does not know yet as null (the ``ledger_*_id`` fields still name the records)."""

LedgerId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
"""A record's id in its ledger, opaque text: a Xero UUID as text, a QBO Id (digits)."""

LEDGER_ID_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "xero_invoice_id": "ledger_bill_id",
        "xero_bank_transaction_id": "ledger_expense_id",
        "xero_contact_id": "ledger_contact_id",
        "xero_attachment_id": "ledger_attachment_id",
        "xero_payment_id": "ledger_payment_id",
        "account_id": "ledger_account_id",
        "tracking_category_id": "ledger_tracking_category_id",
        "tracking_option_id": "ledger_tracking_option_id",
    }
)
"""Each Xero id field of the ledger events and the ``ledger_*_id`` field beside it."""

LEDGER_RECORD_KINDS = frozenset(
    name.removeprefix("ledger_").removesuffix("_id") for name in LEDGER_ID_FIELDS.values()
)
"""The kinds of record a ``ledger_*_id`` names (``bill``, ``contact``…): ``ledger_uuid``'s
``kind``."""

QBO_ID_NAMESPACE = UUID("2a63b3a4-34fc-413f-9e86-6043c4e6fdc1")
"""The namespace of ``ledger_uuid``'s QBO UUIDs. Fixed for good: changing it would change
the ``xero_*`` value of every QBO record already announced."""


def ledger_uuid(ledger: Ledger, organisation_id: UUID, kind: str, ledger_id: str) -> UUID:
    """What a ``xero_*`` field (a UUID) holds for the record ``ledger_id`` of kind ``kind``
    (one of ``LEDGER_RECORD_KINDS``) in the organisation's ``ledger``. Xero: the id itself
    (Xero's ids are UUIDs). QBO: a stable name-based UUID (v5) of the organisation, the kind and
    the QBO ``Id``: the same record always gives the same UUID, another organisation's record
    another one; it means nothing in Xero, and a reader finds the record by ``ledger_*_id``."""
    if kind not in LEDGER_RECORD_KINDS:
        raise ValueError(f"kind must be one of {sorted(LEDGER_RECORD_KINDS)}, not {kind!r}")
    if Ledger(ledger) is Ledger.XERO:
        return UUID(ledger_id)
    return uuid5(QBO_ID_NAMESPACE, f"qbo:{organisation_id}:{kind}:{ledger_id}")


def ledger_field(since: str) -> Any:
    """The ``ledger`` field of an event, added in minor version ``since`` of its topic."""
    return Field(
        default=None, description=f"The ledger the records named here are in (since {since})"
    )


def ledger_id_field(beside: str, since: str) -> Any:
    """The ``ledger_*_id`` field beside the Xero id ``beside``, added in version ``since``."""
    return Field(
        default=None,
        description=f"The record's id in its ledger, as text; for Xero the same as {beside}"
        f" (since {since})",
    )


def xero_id_field(beside: str, about: str = "", **kwargs: Any) -> Any:
    """A ``xero_*`` id field of a ledger event, whose ledger id is the field ``beside``."""
    said = f"{about}. " if about else ""
    return Field(
        description=f"{said}The Xero record's id; for `ledger` = qbo, a stable name-based UUID"
        f" of the QBO record (`ledger_uuid`), meaningless in Xero: read `{beside}`",
        **kwargs,
    )


M = TypeVar("M", bound=ContractModel)


def with_ledger_names(model: M, ledger: Ledger | None = None) -> M:
    """``model`` (an event, or a part of one) with the ledger names its Xero ids imply, for a
    producer whose records are in Xero: beside each Xero id that is set, its ``ledger_*_id``
    (the same id, as text), at every level; and ``ledger`` where the model has the field: the
    ``ledger`` given, or else Xero when the model names a Xero record. Fields already set are
    kept, so a record of another ledger, named by its adapter, passes unchanged."""
    fields = type(model).model_fields
    update: dict[str, Any] = {}
    names_a_record = False
    for name in fields:
        value = getattr(model, name)
        named = _named_parts(value)
        if named is not value:
            update[name] = named
        beside = LEDGER_ID_FIELDS.get(name)
        if beside is not None and beside in fields and value is not None:
            names_a_record = True
            if getattr(model, beside) is None:
                update[beside] = str(value)
    says_none = "ledger" in fields and getattr(model, "ledger", None) is None
    if says_none and (ledger is not None or names_a_record):
        update["ledger"] = ledger or Ledger.XERO
    return model.model_copy(update=update) if update else model


def _named_parts(value: Any) -> Any:
    if isinstance(value, ContractModel):
        return with_ledger_names(value)
    if isinstance(value, list) and any(isinstance(item, ContractModel) for item in value):
        named = [_named_parts(item) for item in value]
        return value if all(a is b for a, b in zip(named, value, strict=True)) else named
    return value
