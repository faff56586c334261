"""A reviewer's change to a line's coding, and the before/after record it leaves."""

from __future__ import annotations

import json

from countersign_contracts import Bill, FieldChange, Text, TrackingSelection
from pydantic import BaseModel, ConfigDict, Field

from countersign_approval.domain.refusals import InvalidAction

__all__ = ["CodingEdit", "apply_coding"]


class CodingEdit(BaseModel):
    """New coding for one line; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account_code: Text | None = Field(default=None, min_length=1, max_length=10)
    tax_type: Text | None = Field(default=None, min_length=1, max_length=50)
    tracking: list[TrackingSelection] | None = Field(default=None, max_length=2)


def _tracking_text(tracking: list[TrackingSelection]) -> str:
    return json.dumps([t.model_dump(mode="json", exclude_none=True) for t in tracking])


def apply_coding(bill: Bill, line_index: int, edit: CodingEdit) -> tuple[Bill, list[FieldChange]]:
    """The bill with the line recoded, and each field that really changed."""
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
    return bill.model_copy(update={"lines": lines}), changes
