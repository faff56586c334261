"""A bill authorised directly in Xero, never through Countersign, end to end on the shared
pipeline: created AUTHORISED in the Xero sandbox, Xero's webhook tells the publisher, which
reports it (BillAuthorisedOutsideCountersign), and the organisation's admin is mailed that it
was authorised in Xero without approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import ADA, provision_organisation

from tests.e2e.journeys import PEOPLE, WORKFLOW
from tests.e2e.mailbox import Message, wait_for_mail

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # the webhook it registers is removed before it ends (conftest.py)

ORGANISATION = "Bypassed In Xero Ltd"
SUBJECT = "Authorised in Xero without approval"


async def _mail(org: Organisation) -> Message:
    [found] = await wait_for_mail(org, ADA.email, lambda m: m["subject"].startswith(SUBJECT))
    return found


@pytest.mark.usefixtures("xero_webhook")
async def test_a_bill_authorised_directly_in_xero_is_mailed_to_the_admins(
    pipeline: Pipeline,
) -> None:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name=ORGANISATION)
    today = datetime.now(UTC).date()
    bill = {"Type": "ACCPAY", "Contact": {"Name": "Quick Cash Consulting"},
            "Date": today.isoformat(), "DueDate": (today + timedelta(days=14)).isoformat(),
            "InvoiceNumber": "QC-77", "Status": "AUTHORISED",
            "LineItems": [{"Description": "Advice", "Quantity": 1, "UnitAmount": "2500.00",
                           "AccountCode": "429", "TaxType": "INPUT2"}]}  # fmt: skip
    org.xero_control("POST", f"/_sandbox/tenants/{org.tenant_id}/invoices", bill)

    mail = await _mail(org)

    assert mail["subject"] == f"{SUBJECT}: Quick Cash Consulting, GBP 3,000.00"
    for shown in ("Number:         QC-77", f"Date:           {today.isoformat()}"):
        assert shown in mail["text"], mail["text"]
    assert "Repeating bill" not in mail["text"]
