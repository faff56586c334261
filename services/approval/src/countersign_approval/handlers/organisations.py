"""Organisations, their people and their workflow: approval is their system of record."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
from countersign_contracts import (
    ORGANISATIONS,
    OrganisationRegistered,
    OrganisationStatus,
    OrganisationUpdated,
    new_envelope,
)
from countersign_platform.outbox import enqueue
from countersign_platform.refusals import FieldError

from countersign_approval.db.absences import Absences
from countersign_approval.db.organisations import Organisations
from countersign_approval.db.people import People
from countersign_approval.db.requests import Requests
from countersign_approval.db.workflows import Workflows
from countersign_approval.domain.absences import Absence
from countersign_approval.domain.organisation import Organisation
from countersign_approval.domain.people import Person, Role
from countersign_approval.domain.refusals import (
    AbsenceRefused,
    NoAbsence,
    OrganisationExists,
    OrganisationNotFound,
    UserExists,
    UserInUse,
    UserNotFound,
    WorkflowRefused,
)
from countersign_approval.domain.workflow import (
    Reference,
    SavedWorkflow,
    Workflow,
    referenced_people,
)
from countersign_approval.handlers.running import PRODUCER, flush_events, load_run

__all__ = [
    "MAX_ABSENCE",
    "add_user",
    "change_user",
    "clear_absence",
    "hash_token",
    "issue_token",
    "register_organisation",
    "remove_user",
    "save_workflow",
    "set_absence",
    "update_organisation",
]

TOKEN_PREFIX = "csk_"
MAX_ABSENCE = timedelta(days=366)
# Keeping requesters from approving their own bills needs someone else to approve them.
_OWN_BILL_APPROVERS = 2


@dataclass(frozen=True)
class IssuedUser:
    person: Person
    token: str  # shown once; only its hash is stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _emit_organisation(
    conn: asyncpg.Connection,
    org: Organisation,
    event: type[OrganisationRegistered | OrganisationUpdated],
) -> None:
    payload = event(
        organisation_id=org.organisation_id,
        name=org.name,
        base_currency=org.base_currency,
        timezone=org.timezone,
        status=OrganisationStatus(org.status),
    )
    envelope = new_envelope(
        payload,
        producer=PRODUCER,
        organisation_id=org.organisation_id,
        correlation_id=uuid.uuid4(),
    )
    await enqueue(conn, ORGANISATIONS, envelope)


async def add_user(
    conn: asyncpg.Connection, organisation_id: UUID, email: str, name: str, roles: frozenset[Role]
) -> IssuedUser:
    person = Person(user_id=uuid.uuid4(), email=email.strip().lower(), name=name, roles=roles)
    people = People(conn)
    if not await people.add(organisation_id, person):
        raise UserExists(f"the organisation already has a user {person.email}")
    return await _issue(people, person)


async def _issue(people: People, person: Person) -> IssuedUser:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    await people.add_token(person.user_id, hash_token(token))
    return IssuedUser(person, token)


async def issue_token(conn: asyncpg.Connection, organisation_id: UUID, user_id: UUID) -> IssuedUser:
    """A new token for the user; every earlier one stops working."""
    people = People(conn)
    person = await _current_user(people, organisation_id, user_id)
    await people.revoke_tokens(user_id)
    return await _issue(people, person)


async def _current_user(people: People, organisation_id: UUID, user_id: UUID) -> Person:
    """The current user, locked until the transaction ends."""
    person = await people.by_id(organisation_id, user_id, lock=True)
    if person is None:
        raise UserNotFound(f"{user_id} is not a user of the organisation")
    return person


def _able(person: Person | None, need: Reference) -> bool:
    if person is None:
        return False
    return person.may_approve if need is Reference.APPROVE else person.may_review


async def _work_needing(
    conn: asyncpg.Connection, organisation_id: UUID, person: Person, becomes: Person | None
) -> list[str]:
    """What still depends on ``person`` that they could no longer do as ``becomes`` (None:
    removed): the organisation's only admin, a place in the current workflow or in a version
    pending requests run on, a decision pending requests await, standing in for someone away,
    one of the two users who may approve that a workflow keeping requesters from approving
    their own bills needs. Empty when nothing does."""
    reasons = []
    others = [p for p in (await People(conn).directory(organisation_id)).values() if p != person]
    sole_admin = person.has(Role.ADMIN) and not any(p.has(Role.ADMIN) for p in others)
    if sole_admin and not (becomes and becomes.has(Role.ADMIN)):
        reasons.append("they are the organisation's only admin: add another admin first")
    workflows, requests = Workflows(conn), Requests(conn)
    current = await workflows.get(organisation_id)
    running = set(await requests.pending_versions(organisation_id))
    for version in sorted(running | ({current.version} if current else set())):
        saved = await workflows.get(organisation_id, version)
        assert saved is not None
        named = ", ".join(
            path
            for path, email, need in referenced_people(saved.document)
            if email == person.email and not _able(becomes, need)
        )
        if named and current is not None and version == current.version:
            reasons.append(
                f"the current workflow (version {version}) names them at {named}:"
                " save a version without them"
            )
        if named and version in running:
            reasons.append(
                f"pending requests run on workflow version {version}, which names them at"
                f" {named}: they must be decided (or force-decided) first"
            )
    if not _able(becomes, Reference.APPROVE):
        own_bills = current is not None and not current.document.requester_may_approve
        if (
            own_bills
            and person.may_approve
            and sum(p.may_approve for p in others) < _OWN_BILL_APPROVERS
        ):
            reasons.append(
                "the current workflow keeps requesters from approving their own bills, which"
                " needs two users who may approve: give someone else the approver role first"
            )
        awaited = await requests.pending_awaiting(organisation_id, person.user_id)
        if awaited:
            reasons.append(f"{awaited} pending request(s) await their decision: reassign them")
        absent = {p.user_id: p.email for p in others}
        for user_id in await Absences(conn).stood_in_by(person.user_id):
            reasons.append(
                f"they stand in for {absent.get(user_id, user_id)} while away:"
                " give that absence another substitute or clear it"
            )
    return reasons


async def set_absence(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    user_id: UUID,
    substitute_email: str,
    starts_at: datetime,
    ends_at: datetime,
    set_by: UUID,
) -> Absence:
    """Records that the user is away from ``starts_at`` to ``ends_at`` with ``substitute_email``
    deciding in their place (replacing an earlier absence). Raises AbsenceRefused naming the
    field and rule. Substitutes are not followed further: the
    substitute's own absence does not pass the user's decisions on again."""
    await Workflows(conn).lock(organisation_id, exclusive=True)  # as removals and role changes
    people = People(conn)
    await _current_user(people, organisation_id, user_id)
    errors = []
    substitute = await people.by_email(organisation_id, substitute_email)
    if substitute is None:
        errors.append(
            FieldError(
                "substitute_email",
                "unknown_user",
                f"{substitute_email} is not a user of the organisation",
            )
        )
    elif substitute.user_id == user_id:
        errors.append(FieldError("substitute_email", "not_self", "nobody stands in for themselves"))
    elif not substitute.may_approve:
        errors.append(
            FieldError(
                "substitute_email",
                "role_required",
                f"{substitute_email} needs the approver or admin role",
            )
        )
    if ends_at <= starts_at:
        errors.append(FieldError("ends_at", "after_start", "ends_at must be after starts_at"))
    elif ends_at <= datetime.now(UTC):
        errors.append(FieldError("ends_at", "in_future", "ends_at must be in the future"))
    elif ends_at - starts_at > MAX_ABSENCE:
        errors.append(FieldError("ends_at", "max_length", "an absence lasts at most 366 days"))
    if errors:
        raise AbsenceRefused(errors)
    assert substitute is not None
    absence = Absence(user_id, substitute, starts_at, ends_at)
    await Absences(conn).set(organisation_id, absence, set_by)
    return absence


async def clear_absence(conn: asyncpg.Connection, organisation_id: UUID, user_id: UUID) -> None:
    """Ends the user's absence now; refused when they have none (or are no user here)."""
    here = await People(conn).by_id(organisation_id, user_id, lock=False) is not None
    if not (here and await Absences(conn).clear(user_id)):
        raise NoAbsence(f"{user_id} has no absence set")


