"""Organisation settings: Accounts, TaxRates, TrackingCategories, Currencies, Organisation."""

from __future__ import annotations

from starlette.responses import Response

from countersign_xero_sandbox.defaults import CURRENCY_NAMES
from countersign_xero_sandbox.listing import list_answer, select
from countersign_xero_sandbox.model import Record
from countersign_xero_sandbox.sandbox import Call, CallError
from countersign_xero_sandbox.tenancy import sync_rates
from countersign_xero_sandbox.wire import envelope, not_found, validation_exception, xero_json
from countersign_xero_sandbox.writing import elements_of

__all__ = [
    "get_account",
    "get_accounts",
    "get_currencies",
    "get_organisation",
    "get_tax_rates",
    "get_tracking_categories",
    "get_tracking_category",
    "put_currencies",
]


def _same(record: Record) -> Record:
    return record


def get_accounts(call: Call) -> Response:
    return list_answer(call, "Accounts", select(call, call.tenant.accounts.values()), _same)


def get_account(call: Call) -> Response:
    account = call.tenant.accounts.get(call.params["record_id"])
    if account is None:
        raise CallError(not_found())
    return xero_json(envelope(call.now, Accounts=[account]))


def get_tax_rates(call: Call) -> Response:
    wanted = call.query.get("TaxType")
    records = select(
        call,
        call.tenant.tax_rates.values(),
        keep=(lambda r: r["TaxType"] == wanted) if wanted else None,
    )
    return list_answer(call, "TaxRates", records, _same)


def _visible(category: Record, include_archived: bool) -> Record:
    options = [o for o in category["Options"] if include_archived or o["Status"] == "ACTIVE"]
    return {**category, "Options": options}


def get_tracking_categories(call: Call) -> Response:
    include_archived = call.query.get("includeArchived", "false").lower() == "true"
    records = select(
        call,
        call.tenant.tracking_categories.values(),
        keep=lambda c: include_archived or c["Status"] == "ACTIVE",
    )
    return list_answer(call, "TrackingCategories", records, lambda c: _visible(c, include_archived))


def get_tracking_category(call: Call) -> Response:
    category = call.tenant.tracking_categories.get(call.params["record_id"])
    if category is None:
        raise CallError(not_found())
    return xero_json(envelope(call.now, TrackingCategories=[_visible(category, True)]))


def _currencies(call: Call) -> list[Record]:
    return [{"Code": code, "Description": name} for code, name in call.tenant.currencies.items()]


def get_currencies(call: Call) -> Response:
    return list_answer(call, "Currencies", select(call, _currencies(call)), _same)


def put_currencies(call: Call) -> Response:
    raws = elements_of(call, "Currencies")
    codes = [str(raw.get("Code", "")) for raw in raws if isinstance(raw, dict)]
    unknown = [code for code in codes if code not in CURRENCY_NAMES]
    if unknown or not codes:
        return validation_exception(
            [{"ValidationErrors": [{"Message": f"Unknown currency code(s): {unknown}"}]}]
        )
    for code in codes:
        call.tenant.currencies[code] = CURRENCY_NAMES[code]
    sync_rates(call.tenant, {})  # a newly enabled currency gets its default daily rate
    added = [c for c in _currencies(call) if c["Code"] in codes]
    return xero_json(envelope(call.now, Currencies=added))


def get_organisation(call: Call) -> Response:
    return xero_json(envelope(call.now, Organisations=[call.tenant.organisation]))
