"""Whether a consumed record comes from its topic's producer (ADR 0061).

Every topic has one producer, named in the contracts' topic table (``Topic.producer``). A
record is handled only when its ``ce_source`` header and its envelope's ``producer`` both name
that service; one from another producer, or whose header and envelope disagree, goes to the
dead-letter topic with the names it carries and never reaches a handler.

This catches a misrouted record or a careless forgery. A deliberate forger who writes the
right names is stopped only by the broker's ACLs, which let no one but the producer's
principal write its topics (docs/contracts.md).
"""

from __future__ import annotations

from typing import Any

from countersign_contracts import Envelope

from countersign_platform.subscription import Subscription

__all__ = ["foreign_producer"]


def foreign_producer(
    subscription: Subscription, ce_source: str | None, envelope: Envelope[Any]
) -> str | None:
    """Why the record is not its topic's producer's (expected and actual names), or None."""
    expected = subscription.producer
    if ce_source == envelope.producer == expected:
        return None
    return (
        f"{subscription.topic} is produced by {expected!r} only; this record names"
        f" {envelope.producer!r} in its envelope and {ce_source!r} in its ce_source header"
    )
