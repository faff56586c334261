"""The rule matrix: conditions, OR alternatives, does-not-match, defaults, currencies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from countersign_approval.domain.matrix import (
    base_amount,
    facts_of,
    matching_auto_approval,
    rule_matches,
    step_approvers,
)
from countersign_approval.domain.workflow import Rule, Step
from hypothesis import given, strategies as st

from services.approval.tests.approval_builders import BASE, bill, line, workflow


def rule(*conditions: dict[str, Any]) -> Rule:
    return Rule.model_validate({"conditions": list(conditions)})


def total(operator: str, amount: str | None = None, **bounds: str) -> dict[str, Any]:
    condition: dict[str, Any] = {"field": "total", "operator": operator, **bounds}
    if amount is not None:
        condition["amount"] = amount
    return condition


def matches(r: Rule, **bill_fields: Any) -> bool:
    return rule_matches(r, facts_of(bill(**bill_fields), BASE), if_amount_unknown=True)


@pytest.mark.parametrize(
    ("condition", "amount", "expected"),
    [
        (total("<", "1000"), "999.99", True),
        (total("<", "1000"), "1000.00", False),
        (total(">=", "1000"), "1000.00", True),
        (total(">=", "1000"), "999.99", False),
        (total("between", min="1000", max="5000"), "1000.00", True),
        (total("between", min="1000", max="5000"), "4999.99", True),
        (total("between", min="1000", max="5000"), "5000.00", False),
        (total("between", min="1000", max="5000"), "999.99", False),
    ],
)
def test_total_conditions_compare_the_base_amount(
    condition: dict[str, Any], amount: str, expected: bool
) -> None:
    assert matches(rule(condition), total=amount) is expected


@pytest.mark.parametrize(
    ("values", "match", "supplier", "expected"),
    [
        (["Acme Ltd"], "matches", "Acme Ltd", True),
        (["acme ltd"], "matches", "ACME LTD", True),
        (["Other plc"], "matches", "Acme Ltd", False),
        (["Acme Ltd"], "does_not_match", "Acme Ltd", False),
        (["Other plc"], "does_not_match", "Acme Ltd", True),
    ],
)
def test_supplier_matches_and_does_not_match_ignoring_case(
    values: list[str], match: str, supplier: str, expected: bool
) -> None:
    condition = {"field": "supplier", "match": match, "values": values}
    assert matches(rule(condition), supplier=supplier) is expected


@pytest.mark.parametrize(
    ("match", "requester", "expected"),
    [
        ("matches", "dana@example.com", True),
        ("matches", "DANA@example.com", True),
        ("matches", "eli@example.com", False),
        ("does_not_match", "eli@example.com", True),
        ("does_not_match", "dana@example.com", False),
    ],
)
def test_requester_condition_by_email(match: str, requester: str, expected: bool) -> None:
    condition = {"field": "requester", "match": match, "values": ["dana@example.com"]}
    assert matches(rule(condition), requester=requester) is expected


@pytest.mark.parametrize(
    ("field", "values", "match", "expected"),
    [
        ("account", ["429"], "matches", True),
        ("account", ["404", "410"], "matches", False),
        ("account", ["429"], "does_not_match", True),  # line 2 (account 400) is not 429
        ("account", ["429", "400"], "does_not_match", False),
        ("tax_type", ["input2"], "matches", True),
        ("tax_type", ["NONE"], "matches", True),
        ("tax_type", ["EXEMPTINPUT"], "matches", False),
        ("tax_type", ["INPUT2", "NONE"], "does_not_match", False),
    ],
)
def test_line_conditions_hold_when_some_line_holds(
    field: str, values: list[str], match: str, expected: bool
) -> None:
    lines = [line("429", "INPUT2", "60.00"), line("400", "NONE", "40.00")]
    condition = {"field": field, "match": match, "values": values}
    assert matches(rule(condition), lines=lines) is expected


@pytest.mark.parametrize(
    ("values", "match", "expected"),
    [
        (["North"], "matches", True),
        (["south"], "matches", True),
        (["East"], "matches", False),
        (["North", "South"], "does_not_match", False),
        (["North"], "does_not_match", True),
    ],
)
def test_tracking_condition_looks_at_one_category(
    values: list[str], match: str, expected: bool
) -> None:
    lines = [
        line(amount="50.00", tracking={"Region": "North"}),
        line(amount="50.00", tracking={"Region": "South", "Dept": "East"}),
    ]
    condition = {"field": "tracking", "category": "region", "match": match, "values": values}
    assert matches(rule(condition), lines=lines) is expected


def test_a_line_without_the_category_does_not_match_an_option_but_does_not_match_holds() -> None:
    lines = [line(tracking={})]
    assert not matches(
        rule({"field": "tracking", "category": "Region", "values": ["North"]}), lines=lines
    )
    assert matches(
        rule(
            {
                "field": "tracking",
                "category": "Region",
                "match": "does_not_match",
                "values": ["North"],
            }
        ),
        lines=lines,
    )


def test_line_conditions_of_one_rule_must_hold_on_the_same_line() -> None:
    lines = [line("429", tracking={"Region": "South"}), line("400", tracking={"Region": "North"})]
    same_line = rule(
        {"field": "account", "values": ["429"]},
        {"field": "tracking", "category": "Region", "values": ["North"]},
    )
    assert not matches(same_line, lines=lines)
    assert matches(
        rule(
            {"field": "account", "values": ["400"]},
            {"field": "tracking", "category": "Region", "values": ["North"]},
        ),
        lines=lines,
    )


def test_all_conditions_of_a_rule_must_hold() -> None:
    both = rule(total(">=", "500"), {"field": "supplier", "values": ["Acme Ltd"]})
    assert matches(both, total="600.00", supplier="Acme Ltd")
    assert not matches(both, total="400.00", supplier="Acme Ltd")
    assert not matches(both, total="600.00", supplier="Other plc")


@pytest.mark.parametrize(
    ("amount", "currency", "rate", "expected"),
    [
        (Decimal("100"), "GBP", None, Decimal("100")),
        (Decimal("120.00"), "EUR", Decimal("1.2"), Decimal("100.00")),
        (Decimal("100.00"), "USD", Decimal("1.3"), Decimal("76.92")),  # 76.923… rounds down
        (Decimal("100.01"), "USD", Decimal("2"), Decimal("50.01")),  # 50.005 rounds half up
        (Decimal("100.00"), "EUR", None, None),
    ],
)
def test_base_amount_divides_by_the_items_rate_and_rounds_half_up(
    amount: Decimal, currency: str, rate: Decimal | None, expected: Decimal | None
) -> None:
    assert base_amount(amount, currency, rate, "GBP") == expected


def test_a_foreign_bill_is_routed_by_its_base_amount() -> None:
    under = rule(total("<", "1000"))
    # 1150 EUR at 1.2 EUR per GBP is 958.33 GBP: under the 1000 GBP threshold.
    assert matches(under, total="1150.00", currency="EUR", rate="1.2")
    assert not matches(under, total="1250.00", currency="EUR", rate="1.2")


def test_an_unknown_base_amount_routes_to_more_approvers_and_never_auto_approves() -> None:
    flow = workflow(
        auto_approval=[{"conditions": [total("<", "1000")]}],
        steps=[
            {
                "name": "One",
                "approvers": [
                    {
                        "approver": "ann@example.com",
                        "rules": [{"conditions": [total("<", "1000")]}],
                    },
                    {
                        "approver": "bob@example.com",
                        "rules": [{"conditions": [total(">=", "1000")]}],
                    },
                ],
            }
        ],
    )
    facts = facts_of(bill(total="10.00", currency="EUR", rate=None), BASE)
    assert matching_auto_approval(flow, facts) is None
    assert step_approvers(flow.steps[0], facts, flow.default_approver) == [
        "ann@example.com",
        "bob@example.com",
    ]


def _step(*entries: dict[str, Any], default: str | None = None) -> Step:
    return Step.model_validate(
        {"name": "S", "approvers": list(entries), "default_approver": default}
    )


def test_an_approver_takes_part_when_any_of_their_alternative_rules_matches() -> None:
    entry = {
        "approver": "ann@example.com",
        "rules": [
            {"conditions": [{"field": "supplier", "values": ["Other plc"]}]},
            {"conditions": [total(">=", "500")]},
        ],
    }
    assert step_approvers(_step(entry), facts_of(bill(total="600.00"), BASE), "x@example.com") == [
        "ann@example.com"
    ]
    assert step_approvers(_step(entry), facts_of(bill(total="100.00"), BASE), "x@example.com") == [
        "x@example.com"
    ]


def test_an_approver_without_rules_always_takes_part() -> None:
    facts = facts_of(bill(), BASE)
    assert step_approvers(_step({"approver": "ann@example.com"}), facts, "x@example.com") == [
        "ann@example.com"
    ]


def test_the_steps_default_approver_comes_before_the_workflows() -> None:
    never = {"approver": "ann@example.com", "rules": [{"conditions": [total(">=", "999999")]}]}
    facts = facts_of(bill(), BASE)
    assert step_approvers(_step(never, default="bob@example.com"), facts, "x@example.com") == [
        "bob@example.com"
    ]
    assert step_approvers(_step(never), facts, "x@example.com") == ["x@example.com"]


def test_the_first_matching_auto_approval_rule_is_reported() -> None:
    flow = workflow(
        auto_approval=[
            {"conditions": [{"field": "supplier", "values": ["Other plc"]}]},
            {"conditions": [total("<", "200")]},
        ],
        steps=[{"name": "One", "approvers": [{"approver": "ann@example.com"}]}],
    )
    assert matching_auto_approval(flow, facts_of(bill(total="150.00"), BASE)) == 1
    assert matching_auto_approval(flow, facts_of(bill(total="250.00"), BASE)) is None


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2)
threshold_rules = st.lists(st.tuples(st.sampled_from(["<", ">="]), amounts), min_size=0, max_size=4)


@given(amount=amounts, thresholds=threshold_rules, has_default=st.booleans())
def test_every_step_resolves_at_least_one_approver(
    amount: Decimal, thresholds: list[tuple[str, Decimal]], has_default: bool
) -> None:
    entries = [
        {
            "approver": f"a{n}@example.com",
            "rules": [{"conditions": [total(op, str(limit))]}],
        }
        for n, (op, limit) in enumerate(thresholds)
    ] or [{"approver": "z@example.com", "rules": [{"conditions": [total(">=", "2000000")]}]}]
    step = _step(*entries, default="d@example.com" if has_default else None)
    chosen = step_approvers(step, facts_of(bill(total=str(amount)), BASE), "w@example.com")
    assert len(chosen) >= 1


@given(amount=amounts, limit=amounts)
def test_lt_and_gte_split_every_amount_exactly_once(amount: Decimal, limit: Decimal) -> None:
    facts = facts_of(bill(total=str(amount)), BASE)
    below = rule_matches(rule(total("<", str(limit))), facts, if_amount_unknown=True)
    above = rule_matches(rule(total(">=", str(limit))), facts, if_amount_unknown=True)
    assert below != above


@given(
    amount=amounts, values=st.lists(st.sampled_from(["Acme Ltd", "Other plc", "Zed"]), min_size=1)
)
def test_does_not_match_is_the_negation_of_matches_for_header_fields(
    amount: Decimal, values: list[str]
) -> None:
    facts = facts_of(bill(total=str(amount)), BASE)
    yes = rule_matches(rule({"field": "supplier", "values": values}), facts, if_amount_unknown=True)
    no = rule_matches(
        rule({"field": "supplier", "match": "does_not_match", "values": values}),
        facts,
        if_amount_unknown=True,
    )
    assert yes != no
