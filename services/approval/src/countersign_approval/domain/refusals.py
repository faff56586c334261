"""Why approval refuses what it was asked, as the platform's refusal categories
(``countersign_platform.refusals``): the category gives the HTTP status, the kind the problem's
type, the title its title. The platform answers each once, as problem+json; nothing here knows
HTTP.

    status  refusal                type suffix        title
    ──────  ─────────────────────  ─────────────────  ───────────────────────────────
    403     NotAParticipant        not-a-participant  Action refused
    403     OwnBill                own-bill           Action refused
    409     OutOfTurn              conflict           Action refused
    422     InvalidAction          invalid-action     Action refused
    422     CodingRefused          coding-refused     Xero would refuse this coding (errors)
    403     SignInRefused          sign-in-refused    Sign-in refused
    409     ChooseOrganisation     choose-organisation  Choose an organisation (organisations)
    409     CodingNotValid         coding-not-valid   Coding no longer valid
    404     RequestNotFound        not-found          No such request
    404     UserNotFound           not-found          No such user
    404     NoAbsence              not-found          No absence
    404     OrganisationNotFound   not-found          No such organisation
    409     UserExists             already-exists     User already exists
    409     OrganisationExists     already-exists     Organisation already registered
    409     UserInUse              user-in-use        The user still has work
    422     WorkflowRefused        validation         Workflow is not valid (errors: field, rule)
    422     AbsenceRefused         validation         Absence is not valid (errors: field, rule)
    422     SettingsRefused        validation         Settings are not valid (errors: field, rule)

The state machine's own refusal, ``lifecycle.TransitionRefused``, is a plain Conflict (409
``conflict``, "Not possible in this state"); a caller who may not see a request or set another
user's absence gets a plain Forbidden (403 ``forbidden``, "Not allowed").
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from countersign_platform.refusals import Conflict, FieldError, Forbidden, Invalid, NotFound

__all__ = [
    "AbsenceRefused",
    "ChooseOrganisation",
    "CodingNotValid",
    "CodingRefused",
    "InvalidAction",
    "NoAbsence",
    "NotAParticipant",
    "OrganisationExists",
    "OrganisationNotFound",
    "OutOfTurn",
    "OwnBill",
    "RequestNotFound",
    "SettingsRefused",
    "SignInRefused",
    "UserExists",
    "UserInUse",
    "UserNotFound",
    "WorkflowRefused",
]

# What a decision's refusal has always been called, whatever its category.
_ACTION_REFUSED = "Action refused"
# The type of both refusals of a new user or organisation whose email or id is taken.
_ALREADY_EXISTS = "already-exists"


class NotAParticipant(Forbidden):
    """The user is not one whose turn it is."""

    kind = "not-a-participant"
    title = _ACTION_REFUSED


class OwnBill(Forbidden):
    """The workflow keeps requesters from approving their own bills, and this is theirs."""

    kind = "own-bill"
    title = _ACTION_REFUSED


class OrganisationSuspended(Conflict):
    """The operator has suspended the organisation: no decision is made until it is active."""

    kind = "organisation-suspended"
    title = _ACTION_REFUSED


class OutOfTurn(Conflict):
    """The request is not where the action expects it: another decision got there first, or
    the state does not accept the action."""

    title = _ACTION_REFUSED


class InvalidAction(Invalid):
    """The action's own content is wrong."""

    kind = "invalid-action"
    title = _ACTION_REFUSED


class CodingNotValid(Conflict):
    """The organisation's Xero would refuse the bill's coding as it stands (an account archived
    since it was submitted): the request cannot be authorised until a reviewer or an
    administrator recodes it."""

    kind = "coding-not-valid"
    title = "Coding no longer valid"


class SignInRefused(Forbidden):
    """A sign-in link, ID token or session that does not let anyone in (used, expired,
    unknown, another client's, or its user removed); the detail says which, never the secret."""

    kind = "sign-in-refused"
    title = "Sign-in refused"


class ChooseOrganisation(Conflict):
    """The person is a user in several organisations: the sign-in names one of
    ``organisations`` (id and name, in the problem document)."""

    kind = "choose-organisation"
    title = "Choose an organisation"

    def __init__(self, choices: Sequence[tuple[UUID, str]]) -> None:
        super().__init__(
            "you are a user in several organisations: sign in again naming one",
            extensions={
                "organisations": [{"organisation_id": str(i), "name": n} for i, n in choices]
            },
        )


class RequestNotFound(NotFound):
    """No request of that id in the caller's organisation: another organisation's request is
    as unknown, so the ids of other tenants are not confirmed."""

    title = "No such request"


class UserNotFound(NotFound):
    """No current user of that id: never one, or removed."""

    title = "No such user"


class NoAbsence(NotFound):
    title = "No absence"


class OrganisationNotFound(NotFound):
    title = "No such organisation"


class UserExists(Conflict):
    """The organisation already has a current user with that email; someone removed may be
    added again."""

    kind = _ALREADY_EXISTS
    title = "User already exists"


class OrganisationExists(Conflict):
    """The operator registers an organisation under an id that is taken."""

    kind = _ALREADY_EXISTS
    title = "Organisation already registered"


class UserInUse(Conflict):
    """The user cannot be removed, or lose a role, yet: work still depends on them."""

    kind = "user-in-use"
    title = "The user still has work"

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


class _RulesBroken(Invalid):
    """What was sent breaks rules about the organisation's people or ledger; ``errors`` name
    the fields and rules, and the detail lists them."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


class WorkflowRefused(_RulesBroken):
    """The document names people who cannot do what it asks of them."""

    title = "Workflow is not valid"


class CodingRefused(_RulesBroken):
    """A recoding names a value the organisation's Xero does not take (an archived account, a
    tax type not for the account, an archived tracking option)."""

    kind = "coding-refused"
    title = "Xero would refuse this coding"


class AbsenceRefused(_RulesBroken):
    """The substitute or the dates of an absence are not acceptable."""

    title = "Absence is not valid"


class SettingsRefused(_RulesBroken):
    """An organisation's settings that do not hold together (the via-Xero mode without its
    requester)."""

    title = "Settings are not valid"
