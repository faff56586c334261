"""``QboLedger`` against the QBO sandbox over real HTTP, through every operation of the ledger
port: vendors, a batch of bills (one refused), the lookups before resending, attachments, the
payment, an expense, notes (a stale SyncToken retried), master data, a 429 and a replayed
``requestid``. The sandbox runs in-process with Intuit's limits on, a sandbox minute a second;
no Kafka or Postgres is needed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from countersign_contracts import TrackingSelection
from countersign_harness.publisher_samples import bank_item, sample_bill
from countersign_platform.outbound import HttpResponse, OutboundHttp
from countersign_publisher.adapters.qbo_client import QboClient, qbo_limits
from countersign_publisher.adapters.qbo_ledger import QboLedger
from countersign_publisher.adapters.xero_client import Credentials
from countersign_publisher.adapters.xero_limits import CallScheduler
from countersign_publisher.ledger.errors import (
    LedgerRateLimited,
    LedgerRefused,
    LedgerUnsupported,
)
from countersign_publisher.ledger.values import LedgerBill, LedgerRecord, NewBill, RecordKind
from countersign_qbo_sandbox.harness import serve
from countersign_qbo_sandbox.settings import SandboxSettings

ORG = uuid.uuid4()


@pytest.fixture(scope="module", name="sandbox")
def sandbox_fixture() -> Iterator[str]:
    with serve(SandboxSettings(time_scale=60)) as url:
        yield url


class SandboxTokens:
    """Tokens minted by the sandbox for one realm; the first is stale (a 401 makes the client
    refresh once)."""

    def __init__(self, control: httpx.Client, realm_id: str) -> None:
        self.control, self.realm_id, self.refreshes = control, realm_id, 0
        self.token = "expired-token"

    async def credentials(self, organisation_id: UUID, *, refresh: bool = False) -> Credentials:
        if refresh:
            self.refreshes += 1
            minted = self.control.post("/_sandbox/tokens", json={"realm_id": self.realm_id})
            self.token = minted.json()["access_token"]
        return Credentials(self.token, self.realm_id)


class RacingHttp(OutboundHttp):
    """Before the first sparse bill update leaves, another user changes the bill (its
    SyncToken moves on), as a payment made in QBO meanwhile would."""

    race: Any = None  # a function to run first, once

    async def request(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        if self.race is not None and method == "POST" and url.endswith("/bill"):
            race, self.race = self.race, None
            race()
        return await super().request(method, url, **kwargs)


@dataclass
class Company:
    control: httpx.Client
    realm_id: str
    ledger: QboLedger
    tokens: SandboxTokens
    http: RacingHttp

    def query(self, text: str) -> list[dict[str, Any]]:
        token = self.control.post("/_sandbox/tokens", json={"realm_id": self.realm_id})
        answer = self.control.get(
            f"/v3/company/{self.realm_id}/query",
            params={"query": text, "minorversion": 75},
            headers={
                "Authorization": f"Bearer {token.json()['access_token']}",
                "Accept": "application/json",
            },
        )
        found = answer.json()["QueryResponse"]
        return next((v for k, v in found.items() if isinstance(v, list)), [])

    def id_of(self, entity: str, name: str) -> str:
        return str(self.query(f"select * from {entity} where Name = '{name}'")[0]["Id"])


@pytest.fixture(name="control")
def control_fixture(sandbox: str) -> Iterator[tuple[httpx.Client, str]]:
    """The sandbox's control API and a new GB company's realm."""
    with httpx.Client(base_url=sandbox, timeout=10) as control:
        realm = control.post("/_sandbox/companies", json={"country": "GB"}).json()["realm_id"]
        yield control, realm


@pytest.fixture(name="company")
async def company_fixture(
    sandbox: str, control: tuple[httpx.Client, str]
) -> AsyncIterator[Company]:
    client, realm = control
    tokens = SandboxTokens(client, realm)
    http = RacingHttp(timeout_s=10)
    scheduler = CallScheduler(qbo_limits(minute_s=1.0))  # time_scale 60
    ledger = QboLedger(QboClient(http, sandbox, tokens, scheduler))
    yield Company(client, realm, ledger, tokens, http)
    await http.aclose()


def _bill(company: Company, reference: str, **changes: Any) -> Any:
    bill = sample_bill(
        reference,
        account_code=company.id_of("Account", "Office Expenses"),
        tax_type=company.id_of("TaxCode", "20.0% S"),
        paid_from=company.id_of("Account", "Checking"),
    )
    tracking = [
        TrackingSelection(category="Class", option="Operations"),
        TrackingSelection(category="Department", option="North"),
    ]
    lines = [line.model_copy(update={"tracking": tracking}) for line in bill.lines]
    return bill.model_copy(update={"lines": lines, **changes})


async def test_vendors_are_created_named_and_changed(company: Company) -> None:
    ledger = company.ledger
    created = await ledger.create_contact(ORG, ledger.contact_name("Acme: Office\tLtd "), "k-v1")
    assert company.tokens.refreshes == 1  # the stale token was refreshed once
    assert created.name == "Acme  Office Ltd" and created.is_supplier
    named = await ledger.contacts_named(ORG, "acme  office ltd")
    assert [c.contact_id for c in named] == [created.contact_id]
    since = datetime.now(UTC) - timedelta(days=1)
    changed = await ledger.contacts_changed(ORG, 1, since)
    assert [c.contact_id for c in changed.contacts] == [created.contact_id]
    assert not changed.more
    everyone = await ledger.contacts_changed(ORG, 1, None)
    assert created.contact_id in [c.contact_id for c in everyone.contacts]
    supplier = ledger.supplier(ORG, created.details)
    assert supplier.ledger_contact_id == created.contact_id and supplier.ledger == "qbo"
    with pytest.raises(LedgerRefused) as taken:
        await ledger.create_contact(ORG, "ACME  OFFICE LTD", "k-v2")
    assert "Duplicate Name Exists" in str(taken.value)


async def test_a_bill_journey_from_batch_to_payment(company: Company) -> None:
    ledger = company.ledger
    vendor = await ledger.create_contact(ORG, "Journey Supplies", "k-j1")
    good = NewBill(_bill(company, "INV-1"), vendor.contact_id, "https://dext.example/1#m=1")
    refused = NewBill(
        _bill(company, "INV-2"),
        "999999",  # no such vendor: QBO refuses this item only
        "https://dext.example/2#m=2",
    )
    outcomes = await ledger.create_bills(ORG, [good, refused], "k-batch")
    bill = outcomes[0]
    assert isinstance(bill, LedgerBill) and bill.status == "AUTHORISED"
    assert bill.number == "INV-1" and bill.total == bill.record["Balance"]
    assert bill.record["DepartmentRef"]["value"] == company.id_of("Department", "North")
    line = bill.record["Line"][0]["AccountBasedExpenseLineDetail"]
    assert line["ClassRef"]["value"] == company.id_of("Class", "Operations")
    assert "Invalid Reference Id" in outcomes[1].messages[0]  # type: ignore[union-attr]

    lookalike = NewBill(good.bill, vendor.contact_id, "https://dext.example/1#m=other")
    [other] = await ledger.create_bills(ORG, [lookalike], "k-batch-2")
    assert isinstance(other, LedgerBill) and other.number == bill.number
    # the lookup tells ours from a lookalike (same number, same vendor) by the marker
    assert await ledger.find_bill(ORG, "INV-1", vendor.contact_id, good.marker) == bill

    record = LedgerRecord(RecordKind.BILL, bill.bill_id)
    await ledger.attach(ORG, record, "INV-1.pdf", b"%PDF original", "application/pdf", "k-a1")
    await ledger.attach(ORG, record, "audit.pdf", b"%PDF audit", "application/pdf", "k-a2")
    files = await ledger.attachments(ORG, record)
    assert sorted((f.file_name, f.size_bytes) for f in files) == [
        ("INV-1.pdf", 13),
        ("audit.pdf", 10),
    ]

    assert await ledger.find_payment(ORG, bill.bill_id) is None
    payment = await ledger.record_payment(ORG, good.bill, bill.bill_id, "k-pay")
    assert payment.amount == bill.total and payment.bill_status == "PAID"
    assert (await ledger.bill(ORG, bill.bill_id)).status == "PAID"
    found = await ledger.find_payment(ORG, bill.bill_id)
    assert found is not None and found.payment_id == payment.payment_id


async def test_a_replayed_requestid_returns_the_same_bill(company: Company) -> None:
    ledger = company.ledger
    vendor = await ledger.create_contact(ORG, "Replay Ltd", "k-r1")
    new = NewBill(_bill(company, "INV-R"), vendor.contact_id, "https://dext.example/r#m")
    first = await ledger.create_bills(ORG, [new], "cs-bills-" + "a" * 48)
    second = await ledger.create_bills(ORG, [new], "cs-bills-" + "a" * 48)
    assert first == second
    assert len(company.query("select * from Bill where DocNumber = 'INV-R'")) == 1


async def test_notes_are_appended_after_a_stale_synctoken(company: Company) -> None:
    ledger = company.ledger
    vendor = await ledger.create_contact(ORG, "Notes Ltd", "k-n1")
    new = NewBill(_bill(company, "INV-N"), vendor.contact_id, "https://dext.example/n#m")
    [bill] = await ledger.create_bills(ORG, [new], "k-n-bill")
    assert isinstance(bill, LedgerBill)

    def someone_else_edits() -> None:
        token = company.control.post("/_sandbox/tokens", json={"realm_id": company.realm_id})
        edit = {"Id": bill.bill_id, "SyncToken": "0", "sparse": True, "DueDate": "2026-12-31"}
        answer = company.control.post(
            f"/v3/company/{company.realm_id}/bill",
            params={"minorversion": 75},
            json=edit,
            headers={
                "Authorization": f"Bearer {token.json()['access_token']}",
                "Accept": "application/json",
            },
        )
        assert answer.status_code == 200, answer.text

    company.http.race = someone_else_edits
    await ledger.add_notes(ORG, bill.bill_id, ["Approved by Priya", "Second note"], "k-notes")
    assert await ledger.notes(ORG, bill.bill_id) == ["Approved by Priya", "Second note"]
    read = await ledger.bill(ORG, bill.bill_id)
    assert read.marker == new.marker and read.record["SyncToken"] == "2"
    assert read.record["DueDate"] == "2026-12-31"  # the other user's change stands
    with pytest.raises(LedgerUnsupported):
        await ledger.return_to_draft(ORG, bill.bill_id, "k-draft")


async def test_an_expense_is_created_and_found_by_its_marker(company: Company) -> None:
    ledger = company.ledger
    vendor = await ledger.create_contact(ORG, "Cafe Ltd", "k-e1")
    item = bank_item("RCPT-1", bank_code=company.id_of("Account", "Visa"))
    lines = [
        line.model_copy(
            update={
                "account_code": company.id_of("Account", "Travel"),
                "tax_type": company.id_of("TaxCode", "20.0% S"),
                "tracking": [],
            }
        )
        for line in item.lines
    ]
    item = item.model_copy(update={"lines": lines})
    assert await ledger.find_expense(ORG, "https://dext.example/e#m") is None
    expense = await ledger.create_expense(
        ORG, item, vendor.contact_id, "https://dext.example/e#m", "k-e"
    )
    assert expense.total == item.total
    found = await ledger.find_expense(ORG, "https://dext.example/e#m")
    assert found == expense
    [purchase] = company.query(f"select * from Purchase where Id = '{expense.expense_id}'")
    assert purchase["PaymentType"] == "CreditCard"
    files = await ledger.attachments(ORG, LedgerRecord(RecordKind.EXPENSE, expense.expense_id))
    assert files == []


async def test_master_data_names_accounts_taxes_classes_and_departments(company: Company) -> None:
    read = await company.ledger.master_data(ORG, company.realm_id, datetime.now(UTC), None)
    snapshot = read.snapshot
    assert read.accounts_read and snapshot.ledger == "qbo" and snapshot.base_currency == "GBP"
    by_code = {a.code: a for a in snapshot.accounts}
    checking = by_code[company.id_of("Account", "Checking")]
    assert (checking.type, checking.bank_account_type) == ("BANK", "BANK")
    visa = by_code[company.id_of("Account", "Visa")]
    assert visa.enable_payments_to_account and visa.bank_account_type == "CREDITCARD"
    assert by_code[company.id_of("Account", "Old Expenses")].status == "ARCHIVED"
    rates = {r.tax_type: r for r in snapshot.tax_rates}
    assert str(rates[company.id_of("TaxCode", "20.0% S")].effective_rate) == "20.0000"
    tracking = {c.name: sorted(o.name for o in c.options) for c in snapshot.tracking_categories}
    assert tracking == {"Class": ["Operations", "Sales"], "Department": ["Head Office", "North"]}
    later = await company.ledger.master_data(
        ORG, company.realm_id, datetime.now(UTC), read.accounts_changed_at
    )
    assert not later.accounts_read and later.snapshot.accounts == []


async def test_a_429_is_rate_limited_for_a_minute(company: Company) -> None:
    assert company.control.put("/_sandbox/limits", json={"minute": 1}).status_code == 200
    try:
        await company.ledger.contacts_named(ORG, "anyone")  # the token refresh's call
        with pytest.raises(LedgerRateLimited) as limited:
            await company.ledger.contacts_named(ORG, "anyone")
    finally:
        company.control.put("/_sandbox/limits", json={"minute": 500})
    assert limited.value.retry_after_s == 1.0  # Intuit's 60 s, on a sandbox minute a second
