"""A Xero and a QuickBooks Online organisation as the publisher's exactly-once tests see them
(tests/integration/test_publisher_crashes.py): connected to its sandbox process, a paid bill and
a bank-account receipt coded for it, the ledger's memory of repeated requests made to expire
(Xero's Idempotency-Key, QBO's ``requestid``), the answers to drop after the ledger committed,
and what exactly once means in its books."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from countersign_contracts import BankTransactionSubmitted, Bill
from countersign_harness.publisher import RunningPublisher
from countersign_harness.publisher_samples import bank_item, sample_bill
from countersign_harness.qbo_process import QboSandbox
from countersign_harness.sandbox_process import SandboxProcess
from countersign_harness.xero_process import XeroSandbox

__all__ = ["LedgerBooks", "QboBooks", "XeroBooks"]

S = TypeVar("S", bound=SandboxProcess)
XERO_IDEMPOTENCY_MEMORY_S = 360
SUPPLIER = "Acme Office Supplies Ltd"  # the samples' supplier
DECISIONS = 3  # the sample's review, approval and force approval: one note each


@dataclass(frozen=True)
class Drop:
    """An answer lost after the ledger committed: ``count`` calls of ``method`` on ``path``."""

    method: str
    path: str
    count: int = 1


def _drops(*specs: str) -> tuple[Drop, ...]:
    """``"PUT ^/Invoices$"``, or with how many calls: ``"PUT /Attachments/ 2"``."""
    return tuple(Drop(m, p, int(n[0]) if n else 1) for m, p, *n in (s.split() for s in specs))


class LedgerBooks(Protocol):
    async def connect(self, publisher: RunningPublisher) -> tuple[UUID, str]:
        """A new organisation connected to a new tenant or company: both ids."""
        ...

    def bill(self, tenant: str, reference: str) -> Bill: ...

    def receipt(self, tenant: str, reference: str) -> BankTransactionSubmitted: ...

    def forget(self, tenant: str) -> None:
        """The ledger forgets every repeated-request key it remembers."""
        ...

    def drop_answers(self, tenant: str, receipt: bool) -> int:
        """Every write a bill (or receipt) makes loses its answer once after the ledger
        committed; how many answers that is."""
        ...

    def faults_injected(self) -> int: ...

    def assert_bill_once(self, tenant: str) -> None: ...

    def assert_receipt_once(self, tenant: str) -> None: ...


class _SandboxBooks(Generic[S]):
    """What both sandboxes answer alike: the faults (``tenant_id``: the tenant or realm)."""

    BILL_DROPS: tuple[Drop, ...]
    RECEIPT_DROPS: tuple[Drop, ...]

    def __init__(self, sandbox: S) -> None:
        self.sandbox = sandbox

    def drop_answers(self, tenant: str, receipt: bool) -> int:
        drops = self.RECEIPT_DROPS if receipt else self.BILL_DROPS
        for drop in drops:
            self.sandbox.fault(
                fault="drop_after_commit",
                method=drop.method,
                path=drop.path,
                tenant_id=tenant,
                count=drop.count,
            )
        return sum(drop.count for drop in drops)

    def faults_injected(self) -> int:
        return int(self.sandbox.stats()["faults_injected"])


class XeroBooks(_SandboxBooks[XeroSandbox]):
    BILL_DROPS = _drops(
        "PUT ^/Contacts$",
        "PUT ^/Invoices$",
        "PUT /History$",
        "PUT /Attachments/ 2",
        "PUT ^/Payments$",
    )
    RECEIPT_DROPS = _drops("PUT ^/Contacts$", "PUT ^/BankTransactions$", "PUT /Attachments/")

    async def connect(self, publisher: RunningPublisher) -> tuple[UUID, str]:
        tenant_id = str(self.sandbox.create_tenant()["tenant_id"])
        org = uuid.uuid4()
        await publisher.connect(org, self.sandbox, tenant_id)
        return org, tenant_id

    def bill(self, tenant: str, reference: str) -> Bill:
        return sample_bill(reference, paid_from="090")

    def receipt(self, tenant: str, reference: str) -> BankTransactionSubmitted:
        return bank_item(reference, "090")

    def forget(self, tenant: str) -> None:
        self.sandbox.advance_clock(XERO_IDEMPOTENCY_MEMORY_S + 60)

    def assert_bill_once(self, tenant: str) -> None:
        state = self.sandbox.state(tenant)
        (invoice,) = state["invoices"]
        assert invoice["Status"] == "PAID"
        assert len(invoice["Attachments"]) == 2, invoice["Attachments"]
        assert len(state["payments"]) == 1, state["payments"]
        assert len(state["contacts"]) == 1
        history = state["history"][invoice["InvoiceID"]]
        notes = [r["Details"] for r in history if r["Changes"] == "Note"]
        assert len(notes) == len(set(notes)) == DECISIONS, notes

    def assert_receipt_once(self, tenant: str) -> None:
        state = self.sandbox.state(tenant)
        (spend,) = state["bank_transactions"]
        assert len(spend["Attachments"]) == 1, spend["Attachments"]
        assert len(state["contacts"]) == 1
        assert state["invoices"] == []


def _named(entities: dict[str, Any], kind: str, name: str) -> str:
    """The Id of the company's record of that name (how Dext codes a QBO line: by Id)."""
    [found] = [r for r in entities.get(kind, {}).values() if r.get("Name") == name]
    return str(found["Id"])


