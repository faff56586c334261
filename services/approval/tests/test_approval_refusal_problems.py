"""Every refusal approval raises is answered with the status, problem type and title its
clients have always had: the refusal moved from an HTTP block in each endpoint to the
platform's one handler, and the answer must not have moved with it."""

from __future__ import annotations

import json
import uuid

import pytest
from countersign_approval.domain import refusals
from countersign_approval.domain.lifecycle import RequestState, TransitionRefused
from countersign_platform.problems import problem_response, refusal_problem
from countersign_platform.refusals import FieldError, Forbidden, Refusal

ACTION_REFUSED = "Action refused"

# The answers as they were before the platform's refusal family (api/refusals.py and the
# try/except blocks of api/admin.py and api/operator.py).
EXPECTED: dict[type[Refusal], tuple[int, str, str]] = {
    refusals.NotAParticipant: (403, "not-a-participant", ACTION_REFUSED),
    refusals.OwnBill: (403, "own-bill", ACTION_REFUSED),
    refusals.OutOfTurn: (409, "conflict", ACTION_REFUSED),
    refusals.InvalidAction: (422, "invalid-action", ACTION_REFUSED),
    refusals.RequestNotFound: (404, "not-found", "No such request"),
    refusals.UserNotFound: (404, "not-found", "No such user"),
    refusals.NoAbsence: (404, "not-found", "No absence"),
    refusals.OrganisationNotFound: (404, "not-found", "No such organisation"),
    refusals.UserExists: (409, "already-exists", "User already exists"),
    refusals.OrganisationExists: (409, "already-exists", "Organisation already registered"),
    refusals.CodingNotValid: (409, "coding-not-valid", "Coding no longer valid"),
    refusals.SignInRefused: (403, "sign-in-refused", "Sign-in refused"),
    Forbidden: (403, "forbidden", "Not allowed"),
}


def test_each_refusal_keeps_its_status_type_and_title() -> None:
    answered = {
        kind: (p.status, p.kind, p.title)
        for kind in EXPECTED
        for p in [refusal_problem(kind("why"))]
    }
    assert answered == EXPECTED
    # The others carry more than a sentence and have tests of their own below.
    unlisted = {name for name in refusals.__all__ if getattr(refusals, name) not in EXPECTED}
    assert unlisted == {
        "AbsenceRefused",
        "ChooseOrganisation",
        "CodingRefused",
        "SettingsRefused",
        "UserInUse",
        "WorkflowRefused",
    }


@pytest.mark.parametrize(
    ("refusal", "answer"),
    [
        (
            TransitionRefused(RequestState.PUBLISHED, RequestState.OPENED),
            (
                409,
                "conflict",
                "Not possible in this state",
                "a request cannot go from published to opened",
            ),
        ),
        (
            refusals.UserInUse(["they are the only admin", "1 pending"]),
            (409, "user-in-use", "The user still has work", "they are the only admin; 1 pending"),
        ),
    ],
    ids=["a refused move of the state machine", "a user in use"],
)
def test_a_conflict_keeps_its_type_and_title_and_says_why(
    refusal: Refusal, answer: tuple[int, str, str, str]
) -> None:
    problem = refusal_problem(refusal)
    assert (problem.status, problem.kind, problem.title, problem.detail) == answer


def test_refused_settings_name_the_field_and_rule() -> None:
    errors = [FieldError("via_xero_requester", "required", "the via_xero mode needs a requester")]
    problem = refusal_problem(refusals.SettingsRefused(errors))
    assert (problem.status, problem.kind, problem.title, problem.errors) == (
        422,
        "validation",
        "Settings are not valid",
        tuple(errors),
    )


def test_a_refused_workflow_or_absence_names_each_field_and_rule() -> None:
    errors = [
        FieldError("ends_at", "in_future", "ends_at must be in the future"),
        FieldError("substitute_email", "not_self", "nobody stands in for themselves"),
    ]
    answers = {
        (p.status, p.kind, p.title, p.detail, p.errors)
        for p in (
            refusal_problem(refusals.AbsenceRefused(errors)),
            refusal_problem(refusals.WorkflowRefused(errors)),
        )
    }
    detail = (
        "ends_at: ends_at must be in the future; substitute_email: nobody stands in for themselves"
    )
    assert answers == {
        (422, "validation", "Absence is not valid", detail, tuple(errors)),
        (422, "validation", "Workflow is not valid", detail, tuple(errors)),
    }


def test_a_refused_recoding_names_each_field_and_rule() -> None:
    errors = [FieldError("lines[0].account_code", "account_archived", "account 461 is archived")]
    problem = refusal_problem(refusals.CodingRefused(errors))
    assert (problem.status, problem.kind, problem.title, problem.errors) == (
        422,
        "coding-refused",
        "Xero would refuse this coding",
        tuple(errors),
    )
    assert problem.detail == "lines[0].account_code: account 461 is archived"


def test_a_sign_in_in_several_organisations_offers_them_in_the_problem() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    problem = refusal_problem(refusals.ChooseOrganisation([(first, "Acme"), (second, "Beta")]))
    body = json.loads(problem_response(problem).body)
    assert (body["status"], body["type"], body["title"]) == (
        409,
        "urn:countersign:problem:choose-organisation",
        "Choose an organisation",
    )
    assert body["organisations"] == [
        {"organisation_id": str(first), "name": "Acme"},
        {"organisation_id": str(second), "name": "Beta"},
    ]
