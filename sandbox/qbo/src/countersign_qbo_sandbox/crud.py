"""Create, read, full and sparse update, and delete of the entities the sandbox writes, and
reads of the rest. An update needs the current SyncToken (5010 otherwise) and bumps it; a full
update leaves out what was not sent, a sparse one keeps it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from countersign_qbo_sandbox import errors
from countersign_qbo_sandbox.bills import validate_bill
from countersign_qbo_sandbox.model import ENTITY_NAMES, NAME_LISTS, Change, Realm, Record
from countersign_qbo_sandbox.payments import (
    resettle_bills,
    validate_bill_payment,
    validate_purchase,
)
from countersign_qbo_sandbox.txn import company_today
from countersign_qbo_sandbox.vendors import validate_vendor

__all__ = ["WRITABLE", "read", "strip_nulls", "write"]

Validator = Callable[[Realm, Record, Record | None, date], Record]
Effect = Callable[[Realm, Record | None, Record | None, datetime], None]


@dataclass(frozen=True)
class Rules:
    validate: Validator
    deletable: bool
    after: Effect | None = None


WRITABLE: dict[str, Rules] = {
    "Bill": Rules(validate_bill, True),
    "BillPayment": Rules(validate_bill_payment, True, resettle_bills),
    "Purchase": Rules(validate_purchase, True),
    "Vendor": Rules(validate_vendor, False),
}
SYSTEM_FIELDS = ("Id", "SyncToken", "MetaData", "domain", "sparse", "status")


def strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(item) for item in value]
    return value


def entity_name(segment: str) -> str:
    name = ENTITY_NAMES.get(segment.lower())
    if name is None:
        raise errors.unsupported(f"on {segment}")
    return name


def read(realm: Realm, segment: str, entity_id: str | None) -> dict[str, Record]:
    name = entity_name(segment)
    if name == "Preferences" and entity_id is None:
        return {name: next(iter(realm.of(name).values()))}
    if name == "CompanyInfo" and entity_id == realm.realm_id:
        return {name: next(iter(realm.of(name).values()))}
    found = realm.get(name, entity_id) if entity_id else None
    if found is None:
        raise errors.not_found()
    return {name: found}


def _current(realm: Realm, name: str, body: Record) -> Record:
    if body.get("Id") in (None, ""):
        raise errors.required("Id")
    found = realm.get(name, body["Id"])
    if found is None:
        raise errors.not_found("Id")
    if str(body.get("SyncToken")) != found["SyncToken"]:
        raise errors.stale()
    return found


def write(
    realm: Realm, segment: str, body: Any, operation: str | None, now: datetime
) -> dict[str, Record]:
    """A create (no Id), update (Id and SyncToken) or ``operation=delete``."""
    name = entity_name(segment)
    rules = WRITABLE.get(name)
    if rules is None:
        raise errors.unsupported(f"Create/Update on {name} in the sandbox")
    if not isinstance(body, dict):
        raise errors.required(name)
    body = strip_nulls(body)
    if operation == "delete":
        return _delete(realm, name, rules, body, now)
    if operation not in (None, "update", "create"):
        raise errors.unsupported(str(operation))
    if body.get("Id") in (None, "", "0", 0):
        record = rules.validate(realm, _payload(body), None, company_today(now))
        stored = realm.add(name, record, now)
        if rules.after:
            rules.after(realm, None, stored, now)
        realm.changes.append(Change(name, stored["Id"], "Create", now))
        return {name: stored}
    return _update(realm, name, rules, body, now)


def _payload(body: Record) -> Record:
    return {k: v for k, v in body.items() if k not in SYSTEM_FIELDS}


def _update(
    realm: Realm, name: str, rules: Rules, body: Record, now: datetime
) -> dict[str, Record]:
    current = _current(realm, name, body)
    sent = _payload(body)
    merged = {**_payload(current), **sent} if body.get("sparse") is True else sent
    record = rules.validate(realm, merged, current, company_today(now))
    updated = {
        **record,
        "Id": current["Id"],
        "SyncToken": str(int(current["SyncToken"]) + 1),
        "domain": "QBO",
        "sparse": False,
        "MetaData": {**current["MetaData"], "LastUpdatedTime": now},
    }
    realm.of(name)[current["Id"]] = updated
    if rules.after:
        rules.after(realm, current, updated, now)
    # A name made inactive is QBO's delete of a name (inferred: its webhook says Delete).
    gone = name in NAME_LISTS and current.get("Active", True) and updated.get("Active") is False
    realm.changes.append(Change(name, current["Id"], "Delete" if gone else "Update", now))
    return {name: updated}


def _delete(
    realm: Realm, name: str, rules: Rules, body: Record, now: datetime
) -> dict[str, Record]:
    if not rules.deletable:
        raise errors.unsupported(f"Delete on {name} (make it inactive instead)")
    current = _current(realm, name, body)
    if name == "Bill" and current.get("LinkedTxn"):
        raise errors.business("Delete the bill's payments before the bill")
    del realm.of(name)[current["Id"]]
    realm.deleted.setdefault(name, {})[current["Id"]] = {
        **current,
        "MetaData": {**current["MetaData"], "LastUpdatedTime": now},
    }
    if rules.after:
        rules.after(realm, current, None, now)
    realm.changes.append(Change(name, current["Id"], "Delete", now))
    return {name: {"status": "Deleted", "domain": "QBO", "Id": current["Id"]}}
