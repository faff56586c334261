"""Why the domain refuses an action. The HTTP layer maps each to a status."""

from __future__ import annotations

__all__ = ["DomainRefusal", "InvalidAction", "NotAParticipant", "OutOfTurn", "OwnBill"]


class DomainRefusal(Exception):
    kind = "refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotAParticipant(DomainRefusal):
    """The user is not one whose turn it is (403)."""

    kind = "not-a-participant"


class OutOfTurn(DomainRefusal):
    """The request is not where the action expects it: another decision got there first, or
    the state does not accept the action (409)."""

    kind = "conflict"


class InvalidAction(DomainRefusal):
    """The action's own content is wrong (422)."""

    kind = "invalid-action"


class OwnBill(DomainRefusal):
    """The workflow keeps requesters from approving their own bills, and this is theirs (403)."""

    kind = "own-bill"
