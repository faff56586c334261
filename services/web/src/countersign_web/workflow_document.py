"""From the editor's form to approval's workflow document, and approval's refusal back onto the
form's fields.

Approval is the judge: the document carries what the person typed (an amount that is no
number, an e-mail of nobody) and its 422 names each fault by JSON path
(``steps[1].approvers[0].approver``). While building, every path is noted with the field that
produced it (``origins``), so a fault lands next to that field. Rows of one approver become
one matrix entry whose rules are the rows' alternatives; a row without conditions means the
approver always takes part. Rows, rules, conditions and steps left entirely blank are left
out, so an "Add …" pressed once too often does not fail the save.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from countersign_web.workflow_form import ConditionForm, RowForm, StepForm, WorkflowForm

__all__ = ["Built", "FormErrors", "field_errors", "workflow_document"]

# A discriminated union puts its tag in the path (``conditions[0].supplier.values``).
_TAG = re.compile(r"(conditions\[\d+\])\.(total|supplier|requester|account|tax_type|tracking)\b")


@dataclass
class Built:
    document: dict[str, Any]
    origins: dict[str, str] = field(default_factory=dict)  # JSON path → form field id


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(text: str) -> int | str:
    """An integer when it is one; otherwise the text, for approval to refuse by name."""
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else stripped


def _total(cond: ConditionForm) -> dict[str, Any]:
    values = _lines(cond.values)
    body: dict[str, Any] = {"field": "total", "operator": cond.operator}
    if cond.operator == "between":
        if len(values) == 2:
            body |= {"min": values[0], "max": values[1]}
        elif values:
            body["min"] = cond.values.strip()  # not two lines: approval says what is wrong
    elif values:
        body["amount"] = values[0] if len(values) == 1 else cond.values.strip()
    return body


def _condition(built: Built, cond: ConditionForm, path: str, field_id: str) -> dict[str, Any]:
    for part in ("", ".values", ".amount", ".min", ".max"):
        built.origins[f"{path}{part}"] = f"{field_id}-values"
    built.origins |= {
        f"{path}.field": f"{field_id}-field",
        f"{path}.operator": f"{field_id}-operator",
        f"{path}.match": f"{field_id}-operator",
        f"{path}.category": f"{field_id}-category",
    }
    if cond.field == "total":
        return _total(cond)
    body: dict[str, Any] = {"field": cond.field, "match": cond.operator}
    if cond.field == "tracking":
        body["category"] = cond.category.strip()
    return body | {"values": _lines(cond.values)}


def _conditions(
    built: Built, conds: list[ConditionForm], path: str, field_id: str
) -> list[dict[str, Any]]:
    chosen = [(c, cond) for c, cond in enumerate(conds) if cond.field.strip()]
    return [
        _condition(built, cond, f"{path}.conditions[{k}]", f"{field_id}-cond-{c}")
        for k, (c, cond) in enumerate(chosen)
    ]


def _blank_row(row: RowForm) -> bool:
    return not row.approver.strip() and not any(c.field.strip() for c in row.conds)


def _entries(built: Built, step: StepForm, path: str, field_id: str) -> list[dict[str, Any]]:
    """The step's matrix: the rows of one approver are one entry, each row one rule of it."""
    groups: dict[str, list[int]] = {}
    for r, row in enumerate(step.rows):
        if not _blank_row(row):
            groups.setdefault(row.approver.strip().lower(), []).append(r)
    entries = []
    for e, rows in enumerate(groups.values()):
        here, first = f"{path}.approvers[{e}]", f"{field_id}-row-{rows[0]}-approver"
        for suffix in ("", ".approver", ".rules"):
            built.origins[f"{here}{suffix}"] = first
        rules = []
        for q, r in enumerate(rows):
            row_id = f"{field_id}-row-{r}"
            built.origins[f"{here}.rules[{q}]"] = f"{row_id}-approver"
            rules.append(
                {"conditions": _conditions(built, step.rows[r].conds, f"{here}.rules[{q}]", row_id)}
            )
        always = any(not rule["conditions"] for rule in rules)
        entries.append(
            {"approver": step.rows[rows[0]].approver.strip(), "rules": [] if always else rules}
        )
    return entries


