"""The workflow editor's form and approval's document: a saved document shown in the form and
saved again is the same document; what is posted becomes the document the person meant, as
typed (approval judges it); "Add"/"Remove" buttons change the form only; and each fault
approval names by JSON path lands on the form field that produced it."""

from __future__ import annotations

from typing import Any

from countersign_web.workflow_document import field_errors, workflow_document
from countersign_web.workflow_form import (
    ConditionForm,
    RowForm,
    RuleForm,
    StepForm,
    WorkflowForm,
    edit,
    form_from_document,
    form_from_fields,
)

ANN, BOB, CAT = "ann@example.com", "bob@example.com", "cat@example.com"

# Everything the workflow document can say, as approval answers GET /workflow (defaults and
# nulls included).
SAVED: dict[str, Any] = {
    "name": "Bill creation, review and approval",
    "review": {"reviewers": [CAT]},
    "auto_approval": [
        {
            "conditions": [
                {"field": "total", "operator": "<", "amount": "50", "min": None, "max": None}
            ]
        },
        {
            "conditions": [
                {"field": "supplier", "match": "matches", "values": ["Acme", "Acme, Inc."]},
                {
                    "field": "total",
                    "operator": "between",
                    "amount": None,
                    "min": "0",
                    "max": "200.50",
                },
            ]
        },
    ],
    "steps": [
        {
            "name": "Budget holder",
            "completion": "any",
            "approvers": [{"approver": ANN, "rules": []}],
            "default_approver": None,
            "deadline_hours": None,
            "escalation": None,
        },
        {
            "name": "Finance",
            "completion": "all",
            "approvers": [
                {
                    "approver": BOB,
                    "rules": [
                        {
                            "conditions": [
                                {"field": "supplier", "match": "matches", "values": ["Acme"]}
                            ]
                        },
                        {
                            "conditions": [
                                {
                                    "field": "tracking",
                                    "category": "Region",
                                    "match": "does_not_match",
                                    "values": ["North"],
                                },
                                {"field": "account", "match": "matches", "values": ["461", "453"]},
                            ]
                        },
                    ],
                },
                {
                    "approver": CAT,
                    "rules": [
                        {
                            "conditions": [
                                {"field": "requester", "match": "matches", "values": [ANN]}
                            ]
                        },
                        {
                            "conditions": [
                                {"field": "tax_type", "match": "does_not_match", "values": ["NONE"]}
                            ]
                        },
                    ],
                },
            ],
            "default_approver": ANN,
            "deadline_hours": 24,
            "escalation": {"to": "admins", "after_hours": 0},
        },
    ],
    "decision_policy": "once",
    "requester_may_approve": False,
    "default_approver": ANN,
}


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _shown_fields(form: WorkflowForm) -> dict[str, str]:
    """The fields a browser posts for ``form`` (as the template names them)."""
    fields = {
        "name": form.name,
        "reviewers": form.reviewers,
        "decision_policy": form.decision_policy,
        "default_approver": form.default_approver,
    }
    if form.segregation:
        fields["segregation"] = "on"

    def conds(prefix: str, found: list[ConditionForm]) -> None:
        for c, cond in enumerate(found):
            for part in ("field", "category", "operator", "values"):
                fields[f"{prefix}-cond-{c}-{part}"] = getattr(cond, part)

    for r, rule in enumerate(form.auto):
        conds(f"auto-{r}", rule.conds)
    for s, step in enumerate(form.steps):
        for part in (
            "name",
            "completion",
            "default_approver",
            "deadline_hours",
            "escalation_to",
            "escalation_after_hours",
        ):
            fields[f"step-{s}-{part}"] = getattr(step, part)
        for r, row in enumerate(step.rows):
            fields[f"step-{s}-row-{r}-approver"] = row.approver
            conds(f"step-{s}-row-{r}", row.conds)
    return fields


