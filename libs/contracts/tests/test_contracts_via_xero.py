"""The via-Xero mode's contracts (ADR 0058): additive to what readers already have."""

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    LEDGER_XERO_BILLS,
    ORGANISATIONS,
    TOPICS,
    Envelope,
    EventPayload,
    LedgerMode,
    RequestSource,
    XeroBill,
    XeroBillLine,
    decode,
    encode,
)
from pydantic import ValidationError

Wrap = Callable[..., Envelope[Any]]
XERO_INVOICE_ID = UUID("5cc8cf28-567e-4d43-b287-687cfcaec47d")


def _wire(wrap: Wrap, payload: EventPayload) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(encode(wrap(payload)))
    return data


def test_an_organisation_event_without_the_mode_reads_as_direct(
    examples: dict[str, EventPayload], wrap: Wrap
) -> None:
    data = _wire(wrap, examples["OrganisationUpdated"])
    data["schema_version"] = "1.1"
    del data["payload"]["ledger_mode"], data["payload"]["via_xero_requester"]

    payload = decode(ORGANISATIONS, json.dumps(data).encode()).payload

    assert (payload.ledger_mode, payload.via_xero_requester) == (LedgerMode.DIRECT, None)


def test_a_request_event_without_a_source_reads_as_from_dext(
    examples: dict[str, EventPayload], wrap: Wrap
) -> None:
    data = _wire(wrap, examples["RequestOpened"])
    data["schema_version"] = "1.8"
    del data["payload"]["source"], data["payload"]["xero_invoice_id"]

    payload = decode(APPROVAL_REQUESTS, json.dumps(data).encode()).payload

    assert (payload.source, payload.xero_invoice_id) == (RequestSource.DEXT, None)


def test_a_request_pulled_from_xero_names_its_bill(
    examples: dict[str, EventPayload], wrap: Wrap
) -> None:
    pulled = examples["RequestOpened"].model_copy(
        update={
            "source": RequestSource.XERO,
            "xero_invoice_id": XERO_INVOICE_ID,
            "dext_item_id": f"xero:{XERO_INVOICE_ID}",
        }
    )

    payload = decode(APPROVAL_REQUESTS, encode(wrap(pulled))).payload

    assert (payload.source, payload.xero_invoice_id) == (RequestSource.XERO, XERO_INVOICE_ID)


def test_a_submitted_bill_is_keyed_by_its_xero_invoice_id(
    examples: dict[str, EventPayload], wrap: Wrap
) -> None:
    envelope = wrap(examples["BillSubmittedInXero"], producer="publisher")

    assert envelope.subject_id == str(XERO_INVOICE_ID)
    assert envelope.schema_version == TOPICS[LEDGER_XERO_BILLS].version == "1.0"
    assert decode(LEDGER_XERO_BILLS, encode(envelope)).payload.bill.total == Decimal("24.00")


def test_a_pulled_line_may_wait_for_its_coding() -> None:
    line = XeroBillLine(
        quantity=Decimal("1"),
        unit_amount=Decimal("10.00"),
        tax_amount=Decimal("0.00"),
        line_amount=Decimal("10.00"),
    )

    assert (line.description, line.account_code, line.tax_type) == ("", None, None)


def test_a_pulled_bill_has_a_line(examples: dict[str, EventPayload]) -> None:
    bill = examples["BillSubmittedInXero"].bill  # type: ignore[attr-defined]

    with pytest.raises(ValidationError, match="lines"):
        XeroBill.model_validate({**bill.model_dump(), "lines": []})
