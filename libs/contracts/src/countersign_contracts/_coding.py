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
    QuickBooks Online only: lines naming different departments
        (a bill's DepartmentRef is on its header)                   one_department_per_bill

Entries are read as the contract writes them in JSON (``model_dump(mode="json")`` of
``LedgerAccount``, ``LedgerTaxRate``, ``LedgerTrackingCategory``), so a consumer can keep them
as stored. Tracking names compare without regard to case, as Xero does. What only the ledger
can know (a lock date moved since the last read) is still found when the bill is written.

The rules are the same for every ledger because the publisher announces each ledger's master
data in the same terms (ADR 0071: a QuickBooks Online company's accounts by AcctNum or Id, its
TaxCodes by Id or US TAX/NON, its classes and departments as the tracking categories "Class"
and "Department", its Bank and Credit Card accounts as BANK). The messages name the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from countersign_contracts._bills import Bill, LineItem
from countersign_contracts._ledger_names import ledger_title

__all__ = [
    "CodingIssue",
    "MasterData",
    "bill_coding_issues",
    "line_coding_issues",
    "lines_coding_issues",
]

ACTIVE = "ACTIVE"
BANK = "BANK"
QBO = "qbo"
DEPARTMENT = "department"

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
    ledger: str | None = None  # the event's ``ledger``; None (older events) is Xero

    @property
    def title(self) -> str:
        """The ledger's name as people read it: "Xero", "QuickBooks Online"."""
        return ledger_title(self.ledger)

    @classmethod
    def of(
        cls,
        accounts: Iterable[Entry],
        tax_rates: Iterable[Entry],
        tracking: Iterable[Entry],
        currencies: Iterable[str],
        ledger: str | None = None,
    ) -> MasterData:
        return cls(
            accounts={a["code"]: a for a in accounts if a.get("code")},
            tax_rates={t["tax_type"]: t for t in tax_rates},
            tracking={c["name"].casefold(): c for c in tracking},
            currencies=frozenset(currencies),
            ledger=ledger,
        )

    @classmethod
    def from_event(cls, synced: Entry) -> MasterData:
        """From a LedgerMasterDataSynced payload in JSON form."""
        return cls.of(
            synced["accounts"],
            synced["tax_rates"],
            synced["tracking_categories"],
            synced["currencies"],
            synced.get("ledger"),
        )

    def options(self) -> dict[str, Any]:
        """The values a line may be coded with now: active accounts with a code (not bank
        accounts), active tax rates with the account classes each applies to, and active
        tracking categories with their active options; and the ledger they are of."""
        return {
            "ledger": self.ledger or "xero",
            "ledger_title": self.title,
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
        message = f"{master.title} has no account {code}"
        return None, [CodingIssue(where, "unknown_account", message)]
    if found.get("status") != ACTIVE:
        state = str(found.get("status")).lower()
        message = f"account {code} ({found.get('name')}) is {state} in {master.title}"
        return found, [CodingIssue(where, "account_archived", message)]
    return found, []


def _tax(
    master: MasterData, line: LineItem, account: Entry | None, where: str
) -> list[CodingIssue]:
    rate = master.tax_rates.get(line.tax_type)
    if rate is None:
        message = f"{master.title} has no tax type {line.tax_type}"
        return [CodingIssue(where, "unknown_tax_type", message)]
    if rate.get("status") != ACTIVE:
        state = str(rate.get("status")).lower()
        return [CodingIssue(where, "tax_type_not_active", f"tax type {line.tax_type} is {state}")]
    allowed = rate.get("can_apply_to") or []
    kind = None if account is None else account.get("account_class")
    if allowed and kind is not None and kind not in allowed:
        accounts = f"{str(kind).lower()} accounts in {master.title}"
        message = f"tax type {line.tax_type} does not apply to {accounts}"
        return [CodingIssue(where, "tax_type_not_for_account", message)]
    return []


def _tracking(master: MasterData, line: LineItem, where: str) -> list[CodingIssue]:
    found: list[CodingIssue] = []
    for n, chosen in enumerate(line.tracking):
        at = f"{where}.tracking[{n}]"
        category = master.tracking.get(chosen.category.casefold())
        if category is None:
            message = f"{master.title} has no tracking category {chosen.category}"
            found.append(CodingIssue(f"{at}.category", "unknown_tracking_category", message))
            continue
        if category.get("status") != ACTIVE:
            message = f"tracking category {chosen.category} is archived in {master.title}"
            found.append(CodingIssue(f"{at}.category", "tracking_category_archived", message))
            continue
        options = {o["name"].casefold(): o for o in category.get("options", [])}
        option = options.get(chosen.option.casefold())
        if option is None:
            message = f"{chosen.category} has no option {chosen.option} in {master.title}"
            found.append(CodingIssue(f"{at}.option", "unknown_tracking_option", message))
        elif option.get("status") != ACTIVE:
            message = f"{chosen.category} option {chosen.option} is archived in {master.title}"
            found.append(CodingIssue(f"{at}.option", "tracking_option_archived", message))
    return found


def line_coding_issues(master: MasterData, line: LineItem, where: str) -> list[CodingIssue]:
    """What the ledger would refuse of one line; ``where`` is the line's path."""
    account, found = _account(master, line.account_code, f"{where}.account_code")
    return found + _tax(master, line, account, f"{where}.tax_type") + _tracking(master, line, where)


def _departments(master: MasterData, lines: Sequence[LineItem], where: str) -> list[CodingIssue]:
    """QuickBooks Online keeps a bill's department on its header (DepartmentRef): every line
    naming a department must name the first one's."""
    if master.ledger != QBO:
        return []
    first: str | None = None
    found: list[CodingIssue] = []
    for n, line in enumerate(lines):
        for t, chosen in enumerate(line.tracking):
            if chosen.category.casefold() != DEPARTMENT:
                continue
            if first is None:
                first = chosen.option
            elif chosen.option.casefold() != first.casefold():
                message = (
                    f"{master.title} keeps one department per bill: this line names"
                    f" {chosen.option}, an earlier one {first}"
                )
                at = f"{where}[{n}].tracking[{t}].option"
                found.append(CodingIssue(at, "one_department_per_bill", message))
    return found


def lines_coding_issues(
    master: MasterData, lines: Sequence[LineItem], where: str
) -> list[CodingIssue]:
    """What the ledger would refuse of a bill's lines, each alone and together; ``where`` is
    the lines' path (``lines``, ``metadata.lines``)."""
    found: list[CodingIssue] = []
    for n, line in enumerate(lines):
        found += line_coding_issues(master, line, f"{where}[{n}]")
    return found + _departments(master, lines, where)


def payment_account_issues(master: MasterData, code: str, where: str) -> list[CodingIssue]:
    """A bill is paid, or a bank transaction made, only from a bank account or an account
    that takes payments (EnablePaymentsToAccount)."""
    account, found = _account(master, code, where)
    if found or account is None:
        return found
    if account.get("type") != BANK and not account.get("enable_payments_to_account"):
        message = f"account {code} is not a bank account and takes no payments in {master.title}"
        return [CodingIssue(where, "not_a_payment_account", message)]
    return []


def currency_issues(master: MasterData, currency: str, where: str) -> list[CodingIssue]:
    if master.currencies and currency not in master.currencies:
        message = f"{currency} is not enabled in the organisation's {master.title}"
        return [CodingIssue(where, "currency_not_enabled", message)]
    return []


def bill_coding_issues(master: MasterData, bill: Bill) -> list[CodingIssue]:
    """Everything the ledger would refuse of ``bill``, by field path within the bill
    (``lines[0].account_code``, ``payment.account.code``, ``currency``)."""
    found = currency_issues(master, bill.currency, "currency")
    found += lines_coding_issues(master, bill.lines, "lines")
    paid_from = bill.payment.account if bill.payment.paid else None
    if paid_from is not None and paid_from.code is not None:  # an id alone: the ledger checks
        found += payment_account_issues(master, paid_from.code, "payment.account.code")
    return found
