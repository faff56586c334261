"""How long a workflow "hour" lasts: the unit of step deadlines (``deadline_hours``), their
reminder 24 hours before, and escalation delays (``after_hours``).

One real hour, always, in production. ``APPROVAL_WORKFLOW_HOUR_S`` shortens it for demos and
tests only, so a deadline and its escalation can be watched pass in seconds; the composition
root sets it once, at start, before any request moves."""

from __future__ import annotations

from datetime import timedelta

__all__ = ["REMINDER_LEAD_HOURS", "hours", "set_workflow_hour"]

REMINDER_LEAD_HOURS = 24  # the deadline reminder comes this many workflow hours before it

_hour = timedelta(hours=1)


def set_workflow_hour(seconds: float) -> None:
    global _hour
    _hour = timedelta(seconds=seconds)


def hours(count: float) -> timedelta:
    """``count`` workflow hours."""
    return _hour * count
