"""``/Contacts``: create (PUT), upsert (POST), update one, list with search and paging."""

from __future__ import annotations

from starlette.responses import Response

from countersign_xero_sandbox.batches import Element
from countersign_xero_sandbox.contacts import prepare_contact
from countersign_xero_sandbox.listing import list_answer, select
from countersign_xero_sandbox.model import Record
from countersign_xero_sandbox.sandbox import Call, CallError
from countersign_xero_sandbox.wire import envelope, not_found, xero_json
from countersign_xero_sandbox.writing import batch_answer, elements_of, single_answer

__all__ = ["get_contact", "get_contacts", "post_contact", "post_contacts", "put_contacts"]

SEARCHED = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")


def _same(record: Record) -> Record:
    return record


def _write(call: Call, upsert: bool) -> Response:
    taken: set[str] = set()
    elements: list[Element] = [
        prepare_contact(call.tenant, raw, call.now, taken, upsert)
        for raw in elements_of(call, "Contacts")
    ]
    return batch_answer(call, "Contacts", elements, _same)


def put_contacts(call: Call) -> Response:
    return _write(call, upsert=False)


def post_contacts(call: Call) -> Response:
    return _write(call, upsert=True)


def _find(call: Call) -> Record:
    ref = call.params["record_id"]
    contact = call.tenant.contacts.get(ref) or call.tenant.contact_by_number(ref)
    if contact is None:
        raise CallError(not_found())
    return contact


def post_contact(call: Call) -> Response:
    contact = _find(call)
    raws = elements_of(call, "Contacts")
    raw = {
        **(raws[0] if raws and isinstance(raws[0], dict) else {}),
        "ContactID": contact["ContactID"],
    }
    return single_answer(
        call, "Contacts", prepare_contact(call.tenant, raw, call.now, set(), True), _same
    )


def get_contacts(call: Call) -> Response:
    term = (call.query.get("searchTerm") or "").casefold()
    include_archived = call.query.get("includeArchived", "false").lower() == "true"

    def keep(contact: Record) -> bool:
        if not include_archived and contact["ContactStatus"] == "ARCHIVED":
            return False
        return not term or any(term in str(contact.get(f) or "").casefold() for f in SEARCHED)

    records = select(call, call.tenant.contacts.values(), {"IDs": "ContactID"}, keep)
    return list_answer(call, "Contacts", records, _same)


def get_contact(call: Call) -> Response:
    return xero_json(envelope(call.now, Contacts=[_find(call)]))
