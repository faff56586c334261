"""The Xero sandbox's master data over real HTTP: archived accounts and tracking options as
Xero lists them, If-Modified-Since on Accounts, and the test controls that archive them."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from countersign_xero_sandbox.harness import control

pytestmark = pytest.mark.integration


def _accounts(api: httpx.Client, **headers: str) -> dict[str, dict[str, Any]]:
    answer = api.get("/Accounts", headers=headers)
    assert answer.status_code == 200
    return {a["Code"]: a for a in answer.json()["Accounts"]}


def test_xero_sandbox_archives_an_account_and_if_modified_since_returns_only_it(
    api: httpx.Client, sandbox_url: str, org: dict[str, Any]
) -> None:
    before = _accounts(api)
    assert before["999"]["Status"] == "ARCHIVED"
    assert before["090"]["Type"] == "BANK" and before["090"]["BankAccountNumber"] == "12345678"
    now = control(sandbox_url, "POST", "/_sandbox/clock", {"advance_seconds": 2})["now"]
    since = format_datetime(datetime.fromisoformat(now), usegmt=True)  # to the second
    assert _accounts(api, **{"If-Modified-Since": since}) == {}

    archived = control(
        sandbox_url,
        "PATCH",
        f"/_sandbox/tenants/{org['tenant_id']}/accounts/429",
        {"Status": "ARCHIVED"},
    )

    assert archived["Status"] == "ARCHIVED"
    changed = _accounts(api, **{"If-Modified-Since": since})
    assert list(changed) == ["429"] and changed["429"]["Status"] == "ARCHIVED"


def test_xero_sandbox_archives_a_tracking_option_shown_only_with_include_archived(
    api: httpx.Client, sandbox_url: str, org: dict[str, Any]
) -> None:
    control(
        sandbox_url,
        "PATCH",
        f"/_sandbox/tenants/{org['tenant_id']}/tracking-categories/Region/options/North",
        {"Status": "ARCHIVED"},
    )

    def options(**params: str) -> dict[str, str]:
        categories = api.get("/TrackingCategories", params=params).json()["TrackingCategories"]
        region = next(c for c in categories if c["Name"] == "Region")
        return {o["Name"]: o["Status"] for o in region["Options"]}

    assert options() == {"South": "ACTIVE", "West": "ACTIVE"}
    assert options(includeArchived="true")["North"] == "ARCHIVED"
