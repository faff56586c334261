"""A change to a line's coding, the before/after record it leaves, and the coding checked
against what the organisation's ledger (Xero, QuickBooks Online) accepts now
(``countersign_contracts.MasterData``, from the latest ledger.master-data.v1 event): a value the
ledger would refuse is never taken, and a request whose coding it would refuse carries the
reasons (``coding_issues``) until it is recoded."""

from __future__ import annotations

import json
from datetime import datetime

from countersign_contracts import (
    AuditAction,
    Bill,
    FieldChange,
    MasterData,
    Text,
    TrackingSelection,
    bill_coding_issues,
    lines_coding_issues,
)
from countersign_platform.refusals import FieldError
from pydantic import BaseModel, ConfigDict, Field

from countersign_approval.domain.lifecycle import PENDING
from countersign_approval.domain.people import SYSTEM
from countersign_approval.domain.record import RequestRecord
from countersign_approval.domain.refusals import CodingRefused, InvalidAction

__all__ = ["CodingEdit", "apply_coding", "recheck_coding"]

_SHOWN_ISSUES = 10  # in the trail's comment; the request keeps them all


class CodingEdit(BaseModel):
    """New coding for one line; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account_code: Text | None = Field(default=None, min_length=1, max_length=10)
    tax_type: Text | None = Field(default=None, min_length=1, max_length=50)
    tracking: list[TrackingSelection] | None = Field(default=None, max_length=2)


def _tracking_text(tracking: list[TrackingSelection]) -> str:
    return json.dumps([t.model_dump(mode="json", exclude_none=True) for t in tracking])


def _refuse_what_the_ledger_refuses(
    master: MasterData | None, bill: Bill, line_index: int, changes: list[FieldChange]
) -> None:
    """Refuses (422, naming each field) an edited value the ledger would not take; a field
    left as it was is not the editor's doing and stays for the request's own check."""
    if master is None:  # the ledger was never read: the ledger's answer is the only check
        return
    edited = tuple(change.field for change in changes)
    broken = [  # the lines together: QuickBooks Online takes one department per bill
        FieldError(issue.field, issue.rule, issue.message)
        for issue in lines_coding_issues(master, bill.lines, "lines")
        if issue.field.startswith(edited)
    ]
    if broken:
        raise CodingRefused(broken)


def apply_coding(
    bill: Bill, line_index: int, edit: CodingEdit, master: MasterData | None
) -> tuple[Bill, list[FieldChange]]:
    """The bill with the line recoded, and each field that really changed; refused when a
    new value is one the organisation's Xero (``master``) would not take."""
    if not 0 <= line_index < len(bill.lines):
        raise InvalidAction(f"the bill has no line {line_index} (it has {len(bill.lines)})")
    line = bill.lines[line_index]
    update: dict[str, object] = {}
    changes: list[FieldChange] = []
    path = f"lines[{line_index}]"
    for name in ("account_code", "tax_type"):
        new = getattr(edit, name)
        if new is not None and new != getattr(line, name):
            changes.append(
                FieldChange(field=f"{path}.{name}", before=getattr(line, name), after=new)
            )
            update[name] = new
    if edit.tracking is not None and edit.tracking != line.tracking:
        changes.append(
            FieldChange(
                field=f"{path}.tracking",
                before=_tracking_text(line.tracking),
                after=_tracking_text(edit.tracking),
            )
        )
        update["tracking"] = list(edit.tracking)
    if not changes:
        raise InvalidAction("the edit changes nothing on the line")
    lines = list(bill.lines)
    lines[line_index] = line.model_copy(update=update)
    recoded = bill.model_copy(update={"lines": lines})
    _refuse_what_the_ledger_refuses(master, recoded, line_index, changes)
    return recoded, changes


def recheck_coding(request: RequestRecord, master: MasterData | None, now: datetime) -> bool:
    """Checks a pending request's bill against the ledger's master data as it is now, and
    records in the trail when its coding became one Xero would refuse, or one it takes again.
    True when what the request carries changed. A request past its approval is left alone:
    the publisher's own check (Xero's answer) covers it."""
    if request.state not in PENDING:
        return False
    issues = [] if master is None else bill_coding_issues(master, request.bill)
    if issues == request.coding_issues:
        return False
    had_issues = bool(request.coding_issues)
    request.coding_issues = issues
    if issues:
        shown = "; ".join(f"{i.field}: {i.message}" for i in issues[:_SHOWN_ISSUES])
        more = len(issues) - _SHOWN_ISSUES
        comment = shown + (f"; and {more} more" if more > 0 else "")
        request.record(now, SYSTEM, AuditAction.CODING_FLAGGED, comment=comment)
    elif had_issues:
        request.record(now, SYSTEM, AuditAction.CODING_CLEARED)
    return True
