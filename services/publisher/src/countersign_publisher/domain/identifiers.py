"""The identifiers a publication's Xero requests carry: the ``Idempotency-Key`` of each try, and
the marker that finds a record again whose answer was lost (ADR 0035)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from uuid import UUID

from countersign_contracts import PublicationStep

__all__ = ["batch_idempotency_key", "idempotency_key", "marked_url"]


def idempotency_key(
    publication_id: UUID, step: PublicationStep, generation: int, attempt: int
) -> str:
    """Xero's Idempotency-Key for one try of one step. A new try gets a new key because Xero
    replays cached *errors* too; what protects a new try from duplicating is the look-up that
    runs first whenever the step was sent before."""
    return f"cs-{publication_id}-{step.value}-g{generation}-a{attempt}"


def batch_idempotency_key(members: Sequence[str]) -> str:
    """The key of a batched bill creation: derived from its members' own keys."""
    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()
    return f"cs-bills-{digest[:48]}"


def marked_url(source_url: str, publication_id: UUID) -> str:
    """The bill's ``Url``: the source document, plus a fragment naming the publication, so a
    bill created by a request whose answer was lost can be found again (the fragment never
    reaches the source document's server)."""
    separator = "&" if "#" in source_url else "#"
    return f"{source_url}{separator}countersign-publication={publication_id}"
