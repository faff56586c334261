"""Why ingest refuses what Dext, an admin or an operator asked: the platform's refusals
(``countersign_platform.refusals``), each answered once as problem+json with the status its
category means and its own title.

    NotFound  404  ItemNotFound       "No such item"
                   DocumentNotFound   "No such document"
                   NoRotation         "No rotation under way"
                   NoCredential       "No Dext credential"
    Conflict  409  NoNewVersion       "Item cannot take a new version"
                   NotWithdrawable    "Item cannot be withdrawn"
    Invalid   422  BrokenRules        "Request is not valid": each broken rule named
                   CursorNotValid     "Request is not valid": a cursor this API never returned

A call whose signature was accepted before is not among them: that is a failed signature (401),
answered by the signature gate (``api/signed.py``) like every other.
"""

from __future__ import annotations

from collections.abc import Sequence

from countersign_platform.refusals import Conflict, FieldError, Forbidden, Invalid, NotFound

from countersign_ingest.domain.rules import Violation

__all__ = [
    "BrokenRules",
    "CursorNotValid",
    "DocumentNotFound",
    "ItemNotFound",
    "NoCredential",
    "NoNewVersion",
    "NoRotation",
    "NotWithdrawable",
    "OrganisationSuspended",
]


class OrganisationSuspended(Forbidden):
    """The operator has suspended the organisation: no item is taken meanwhile."""

    kind = "organisation-suspended"
    title = "Organisation suspended"


class ItemNotFound(NotFound):
    title = "No such item"

    def __init__(self, dext_item_id: str) -> None:
        super().__init__(f"item {dext_item_id} is unknown")


class DocumentNotFound(NotFound):
    title = "No such document"

    def __init__(self) -> None:
        super().__init__("")  # the link named the document; there is nothing to add


class NoRotation(NotFound):
    title = "No rotation under way"

    def __init__(self) -> None:
        super().__init__("there is no previous secret")


class NoCredential(NotFound):
    title = "No Dext credential"

    def __init__(self) -> None:
        super().__init__("the organisation has no current Dext credential; issue one")


class NoNewVersion(Conflict):
    """The item is withdrawn, of the other kind, or on its way to Xero."""

    title = "Item cannot take a new version"


class NotWithdrawable(Conflict):
    """A bank transaction, an item bound for Xero, or one whose withdrawal was refused."""

    title = "Item cannot be withdrawn"


class BrokenRules(Invalid):
    def __init__(self, violations: Sequence[Violation]) -> None:
        plural = "s are" if len(violations) != 1 else " is"
        super().__init__(
            f"{len(violations)} rule{plural} broken",
            [FieldError(v.field, v.rule, v.message) for v in violations],
        )


class CursorNotValid(Invalid):
    def __init__(self) -> None:
        super().__init__(
            "the cursor is not one this API returned",
            [FieldError("cursor", "cursor", "use next_cursor from the previous page")],
        )