class QboBooks(_SandboxBooks[QboSandbox]):
    # POST …/bill is the sparse update that adds the notes (bills are created in a batch).
    BILL_DROPS = _drops(
        "POST /vendor$", "POST /batch$", "POST /bill$", "POST /upload$ 2", "POST /billpayment$"
    )
    RECEIPT_DROPS = _drops("POST /vendor$", "POST /purchase$", "POST /upload$")

    async def connect(self, publisher: RunningPublisher) -> tuple[UUID, str]:
        realm_id = str(
            self.sandbox.create_company(name="Harbour Lights Ltd", country="GB")["realm_id"]
        )
        org = uuid.uuid4()
        await publisher.connect_qbo(org, self.sandbox, realm_id)
        return org, realm_id

    def _coded(self, realm: str) -> tuple[Callable[[Any], Any], str]:
        """Recodes a line to Office Expenses at 20% VAT; the Checking account's Id."""
        entities = self.sandbox.state(realm)["entities"]
        codes = {
            "account_code": _named(entities, "Account", "Office Expenses"),
            "tax_type": _named(entities, "TaxCode", "20.0% S"),
        }
        return (lambda line: line.model_copy(update=codes)), _named(entities, "Account", "Checking")

    def bill(self, tenant: str, reference: str) -> Bill:
        recode, checking = self._coded(tenant)
        bill = sample_bill(reference, paid_from=checking)
        return bill.model_copy(update={"lines": [recode(line) for line in bill.lines]})

    def receipt(self, tenant: str, reference: str) -> BankTransactionSubmitted:
        recode, checking = self._coded(tenant)
        item = bank_item(reference, checking)
        return item.model_copy(update={"lines": [recode(line) for line in item.lines]})

    def forget(self, tenant: str) -> None:
        self.sandbox.forget_request_ids(tenant)

    def _made(self, realm: str) -> dict[str, list[dict[str, Any]]]:
        entities = self.sandbox.state(realm)["entities"]
        return {
            kind: list(entities.get(kind, {}).values())
            for kind in ("Bill", "BillPayment", "Purchase", "Attachable", "Vendor")
        }

    @staticmethod
    def _attached(made: dict[str, list[dict[str, Any]]], kind: str, record_id: str) -> list[Any]:
        link = {"type": kind, "value": record_id}
        return [
            a
            for a in made["Attachable"]
            if any(r["EntityRef"] == link for r in a.get("AttachableRef", []))
        ]

    def assert_bill_once(self, tenant: str) -> None:
        made = self._made(tenant)
        (bill,) = made["Bill"]
        assert bill["Balance"] == 0 and bill["TotalAmt"] > 0
        assert len(self._attached(made, "Bill", bill["Id"])) == 2, made["Attachable"]
        assert len(made["BillPayment"]) == 1, made["BillPayment"]
        assert [v["DisplayName"] for v in made["Vendor"]].count(SUPPLIER) == 1
        notes = bill["PrivateNote"].split("\n")[1:]  # below the publication's marker
        assert len(notes) == len(set(notes)) == DECISIONS, notes

    def assert_receipt_once(self, tenant: str) -> None:
        made = self._made(tenant)
        (purchase,) = made["Purchase"]
        assert len(self._attached(made, "Purchase", purchase["Id"])) == 1, made["Attachable"]
        assert [v["DisplayName"] for v in made["Vendor"]].count(SUPPLIER) == 1
        assert made["Bill"] == []
