"""The via-Xero mode's settings (ADR 0058): pulled requests always have an owner, who cannot
be removed while they own them (no IO)."""

from __future__ import annotations

import uuid

import pytest
from countersign_approval.domain.organisation import Organisation
from countersign_approval.domain.refusals import SettingsRefused
from countersign_approval.domain.staffing import work_needing

from services.approval.tests.approval_builders import who, work

ANN = who("ann")


def organisation(**changes: object) -> Organisation:
    org = Organisation(uuid.uuid4(), "Paper and Co", "GBP", "Europe/London", "active")
    return org.changed(**changes)  # type: ignore[arg-type]


def refusal(org: Organisation, requester: object) -> tuple[str, str]:
    with pytest.raises(SettingsRefused) as refused:
        org.check_ledger_mode(requester)  # type: ignore[arg-type]
    [error] = refused.value.errors
    return error.field, error.rule


def test_an_organisation_starts_in_the_direct_mode_without_a_requester() -> None:
    org = organisation()

    assert (org.ledger_mode, org.via_xero, org.via_xero_requester) == ("direct", False, None)
    org.check_ledger_mode(None)


def test_the_via_xero_mode_needs_its_requester() -> None:
    assert refusal(organisation(ledger_mode="via_xero"), None) == (
        "via_xero_requester",
        "required",
    )


def test_the_requester_must_be_a_current_user() -> None:
    org = organisation(ledger_mode="via_xero", via_xero_requester=uuid.uuid4())

    assert refusal(org, None) == ("via_xero_requester", "unknown_user")
    org.check_ledger_mode(ANN)


def test_a_requester_may_be_chosen_before_switching_but_must_exist() -> None:
    org = organisation(via_xero_requester=uuid.uuid4())

    assert refusal(org, None) == ("via_xero_requester", "unknown_user")


def test_switching_back_to_direct_keeps_the_requester_for_next_time() -> None:
    requester = uuid.uuid4()
    org = organisation(ledger_mode="via_xero", via_xero_requester=requester)

    back = org.changed(ledger_mode="direct")

    assert (back.via_xero, back.via_xero_requester) == (False, requester)


def test_the_owner_of_pulled_requests_is_not_removed_but_may_change_roles() -> None:
    owning = work(owns_pulled_requests=True)

    assert any("via_xero_requester" in reason for reason in work_needing(ANN, None, owning))
    assert work_needing(ANN, ANN, owning) == []
    assert work_needing(ANN, None, work()) == []
