"""Dext's drop-downs show what Xero accepts: once an organisation connects, the publisher reads
its master data from Xero and Dext pulls it from ingest, signed, across the three processes; and
approval checks waiting bills against it whenever it changes."""

from __future__ import annotations

import pytest
from countersign_dext_sandbox.samples import line
from countersign_harness.organisation import Organisation
from countersign_harness.waiting import eventually

from tests.e2e.journeys import ANN, archive_in_xero, invoice
from tests.e2e.test_journey_approval_paths import publish

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)


async def test_after_connecting_dext_sees_the_tenants_accounts_bank_accounts_and_tax_rates(
    org: Organisation,
) -> None:
    async with org.dext() as dext:
        accounts = await eventually(
            lambda: dext.pull("accounts"), lambda found: len(found) == 15, timeout_s=60
        )
        bank = await dext.pull("accounts", bank_accounts_only="true")
        rates = await dext.pull("tax-rates")
        tracking = await dext.pull("tracking-categories")
        settings = await dext.ledger_settings()

    by_code = {a["code"]: a for a in accounts}
    assert by_code["429"]["status"] == "ACTIVE" and by_code["999"]["status"] == "ARCHIVED"
    assert {"090", "091"} <= {a["code"] for a in bank if a["type"] == "BANK"}
    assert {a["code"]: a["bank_account_number"] for a in bank}["091"] == "87654321"
    active_rates = {r["tax_type"] for r in rates if r["status"] == "ACTIVE"}
    assert {"INPUT2", "RRINPUT", "ZERORATEDINPUT", "EXEMPTINPUT", "NONE"} <= active_rates
    applies = {r["tax_type"]: set(r["can_apply_to"]) for r in rates}
    assert "EXPENSE" in applies["INPUT2"] and "REVENUE" not in applies["INPUT2"]
    assert "REVENUE" in applies["OUTPUT2"] and "EXPENSE" not in applies["OUTPUT2"]
    assert {c["name"] for c in tracking} == {"Region", "Department"}
    assert settings["base_currency"] == "GBP"


async def test_an_account_archived_in_xero_while_a_bill_waits_is_flagged_recoded_and_published(
    org: Organisation,
) -> None:
    """Coding checked before approval, not after: the account is archived in Xero while the
    bill waits; the admin's "reload now" brings the news, the request says its coding is no
    longer valid and why, the last approval is refused until the admin recodes it from what
    Xero takes, and then one bill reaches Xero with the new coding."""
    metadata = invoice("arch-1", line("Printer paper, A4", "5", "21.10", account_code="461"))
    assert (await publish(org, metadata)).status_code == 202
    request_id = str((await org.request_of("arch-1", states=("in_approval",)))["request_id"])
    await archive_in_xero(org, "461")
    reloaded = await org.reload_master_data()
    flagged = await eventually(
        lambda: org.request(request_id), lambda r: not r["coding_valid"], timeout_s=60
    )
    refused = await org.act(ANN, request_id, "approve", {"comment": "Looks right"})
    options = await org.coding_options()
    wrong = await org.recode(request_id, 0, {"account_code": "999"})  # archived in Xero too
    recoded = await org.recode(request_id, 0, {"account_code": "453"})
    assert recoded.status_code == 200, recoded.text
    await org.approve(ANN, request_id)
    status = await org.wait_status("arch-1", ("published",))

    assert reloaded["emitted"] is True
    assert [(i["field"], i["rule"]) for i in flagged["coding_issues"]] == [
        ("lines[0].account_code", "account_archived")
    ]
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("coding-not-valid")
    offered = {a["code"] for a in options["accounts"]}
    assert "453" in offered and not {"461", "999", "090"} & offered
    assert wrong.status_code == 422, wrong.text
    assert [(e["field"], e["rule"]) for e in wrong.json()["errors"]] == [
        ("lines[0].account_code", "account_archived")
    ]
    assert recoded.json()["coding_valid"] is True and recoded.json()["coding_issues"] == []
    assert status["status"] == "published", status
    [bill] = org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-arch-1")
    assert [item["AccountCode"] for item in bill["LineItems"]] == ["453"]
    actions = [e["action"] for e in (await org.request(request_id))["audit_trail"]]
    flagged_at = actions.index("coding_flagged")
    assert actions[flagged_at : flagged_at + 4] == [
        "coding_flagged",
        "edited",
        "coding_cleared",
        "approved",
    ]
