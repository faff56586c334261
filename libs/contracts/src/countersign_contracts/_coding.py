"""Coding checked against what the organisation's ledger accepts now: the master data of its
latest LedgerMasterDataSynced (ledger.master-data.v1). Ingest checks a Dext item with it before
the item is stored; approval checks every open request again whenever the master data changes,
and a reviewer's or admin's recoding before it is kept.

    an account code Xero does not have, or has archived             unknown_account,
                                                                    account_archived
    a tax type Xero does not have, not active, or not for the
        account's class (Xero's CanApplyTo…)                        unknown_tax_type,
                                                                    tax_type_not_active,
                                                                    tax_type_not_for_account
    a tracking category or option Xero does not have, or archived   unknown_tracking_category,
                                                                    tracking_category_archived,
                                                                    unknown_tracking_option,
                                                                    tracking_option_archived
    a payment or bank account that is not a payment account         not_a_payment_account
    a currency the organisation has not enabled                     currency_not_enabled

Entries are read as the contract writes them in JSON (``model_dump(mode="json")`` of
``LedgerAccount``, ``LedgerTaxRate``, ``LedgerTrackingCategory``), so a consumer can keep them
as stored. Tracking names compare without regard to case, as Xero does. What only Xero can
know (a lock date moved since the last read) is still found when the bill is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from countersign_contracts._bills import Bill, LineItem

__all__ = ["CodingIssue", "MasterData", "bill_coding_issues", "line_coding_issues"]

ACTIVE = "ACTIVE"
BANK = "BANK"

Entry = Mapping[str, Any]


@dataclass(frozen=True)
class CodingIssue:
    """One piece of coding the ledger would refuse: where (a field path), the rule, and why."""

    field: str
    rule: str
    message: str


@dataclass(frozen=True)
class MasterData:
    """What the organisation's ledger accepts, indexed for checking."""

    accounts: Mapping[str, Entry]  # by code
    tax_rates: Mapping[str, Entry]  # by tax type
    tracking: Mapping[str, Entry]  # by category name, casefolded
    currencies: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        accounts: Iterable[Entry],
        tax_rates: Iterable[Entry],
        tracking: Iterable[Entry],
        currencies: Iterable[str],
    ) -> MasterData:
        return cls(
            accounts={a["code"]: a for a in accounts if a.get("code")},
            tax_rates={t["tax_type"]: t for t in tax_rates},
            tracking={c["name"].casefold(): c for c in tracking},
            currencies=frozenset(currencies),
        )

    @classmethod
    def from_event(cls, synced: Entry) -> MasterData:
        """From a LedgerMasterDataSynced payload in JSON form."""
        return cls.of(
            synced["accounts"],
            synced["tax_rates"],
            synced["tracking_categories"],
            synced["currencies"],
        )

    def options(self) -> dict[str, Any]:
        """The values a line may be coded with now: active accounts with a code (not bank
        accounts), active tax rates with the account classes each applies to, and active
        tracking categories with their active options."""
        return {
            "accounts": [
                {"code": code, "name": a.get("name"), "account_class": a.get("account_class"),
                 "tax_type": a.get("tax_type")}
                for code, a in sorted(self.accounts.items())
                if a.get("status") == ACTIVE and a.get("type") != BANK
            ],
            "tax_rates": [
                {"tax_type": t["tax_type"], "name": t.get("name"),
                 "can_apply_to": list(t.get("can_apply_to") or [])}
                for t in sorted(self.tax_rates.values(), key=lambda t: str(t["tax_type"]))
                if t.get("status") == ACTIVE
            ],
            "tracking_categories": [
                {"name": c["name"],
                 "options": [o["name"] for o in c.get("options", []) if o.get("status") == ACTIVE]}
                for c in sorted(self.tracking.values(), key=lambda c: str(c["name"]).casefold())
                if c.get("status") == ACTIVE
            ],
        }  # fmt: skip


