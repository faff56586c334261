"""A bill Xero refused (its account archived in Xero while it waited for approval), fixed
after approval without a new approval: an administrator recodes its line and retries (one bill
in Xero, the edit in its audit report), or gives it up (no bill, Dext's status says so, and
Dext may publish the item anew)."""

from __future__ import annotations

import httpx
import pytest
from countersign_dext_sandbox.samples import line
from countersign_harness.organisation import Organisation

from tests.e2e.journeys import ANN, archive_in_xero, invoice
from tests.e2e.test_journey_approval_paths import publish, report_text, settled

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its tests change nothing other modules see (conftest.py)


async def _refused(org: Organisation, item: str) -> dict[str, object]:
    """Coded to account 461, active when Dext published it (intake checks it against the
    ledger); archived in Xero while the bill waits for approval: Xero refuses the bill."""
    metadata = invoice(item, line("Printer paper, A4", "5", "21.10", account_code="461"))
    assert (await publish(org, metadata)).status_code == 202
    request = await org.request_of(item, states=("in_approval",))
    await archive_in_xero(org, "461")
    await org.approve(ANN, request["request_id"])
    failed = await org.request_of(item, states=("publish_failed",))
    status = await org.wait_status(item, ("publish_failed",))
    assert "Account code '461'" in str(status["detail"]["messages"]), status
    return failed


async def test_a_line_recoded_after_approval_is_published_with_the_edit_in_its_audit_report(
    org: Organisation,
) -> None:
    failed = await _refused(org, "fix-1")
    request_id = str(failed["request_id"])
    recoded = await org.recode_publication(
        request_id, 0, {"account_code": "453", "comment": "461 is archived: office expenses"}
    )
    assert recoded.status_code == 200, recoded.text
    retried = await org.act(None, request_id, "retry-publication", {"comment": "recoded"})
    assert retried.status_code == 200, retried.text
    # Failed until the publisher takes the retry: only completed (and published) ends it.
    await org.wait_publication("fix-1", states=("completed",))
    status = await org.wait_status("fix-1", ("published",))

    assert status["status"] == "published", status
    [bill] = org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-fix-1")
    assert [item["AccountCode"] for item in bill["LineItems"]] == ["453"]
    assert bill["Total"] == 126.6  # amounts as approved
    report = report_text(org, bill, "fix-1")
    assert "Edits after approval" in report
    assert "461 is archived: office expenses" in report
    trail = (await org.request(request_id))["audit_trail"]
    assert [e["action"] for e in trail][-1] == "edited_after_approval"


async def test_a_publication_given_up_leaves_no_bill_and_dext_may_publish_the_item_again(
    org: Organisation,
) -> None:
    failed = await _refused(org, "fix-2")
    request_id = str(failed["request_id"])
    given_up = await org.act(
        None, request_id, "cancel-publication", {"reason": "Entered by hand in Xero"}
    )
    assert given_up.status_code == 202, given_up.text
    ended = await org.request_of("fix-2", states=("publication_cancelled",))
    status = await org.wait_status("fix-2", ("publication_cancelled",))
    again = await org.act(None, request_id, "retry-publication", {})

    assert ended["state"] == "publication_cancelled"
    assert status["detail"]["reason"] == "Entered by hand in Xero"
    assert org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-fix-2") == []
    assert [p["state"] for p in await org.publications("fix-2")] == ["cancelled"]
    assert again.status_code == 409  # nothing left to retry
    # The amended bill comes back through Dext and a new approval.
    amended = invoice("fix-2", line("Printer paper, A4", "5", "21.10", account_code="453"))
    republished = await publish(org, amended)
    assert republished.status_code == 202, republished.text
    restarted = await org.request_of("fix-2", version=2, states=("in_approval",))
    await org.approve(ANN, restarted["request_id"])
    assert (await settled(org, "fix-2"))["status"] == "published"
    assert len(org.xero_invoices(lambda i: i["InvoiceNumber"] == "INV-fix-2")) == 1


async def test_only_an_administrator_recodes_or_gives_up_a_failed_publication(
    org: Organisation,
) -> None:
    failed = await _refused(org, "fix-3")
    request_id = str(failed["request_id"])
    async with httpx.AsyncClient(timeout=10) as http:
        recode = await http.patch(
            org._approval(f"/requests/{request_id}/publication/lines/0"),
            json={"account_code": "453"},
            headers=org.auth(ANN),
        )
    cancel = await org.act(ANN, request_id, "cancel-publication", {"reason": "no"})
    assert (recode.status_code, cancel.status_code) == (403, 403)
    assert (await org.request(request_id))["state"] == "publish_failed"
