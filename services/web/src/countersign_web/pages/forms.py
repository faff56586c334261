"""What the approver's forms mean to approval's API, with no IO: the history search (a GET
form, so a search is a link one can keep), an out-of-office, a line's recoding; and approval's
refusals (problem+json ``errors``) put back at the form's fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from countersign_contracts import ledger_title

__all__ = [
    "STATES",
    "AbsenceForm",
    "History",
    "absence_body",
    "coding_body",
    "field_errors",
    "history_of",
    "state_label",
]

# Approval's request states, as a person reads them; the history's state filter offers these.
STATES = {
    "in_review": "In review",
    "in_approval": "Awaiting approval",
    "rejected": "Rejected",
    "authorised": "Authorised",
    "publishing": "Publishing",
    "published": "In the ledger",  # a request's row names its ledger: ``state_label``
    "publish_failed": "Publication failed",
    "publication_cancelled": "Publication cancelled",
    "superseded": "Superseded",
    "cancelled": "Cancelled",
    "awaiting_workflow": "Awaiting a workflow",
}


def state_label(state: str, ledger: str | None = None) -> str:
    """A request's state as a person reads it; a published one names its ledger ("In
    QuickBooks Online"), as the request says it (None: Xero)."""
    if state == "published":
        return f"In {ledger_title(ledger)}"
    return STATES.get(state, state)


HISTORY_FIELDS = (
    "supplier", "min_total", "max_total", "state", "opened_from", "opened_to", "decided_by_me",
)  # fmt: skip


@dataclass
class History:
    """The search as typed (shown back in the form), approval's query parameters for it, and
    what is wrong with it, by field."""

    typed: dict[str, str]
    query: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def _amount(text: str) -> Decimal | None:
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def history_of(params: Mapping[str, str]) -> History:
    """The history form's fields (blank ones left out) as approval's query, newest first."""
    typed = {k: params.get(k, "").strip() for k in HISTORY_FIELDS}
    found = History(typed, {"newest_first": "true"})
    if typed["supplier"]:
        found.query["supplier"] = typed["supplier"][:200]
    for name in ("min_total", "max_total"):
        if typed[name]:
            amount = _amount(typed[name])
            if amount is None:
                found.errors[name] = "Type an amount, such as 250 or 99.50."
            else:
                found.query[name] = str(amount)
    if typed["state"]:
        if typed["state"] in STATES:
            found.query["state"] = typed["state"]
        else:
            found.errors["state"] = "Choose a state from the list."
    for name in ("opened_from", "opened_to"):
        if typed[name]:
            if _day(typed[name]) is None:
                found.errors[name] = "Type a date as YYYY-MM-DD."
            else:
                found.query[name] = typed[name]
    if typed["decided_by_me"]:
        found.query["decided_by"] = "me"
    return found


@dataclass
class AbsenceForm:
    substitute_email: str
    starts_on: str
    ends_on: str


def absence_body(form: AbsenceForm) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The absence approval is asked for — from the start of the first day to the end of the
    last (UTC) — or what is wrong, by field."""
    errors: dict[str, str] = {}
    if not form.substitute_email.strip():
        errors["substitute_email"] = "Type the address of the person who decides for you."
    starts, ends = _day(form.starts_on.strip()), _day(form.ends_on.strip())
    if starts is None:
        errors["starts_on"] = "Type the first day you are away, as YYYY-MM-DD."
    if ends is None:
        errors["ends_on"] = "Type the last day you are away, as YYYY-MM-DD."
    elif starts is not None and ends < starts:
        errors["ends_on"] = "The last day cannot be before the first."
    if errors or starts is None or ends is None:
        return None, errors
    body = {
        "substitute_email": form.substitute_email.strip(),
        "starts_at": datetime.combine(starts, time(), tzinfo=UTC).isoformat(),
        "ends_at": datetime.combine(ends + timedelta(days=1), time(), tzinfo=UTC).isoformat(),
    }
    return body, {}


# Approval names the API's fields; the pages name their own.
_FORM_FIELD = {"starts_at": "starts_on", "ends_at": "ends_on"}


def field_errors(problem: Mapping[str, Any], line: int | None = None) -> dict[str, str]:
    """Approval's problem+json ``errors`` by the form's field (``line``: a recoding of that
    line, whose errors name ``lines[n].account_code`` and the like); what names no field of
    the form goes under ``""``."""
    found: dict[str, str] = {}
    for error in problem.get("errors") or []:
        name = str(error.get("field", ""))
        if line is not None:
            prefix = f"lines[{line}]."
            name = name.removeprefix(prefix).split("[")[0] if name.startswith(prefix) else ""
        name = _FORM_FIELD.get(name, name)
        found[name] = " ".join(filter(None, (found.get(name), str(error.get("message", "")))))
    if not found:
        found[""] = str(problem.get("detail") or "Approval refused it.")
    return found


def coding_body(
    fields: Mapping[str, str], categories: list[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A line's recoding from its form: account, tax type, and one option per tracking
    category (``tracking:<category>``, blank for none); what is wrong, by field."""
    account, tax = fields.get("account_code", "").strip(), fields.get("tax_type", "").strip()
    errors = {}
    if not account:
        errors["account_code"] = "Choose an account."
    if not tax:
        errors["tax_type"] = "Choose a tax rate."
    tracking = [
        {"category": c, "option": fields[f"tracking:{c}"].strip()}
        for c in categories
        if fields.get(f"tracking:{c}", "").strip()
    ]
    return {"account_code": account, "tax_type": tax, "tracking": tracking}, errors