def test_a_saved_workflow_shown_in_the_form_and_posted_back_is_the_same_document() -> None:
    form = form_from_document(SAVED)
    posted = form_from_fields(_shown_fields(form))

    assert [row.approver for row in form.steps[1].rows] == [BOB, BOB, CAT, CAT]  # a row a rule
    assert form.steps[1].rows[0].conds == [ConditionForm("supplier", "", "matches", "Acme")]
    assert form.auto[1].conds[1] == ConditionForm("total", "", "between", "0\n200.50")
    assert posted == form
    assert workflow_document(posted).document == _without_nulls(SAVED)


def test_posted_fields_become_the_two_step_matrix_the_admin_meant() -> None:
    fields = {
        "name": "Bills",
        "default_approver": f" {ANN} ",
        "decision_policy": "each_step",
        "step-0-name": "Budget holder",
        "step-0-completion": "any",
        "step-0-row-0-approver": ANN,
        # indices with gaps, as a removed row leaves them
        "step-3-name": "Finance",
        "step-3-completion": "any",
        "step-3-row-2-approver": BOB,
        "step-3-row-2-cond-5-field": "supplier",
        "step-3-row-2-cond-5-operator": "matches",
        "step-3-row-2-cond-5-values": "Acme\r\n\r\n Acme Ltd \n",
        "step-3-default_approver": CAT,
        "step-3-deadline_hours": "48",
        "csrf": "ignored",
        "action": "save",
    }

    document = workflow_document(form_from_fields(fields)).document

    assert document == {
        "name": "Bills",
        "auto_approval": [],
        "steps": [
            {
                "name": "Budget holder",
                "completion": "any",
                "approvers": [{"approver": ANN, "rules": []}],
            },
            {
                "name": "Finance",
                "completion": "any",
                "approvers": [
                    {
                        "approver": BOB,
                        "rules": [
                            {
                                "conditions": [
                                    {
                                        "field": "supplier",
                                        "match": "matches",
                                        "values": ["Acme", "Acme Ltd"],
                                    }
                                ]
                            }
                        ],
                    }
                ],
                "default_approver": CAT,
                "deadline_hours": 48,
            },
        ],
        "decision_policy": "each_step",
        "requester_may_approve": True,
        "default_approver": ANN,
    }


def test_what_is_typed_goes_to_approval_as_typed_for_it_to_judge() -> None:
    form = WorkflowForm(
        steps=[
            StepForm(
                name="Finance",
                rows=[RowForm("nobody", [ConditionForm("total", "", "between", "100")])],
                deadline_hours="two days",
                escalation_to=BOB,
            )
        ]
    )

    [step] = workflow_document(form).document["steps"]

    assert step["approvers"] == [
        {
            "approver": "nobody",
            "rules": [{"conditions": [{"field": "total", "operator": "between", "min": "100"}]}],
        }
    ]
    assert step["deadline_hours"] == "two days"
    assert step["escalation"] == {"to": BOB}  # no after_hours: approval says it is missing


def test_blank_rows_conditions_rules_and_steps_are_left_out() -> None:
    form = WorkflowForm(
        auto=[RuleForm()],
        steps=[
            StepForm(name="One", rows=[RowForm(), RowForm(ANN, [ConditionForm()])]),
            StepForm(),
        ],
        default_approver=ANN,
    )

    document = workflow_document(form).document

    assert document["auto_approval"] == []
    assert document["steps"] == [
        {"name": "One", "completion": "any", "approvers": [{"approver": ANN, "rules": []}]}
    ]


def _two_step_form() -> WorkflowForm:
    """A blank row first and a blank condition, so JSON indices and form indices differ."""
    return WorkflowForm(
        auto=[RuleForm(), form_from_document(SAVED).auto[1]],
        steps=[
            StepForm(name="Budget holder", rows=[RowForm(ANN)]),
            StepForm(
                name="Finance",
                rows=[
                    RowForm(),
                    RowForm(
                        "ghost@example.com",
                        [ConditionForm(), ConditionForm("supplier", "", "matches", "Acme")],
                    ),
                    RowForm(BOB, [ConditionForm("total", "", ">=", "lots")]),
                    RowForm("GHOST@example.com", [ConditionForm("account", "", "matches", "")]),
                ],
                escalation_to="someone",
            ),
        ],
        default_approver=ANN,
    )


