"""Coding checked against what Xero accepts, at intake, before anyone approves (issue 17): the
accounts, tax rates, tracking categories, payment accounts and currencies of the organisation's
ledger as the publisher last read them (ledger.master-data.v1).

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

Before the ledger has been read once there is nothing to check against: the publisher's own
check (Xero's answer) is the only one then. Tracking names compare without regard to case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from countersign_contracts import LineItem

from countersign_ingest.domain.metadata import BankTransactionMetadata, CostItemMetadata
from countersign_ingest.domain.rules import Violation

__all__ = ["Ledger", "coding_violations"]

ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class Ledger:
    """What the organisation's Xero accepts: entries as the contract carries them."""

    accounts: Mapping[str, Mapping[str, Any]]  # by code
    tax_rates: Mapping[str, Mapping[str, Any]]  # by tax type
    tracking: Mapping[str, Mapping[str, Any]]  # by category name, casefolded
    currencies: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        accounts: Iterable[Mapping[str, Any]],
        tax_rates: Iterable[Mapping[str, Any]],
        tracking: Iterable[Mapping[str, Any]],
        currencies: Iterable[str],
    ) -> Ledger:
        return cls(
            accounts={a["code"]: a for a in accounts if a.get("code")},
            tax_rates={t["tax_type"]: t for t in tax_rates},
            tracking={c["name"].casefold(): c for c in tracking},
            currencies=frozenset(currencies),
        )


def _account(
    ledger: Ledger, code: str, where: str
) -> tuple[Mapping[str, Any] | None, list[Violation]]:
    found = ledger.accounts.get(code)
    if found is None:
        return None, [Violation(where, "unknown_account", f"Xero has no account {code}")]
    if found.get("status") != ACTIVE:
        message = (
            f"account {code} ({found.get('name')}) is {str(found.get('status')).lower()} in Xero"
        )
        return found, [Violation(where, "account_archived", message)]
    return found, []


def _tax(
    ledger: Ledger, line: LineItem, account: Mapping[str, Any] | None, where: str
) -> list[Violation]:
    rate = ledger.tax_rates.get(line.tax_type)
    if rate is None:
        return [Violation(where, "unknown_tax_type", f"Xero has no tax type {line.tax_type}")]
    if rate.get("status") != ACTIVE:
        state = str(rate.get("status")).lower()
        return [Violation(where, "tax_type_not_active", f"tax type {line.tax_type} is {state}")]
    allowed = rate.get("can_apply_to") or []
    kind = None if account is None else account.get("account_class")
    if allowed and kind is not None and kind not in allowed:
        message = f"tax type {line.tax_type} does not apply to {str(kind).lower()} accounts in Xero"
        return [Violation(where, "tax_type_not_for_account", message)]
    return []


def _tracking(ledger: Ledger, line: LineItem, where: str) -> list[Violation]:
    found: list[Violation] = []
    for n, chosen in enumerate(line.tracking):
        at = f"{where}.tracking[{n}]"
        category = ledger.tracking.get(chosen.category.casefold())
        if category is None:
            found.append(
                Violation(
                    f"{at}.category",
                    "unknown_tracking_category",
                    f"Xero has no tracking category {chosen.category}",
                )
            )
            continue
        if category.get("status") != ACTIVE:
            found.append(
                Violation(
                    f"{at}.category",
                    "tracking_category_archived",
                    f"tracking category {chosen.category} is archived in Xero",
                )
            )
            continue
        options = {o["name"].casefold(): o for o in category.get("options", [])}
        option = options.get(chosen.option.casefold())
        if option is None:
            found.append(
                Violation(
                    f"{at}.option",
                    "unknown_tracking_option",
                    f"{chosen.category} has no option {chosen.option} in Xero",
                )
            )
        elif option.get("status") != ACTIVE:
            found.append(
                Violation(
                    f"{at}.option",
                    "tracking_option_archived",
                    f"{chosen.category} option {chosen.option} is archived in Xero",
                )
            )
    return found


def _line_violations(ledger: Ledger, n: int, line: LineItem) -> list[Violation]:
    where = f"metadata.lines[{n}]"
    account, found = _account(ledger, line.account_code, f"{where}.account_code")
    return found + _tax(ledger, line, account, f"{where}.tax_type") + _tracking(ledger, line, where)


def _payment_account(ledger: Ledger, code: str, where: str) -> list[Violation]:
    account, found = _account(ledger, code, where)
    if found or account is None:
        return found
    if account.get("type") != "BANK" and not account.get("enable_payments_to_account"):
        message = f"account {code} is not a bank account and takes no payments in Xero"
        return [Violation(where, "not_a_payment_account", message)]
    return []


def coding_violations(
    meta: CostItemMetadata | BankTransactionMetadata, ledger: Ledger
) -> list[Violation]:
    """Every line and account of ``meta`` that the organisation's Xero would refuse."""
    found: list[Violation] = []
    if ledger.currencies and meta.currency not in ledger.currencies:
        message = f"{meta.currency} is not enabled in the organisation's Xero"
        found.append(Violation("metadata.currency", "currency_not_enabled", message))
    for n, line in enumerate(meta.lines):
        found += _line_violations(ledger, n, line)
    paid_from, where = (
        (meta.bank_account, "metadata.bank_account.code")
        if isinstance(meta, BankTransactionMetadata)
        else (meta.payment.account if meta.payment.paid else None, "metadata.payment.account.code")
    )
    if paid_from is not None and paid_from.code is not None:  # an id alone: Xero checks it
        found += _payment_account(ledger, paid_from.code, where)
    return found
