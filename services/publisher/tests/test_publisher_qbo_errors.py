"""QBO's answers as ledger errors (the Fault and the gateway's envelope), and QBO's reference
entities as the master-data contract in the codes Dext uses."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from countersign_platform.outbound import HttpResponse
from countersign_publisher.adapters.qbo_errors import QboStale, raise_for_qbo
from countersign_publisher.adapters.qbo_mapping import qbo_uuid
from countersign_publisher.adapters.qbo_master_data import QboSettings, master_data
from countersign_publisher.ledger.errors import (
    LedgerAuthLost,
    LedgerError,
    LedgerNotFound,
    LedgerRateLimited,
    LedgerRefused,
    LedgerTransient,
)


def _fault(code: str, kind: str = "ValidationFault", message: str = "M") -> dict[str, Any]:
    error = {"Message": message, "Detail": f"detail {code}", "code": code, "element": ""}
    return {"Fault": {"Error": [error], "type": kind}, "time": "2026-11-02T10:00:00-08:00"}


def _gateway(status: int, code: str) -> dict[str, Any]:
    message = f"message=X; errorCode=00{code}; statusCode={status}"
    error = {"message": message, "detail": "d", "code": code, "element": None}
    return {"fault": {"error": [error], "type": "SERVICE"}, "time": 1}


def _raised(status: int, body: Any) -> LedgerError:
    content = json.dumps(body).encode() if not isinstance(body, bytes) else body
    with pytest.raises(LedgerError) as raised:
        raise_for_qbo(HttpResponse(status, {}, content), retry_after_s=60.0)
    return raised.value


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (400, _fault("6240", message="Duplicate Name Exists Error"), LedgerRefused),
        (400, _fault("6000"), LedgerRefused),
        (400, _fault("610", message="Object Not Found"), LedgerNotFound),
        (400, _fault("5010", message="Stale Object Error"), QboStale),
        (400, _fault("10000", kind="SystemFault"), LedgerTransient),
        (401, _fault("100", kind="AuthenticationFault"), LedgerAuthLost),
        (401, _gateway(401, "3200"), LedgerAuthLost),
        (403, _gateway(403, "3100"), LedgerAuthLost),
        (404, b"Not Found", LedgerNotFound),
        (429, _gateway(429, "3001"), LedgerRateLimited),
        (500, b"oops", LedgerTransient),
        (503, _fault("10000", kind="SystemFault"), LedgerTransient),
    ],
)
def test_each_answer_is_the_ledger_error_the_policy_decides_by(
    status: int, body: Any, kind: type[LedgerError]
) -> None:
    assert isinstance(_raised(status, body), kind)


def test_a_refusal_carries_intuits_message_and_detail_and_a_429_asks_a_minute() -> None:
    refused = _raised(400, _fault("6240", message="Duplicate Name Exists Error"))
    assert refused.messages == ["Duplicate Name Exists Error: detail 6240"]
    limited = _raised(429, _gateway(429, "3001"))
    assert isinstance(limited, LedgerRateLimited) and limited.retry_after_s == 60.0
    raise_for_qbo(HttpResponse(200, {}, json.dumps(_fault("6000")).encode()))  # 200: not here


def _settings(us: bool, multi: bool = True) -> QboSettings:
    updated = {"LastUpdatedTime": "2026-11-02T10:00:00-08:00"}
    return QboSettings(
        preferences={
            "CurrencyPrefs": {"HomeCurrency": {"value": "GBP"}, "MultiCurrencyEnabled": multi},
            "AccountingInfoPrefs": {"BookCloseDate": "2026-01-31"},
        },
        us=us,
        accounts=[
            {"Id": "1", "Name": "Checking", "AccountType": "Bank", "Classification": "Asset",
             "CurrencyRef": {"value": "GBP"}, "MetaData": updated},
            {"Id": "7", "AcctNum": "6100", "Name": "Office", "AccountType": "Expense",
             "Classification": "Expense", "Active": False, "MetaData": updated},
        ],
        tax_codes=[
            {"Id": "5", "Name": "20.0% S", "Taxable": True, "PurchaseTaxRateList":
             {"TaxRateDetail": [{"TaxRateRef": {"value": "50"}}]}},
            {"Id": "6", "Name": "Sales only", "Taxable": True, "PurchaseTaxRateList":
             {"TaxRateDetail": []}},
            {"Id": "9", "Name": "No VAT", "Taxable": False},
        ],
        tax_rates=[{"Id": "50", "RateValue": 20}],
        classes=[{"Id": "20", "Name": "Operations", "FullyQualifiedName": "Operations"}],
        departments=[{"Id": "30", "Name": "North", "Active": False}],
        currencies=[{"Code": "EUR", "Active": True}, {"Code": "USD", "Active": False}],
    )  # fmt: skip


def test_master_data_is_published_in_the_codes_dext_uses() -> None:
    org = uuid4()
    snapshot = master_data(org, "9130", _settings(us=False), datetime.now(UTC))
    assert (snapshot.base_currency, snapshot.currencies) == ("GBP", ["EUR", "GBP"])
    assert str(snapshot.period_lock_date) == "2026-01-31" and snapshot.ledger == "qbo"
    checking, office = snapshot.accounts
    assert (checking.code, checking.type, checking.bank_account_type) == ("1", "BANK", "BANK")
    assert checking.enable_payments_to_account and checking.currency_code == "GBP"
    assert (office.code, office.type, office.status, office.account_class) == (
        "6100", "EXPENSE", "ARCHIVED", "EXPENSE",
    )  # fmt: skip
    assert office.account_id == qbo_uuid(org, "account", "7") and office.ledger_account_id == "7"
    rates = [(r.tax_type, r.name, r.effective_rate) for r in snapshot.tax_rates]
    assert rates == [("5", "20.0% S", Decimal("20.0000")), ("9", "No VAT", Decimal("0.0000"))]
    classes, departments = snapshot.tracking_categories
    assert classes.name == "Class" and [o.ledger_tracking_option_id for o in classes.options] == [
        "20"
    ]
    assert departments.options[0].status == "ARCHIVED"


def test_a_us_company_codes_lines_taxable_or_not() -> None:
    snapshot = master_data(uuid4(), "9130", _settings(us=True), datetime.now(UTC))
    assert [r.tax_type for r in snapshot.tax_rates] == ["NON", "TAX"]


def test_a_company_without_multicurrency_keeps_only_its_home_currency() -> None:
    """A currency listed but not kept (multicurrency off) is one a bill cannot be in: intake
    refuses it (currency_not_enabled) instead of QBO booking it in the home currency."""
    snapshot = master_data(uuid4(), "9130", _settings(us=False, multi=False), datetime.now(UTC))
    assert (snapshot.base_currency, snapshot.currencies) == ("GBP", ["GBP"])
