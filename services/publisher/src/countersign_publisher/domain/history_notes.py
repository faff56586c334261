"""The notes a bill's Xero History and Notes gets: one per decision of its approval, so a Xero
user sees who approved it, at which step, when and why, without opening the audit report.

    Countersign, step 1 "Manager": approved by Ann Lee, 2026-05-04 09:12 UTC: "Matches the PO"
    Countersign, step 2 "Director": approved by Bo Kim (substitute for Cy Ng), 2026-05-04 …
    Countersign, step 2 "Director": escalated, 2026-05-05 08:00 UTC: "to the administrators …"
    Countersign: auto-approved, 2026-05-04 09:00 UTC: "auto-approval rule 1"

One note each rather than one for all: Xero shows each note as its own line, a trail of many
long comments stays within Xero's Details limit, and they still go in one call. A note is
unique (it carries its decision's time), which is how a note sent before is recognised.
"""

from __future__ import annotations

from countersign_contracts import (
    ActorKind,
    AuditAction,
    AuditEntry,
    RequestAuthorised,
    RequestRejected,
)

__all__ = ["MAX_NOTE_LENGTH", "history_notes", "note", "rejection_note"]

MAX_NOTE_LENGTH = 2500
"""Xero's limit on a note's Details ("Max Length 2500 characters", History and Notes)."""

_VERBS = {
    AuditAction.REVIEW_SUBMITTED: "reviewed",
    AuditAction.APPROVED: "approved",
    AuditAction.AUTO_APPROVED: "auto-approved",
    AuditAction.FORCE_APPROVED: "force-approved",
    AuditAction.ESCALATED: "escalated",
    AuditAction.REASSIGNED: "approver reassigned",
    AuditAction.EDITED_AFTER_APPROVAL: "recoded after approval",
}
"""The trail's entries a note is written for, and how the note names them."""

_NAMED = {
    **_VERBS,
    AuditAction.REJECTED: "rejected",
    AuditAction.FORCE_REJECTED: "force-rejected",
}
"""Every decision a note may name: a rejection's note is written for a bill pulled from Xero."""

_ELLIPSIS = "…"


def _who(entry: AuditEntry) -> str:
    if entry.actor.kind is not ActorKind.USER:
        return ""
    who = f" by {entry.actor.name}"
    behalf = entry.on_behalf_of
    if behalf is not None and entry.actor.role == "substitute":
        return f"{who} (substitute for {behalf.name})"
    if entry.actor.role in ("admin", "administrator"):
        who += " (administrator"
        return who + (f", for {behalf.name})" if behalf is not None else ")")
    return who + (f" (for {behalf.name})" if behalf is not None else "")


def note(entry: AuditEntry) -> str:
    """The note of one decision, at most ``MAX_NOTE_LENGTH`` characters: a long comment is
    shortened (the audit report attached to the bill keeps it whole)."""
    where = f', step {entry.step.index + 1} "{entry.step.name}"' if entry.step else ""
    when = entry.at.strftime("%Y-%m-%d %H:%M UTC")
    head = f"Countersign{where}: {_NAMED[entry.action]}{_who(entry)}, {when}"
    if not entry.comment:
        return head[:MAX_NOTE_LENGTH]
    room = MAX_NOTE_LENGTH - len(head) - len(': ""')
    comment = entry.comment.strip()
    if len(comment) > room:
        comment = comment[: max(room - len(_ELLIPSIS), 0)] + _ELLIPSIS
    return f'{head}: "{comment}"'[:MAX_NOTE_LENGTH]


def history_notes(authorised: RequestAuthorised) -> list[str]:
    """The bill's notes, oldest decision first."""
    return [note(e) for e in authorised.audit_trail if e.action in _VERBS]


def rejection_note(rejected: RequestRejected) -> str:
    """The note a bill pulled from Xero gets when its request was rejected (ADR 0058): who, at
    which step, and why, as the bill goes back to DRAFT."""
    action = AuditAction.FORCE_REJECTED if rejected.forced else AuditAction.REJECTED
    entry = AuditEntry(
        action=action,
        actor=rejected.rejected_by,
        step=rejected.step,
        comment=rejected.reason,
        at=rejected.rejected_at,
    )
    return note(entry)
