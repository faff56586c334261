"""An organisation's admins manage its Dext credential themselves, with their access tokens
(ADR 0044). Countersign makes the secret; it is shown once, in the answer to the issue.

    POST   …/{org}/dext-credentials            issue (rotate when one exists)    admin
    DELETE …/{org}/dext-credentials/previous   end the overlap now                admin
    DELETE …/{org}/dext-credentials/current    revoke: nothing verifies any more  admin
    GET    …/{org}/dext-credentials            which are live, their last use     admin, operator
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_platform.access_http import AdminOrOperator, OrganisationAdmin
from countersign_platform.json_bodies import StrictJsonRoute
from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from countersign_ingest.api.signed import State, keyring_of, rotation_overlap
from countersign_ingest.domain.credentials import Credential
from countersign_ingest.handlers import credentials

__all__ = ["router"]


class IssuedCredential(BaseModel):
    secret: str = Field(
        description="The secret to give Dext. Shown in this answer only: Countersign keeps it "
        "sealed and never shows it again"
    )
    credential_id: UUID
    created_at: datetime
    previous_valid_until: datetime | None = Field(
        description="When a credential was current before this one: until when it still verifies"
    )


class CurrentCredential(BaseModel):
    credential_id: UUID
    created_at: datetime
    created_by: UUID | None = Field(description="The admin who issued it; null: the operator")
    last_used_at: datetime | None = Field(
        description="When it last verified a call of Dext's (to the minute); null: never"
    )


class PreviousCredential(CurrentCredential):
    valid_until: datetime = Field(description="It stops verifying then, or when ended sooner")


class Credentials(BaseModel):
    current: CurrentCredential | None
    previous: PreviousCredential | None = Field(
        description="Set while a rotation is under way: the credential replaced, still verifying"
    )


router = APIRouter(
    prefix="/v1/organisations/{organisation_id}/dext-credentials",
    tags=["dext credentials"],
    route_class=StrictJsonRoute,
)


def _current(found: Credential | None) -> CurrentCredential | None:
    if found is None:
        return None
    return CurrentCredential(
        credential_id=found.credential_id,
        created_at=found.created_at,
        created_by=found.created_by,
        last_used_at=found.last_used_at,
    )


def _previous(found: Credential | None) -> PreviousCredential | None:
    current = _current(found)
    if found is None or current is None or found.valid_until is None:
        return None
    return PreviousCredential(**current.model_dump(), valid_until=found.valid_until)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a new Dext secret; a current one keeps verifying for the overlap (admins)",
)
async def issue(
    organisation_id: UUID, response: Response, state: State, admin: OrganisationAdmin
) -> IssuedCredential:
    async with state.pool.acquire() as conn:
        issued = await credentials.issue_credential(
            conn, keyring_of(state), organisation_id, admin.user_id, rotation_overlap(state)
        )
    response.headers["Cache-Control"] = "no-store"
    return IssuedCredential(
        secret=issued.secret,
        credential_id=issued.credential.credential_id,
        created_at=issued.credential.created_at,
        previous_valid_until=issued.previous_valid_until,
    )


@router.delete(
    "/previous",
    summary="End the overlap now: the previous secret stops verifying (admins)",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def end_rotation(organisation_id: UUID, state: State, _: OrganisationAdmin) -> Response:
    async with state.pool.acquire() as conn:
        await credentials.end_rotation(conn, keyring_of(state), organisation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/current",
    summary="Revoke: no secret verifies until a new one is issued (admins)",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def revoke(organisation_id: UUID, state: State, _: OrganisationAdmin) -> Response:
    async with state.pool.acquire() as conn:
        await credentials.revoke_credential(conn, keyring_of(state), organisation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("", summary="Which credentials verify, and their last use (admins, the operator)")
async def credential_status(organisation_id: UUID, state: State, _: AdminOrOperator) -> Credentials:
    async with state.pool.acquire() as conn:
        found = await credentials.credential_state(conn, keyring_of(state), organisation_id)
    return Credentials(current=_current(found.current), previous=_previous(found.previous))
