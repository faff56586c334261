"""Master data from Xero's settings: the sandbox's default tenant, as it goes on the wire,
becomes one ``LedgerMasterDataSynced``; its hash tells a change from a re-read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from countersign_contracts import AccountClass, MasterDataStatus
from countersign_platform import decimal_json
from countersign_publisher.adapters.xero_master_data import (
    XeroSettings,
    accounts_changed_at,
    master_data,
)
from countersign_publisher.domain.master_data import content_hash, counts
from countersign_xero_sandbox.tenancy import build_tenant
from countersign_xero_sandbox.wire import dumps, to_wire

ORG = uuid4()
CREATED = datetime(2026, 5, 1, 9, 30, 15, 250000, tzinfo=UTC)


def _wire(value: Any) -> Any:
    """As the publisher reads it: the sandbox's JSON, decimals as Decimal."""
    return decimal_json.loads(dumps(to_wire(value)))


def settings(**spec: Any) -> XeroSettings:
    tenant = build_tenant({"lock_date": "2026-03-31", **spec}, CREATED)
    return XeroSettings(
        organisation=_wire(tenant.organisation),
        accounts=_wire(list(tenant.accounts.values())),
        tax_rates=_wire(list(tenant.tax_rates.values())),
        tracking_categories=_wire(list(tenant.tracking_categories.values())),
        currencies=[{"Code": c, "Description": d} for c, d in tenant.currencies.items()],
    )


def test_master_data_maps_the_default_tenant_accounts_with_bank_fields() -> None:
    snapshot = master_data(ORG, "tenant-1", settings(), CREATED)

    accounts = {a.code: a for a in snapshot.accounts}
    assert [a.code for a in snapshot.accounts][:3] == ["090", "091", "200"]
    bank = accounts["090"]
    assert (bank.type, bank.account_class, bank.status) == (
        "BANK",
        AccountClass.ASSET,
        MasterDataStatus.ACTIVE,
    )
    assert (bank.bank_account_number, bank.bank_account_type, bank.currency_code) == (
        "12345678",
        "BANK",
        "GBP",
    )
    assert accounts["999"].status is MasterDataStatus.ARCHIVED
    assert accounts["429"].tax_type == "INPUT2" and accounts["429"].bank_account_number is None
    assert accounts["877"].enable_payments_to_account is True


def test_master_data_maps_tax_rates_tracking_currencies_and_lock_dates() -> None:
    snapshot = master_data(ORG, "tenant-1", settings(currencies=["GBP", "USD"]), CREATED)

    rates = {r.tax_type: r for r in snapshot.tax_rates}
    assert rates["INPUT2"].effective_rate == Decimal("20")
    assert rates["RRINPUT"].effective_rate == Decimal("5")
    assert rates["INPUT"].status is MasterDataStatus.DELETED
    # Xero's CanApplyTo… flags, one class each: a purchase rate is not for revenue accounts,
    # a sales rate not for expense accounts, no VAT for any.
    assert set(rates["INPUT2"].can_apply_to) == {
        AccountClass.ASSET,
        AccountClass.EQUITY,
        AccountClass.EXPENSE,
        AccountClass.LIABILITY,
    }
    assert AccountClass.EXPENSE not in rates["OUTPUT2"].can_apply_to
    assert AccountClass.REVENUE in rates["OUTPUT2"].can_apply_to
    assert set(rates["NONE"].can_apply_to) == set(AccountClass) - {AccountClass.OTHER}
    assert [c.name for c in snapshot.tracking_categories] == ["Department", "Region"]
    assert [o.name for o in snapshot.tracking_categories[1].options] == ["North", "South", "West"]
    assert (snapshot.base_currency, snapshot.currencies) == ("GBP", ["GBP", "USD"])
    assert snapshot.period_lock_date == date(2026, 3, 31)
    assert snapshot.end_of_year_lock_date is None
    assert counts(snapshot).accounts == 15 and counts(None).accounts == 0


def test_master_data_sends_a_status_xero_adds_later_as_other() -> None:
    read = settings()
    read.accounts[0]["Status"] = "SOMETHINGNEW"
    snapshot = master_data(ORG, "tenant-1", read, CREATED)
    assert MasterDataStatus.OTHER in {a.status for a in snapshot.accounts}


def test_content_hash_ignores_when_it_was_read_but_not_what_changed() -> None:
    read = settings()
    first = master_data(ORG, "tenant-1", read, CREATED)
    again = master_data(ORG, "tenant-1", read, CREATED + timedelta(minutes=15))
    assert content_hash(first) == content_hash(again)

    account = next(a for a in read.accounts if a["Code"] == "429")
    account["Status"] = "ARCHIVED"
    archived = master_data(ORG, "tenant-1", read, CREATED)
    assert content_hash(archived) != content_hash(first)


def test_the_same_ledger_read_in_another_order_hashes_the_same() -> None:
    read = settings()
    reordered = XeroSettings(
        organisation=read.organisation,
        accounts=list(reversed(read.accounts)),
        tax_rates=list(reversed(read.tax_rates)),
        tracking_categories=list(reversed(read.tracking_categories)),
        currencies=list(reversed(read.currencies)),
    )
    assert content_hash(master_data(ORG, "t", read, CREATED)) == content_hash(
        master_data(ORG, "t", reordered, CREATED)
    )


def test_accounts_changed_at_is_the_newest_updated_date() -> None:
    read = settings()
    assert accounts_changed_at(read.accounts) == CREATED.replace(microsecond=250000)
    assert accounts_changed_at([]) is None
    assert isinstance(UUID(str(read.accounts[0]["AccountID"])), UUID)
