"""The ledger port on Xero (ADR 0065): Xero's answers as the port's values, Xero's failures as
the ledger errors the retry policy reads, and the steps reaching Xero only through the port."""

import ast
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from countersign_harness.publisher_samples import bank_item, sample_bill
from countersign_platform.outbound import HttpResponse
from countersign_publisher.adapters.xero_client import XeroClient
from countersign_publisher.adapters.xero_errors import raise_for_xero
from countersign_publisher.adapters.xero_ledger import XeroLedger
from countersign_publisher.ledger.errors import (
    LedgerAuthLost,
    LedgerError,
    LedgerNotFound,
    LedgerRateLimited,
    LedgerRefused,
    LedgerTransient,
    LedgerUnsupported,
)
from countersign_publisher.ledger.values import LedgerBill, NewBill, Refusal

ORG = uuid.uuid4()
CONTACT = str(uuid.uuid4())
HANDLERS = Path(__file__).parents[1] / "src" / "countersign_publisher" / "handlers"
ON_THE_PORT = [
    "attachments", "contacts", "history", "master_data", "outcomes", "payments",
    "publishing", "pulled_publications", "recording", "records",
]  # fmt: skip


class FakeXero:
    """Answers the client calls the adapter makes with what a test gives it."""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.sent: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        async def call(*args: Any) -> Any:
            self.sent.append((name, args))
            return self.answers[name]

        return call


def _ledger(fake: FakeXero) -> XeroLedger:
    return XeroLedger(cast(XeroClient, fake))


@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [
        (400, {}, LedgerRefused),
        (401, {}, LedgerAuthLost),
        (403, {}, LedgerAuthLost),
        (404, {}, LedgerNotFound),
        (429, {"retry-after": "7"}, LedgerRateLimited),
        (503, {}, LedgerTransient),
    ],
)
def test_every_xero_failure_is_the_ledger_error_the_retry_policy_reads(
    status: int, headers: dict[str, str], kind: type[LedgerError]
) -> None:
    body = {"Type": "ValidationException", "Elements": [{"ValidationErrors": [{"Message": "no"}]}]}
    with pytest.raises(kind) as raised:
        raise_for_xero(HttpResponse(status, headers, json.dumps(body).encode()))
    assert raised.value.status == status
    if isinstance(raised.value, LedgerRateLimited):
        assert raised.value.retry_after_s == 7.0
    if isinstance(raised.value, LedgerRefused):
        assert raised.value.messages == ["no"]


def test_an_operation_a_ledger_lacks_is_a_refusal_naming_it() -> None:
    unsupported = LedgerUnsupported("qbo", "Authorising a bill pulled from the ledger")
    # A refusal: the retry policy fails the publication at once instead of retrying it.
    assert isinstance(unsupported, LedgerRefused) and unsupported.status is None
    assert unsupported.messages == [
        "Authorising a bill pulled from the ledger is not supported by this ledger (qbo)"
    ]


async def test_a_batch_answers_each_bill_in_the_order_given_refusals_as_values() -> None:
    refused_id, created_id = "#cs-1", "#cs-2"
    fake = FakeXero(
        create_bills=[
            # Xero's order need not be ours: each element is matched by its Url.
            {"InvoiceID": str(uuid.uuid4()), "Url": created_id, "Status": "AUTHORISED",
             "Total": Decimal("12.00"), "Contact": {"ContactID": CONTACT}},
            {"Url": refused_id, "HasErrors": True,
             "ValidationErrors": [{"Message": "Account code '400' is archived"}]},
        ]
    )  # fmt: skip
    outcomes = await _ledger(fake).create_bills(
        ORG,
        [
            NewBill(sample_bill("A-1"), CONTACT, refused_id),
            NewBill(sample_bill("A-2"), CONTACT, created_id),
        ],
        "key-1",
    )
    assert outcomes[0] == Refusal(["Account code '400' is archived"])
    created = outcomes[1]
    assert isinstance(created, LedgerBill)
    assert (created.status, created.total, created.contact_id) == (
        "AUTHORISED", Decimal("12.00"), CONTACT,
    )  # fmt: skip
    (name, (org, payloads, key)), *_ = fake.sent
    assert (name, org, key) == ("create_bills", ORG, "key-1")
    assert [p["InvoiceNumber"] for p in payloads] == ["A-1", "A-2"]
    assert payloads[0]["Contact"] == {"ContactID": CONTACT}


async def test_a_bill_sent_before_is_found_by_its_marker_unless_deleted() -> None:
    mine, deleted, other = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    fake = FakeXero(
        bills_numbered=[
            {"InvoiceID": deleted, "Url": "#cs-1", "Status": "DELETED"},
            {"InvoiceID": other, "Url": "#cs-9", "Status": "AUTHORISED"},
            {"InvoiceID": mine, "Url": "#cs-1", "Status": "AUTHORISED"},
        ]
    )
    found = await _ledger(fake).find_bill(ORG, "A-1", CONTACT, "#cs-1")
    assert found is not None and found.bill_id == mine
    assert await _ledger(fake).find_bill(ORG, "A-1", CONTACT, "#cs-2") is None


async def test_a_refused_expense_is_a_ledger_refusal() -> None:
    fake = FakeXero(
        create_bank_transaction={
            "StatusAttributeString": "ERROR",
            "ValidationErrors": [{"Message": "Bank account is archived"}],
        }
    )
    with pytest.raises(LedgerRefused) as refused:
        await _ledger(fake).create_expense(ORG, bank_item("R-1"), CONTACT, "#cs-1", "key-1")
    assert refused.value.messages == ["Bank account is archived"]


def _imported(module: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("name", ON_THE_PORT)
def test_the_steps_and_the_retry_policy_reach_the_ledger_only_through_the_port(name: str) -> None:
    xero = {m for m in _imported(HANDLERS / f"{name}.py") if "xero" in m.split(".")[-1]}
    assert xero == set(), f"handlers/{name}.py imports {xero}"
