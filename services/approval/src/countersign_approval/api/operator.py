"""The operator's endpoints (Bearer COUNTERSIGN_ADMIN_TOKEN): registering organisations."""

from __future__ import annotations

import uuid
from typing import Annotated
from uuid import UUID

from countersign_contracts import ONE_LINE, CurrencyCode, DuplicatePolicy, OrganisationStatus
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.operators import Operator
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from countersign_approval.api.auth import State
from countersign_approval.domain.organisation import Organisation
from countersign_approval.domain.tokens import IssuedUser
from countersign_approval.domain.workflow import Email, Name
from countersign_approval.handlers.organisations import (
    register_organisation,
    update_organisation,
)

__all__ = ["IssuedUserOut", "issued_out", "router"]

router = APIRouter(
    prefix="/v1/organisations", tags=["organisations (operator)"], route_class=StrictJsonRoute
)

Timezone = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$", max_length=64), ONE_LINE
]


class AdminIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    name: Name


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation_id: UUID | None = Field(
        default=None, description="the id Dext and Xero connections already use; new if absent"
    )
    name: Name
    base_currency: CurrencyCode
    timezone: Timezone
    admin: AdminIn


class OrganisationOut(BaseModel):
    organisation_id: UUID
    name: str
    base_currency: str
    timezone: str
    status: str
    duplicate_policy: DuplicatePolicy = Field(
        description="what intake does with a likely duplicate cost item: warn (mark it) or block"
        " (refuse it)"
    )


class IssuedUserOut(BaseModel):
    user_id: UUID
    email: str
    name: str
    roles: list[str]
    token: str = Field(description="shown once: only its hash is kept")


class RegisteredOut(BaseModel):
    organisation: OrganisationOut
    admin: IssuedUserOut


class OrganisationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    base_currency: CurrencyCode | None = None
    timezone: Timezone | None = None
    status: OrganisationStatus | None = None
    duplicate_policy: DuplicatePolicy | None = None


def organisation_out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(**org.__dict__)


def issued_out(issued: IssuedUser) -> IssuedUserOut:
    return IssuedUserOut(
        user_id=issued.person.user_id,
        email=issued.person.email,
        name=issued.person.name,
        roles=sorted(issued.person.roles),
        token=issued.token,
    )


@router.post("", status_code=201, summary="Register an organisation and its first admin")
async def register(body: RegistrationIn, state: State, _: Operator) -> RegisteredOut:
    org = Organisation(
        organisation_id=body.organisation_id or uuid.uuid4(),
        name=body.name,
        base_currency=body.base_currency,
        timezone=body.timezone,
        status=OrganisationStatus.ACTIVE.value,
    )
    admin = await register_organisation(state.pool, org, body.admin.email, body.admin.name)
    return RegisteredOut(organisation=organisation_out(org), admin=issued_out(admin))


@router.patch("/{organisation_id}", summary="Change an organisation's details or status")
async def update(
    organisation_id: UUID, body: OrganisationPatch, state: State, _: Operator
) -> OrganisationOut:
    org = await update_organisation(
        state.pool,
        organisation_id,
        name=body.name,
        base_currency=body.base_currency,
        timezone=body.timezone,
        status=None if body.status is None else body.status.value,
        duplicate_policy=None if body.duplicate_policy is None else body.duplicate_policy.value,
    )
    return organisation_out(org)
