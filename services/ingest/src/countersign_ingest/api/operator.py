"""Operator endpoints (``Authorization: Bearer <COUNTERSIGN_ADMIN_TOKEN>``): an organisation's
Dext signing secret, chosen elsewhere. The same credentials, by the same rules, as the admins'
(``api/credentials.py``): registering a new secret rotates exactly as issuing one does.

    PUT    …/{org}/dext-secret            register, or rotate to a new one
    DELETE …/{org}/dext-secret/previous   end a rotation (the previous secret stops verifying)
    GET    …/{org}/dext-secret            which secrets are live (never the secrets)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from countersign_contracts import SecretText
from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.operators import Operator
from countersign_platform.runtime import Runtime
from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from countersign_ingest.api.signed import State, keyring_of, rotation_overlap
from countersign_ingest.handlers import credentials

__all__ = ["router"]


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
        " (until the overlap ends or the rotation is ended)"
    )


router = APIRouter(
    prefix="/v1/operator/organisations/{organisation_id}",
    tags=["operator"],
    route_class=StrictJsonRoute,
)


async def _status(request: Request, state: Runtime[Any], organisation_id: UUID) -> SecretStatus:
    async with state.pool.acquire() as conn:
        found = await credentials.credential_state(conn, keyring_of(state), organisation_id)
    return SecretStatus(
        current_since=found.current.created_at if found.current else None,
        previous_since=found.previous.created_at if found.previous else None,
    )


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
    secret = body.secret.get_secret_value().encode()
    async with state.pool.acquire() as conn:
        first = await credentials.register_secret(
            conn, keyring_of(state), organisation_id, secret, rotation_overlap(state)
        )
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
        await credentials.end_rotation(conn, keyring_of(state), organisation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/dext-secret", summary="Which secrets are live", response_model=SecretStatus)
async def secret_status(
    organisation_id: UUID, request: Request, state: State, _: Operator
) -> SecretStatus:
    return await _status(request, state, organisation_id)
