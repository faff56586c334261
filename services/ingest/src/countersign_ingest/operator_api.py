"""Operator endpoints (``Authorization: Bearer <COUNTERSIGN_ADMIN_TOKEN>``): an organisation's
Dext signing secret.

    PUT    …/{org}/dext-secret            register, or rotate to a new one
    DELETE …/{org}/dext-secret/previous   end a rotation (the previous secret stops verifying)
    GET    …/{org}/dext-secret            which secrets are live (never the secrets)
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from countersign_contracts import SecretText
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.operators import Operator
from countersign_platform.problems import Problem
from countersign_platform.runtime import Runtime, runtime
from countersign_platform.sealing import Keyring
from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from countersign_ingest.db.credentials import DextSecrets
from countersign_ingest.signed_calls import keyring_of

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/operator/organisations/{organisation_id}",
    tags=["operator"],
    route_class=StrictJsonRoute,
)

State = Annotated[Runtime[Keyring | None], Depends(runtime)]


class SecretRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: SecretText = Field(
        min_length=32,
        max_length=256,
        description="The secret Dext signs this organisation's calls with",
    )


class SecretStatus(BaseModel):
    current_since: datetime | None
    previous_since: datetime | None = Field(
        description="Set while a rotation is under way: the previous secret still verifies"
    )


async def _status(request: Request, state: Runtime[Any], organisation_id: UUID) -> SecretStatus:
    async with state.pool.acquire() as conn:
        found = await DextSecrets(conn, keyring_of(state)).state(organisation_id)
    return SecretStatus(current_since=found.current_since, previous_since=found.previous_since)


@router.put(
    "/dext-secret",
    summary="Register the organisation's Dext secret, or rotate to a new one",
    response_model=SecretStatus,
    responses={201: {"description": "First secret registered"}},
)
async def register_secret(
    organisation_id: UUID,
    body: SecretRegistration,
    request: Request,
    response: Response,
    state: State,
    _: Operator,
) -> SecretStatus:
    async with state.pool.acquire() as conn:
        secrets = DextSecrets(conn, keyring_of(state))
        first = (await secrets.state(organisation_id)).current_since is None
        await secrets.register(organisation_id, body.secret.get_secret_value().encode())
    if first:
        response.status_code = status.HTTP_201_CREATED
    return await _status(request, state, organisation_id)


@router.delete(
    "/dext-secret/previous",
    summary="End a rotation: the previous secret stops verifying",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def retire_previous_secret(
    organisation_id: UUID, request: Request, state: State, _: Operator
) -> Response:
    async with state.pool.acquire() as conn:
        retired = await DextSecrets(conn, keyring_of(state)).retire_previous(organisation_id)
    if not retired:
        raise Problem(404, "not-found", "No rotation under way", "there is no previous secret")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/dext-secret", summary="Which secrets are live", response_model=SecretStatus)
async def secret_status(
    organisation_id: UUID, request: Request, state: State, _: Operator
) -> SecretStatus:
    return await _status(request, state, organisation_id)
