"""Why ingest refuses what Dext, an admin or an operator asked: the platform's refusals
(``countersign_platform.refusals``), each answered once as problem+json with the status its
category means and its own title.

    NotFound  404  ItemNotFound       "No such item"
                   DocumentNotFound   "No such document"
                   NoRotation         "No rotation under way"
                   NoCredential       "No Dext credential"
    Conflict  409  NoNewVersion       "Item cannot take a new version"
                   NotWithdrawable    "Item cannot be withdrawn"
                   LikelyDuplicate    "Likely duplicate of another item" (policy ``block``)
                   OrganisationViaXero "Bills start in Xero" (the via-Xero mode, ADR 0058)
    Invalid   422  BrokenRules        "Request is not valid": each broken rule named
                   CursorNotValid     "Request is not valid": a cursor this API never returned

A call whose signature was accepted before is not among them: that is a failed signature (401),
answered by the signature gate (``api/signed.py``) like every other.
"""

from __future__ import annotations

from collections.abc import Sequence

from countersign_contracts import DuplicateReason, PossibleDuplicate, XeroBillDuplicate
from countersign_platform.refusals import Conflict, FieldError, Forbidden, Invalid, NotFound

from countersign_ingest.domain.rules import Violation

__all__ = [
    "BrokenRules",
    "CursorNotValid",
    "DocumentNotFound",
    "ItemNotFound",
    "LikelyDuplicate",
    "NoCredential",
    "NoNewVersion",
    "NoRotation",
    "NotWithdrawable",
    "OrganisationSuspended",
    "OrganisationViaXero",
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


_FIELD = {
    DuplicateReason.SAME_INVOICE_NUMBER: (
        "document_reference",
        "the same supplier and document reference",
    ),
    DuplicateReason.SAME_DATE_AND_AMOUNT: (
        "total",
        "the same supplier, issue date, total and currency",
    ),
}


class LikelyDuplicate(Conflict):
    """The organisation refuses likely duplicates (policy ``block``), and this is one."""

    kind = "likely-duplicate"
    title = "Likely duplicate of another item"

    def __init__(
        self,
        dext_item_id: str,
        duplicates: list[PossibleDuplicate],
        in_xero: list[XeroBillDuplicate] | None = None,
    ) -> None:
        in_xero = in_xero or []
        others = [(f"item {d.dext_item_id}", d.reason) for d in duplicates] + [
            (_named(b), b.reason) for b in in_xero
        ]
        super().__init__(
            f"item {dext_item_id} looks like {', '.join(o for o, _ in others)}, which is open,"
            " published or in Xero; the organisation refuses likely duplicates. Withdraw one of"
            " them, or ask an administrator to set duplicate_policy to warn",
            [
                FieldError(_FIELD[reason][0], reason.value, f"{other} has {_FIELD[reason][1]}")
                for other, reason in others
            ],
            {
                "duplicates": [
                    d.model_dump(mode="json", exclude={"request_id"}) for d in duplicates
                ],
                "duplicates_in_xero": [b.model_dump(mode="json") for b in in_xero],
            },
        )


def _named(bill: XeroBillDuplicate) -> str:
    number = f" {bill.invoice_number}" if bill.invoice_number else ""
    return f"bill{number} of {bill.contact_name} in Xero ({bill.xero_invoice_id})"


class OrganisationViaXero(Conflict):
    """The organisation's bills start in Xero (ledger_mode via_xero): a new item from Dext is
    refused; items Countersign already has carry on."""

    kind = "organisation-via-xero"
    title = "Bills start in Xero"

    def __init__(self, dext_item_id: str) -> None:
        super().__init__(
            f"item {dext_item_id} was not taken: the organisation's bills start in Xero (the"
            " via_xero ledger mode). Publish it from Dext to Xero as Awaiting Approval, or ask"
            " an administrator to set ledger_mode to direct",
            [FieldError("dext_item_id", "organisation_via_xero", "new items start in Xero")],
        )


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
