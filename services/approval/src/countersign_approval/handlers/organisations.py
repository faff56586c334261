"""Organisations, their people and their workflow: approval is their system of record."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
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
from countersign_platform.problems import FieldError

from countersign_approval.db.organisations import (
    Organisation,
    Organisations,
    People,
    SavedWorkflow,
    Workflows,
)
from countersign_approval.db.requests import Requests
from countersign_approval.domain.people import Person, Role
from countersign_approval.domain.workflow import Reference, Workflow, referenced_people
from countersign_approval.handlers.running import PRODUCER, flush_events, load_run

__all__ = [
    "AlreadyExists",
    "WorkflowRefused",
    "add_user",
    "hash_token",
    "register_organisation",
    "save_workflow",
    "update_organisation",
]

TOKEN_PREFIX = "csk_"


class AlreadyExists(Exception):
    """The organisation id or the user's email is taken."""


class WorkflowRefused(Exception):
    """The document names people who cannot do what it asks of them."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = list(errors)


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
        raise AlreadyExists(f"the organisation already has a user {person.email}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    await people.add_token(person.user_id, hash_token(token))
    return IssuedUser(person, token)


async def register_organisation(
    conn: asyncpg.Connection, org: Organisation, admin_email: str, admin_name: str
) -> IssuedUser:
    """The organisation, its first administrator and their token, and OrganisationRegistered."""
    if not await Organisations(conn).add(org):
        raise AlreadyExists(f"organisation {org.organisation_id} is already registered")
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
) -> Organisation | None:
    organisations = Organisations(conn)
    org = await organisations.get(organisation_id, lock=True)
    if org is None:
        return None
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
