"""Why a use case refuses what it was asked: one exception family, raised by domain rules and
handlers (which know nothing of HTTP), answered once — as RFC 9457 problem+json, with the
status its category means — by the handler ``problems.install_problem_handlers`` installs.

    Refusal            409 (the general case: the rule and the state do not allow it)
    ├── NotFound       404
    ├── Forbidden      403 (this caller may not, whatever the state)
    ├── Conflict       409 (the state does not allow it now)
    └── Invalid        422 (what was sent breaks a rule: name the field and the rule)

A service subclasses a category to name its own kind (``OwnBill(Forbidden)``, kind
``own-bill``); the kind is the problem's type, so a client can tell refusals apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

__all__ = ["Conflict", "FieldError", "Forbidden", "Invalid", "NotFound", "Refusal"]


@dataclass(frozen=True)
class FieldError:
    """One broken rule: which field, which rule, and what it says."""

    field: str
    rule: str
    message: str


class Refusal(Exception):
    kind: ClassVar[str] = "refused"
    title: ClassVar[str] = "Action refused"

    def __init__(
        self,
        detail: str,
        errors: Sequence[FieldError] = (),
        extensions: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)
        self.extensions = dict(extensions or {})  # more members of the problem document


class NotFound(Refusal):
    kind = "not-found"
    title = "Not found"


class Forbidden(Refusal):
    kind = "forbidden"
    title = "Not allowed"


class Conflict(Refusal):
    kind = "conflict"
    title = "Not possible in this state"


class Invalid(Refusal):
    kind = "validation"
    title = "Request is not valid"
