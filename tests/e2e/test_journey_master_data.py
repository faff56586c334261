"""Dext's drop-downs show what Xero accepts: once an organisation connects, the publisher reads
its master data from Xero and Dext pulls it from ingest, signed, across the three processes."""

from __future__ import annotations

import pytest
from countersign_harness.organisation import Organisation
from countersign_harness.waiting import eventually

pytestmark = pytest.mark.e2e


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
    assert {c["name"] for c in tracking} == {"Region", "Department"}
    assert settings["base_currency"] == "GBP"
