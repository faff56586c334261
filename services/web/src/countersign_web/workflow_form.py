"""The workflow editor's form, as the page posts it and shows it: plain fields, no script.

    WorkflowForm
    ├── name, reviewers (one e-mail a line), decision_policy, segregation, default_approver
    ├── auto: [RuleForm]                 auto-approval: any rule authorises
    │     └── conds: [ConditionForm]     all must hold
    └── steps: [StepForm]
          ├── name, completion, default_approver, deadline_hours, escalation_to, …_after_hours
          └── rows: [RowForm]            the approver matrix: conditions → approver
                └── conds: [ConditionForm]   none: the approver always takes part

Every field's name (and HTML id) says where it sits: ``step-1-row-0-cond-2-values``. The
values are kept as typed, so a refused save shows them again; ``workflow_document`` turns
them into approval's JSON, and approval alone says whether it is valid. "Add" and "Remove"
buttons re-render the form with one more or one fewer (``edit``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ConditionForm",
    "RowForm",
    "RuleForm",
    "StepForm",
    "WorkflowForm",
    "edit",
    "form_from_document",
    "form_from_fields",
]

CONDITION_PARTS = ("field", "category", "operator", "values")


@dataclass
class ConditionForm:
    field: str = ""  # "" is no condition: left out of the document
    category: str = ""  # tracking only
    operator: str = "matches"
    values: str = ""  # one a line; total: the amount, or from and to (between)


@dataclass
class RowForm:
    approver: str = ""
    conds: list[ConditionForm] = field(default_factory=list)


@dataclass
class RuleForm:
    conds: list[ConditionForm] = field(default_factory=lambda: [ConditionForm()])


@dataclass
class StepForm:
    name: str = ""
    completion: str = "any"
    rows: list[RowForm] = field(default_factory=lambda: [RowForm()])
    default_approver: str = ""
    deadline_hours: str = ""
    escalation_to: str = ""
    escalation_after_hours: str = ""


STEP_PARTS = (
    "name",
    "completion",
    "default_approver",
    "deadline_hours",
    "escalation_to",
    "escalation_after_hours",
)


@dataclass
class WorkflowForm:
    name: str = "Bill creation, review and approval"
    reviewers: str = ""
    auto: list[RuleForm] = field(default_factory=list)
    steps: list[StepForm] = field(default_factory=lambda: [StepForm()])
    decision_policy: str = "each_step"
    segregation: bool = False  # requester_may_approve false
    default_approver: str = ""


# Reading the posted fields.


def _indices(fields: Mapping[str, str], prefix: str) -> list[int]:
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-")
    return sorted({int(m.group(1)) for key in fields if (m := pattern.match(key))})


def _conditions(fields: Mapping[str, str], prefix: str) -> list[ConditionForm]:
    return [
        ConditionForm(
            **{part: fields.get(f"{prefix}-cond-{c}-{part}", "") for part in CONDITION_PARTS}
        )
        for c in _indices(fields, f"{prefix}-cond")
    ]


def _step(fields: Mapping[str, str], prefix: str) -> StepForm:
    rows = [
        RowForm(
            fields.get(f"{prefix}-row-{r}-approver", ""), _conditions(fields, f"{prefix}-row-{r}")
        )
        for r in _indices(fields, f"{prefix}-row")
    ]
    parts = {part: fields.get(f"{prefix}-{part}", "") for part in STEP_PARTS}
    return StepForm(rows=rows, **parts)


def form_from_fields(fields: Mapping[str, str]) -> WorkflowForm:
    """The form as posted; indices need not be dense (a removed row leaves a gap)."""
    return WorkflowForm(
        name=fields.get("name", ""),
        reviewers=fields.get("reviewers", ""),
        auto=[RuleForm(_conditions(fields, f"auto-{r}")) for r in _indices(fields, "auto")],
        steps=[_step(fields, f"step-{s}") for s in _indices(fields, "step")],
        decision_policy=fields.get("decision_policy", "each_step"),
        segregation=fields.get("segregation") == "on",
        default_approver=fields.get("default_approver", ""),
    )


# Reading approval's document.


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _condition_form(condition: Mapping[str, Any]) -> ConditionForm:
    if condition["field"] == "total":
        operator = str(condition["operator"])
        if operator == "between":
            values = f"{_text(condition.get('min'))}\n{_text(condition.get('max'))}"
        else:
            values = _text(condition.get("amount"))
        return ConditionForm("total", "", operator, values)
    return ConditionForm(
        str(condition["field"]),
        _text(condition.get("category")),
        str(condition.get("match", "matches")),
        "\n".join(str(v) for v in condition.get("values", [])),
    )


def _rows(entries: list[Mapping[str, Any]]) -> list[RowForm]:
    """One row per rule of each entry (its alternatives), one with no conditions for an
    approver who always takes part."""
    rows = []
    for entry in entries:
        rules = entry.get("rules") or [{"conditions": []}]
        for rule in rules:
            conds = [_condition_form(c) for c in rule["conditions"]]
            rows.append(RowForm(str(entry["approver"]), conds))
    return rows


def _step_form(step: Mapping[str, Any]) -> StepForm:
    escalation = step.get("escalation") or {}
    return StepForm(
        name=str(step["name"]),
        completion=str(step.get("completion", "any")),
        rows=_rows(step["approvers"]),
        default_approver=_text(step.get("default_approver")),
        deadline_hours=_text(step.get("deadline_hours")),
        escalation_to=_text(escalation.get("to")),
        escalation_after_hours=_text(escalation.get("after_hours")),
    )


def form_from_document(document: Mapping[str, Any]) -> WorkflowForm:
    review = document.get("review") or {}
    return WorkflowForm(
        name=str(document.get("name", "")),
        reviewers="\n".join(review.get("reviewers", [])),
        auto=[
            RuleForm([_condition_form(c) for c in rule["conditions"]])
            for rule in document.get("auto_approval", [])
        ],
        steps=[_step_form(s) for s in document.get("steps", [])],
        decision_policy=str(document.get("decision_policy", "each_step")),
        segregation=document.get("requester_may_approve", True) is False,
        default_approver=_text(document.get("default_approver")),
    )


# "Add …" and "Remove …" buttons.

_PATH = re.compile(r"^(step|auto)(-\d+-(row|cond))*(-\d+)?$")
_LISTS = {"step": "steps", "auto": "auto", "row": "rows", "cond": "conds"}
_BLANKS: dict[str, type] = {
    "step": StepForm,
    "auto": RuleForm,
    "row": RowForm,
    "cond": ConditionForm,
}


def _owner(form: WorkflowForm, path: list[str]) -> list[Any] | None:
    """The list ``path`` names (``["step", "1", "row", "0", "cond"]``), None when it is not
    there (a stale page, a forged button)."""
    here: Any = form
    for part in path:
        if part.isdigit():
            if not isinstance(here, list) or int(part) >= len(here):
                return None
            here = here[int(part)]
        else:
            here = getattr(here, _LISTS.get(part, ""), None)
    return here if isinstance(here, list) else None


def edit(form: WorkflowForm, action: str) -> bool:
    """Applies an "add:…" or "remove:…" button to ``form`` (``add:step-1-row``,
    ``remove:step-1-row-0``); False when ``action`` is neither, which is a save."""
    verb, _, target = action.partition(":")
    if verb not in ("add", "remove") or not _PATH.match(target):
        return False
    path = target.split("-")
    if verb == "add":
        found = _owner(form, path)
        if found is not None and not path[-1].isdigit():
            found.append(_BLANKS[path[-1]]())
    else:
        found = _owner(form, path[:-1])
        if found is not None and path[-1].isdigit() and int(path[-1]) < len(found):
            del found[int(path[-1])]
    return True
