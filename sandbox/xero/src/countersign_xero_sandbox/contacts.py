"""Contacts: names trimmed and unique (case-insensitively) across active contacts;
IsSupplier/IsCustomer are read-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from countersign_xero_sandbox.batches import Element
from countersign_xero_sandbox.model import Record, Tenant, contact_name, name_key
from countersign_xero_sandbox.tenancy import new_contact

__all__ = ["prepare_contact"]

READ_ONLY = {"ContactID", "IsSupplier", "IsCustomer", "UpdatedDateUTC", "HasValidationErrors"}
STATUSES = {"ACTIVE", "ARCHIVED", "GDPRREQUEST"}


def _name_taken(tenant: Tenant, name: str, taken: set[str], contact_id: str | None) -> bool:
    other = tenant.active_contact_named(name)
    return (other is not None and other["ContactID"] != contact_id) or name_key(name) in taken


def prepare_contact(
    tenant: Tenant, raw: Any, now: datetime, taken: set[str], upsert: bool
) -> Element:
    """``taken`` holds the names earlier elements of the batch claim (``name_key``)."""
    if not isinstance(raw, dict):
        return Element({}, ["A contact must be a JSON object."])
    errors: list[str] = []
    existing: Record | None = None
    if raw.get("ContactID"):
        existing = tenant.contacts.get(str(raw["ContactID"]))
        if existing is None:
            errors.append(f"The contact with ContactID '{raw['ContactID']}' could not be found.")
    elif upsert and raw.get("Name"):
        existing = tenant.active_contact_named(str(raw["Name"]))
    name = contact_name(raw.get("Name") or (existing["Name"] if existing else ""))
    if not name:
        errors.append("The contact name must be specified.")
    elif len(name) > 255:
        errors.append("The contact name must not be longer than 255 characters.")
    status = str(raw.get("ContactStatus") or (existing["ContactStatus"] if existing else "ACTIVE"))
    if status not in STATUSES:
        errors.append(f"ContactStatus '{status}' is not one of ACTIVE, ARCHIVED, GDPRREQUEST.")
    if (
        name
        and status == "ACTIVE"
        and _name_taken(tenant, name, taken, existing["ContactID"] if existing else None)
    ):
        errors.append(
            f"The contact name {name} is already assigned to another contact. The contact name "
            "must be unique across all active contacts."
        )
    number = raw.get("ContactNumber")
    if number and len(str(number)) > 50:
        errors.append("The ContactNumber must not be longer than 50 characters.")
    fields = {k: v for k, v in raw.items() if k not in READ_ONLY}
    if existing is not None:
        record: Record = {**existing, **fields, "Name": name, "UpdatedDateUTC": now}
    else:
        record = new_contact({**fields, "Name": name or "?"}, now)
    if not errors:
        taken.add(name_key(name))

    def commit() -> None:
        if existing is not None:
            existing.update(record)
        else:
            tenant.contacts[record["ContactID"]] = record

    return Element(record, errors, commit)