async def remove_user(
    conn: asyncpg.Connection, organisation_id: UUID, user_id: UUID, removed_by: UUID
) -> Person:
    """Removes the user and revokes their tokens, unless work still depends on them (raises
    UserInUse, naming it). Holds the organisation's workflow lock,
    so no workflow naming them is saved, and no request starts or is decided, meanwhile."""
    await Workflows(conn).lock(organisation_id, exclusive=True)
    people = People(conn)
    person = await _current_user(people, organisation_id, user_id)
    reasons = await _work_needing(conn, organisation_id, person, None)
    if reasons:
        raise UserInUse(reasons)
    await people.remove(user_id, removed_by)
    return person


async def change_user(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    user_id: UUID,
    *,
    name: str | None,
    roles: frozenset[Role] | None,
) -> Person:
    """Renames the user or changes their roles, unless a role they would lose is still needed
    (raises UserInUse, naming where). Locks as remove_user does."""
    await Workflows(conn).lock(organisation_id, exclusive=True)
    people = People(conn)
    person = await _current_user(people, organisation_id, user_id)
    changed = person.model_copy(
        update={"name": name or person.name, "roles": roles or person.roles}
    )
    if changed.roles != person.roles:
        reasons = await _work_needing(conn, organisation_id, person, changed)
        if reasons:
            raise UserInUse(reasons)
    if changed != person:
        await people.update(changed)
    return changed


