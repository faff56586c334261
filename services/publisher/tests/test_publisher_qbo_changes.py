"""Changes after approval in QuickBooks Online: a Bill as QBO answers it, read into the
comparison's ``BillState`` in Dext's codes, against the approved bill as ``qbo_bill`` sent it.
Each watched field (vendor, total, currency, a line's account / tax code / class / amount, the
department, deletion) is a change; Countersign's own writes (notes, attachments, payment) are
not. And Intuit's webhook signature is checked as Intuit computes it."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import uuid
from typing import Any

from countersign_contracts import TrackingSelection
from countersign_harness.publisher_samples import sample_bill
from countersign_publisher.adapters.qbo_changes import (
    QboChanges,
    qbo_approved,
    qbo_state,
    seen_bill,
)
from countersign_publisher.adapters.qbo_mapping import QboCompany
from countersign_publisher.domain.bill_changes import (
    BillState,
    Difference,
    differences,
    newly_different,
)
from countersign_publisher.domain.xero_changes import signature_valid

ACCOUNT = {"Id": "7", "AcctNum": "429", "Name": "Office Expenses"}
OTHER = {"Id": "8", "Name": "Travel"}  # no AcctNum: coded by its Id
COMPANY = QboCompany(
    organisation_id=uuid.uuid4(),
    us=False,
    multicurrency=False,
    accounts={"429": ACCOUNT, "8": OTHER},
    classes={"north": {"Id": "3", "Name": "North"}, "south": {"Id": "4", "Name": "South"}},
    departments={"harbour": {"Id": "5", "Name": "Harbour"}, "dock": {"Id": "6", "Name": "Dock"}},
)


def _bill() -> Any:
    bill = sample_bill("QC-1", account_code="429", tax_type="2")
    line = bill.lines[0].model_copy(
        update={
            "tracking": [
                TrackingSelection(category="Class", option="North"),
                TrackingSelection(category="Department", option="Harbour"),
            ]
        }
    )
    return bill.model_copy(update={"lines": [line]})


APPROVED = qbo_approved(_bill(), "61")


def in_qbo(**changes: Any) -> dict[str, Any]:
    """The bill as QBO answers once created (amounts as QBO writes them)."""
    bill: dict[str, Any] = {
        "Id": "146",
        "SyncToken": "0",
        "VendorRef": {"value": "61", "name": "Acme Office Supplies Ltd"},
        "TotalAmt": 126.6,
        "Balance": 126.6,
        "CurrencyRef": {"value": "GBP", "name": "British Pound Sterling"},
        "DepartmentRef": {"value": "5", "name": "Harbour"},
        "PrivateNote": "countersign-publication=x",
        "MetaData": {"LastUpdatedTime": "2026-11-02T10:00:00-08:00"},
        "Line": [
            {
                "Id": "1",
                "Amount": 105.5,
                "Description": "Printer paper, A4, 5 boxes",
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {
                    "AccountRef": {"value": "7", "name": "Office Expenses"},
                    "TaxCodeRef": {"value": "2"},
                    "ClassRef": {"value": "3", "name": "North"},
                    "BillableStatus": "NotBillable",
                },
            }
        ],
    }
    bill.update(changes)
    return bill


def line_detail(**fields: Any) -> dict[str, Any]:
    bill = in_qbo()
    line = copy.deepcopy(bill["Line"][0])
    line["AccountBasedExpenseLineDetail"].update(fields)
    return in_qbo(Line=[line])


def test_the_bill_as_created_differs_in_nothing() -> None:
    assert differences(APPROVED, qbo_state(in_qbo(), COMPANY)) == []


def test_each_watched_field_is_a_difference_in_dexts_terms() -> None:
    def now(raw: dict[str, Any]) -> list[Difference]:
        return differences(APPROVED, qbo_state(raw, COMPANY))

    vendor = {"value": "62", "name": "Acme (new bank)"}
    assert now(in_qbo(VendorRef=vendor)) == [
        Difference("contact", "Acme Office Supplies Ltd", "Acme (new bank)")
    ]
    assert now(in_qbo(TotalAmt=1326.6)) == [Difference("total", "126.60", "1326.60")]
    assert now(in_qbo(CurrencyRef={"value": "EUR"})) == [Difference("currency", "GBP", "EUR")]
    assert now(in_qbo(DepartmentRef={"value": "6"})) == [
        Difference("department", "Harbour", "Dock")
    ]
    assert now(line_detail(AccountRef={"value": "8"})) == [
        Difference("lines[0].account_code", "429", "8")
    ]
    assert now(line_detail(TaxCodeRef={"value": "3"})) == [
        Difference("lines[0].tax_type", "2", "3")
    ]
    assert now(line_detail(ClassRef={"value": "4"})) == [
        Difference("lines[0].tracking", "Class: North", "Class: South")
    ]


def test_countersigns_own_writes_are_no_change() -> None:
    paid_noted = in_qbo(
        Balance=0,
        SyncToken="3",
        PrivateNote="countersign-publication=x\nApproved by Ann",
        MetaData={"LastUpdatedTime": "2026-11-02T11:00:00-08:00"},
    )
    state = qbo_state(paid_noted, COMPANY)
    assert state.status == "PAID"
    assert differences(APPROVED, state) == []


def test_a_gross_line_is_compared_by_its_tax_inclusive_amount() -> None:
    inclusive = line_detail(TaxInclusiveAmt=105.5)
    inclusive["Line"][0]["Amount"] = 87.92  # QBO's net split of the gross
    assert differences(APPROVED, qbo_state(inclusive, COMPANY)) == []


def test_a_deleted_bill_is_reported_as_what_it_was_deleted() -> None:
    kept = seen_bill(in_qbo(TotalAmt=1326.6), COMPANY)
    deleted_raw = {"Id": "146", "status": "Deleted",
                   "MetaData": {"LastUpdatedTime": "2026-11-03T00:00:00Z"}}  # fmt: skip
    gone = seen_bill(deleted_raw, COMPANY)
    assert kept is not None and gone is not None
    deleted = BillState.from_json(gone["state"])
    assert deleted == BillState(status="DELETED")
    assert differences(APPROVED, deleted) == [Difference("status", "AUTHORISED", "DELETED")]
    edited = BillState.from_json(kept["state"])
    assert newly_different(APPROVED, None, edited) == [Difference("total", "126.60", "1326.60")]


def test_intuit_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"eventNotifications":[]}'
    good = base64.b64encode(hmac.new(b"verifier", body, hashlib.sha256).digest()).decode()
    assert signature_valid(body, "verifier", good)
    assert not signature_valid(body + b" ", "verifier", good)
    assert not signature_valid(body, "other-verifier", good)
    assert not signature_valid(body, "verifier", None)


class CompanyReads:
    """QBO's answers for a company whose chart gains an account after it was first read; the
    reads of its Account list counted."""

    def __init__(self) -> None:
        self.accounts = [ACCOUNT]
        self.account_reads = 0
        self.coded_to = "7"

    async def read(self, organisation_id: Any, entity: str, entity_id: str = "") -> Any:
        return line_detail(AccountRef={"value": self.coded_to}) if entity == "bill" else {}

    async def query(self, organisation_id: Any, text: str) -> list[Any]:
        return [{"Country": "GB"}]

    async def query_all(self, organisation_id: Any, text: str) -> list[Any]:
        if text.endswith("Account"):
            self.account_reads += 1
            return list(self.accounts)
        return []


async def test_an_account_made_after_the_company_was_read_reads_the_company_again() -> None:
    qbo = CompanyReads()
    changes = QboChanges(qbo, company_ttl_s=300)  # type: ignore[arg-type]
    org = uuid.uuid4()
    before = await changes.bill(org, "146")
    qbo.accounts.append({"Id": "9", "AcctNum": "6100", "Name": "Postage"})
    qbo.coded_to = "9"  # someone codes the bill to the new account in QBO
    seen = await changes.bill(org, "146")
    again = await changes.bill(org, "146")

    assert before is not None and seen is not None and again is not None
    assert BillState.from_json(before["state"]).lines[0].account_code == "429"
    assert BillState.from_json(seen["state"]).lines[0].account_code == "6100"
    assert qbo.account_reads == 2  # read again once; the company it read is kept after
