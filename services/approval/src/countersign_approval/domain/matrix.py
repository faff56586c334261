"""The approval matrix: which rules a bill matches, and who approves each step.

Amounts. Thresholds are written in the organisation's base currency. A bill in another currency
is converted with the exchange rate it carries, Xero's ``CurrencyRate`` (units of the bill's
currency per one unit of base currency): ``base = total / rate``, rounded half-up to two decimal
places, as Xero rounds amounts. When the bill is in a foreign currency and carries no rate, its
base amount is unknown, and we lean to scrutiny: amount conditions *hold* when choosing a step's
approvers (more people look at it) and *fail* for auto-approval (nobody is skipped).

Line conditions (account, tax type, tracking) hold when one line satisfies every line condition
of the rule together; "does not match" holds on a line whose value is not among the values (a
line without an option in the category does not match any option).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from countersign_contracts import Bill

from countersign_approval.domain.workflow import (
    LINE_FIELDS,
    AccountCondition,
    Condition,
    Match,
    RequesterCondition,
    Rule,
    Step,
    SupplierCondition,
    TaxTypeCondition,
    TotalCondition,
    TrackingCondition,
    Workflow,
)

__all__ = [
    "BillFacts",
    "LineFacts",
    "base_amount",
    "facts_of",
    "matching_auto_approval",
    "rule_matches",
    "step_approvers",
]

CENT = Decimal("0.01")


@dataclass(frozen=True)
class LineFacts:
    account_code: str
    tax_type: str
    tracking: dict[str, str]  # category (lower case) → option (lower case)


@dataclass(frozen=True)
class BillFacts:
    """What the matrix looks at, normalised for comparison."""

    total_in_base: Decimal | None  # None: foreign currency without a rate
    supplier_name: str
    supplier_contact_id: str | None
    requester_email: str
    lines: tuple[LineFacts, ...]


def base_amount(amount: Decimal, currency: str, rate: Decimal | None, base: str) -> Decimal | None:
    """``amount`` in the base currency, or None when it cannot be known."""
    if currency == base:
        return amount
    if rate is None:
        return None
    return (amount / rate).quantize(CENT, rounding=ROUND_HALF_UP)


def facts_of(bill: Bill, base_currency: str) -> BillFacts:
    return BillFacts(
        total_in_base=base_amount(bill.total, bill.currency, bill.exchange_rate, base_currency),
        supplier_name=bill.supplier.name.strip().lower(),
        supplier_contact_id=(
            None if bill.supplier.xero_contact_id is None else str(bill.supplier.xero_contact_id)
        ),
        requester_email=bill.requester.email.strip().lower(),
        lines=tuple(
            LineFacts(
                account_code=line.account_code.strip().lower(),
                tax_type=line.tax_type.strip().lower(),
                tracking={
                    t.category.strip().lower(): t.option.strip().lower() for t in line.tracking
                },
            )
            for line in bill.lines
        ),
    )


def _among(value: str | None, values: Iterable[str], match: Match) -> bool:
    found = value is not None and value in {v.strip().lower() for v in values}
    return found if match is Match.MATCHES else not found


def _total_holds(condition: TotalCondition, total: Decimal | None, if_unknown: bool) -> bool:
    if total is None:
        return if_unknown
    if condition.operator == "<":
        assert condition.amount is not None
        return total < condition.amount
    if condition.operator == ">=":
        assert condition.amount is not None
        return total >= condition.amount
    assert condition.min is not None and condition.max is not None
    return condition.min <= total < condition.max


def _header_holds(condition: Condition, facts: BillFacts, if_unknown: bool) -> bool:
    match condition:
        case TotalCondition():
            return _total_holds(condition, facts.total_in_base, if_unknown)
        case SupplierCondition():
            found = facts.supplier_name in {v.strip().lower() for v in condition.values} or (
                facts.supplier_contact_id is not None
                and facts.supplier_contact_id in {v.strip().lower() for v in condition.values}
            )
            return found if condition.match is Match.MATCHES else not found
        case RequesterCondition():
            return _among(facts.requester_email, condition.values, condition.match)
    raise TypeError(f"{condition.field} is not a header condition")


def _line_holds(condition: Condition, line: LineFacts) -> bool:
    match condition:
        case AccountCondition():
            return _among(line.account_code, condition.values, condition.match)
        case TaxTypeCondition():
            return _among(line.tax_type, condition.values, condition.match)
        case TrackingCondition():
            option = line.tracking.get(condition.category.strip().lower())
            return _among(option, condition.values, condition.match)
    raise TypeError(f"{condition.field} is not a line condition")


def rule_matches(rule: Rule, facts: BillFacts, *, if_amount_unknown: bool) -> bool:
    """Every condition holds; line conditions together on at least one line."""
    header = [c for c in rule.conditions if c.field not in LINE_FIELDS]
    per_line = [c for c in rule.conditions if c.field in LINE_FIELDS]
    if not all(_header_holds(c, facts, if_amount_unknown) for c in header):
        return False
    if not per_line:
        return True
    return any(all(_line_holds(c, line) for c in per_line) for line in facts.lines)


def matching_auto_approval(workflow: Workflow, facts: BillFacts) -> int | None:
    """The index of the first auto-approval rule the bill matches, if any."""
    for index, rule in enumerate(workflow.auto_approval):
        if rule_matches(rule, facts, if_amount_unknown=False):
            return index
    return None


def step_approvers(step: Step, facts: BillFacts, fallback: str) -> list[str]:
    """The emails of the step's approvers for this bill, in the order the step lists them.

    An entry with no rules always takes part; otherwise any of its rules must match. When none
    takes part, the step's default approver does, else the workflow's (``fallback``), so every
    step has at least one approver."""
    chosen = [
        entry.approver
        for entry in step.approvers
        if not entry.rules or _any_rule(entry.rules, facts)
    ]
    if chosen:
        return chosen
    return [step.default_approver or fallback]


def _any_rule(rules: Sequence[Rule], facts: BillFacts) -> bool:
    return any(rule_matches(rule, facts, if_amount_unknown=True) for rule in rules)