async def register_organisation(
    conn: asyncpg.Connection, org: Organisation, admin_email: str, admin_name: str
) -> IssuedUser:
    """The organisation, its first administrator and their token, and OrganisationRegistered."""
    if not await Organisations(conn).add(org):
        raise OrganisationExists(f"organisation {org.organisation_id} is already registered")
    admin = await add_user(
        conn, org.organisation_id, admin_email, admin_name, frozenset({Role.ADMIN})
    )
    await _emit_organisation(conn, org, OrganisationRegistered)
    return admin


async def update_organisation(
    conn: asyncpg.Connection,
    organisation_id: UUID,
    *,
    name: str | None,
    base_currency: str | None,
    timezone: str | None,
    status: str | None,
) -> Organisation:
    organisations = Organisations(conn)
    org = await organisations.get(organisation_id, lock=True)
    if org is None:
        raise OrganisationNotFound(f"{organisation_id} is unknown")
    changed = replace(
        org,
        name=name or org.name,
        base_currency=base_currency or org.base_currency,
        timezone=timezone or org.timezone,
        status=status or org.status,
    )
    if changed != org:
        await organisations.update(changed)
        await _emit_organisation(conn, changed, OrganisationUpdated)
    return changed


def _check_people(document: Workflow, people: dict[str, Person]) -> list[FieldError]:
    errors = []
    able = sum(p.may_approve for p in people.values())
    if not document.requester_may_approve and able < _OWN_BILL_APPROVERS:
        errors.append(
            FieldError(
                "requester_may_approve",
                "two_approvers_required",
                "keeping requesters from approving their own bills needs two users with the"
                f" approver or admin role; the organisation has {able}",
            )
        )
    for path, email, need in referenced_people(document):
        person = people.get(email)
        if person is None:
            errors.append(
                FieldError(path, "unknown_user", f"{email} is not a user of the organisation")
            )
        elif need is Reference.APPROVE and not person.may_approve:
            errors.append(
                FieldError(path, "role_required", f"{email} needs the approver or admin role")
            )
        elif need is Reference.REVIEW and not person.may_review:
            errors.append(
                FieldError(path, "role_required", f"{email} needs the reviewer or admin role")
            )
    return errors


async def save_workflow(
    conn: asyncpg.Connection, organisation_id: UUID, document: Workflow, saved_by: UUID
) -> SavedWorkflow:
    """Saves the next version. Requests already running keep theirs; requests that waited for
    a first workflow start on this one."""
    await Workflows(conn).lock(organisation_id, exclusive=True)
    if await Organisations(conn).get(organisation_id, lock=True) is None:
        raise LookupError(f"organisation {organisation_id} is not registered")
    errors = _check_people(document, await People(conn).directory(organisation_id))
    if errors:
        raise WorkflowRefused(errors)
    workflows = Workflows(conn)
    current = await workflows.get(organisation_id)
    workflow_id = current.workflow_id if current is not None else uuid.uuid4()
    saved = await workflows.add(organisation_id, workflow_id, document, saved_by)
    run = await load_run(conn, organisation_id, saved.version)
    assert run is not None
    requests = Requests(conn)
    now = datetime.now(UTC)
    for stored in await requests.awaiting_workflow(organisation_id):
        stored.request.start(run, now)
        stored.workflow_version = saved.version
        await requests.save(stored)
        await flush_events(conn, stored)
    return saved
