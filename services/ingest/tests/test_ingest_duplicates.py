"""The rules that mark a cost item as a likely duplicate of another (no IO): what two items
must share, how names, references and amounts are compared, and how a blocked one is refused."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

from countersign_contracts import DuplicateReason, PossibleDuplicate, XeroBillDuplicate
from countersign_harness.publisher_samples import sample_bill
from countersign_ingest.domain.duplicates import (
    DUPLICATE_CANDIDATE_STATUSES,
    duplicate_keys,
    folded,
    keys_of,
    possible_duplicates,
    xero_bill_duplicates,
)
from countersign_ingest.domain.items import ItemStatus
from countersign_ingest.domain.refusals import LikelyDuplicate
from countersign_platform.problems import problem_response, refusal_problem


def test_names_and_references_compare_without_case_spaces_or_punctuation() -> None:
    assert folded("ACME Office-Supplies, Ltd.") == folded("acme office supplies ltd")
    assert folded("INV-0042") == folded(" inv 0042 ") == "inv0042"
    assert folded("\uff2d\u00fcller") == folded("MÜLLER")  # a full-width M folds to M
    assert folded("INV-0042") != folded("INV-0043")


def test_the_same_invoice_typed_differently_has_the_same_keys() -> None:
    first = sample_bill("INV-0042", supplier="Acme Office Supplies Ltd")
    second = sample_bill("inv_0042", supplier="ACME office supplies ltd.").model_copy(
        update={"total": Decimal("126.600")}
    )

    assert duplicate_keys(first, "INV-0042") == duplicate_keys(second, "inv 0042")


def test_amounts_compare_as_decimal_values_with_their_currency() -> None:
    bill = sample_bill()
    same = bill.model_copy(update={"total": Decimal("126.6")})
    other_currency = sample_bill(currency="EUR")
    other_day = sample_bill(issue_date=date(2026, 11, 3))

    key = duplicate_keys(bill, None).amount
    assert key == duplicate_keys(same, None).amount
    assert key != duplicate_keys(other_currency, None).amount
    assert key != duplicate_keys(other_day, None).amount


def test_without_a_reference_from_dext_only_date_and_amount_can_match() -> None:
    # Ingest makes up DEXT-<item id> for a receipt: it names only its own item.
    keys = duplicate_keys(sample_bill("DEXT-r-1"), None)

    assert keys.reference is None
    assert keys.amount is not None


def test_a_supplier_name_of_punctuation_only_matches_nothing() -> None:
    keys = duplicate_keys(sample_bill(supplier="--"), "INV-1")

    assert (keys.reference, keys.amount) == (None, None)


def test_each_other_item_is_listed_once_with_the_first_rule_it_matched() -> None:
    found = possible_duplicates([("b", False, True), ("a", True, True), ("c", False, False)])

    assert found == [
        PossibleDuplicate(dext_item_id="a", reason=DuplicateReason.SAME_INVOICE_NUMBER),
        PossibleDuplicate(dext_item_id="b", reason=DuplicateReason.SAME_DATE_AND_AMOUNT),
    ]


def test_only_items_a_bill_may_still_come_of_are_candidates() -> None:
    assert set(DUPLICATE_CANDIDATE_STATUSES) == {
        ItemStatus.RECEIVED,
        ItemStatus.IN_APPROVAL,
        ItemStatus.AUTHORISED,
        ItemStatus.PUBLISHED,
        ItemStatus.PUBLISH_FAILED,
    }


def test_a_blocked_duplicate_is_a_conflict_naming_the_other_item_and_the_rule() -> None:
    refusal = LikelyDuplicate(
        "inv-2",
        [PossibleDuplicate(dext_item_id="inv-1", reason=DuplicateReason.SAME_INVOICE_NUMBER)],
    )

    response = problem_response(refusal_problem(refusal))
    problem = json.loads(bytes(response.body))

    assert response.status_code == 409
    assert problem["type"] == "urn:countersign:problem:likely-duplicate"
    assert problem["title"] == "Likely duplicate of another item"
    assert "item inv-2 looks like item inv-1" in problem["detail"]
    assert problem["errors"] == [
        {
            "field": "document_reference",
            "rule": "same_invoice_number",
            "message": "item inv-1 has the same supplier and document reference",
        }
    ]
    assert problem["duplicates"] == [{"dext_item_id": "inv-1", "reason": "same_invoice_number"}]


def test_a_bill_in_xero_is_folded_by_the_same_rule_as_a_cost_item() -> None:
    bill = sample_bill("INV-0042", supplier="Acme Office Supplies Ltd")
    in_xero = keys_of("ACME office supplies ltd.", "inv 0042", bill.issue_date, "gbp", bill.total)

    assert in_xero == duplicate_keys(bill, "INV-0042")
    assert keys_of("Acme", "", bill.issue_date, "GBP", bill.total).reference is None


def test_bills_in_xero_are_listed_once_each_with_the_first_rule_that_matched() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    found = xero_bill_duplicates(
        [(first, "B-1", "Acme", True, True), (second, "", "Acme", False, True)]
    )

    assert [(d.xero_invoice_id, d.reason) for d in found] == sorted(
        [
            (first, DuplicateReason.SAME_INVOICE_NUMBER),
            (second, DuplicateReason.SAME_DATE_AND_AMOUNT),
        ]
    )


def test_a_blocked_duplicate_of_a_bill_in_xero_names_the_bill() -> None:
    bill = XeroBillDuplicate(
        xero_invoice_id=uuid.uuid4(),
        invoice_number="B-7",
        contact_name="Acme",
        reason=DuplicateReason.SAME_INVOICE_NUMBER,
    )

    response = problem_response(refusal_problem(LikelyDuplicate("b-2", [], [bill])))
    problem = json.loads(bytes(response.body))

    assert response.status_code == 409
    assert (
        f"item b-2 looks like bill B-7 of Acme in Xero ({bill.xero_invoice_id})"
        in (problem["detail"])
    )
    assert problem["errors"][0]["field"] == "document_reference"
    assert problem["duplicates_in_xero"] == [json.loads(bill.model_dump_json())]
