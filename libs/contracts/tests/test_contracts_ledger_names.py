"""The ledger names beside the Xero ids (ADR 0065): every event that names a Xero record has
the field that names it in any ledger; `with_ledger_names` fills them from the Xero ids; a
record of another ledger passes as its producer named it; a reader tolerates a ledger it does
not know yet."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    LEDGER_BILLS,
    LEDGER_ID_FIELDS,
    LEDGER_MASTER_DATA,
    LEDGER_PUBLICATIONS,
    LEDGER_SUPPLIERS,
    QBO_ID_NAMESPACE,
    TOPICS,
    AttachmentAdded,
    BillCreated,
    ContractModel,
    Envelope,
    EventPayload,
    Ledger,
    LedgerAccount,
    LedgerTrackingCategory,
    LedgerTrackingOption,
    decode,
    encode,
    ledger_uuid,
    with_ledger_names,
)
from pydantic import ValidationError

NAMED = (APPROVAL_REQUESTS, LEDGER_PUBLICATIONS, LEDGER_BILLS, LEDGER_SUPPLIERS, LEDGER_MASTER_DATA)
PARTS = (LedgerAccount, LedgerTrackingCategory, LedgerTrackingOption)
MODELS = [
    *(event for topic in NAMED for event in TOPICS[topic].event_types.values()),
    *PARTS,
]


def pairs(model: ContractModel) -> list[tuple[Any, Any]]:
    """Each (Xero id, ledger id) the model and its parts hold, at every level."""
    found: list[tuple[Any, Any]] = []
    fields = type(model).model_fields
    for name in fields:
        value = getattr(model, name)
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, ContractModel):
                found += pairs(part)
        if name in LEDGER_ID_FIELDS and LEDGER_ID_FIELDS[name] in fields:
            found.append((value, getattr(model, LEDGER_ID_FIELDS[name])))
    return found


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_xero_id_has_its_ledger_id_beside_it_and_every_event_names_its_ledger(
    model: type[ContractModel],
) -> None:
    fields = model.model_fields

    missing = [LEDGER_ID_FIELDS[f] for f in fields if f in LEDGER_ID_FIELDS]
    missing = [name for name in missing if name not in fields]

    assert missing == []
    ledger_ids = [name for name in fields if name in LEDGER_ID_FIELDS.values()]
    assert all(not fields[name].is_required() for name in ledger_ids)  # older events lack them
    if issubclass(model, EventPayload) and ledger_ids:
        assert not fields["ledger"].is_required()


@pytest.mark.parametrize("topic", NAMED)
def test_the_names_filled_from_xero_ids_agree_with_them_and_survive_the_wire(
    topic: str, examples: dict[str, EventPayload], wrap: Callable[..., Envelope[Any]]
) -> None:
    for event_type in TOPICS[topic].event_types:
        named = with_ledger_names(examples[event_type], Ledger.XERO)

        decoded = decode(topic, encode(wrap(named)))

        assert decoded.payload == named
        assert getattr(named, "ledger", Ledger.XERO) is Ledger.XERO, event_type
        assert all(
            ledger_id == (None if xero_id is None else str(xero_id))
            for xero_id, ledger_id in pairs(named)
        ), event_type
    named_any = [pairs(examples[event_type]) for event_type in TOPICS[topic].event_types]
    assert any(xero_id is not None for found in named_any for xero_id, _ in found)


def test_without_a_ledger_given_only_an_event_naming_a_xero_record_says_xero(
    examples: dict[str, EventPayload],
) -> None:
    opened = examples["RequestOpened"].model_copy(update={"xero_invoice_id": None})
    published = opened.model_copy(update={"xero_invoice_id": uuid.uuid4()})

    assert with_ledger_names(opened) == opened
    assert with_ledger_names(published).ledger is Ledger.XERO  # type: ignore[attr-defined]


def test_a_record_its_producer_named_in_another_ledger_passes_unchanged(
    examples: dict[str, EventPayload],
) -> None:
    created = examples["BillCreated"]
    assert isinstance(created, BillCreated)
    in_qbo = created.model_copy(
        update={"ledger": Ledger.QBO, "ledger_bill_id": "146", "ledger_contact_id": "58"}
    )

    assert with_ledger_names(in_qbo, Ledger.XERO) == in_qbo


def test_an_attachment_names_one_target_by_either_id() -> None:
    common: dict[str, Any] = {
        "publication_id": uuid.uuid4(),
        "kind": "bank_transaction",
        "request_id": None,
        "dext_item_id": "bank-1",
        "item_version": 1,
        "xero_attachment_id": uuid.uuid4(),
        "attachment_kind": "original",
        "file_name": "r.pdf",
        "media_type": "application/pdf",
        "size_bytes": 1,
    }

    assert AttachmentAdded(**common, ledger="qbo", ledger_expense_id="301").ledger is Ledger.QBO
    with pytest.raises(ValidationError, match="exactly one target"):
        AttachmentAdded(**common)
    with pytest.raises(ValidationError, match="exactly one target"):
        AttachmentAdded(**common, ledger_bill_id="7", ledger_expense_id="8")


def test_a_reader_takes_a_ledger_it_does_not_know_as_null_and_a_producer_cannot_emit_one(
    examples: dict[str, EventPayload], wrap: Callable[..., Envelope[Any]]
) -> None:
    supplier = with_ledger_names(examples["SupplierSynced"], Ledger.XERO)
    value = json.loads(encode(wrap(supplier)))
    value["payload"]["ledger"] = "sage"

    read = decode(LEDGER_SUPPLIERS, json.dumps(value))

    assert read.payload.ledger is None
    assert read.payload.ledger_contact_id == str(supplier.xero_contact_id)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        type(supplier).model_validate({**supplier.model_dump(), "ledger": "sage"})


def test_ledger_uuid_is_the_xero_id_itself_and_a_stable_name_based_uuid_for_qbo() -> None:
    organisation, xero_id = uuid.uuid4(), uuid.uuid4()
    qbo = ledger_uuid(Ledger.QBO, organisation, "bill", "146")

    assert ledger_uuid(Ledger.XERO, organisation, "bill", str(xero_id)) == xero_id
    assert qbo == ledger_uuid("qbo", organisation, "bill", "146")  # type: ignore[arg-type]
    assert qbo == uuid.uuid5(QBO_ID_NAMESPACE, f"qbo:{organisation}:bill:146")
    assert qbo.version == 5
    assert qbo != ledger_uuid(Ledger.QBO, uuid.uuid4(), "bill", "146")  # another organisation
    assert qbo != ledger_uuid(Ledger.QBO, organisation, "payment", "146")  # another record kind
    with pytest.raises(ValueError, match="kind must be one of"):
        ledger_uuid(Ledger.QBO, organisation, "invoice", "146")
