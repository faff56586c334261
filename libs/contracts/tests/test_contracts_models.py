from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from countersign_contracts import (
    Actor,
    AttachmentAdded,
    BankAccount,
    BillCreated,
    EventPayload,
    LineItem,
    Payment,
    TrackingSelection,
)
from pydantic import ValidationError

LINE = {
    "description": "Printer paper",
    "quantity": "1",
    "unit_amount": "0.10",
    "account_code": "429",
    "tax_type": "INPUT2",
    "tax_amount": "0.02",
    "line_amount": "0.10",
}


def test_a_line_takes_at_most_two_tracking_options() -> None:
    three = [TrackingSelection(category=f"C{n}", option="O") for n in range(3)]

    with pytest.raises(ValidationError, match="at most 2"):
        LineItem.model_validate({**LINE, "tracking": three})


def test_a_bill_needs_at_least_one_line(make_bill: Any) -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        make_bill(lines=[])


def test_a_paid_bill_names_the_bank_account_it_was_paid_from() -> None:
    with pytest.raises(ValidationError, match="bank account"):
        Payment(paid=True)

    assert Payment(paid=False).account is None
    assert Payment(paid=True, account=BankAccount(code="090")).paid_on is None


def test_a_bank_account_is_identified_by_code_or_id() -> None:
    with pytest.raises(ValidationError, match="code or an account_id"):
        BankAccount(name="Business Bank")

    assert BankAccount(code="090").code == "090"


def test_a_user_actor_has_a_user_id() -> None:
    with pytest.raises(ValidationError, match="user_id"):
        Actor(kind="user", name="Priya Shah")


def test_the_exchange_rate_is_positive(make_bill: Any) -> None:
    with pytest.raises(ValidationError, match="greater than zero"):
        make_bill(exchange_rate=Decimal("0"))

    assert make_bill(exchange_rate="1.1764").exchange_rate == Decimal("1.1764")


@pytest.mark.parametrize(
    "sha256", ["ABC", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"]
)
def test_a_document_digest_is_lower_case_sha256_hex(make_bill: Any, sha256: str) -> None:
    document = make_bill().document.model_dump()

    with pytest.raises(ValidationError, match="sha256"):
        make_bill(document={**document, "sha256": sha256})


def test_a_bill_publication_names_its_approval_request(
    examples: dict[str, EventPayload],
) -> None:
    fields = examples["BillCreated"].model_dump()

    with pytest.raises(ValidationError, match="request_id"):
        BillCreated.model_validate({**fields, "request_id": None})


def test_an_attachment_belongs_to_exactly_one_xero_document(
    examples: dict[str, EventPayload],
) -> None:
    fields = examples["AttachmentAdded"].model_dump()

    with pytest.raises(ValidationError, match="exactly one"):
        AttachmentAdded.model_validate({**fields, "xero_bank_transaction_id": UUID(int=1)})
    with pytest.raises(ValidationError, match="exactly one"):
        AttachmentAdded.model_validate({**fields, "xero_invoice_id": None})

    assert AttachmentAdded.model_validate(fields) == examples["AttachmentAdded"]


def test_every_event_type_is_named_after_its_class(examples: dict[str, EventPayload]) -> None:
    assert all(type(payload).__name__ == name for name, payload in examples.items())
