"""Vendor rules: a DisplayName (or a name part to make one) unique across vendors, customers
and employees (6240), no ':' / tab / newline in name fields, CurrencyRef fixed at create."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from countersign_qbo_sandbox import errors, txn
from countersign_qbo_sandbox.model import NAME_LISTS, Realm, Record

__all__ = ["validate_vendor"]

NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
NAME_FIELDS = ("DisplayName", "CompanyName", "PrintOnCheckName", *NAME_PARTS)
BAD_CHARACTERS = (":", "\t", "\n", "\r")


def _display_name(record: Record) -> str:
    name = txn.text(record, "DisplayName", 500)
    if name is None:
        parts = [txn.text(record, part) for part in NAME_PARTS]
        name = " ".join(part for part in parts if part)
    if not name:
        raise errors.required("DisplayName")
    return name


def _unique(realm: Realm, name: str, own_id: str | None) -> None:
    wanted = name.strip().casefold()
    for entity in NAME_LISTS:
        for other in realm.of(entity).values():
            if (
                other["Id"] != own_id
                and str(other.get("DisplayName", "")).strip().casefold() == wanted
            ):
                raise errors.duplicate_name(name)


def validate_vendor(realm: Realm, record: Record, previous: Record | None, today: date) -> Record:
    name = _display_name(record)
    for key in NAME_FIELDS:
        value = txn.text(record, key) or (name if key == "DisplayName" else "")
        bad = next((c for c in BAD_CHARACTERS if c in value), None)
        if bad is not None:
            raise errors.business(f"{key} may not contain {bad!r}", key)
    _unique(realm, name, previous["Id"] if previous else None)
    code = ((record.get("CurrencyRef") or {}).get("value")) or realm.home_currency
    if previous is not None:
        fixed = previous["CurrencyRef"]["value"]
        if code != fixed and record.get("CurrencyRef"):
            raise errors.business("A vendor's currency cannot be changed", "CurrencyRef")
        code = fixed
    elif code != realm.home_currency:
        known = {c["Code"] for c in realm.of("CompanyCurrency").values()}
        if not realm.multicurrency or code not in known:
            raise errors.invalid_reference("CurrencyRef", "CompanyCurrency", code)
    txn.reference(realm, "Term", record.get("TermRef"), "TermRef", needed=False)
    out = {k: v for k, v in record.items() if not (isinstance(v, str) and v == "")}
    active = record.get("Active")
    out.update(
        DisplayName=name,
        PrintOnCheckName=txn.text(record, "PrintOnCheckName", 110) or name,
        Active=True if active is None else bool(active),
        CurrencyRef={"value": code},
        Balance=previous.get("Balance", Decimal(0)) if previous else Decimal(0),
    )
    if not record.get("BillRate"):
        out.pop("BillRate", None)
    return out