def _blank_step(step: StepForm) -> bool:
    typed = (
        step.name,
        step.default_approver,
        step.deadline_hours,
        step.escalation_to,
        step.escalation_after_hours,
    )
    return not any(t.strip() for t in typed) and all(_blank_row(r) for r in step.rows)


def _step(built: Built, step: StepForm, path: str, field_id: str) -> dict[str, Any]:
    built.origins |= {
        path: f"{field_id}-name",
        f"{path}.name": f"{field_id}-name",
        f"{path}.completion": f"{field_id}-completion",
        f"{path}.approvers": f"{field_id}-row-0-approver" if step.rows else f"{field_id}-name",
        f"{path}.default_approver": f"{field_id}-default_approver",
        f"{path}.deadline_hours": f"{field_id}-deadline_hours",
        f"{path}.escalation": f"{field_id}-escalation_to",
        f"{path}.escalation.to": f"{field_id}-escalation_to",
        f"{path}.escalation.after_hours": f"{field_id}-escalation_after_hours",
    }
    body: dict[str, Any] = {
        "name": step.name.strip(),
        "completion": step.completion,
        "approvers": _entries(built, step, path, field_id),
    }
    if step.default_approver.strip():
        body["default_approver"] = step.default_approver.strip()
    if step.deadline_hours.strip():
        body["deadline_hours"] = _number(step.deadline_hours)
    if step.escalation_to.strip() or step.escalation_after_hours.strip():
        body["escalation"] = {"to": step.escalation_to.strip()}
        if step.escalation_after_hours.strip():
            body["escalation"]["after_hours"] = _number(step.escalation_after_hours)
    return body


def workflow_document(form: WorkflowForm) -> Built:
    """The JSON to PUT to approval's /workflow, with the form field behind each path."""
    built = Built({})
    built.origins |= {
        "name": "name",
        "review": "reviewers",
        "review.reviewers": "reviewers",
        "decision_policy": "decision_policy",
        "requester_may_approve": "segregation",
        "default_approver": "default_approver",
    }
    document: dict[str, Any] = {"name": form.name.strip()}
    reviewers = _lines(form.reviewers)
    if reviewers:
        document["review"] = {"reviewers": reviewers}
        built.origins |= {f"review.reviewers[{n}]": "reviewers" for n in range(len(reviewers))}
    rules = [
        (r, rule) for r, rule in enumerate(form.auto) if any(c.field.strip() for c in rule.conds)
    ]
    document["auto_approval"] = []
    for k, (r, rule) in enumerate(rules):
        built.origins[f"auto_approval[{k}]"] = f"auto-{r}-cond-0-field"
        conds = _conditions(built, rule.conds, f"auto_approval[{k}]", f"auto-{r}")
        document["auto_approval"].append({"conditions": conds})
    steps = [(s, step) for s, step in enumerate(form.steps) if not _blank_step(step)]
    document["steps"] = [
        _step(built, step, f"steps[{j}]", f"step-{s}") for j, (s, step) in enumerate(steps)
    ]
    document["decision_policy"] = form.decision_policy
    document["requester_may_approve"] = not form.segregation
    document["default_approver"] = form.default_approver.strip()
    built.document = document
    return built


@dataclass
class FormErrors:
    """Approval's faults: by form field id, and those no field shows (named by their path)."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def _field_of(path: str, origins: Mapping[str, str]) -> str | None:
    path = _TAG.sub(r"\1", path)
    for known in sorted(origins, key=len, reverse=True):
        if path == known or path.startswith((f"{known}.", f"{known}[")):
            return origins[known]
    return None


def field_errors(errors: Iterable[Mapping[str, Any]], origins: Mapping[str, str]) -> FormErrors:
    """Each of approval's ``errors`` (``field``, ``rule``, ``message``) at the form field it is
    about, or among the general ones."""
    found = FormErrors()
    for error in errors:
        path, message = str(error.get("field", "")), str(error.get("message", "not valid"))
        where = _field_of(path, origins) if path else None
        if where is None:
            found.general.append(f"{path}: {message}" if path else message)
        else:
            found.by_field.setdefault(where, []).append(message)
    return found
