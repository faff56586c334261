"""Change data capture: ``GET …/cdc?entities=Bill,Vendor&changedSince=<ISO date or datetime>``.

    the realm's change log (every create, update and delete the Accounting API made, and every
    bill a payment touched) ─▶ the entities changed since ``changedSince``, each once, in its
    current full payload, or ``{"status":"Deleted",…}`` when it is gone ─▶ one ``QueryResponse``
    per requested entity, at most 1000 objects in all (the oldest changes first)

Refused with a Fault: no ``entities`` or ``changedSince`` (2020), an unknown entity (2170),
TaxCode / TaxRate and the others Intuit lists as not available, or a look-back older than 30
days (500, Intuit's "Operation cdc with changedSince date … is not supported" detail).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from countersign_qbo_sandbox import errors
from countersign_qbo_sandbox.model import ENTITY_NAMES, Realm, Record
from countersign_qbo_sandbox.wire import PACIFIC

__all__ = ["LOOK_BACK", "MAX_OBJECTS", "changed_since"]

LOOK_BACK = timedelta(days=30)
MAX_OBJECTS = 1000
NOT_AVAILABLE = ("JournalCode", "TaxAgency", "TimeActivity", "TaxCode", "TaxRate")


def _entities(raw: str | None) -> list[str]:
    if not raw or not raw.strip():
        raise errors.required("entities")
    names = []
    for part in raw.split(","):
        name = ENTITY_NAMES.get(part.strip().lower())
        if part.strip() in NOT_AVAILABLE or name in NOT_AVAILABLE:
            raise errors.unsupported(f"cdc for {name or part.strip()}")
        if name is None:
            raise errors.invalid_enum("entities", part.strip())
        if name not in names:
            names.append(name)
    return names


def _since(raw: str | None, now: datetime) -> datetime:
    """An ISO date (midnight, company time) or datetime (without offset: company time)."""
    if not raw:
        raise errors.required("changedSince")
    text = raw.strip().replace(" ", "+").replace("Z", "+00:00")
    try:
        if len(text) == 10:
            moment = datetime.combine(datetime.fromisoformat(text).date(), time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise errors.invalid_enum("changedSince", raw) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PACIFIC)
    if moment < now - LOOK_BACK:
        raise errors.unsupported(f"cdc with changedSince date {raw} which is older than fixed days")
    return moment


def _deleted(realm: Realm, entity: str, entity_id: str) -> Record | None:
    gone = realm.deleted.get(entity, {}).get(entity_id)
    if gone is None:
        return None
    return {
        "domain": "QBO",
        "status": "Deleted",
        "Id": entity_id,
        "MetaData": {"LastUpdatedTime": gone["MetaData"]["LastUpdatedTime"]},
    }


def changed_since(realm: Realm, entities: str | None, since: str | None, now: datetime) -> Any:
    """The ``CDCResponse`` list of one reply."""
    names = _entities(entities)
    moment = _since(since, now)
    latest: dict[tuple[str, str], datetime] = {}
    for change in realm.changes:
        if change.entity in names and change.at >= moment:
            key = (change.entity, change.entity_id)
            latest.pop(key, None)  # re-inserted: dict order is the order of the latest change
            latest[key] = change.at
    found: dict[str, list[Record]] = {}
    for entity, entity_id in list(latest)[:MAX_OBJECTS]:
        record = realm.get(entity, entity_id) or _deleted(realm, entity, entity_id)
        if record is not None:
            found.setdefault(entity, []).append(record)
    # Each with its position and count, as Intuit's example reply shows.
    responses = [
        {name: found[name], "startPosition": 1, "maxResults": len(found[name])}
        for name in names
        if name in found
    ]
    return [{"QueryResponse": responses}]