def _account(master: MasterData, code: str, where: str) -> tuple[Entry | None, list[CodingIssue]]:
    found = master.accounts.get(code)
    if found is None:
        return None, [CodingIssue(where, "unknown_account", f"Xero has no account {code}")]
    if found.get("status") != ACTIVE:
        message = (
            f"account {code} ({found.get('name')}) is {str(found.get('status')).lower()} in Xero"
        )
        return found, [CodingIssue(where, "account_archived", message)]
    return found, []


def _tax(
    master: MasterData, line: LineItem, account: Entry | None, where: str
) -> list[CodingIssue]:
    rate = master.tax_rates.get(line.tax_type)
    if rate is None:
        return [CodingIssue(where, "unknown_tax_type", f"Xero has no tax type {line.tax_type}")]
    if rate.get("status") != ACTIVE:
        state = str(rate.get("status")).lower()
        return [CodingIssue(where, "tax_type_not_active", f"tax type {line.tax_type} is {state}")]
    allowed = rate.get("can_apply_to") or []
    kind = None if account is None else account.get("account_class")
    if allowed and kind is not None and kind not in allowed:
        message = f"tax type {line.tax_type} does not apply to {str(kind).lower()} accounts in Xero"
        return [CodingIssue(where, "tax_type_not_for_account", message)]
    return []


def _tracking(master: MasterData, line: LineItem, where: str) -> list[CodingIssue]:
    found: list[CodingIssue] = []
    for n, chosen in enumerate(line.tracking):
        at = f"{where}.tracking[{n}]"
        category = master.tracking.get(chosen.category.casefold())
        if category is None:
            message = f"Xero has no tracking category {chosen.category}"
            found.append(CodingIssue(f"{at}.category", "unknown_tracking_category", message))
            continue
        if category.get("status") != ACTIVE:
            message = f"tracking category {chosen.category} is archived in Xero"
            found.append(CodingIssue(f"{at}.category", "tracking_category_archived", message))
            continue
        options = {o["name"].casefold(): o for o in category.get("options", [])}
        option = options.get(chosen.option.casefold())
        if option is None:
            message = f"{chosen.category} has no option {chosen.option} in Xero"
            found.append(CodingIssue(f"{at}.option", "unknown_tracking_option", message))
        elif option.get("status") != ACTIVE:
            message = f"{chosen.category} option {chosen.option} is archived in Xero"
            found.append(CodingIssue(f"{at}.option", "tracking_option_archived", message))
    return found


def line_coding_issues(master: MasterData, line: LineItem, where: str) -> list[CodingIssue]:
    """What the ledger would refuse of one line; ``where`` is the line's path."""
    account, found = _account(master, line.account_code, f"{where}.account_code")
    return found + _tax(master, line, account, f"{where}.tax_type") + _tracking(master, line, where)


def payment_account_issues(master: MasterData, code: str, where: str) -> list[CodingIssue]:
    """A bill is paid, or a bank transaction made, only from a bank account or an account
    that takes payments (EnablePaymentsToAccount)."""
    account, found = _account(master, code, where)
    if found or account is None:
        return found
    if account.get("type") != BANK and not account.get("enable_payments_to_account"):
        message = f"account {code} is not a bank account and takes no payments in Xero"
        return [CodingIssue(where, "not_a_payment_account", message)]
    return []


def currency_issues(master: MasterData, currency: str, where: str) -> list[CodingIssue]:
    if master.currencies and currency not in master.currencies:
        message = f"{currency} is not enabled in the organisation's Xero"
        return [CodingIssue(where, "currency_not_enabled", message)]
    return []


def bill_coding_issues(master: MasterData, bill: Bill) -> list[CodingIssue]:
    """Everything the ledger would refuse of ``bill``, by field path within the bill
    (``lines[0].account_code``, ``payment.account.code``, ``currency``)."""
    found = currency_issues(master, bill.currency, "currency")
    for n, line in enumerate(bill.lines):
        found += line_coding_issues(master, line, f"lines[{n}]")
    paid_from = bill.payment.account if bill.payment.paid else None
    if paid_from is not None and paid_from.code is not None:  # an id alone: Xero checks it
        found += payment_account_issues(master, paid_from.code, "payment.account.code")
    return found