def test_approvals_faults_land_on_the_fields_that_made_them() -> None:
    built = workflow_document(_two_step_form())
    errors = [
        {
            "field": "steps[1].approvers[0].approver",
            "rule": "unknown_user",
            "message": "ghost@example.com is not a user of the organisation",
        },
        {
            "field": "steps[1].approvers[1].rules[0].conditions[0].total.amount",
            "rule": "decimal_parsing",
            "message": "Input should be a valid decimal",
        },
        {
            "field": "steps[1].approvers[0].rules[1].conditions[0].account.values",
            "rule": "too_short",
            "message": "List should have at least 1 item",
        },
        {
            "field": "steps[1].approvers[0].rules[0].conditions[0].supplier",
            "rule": "x",
            "message": "odd",
        },
        {
            "field": "auto_approval[0].conditions[1].total",
            "rule": "value_error",
            "message": "'between' needs min < max",
        },
        {
            "field": "steps[1].escalation.to.literal['admins']",
            "rule": "literal_error",
            "message": "Input should be 'admins'",
        },
        {
            "field": "steps[1].escalation.after_hours",
            "rule": "missing",
            "message": "Field required",
        },
        {"field": "steps[1]", "rule": "value_error", "message": "an approver appears twice"},
        {"field": "requester_may_approve", "rule": "two_approvers_required", "message": "two"},
        {"field": "", "rule": "value_error", "message": "step names must be distinct"},
        {"field": "steps[7].name", "rule": "x", "message": "a step the form does not have"},
    ]

    found = field_errors(errors, built.origins)

    assert found.by_field == {
        "step-1-row-1-approver": ["ghost@example.com is not a user of the organisation"],
        "step-1-row-2-cond-0-values": ["Input should be a valid decimal"],
        "step-1-row-3-cond-0-values": ["List should have at least 1 item"],
        "step-1-row-1-cond-1-values": ["odd"],
        "auto-1-cond-1-values": ["'between' needs min < max"],
        "step-1-escalation_to": ["Input should be 'admins'"],
        "step-1-escalation_after_hours": ["Field required"],
        "step-1-name": ["an approver appears twice"],
        "segregation": ["two"],
    }
    assert found.general == [
        "step names must be distinct",
        "steps[7].name: a step the form does not have",
    ]


def test_rows_of_one_approver_are_one_entry_with_the_rows_as_alternatives() -> None:
    built = workflow_document(_two_step_form())

    [ghost, bob] = built.document["steps"][1]["approvers"]

    assert ghost["approver"] == "ghost@example.com"
    assert [len(rule["conditions"]) for rule in ghost["rules"]] == [1, 1]
    assert bob["rules"] == [
        {"conditions": [{"field": "total", "operator": ">=", "amount": "lots"}]}
    ]


def test_add_and_remove_buttons_change_the_form_and_nothing_else() -> None:
    form = form_from_document(SAVED)

    assert edit(form, "add:step") and len(form.steps) == 3 and form.steps[2] == StepForm()
    assert edit(form, "add:step-2-row") and len(form.steps[2].rows) == 2
    assert edit(form, "add:step-2-row-1-cond") and form.steps[2].rows[1].conds == [ConditionForm()]
    assert edit(form, "add:auto-0-cond") and len(form.auto[0].conds) == 2
    assert edit(form, "remove:step-1-row-0")
    assert [r.approver for r in form.steps[1].rows] == [BOB, CAT, CAT]
    assert edit(form, "remove:step-1-row-2-cond-0") and form.steps[1].rows[2].conds == []
    assert edit(form, "remove:auto-1") and len(form.auto) == 1
    assert edit(form, "remove:step-0") and form.steps[0].name == "Finance"


def test_a_stale_or_forged_button_changes_nothing_and_save_is_no_edit() -> None:
    form = form_from_document(SAVED)
    before = form_from_document(SAVED)

    assert edit(form, "remove:step-9")
    assert edit(form, "add:step-9-row")
    assert edit(form, "add:auto-0-row")  # a rule has no rows
    assert edit(form, "remove:step-0-row-0-cond-7")
    assert not edit(form, "add:__class__")
    assert not edit(form, "save")
    assert not edit(form, "")
    assert form == before
