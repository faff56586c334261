"""Where approval's endpoints hang: everything but the operator's registry lives under one
organisation's path, where a caller's token must belong to that organisation (``auth``); and
the request a path names, as the use cases take it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from countersign_platform.json_bodies import StrictJsonRoute
from fastapi import APIRouter, Depends

from countersign_approval.api.auth import State
from countersign_approval.handlers.running import RequestAt

__all__ = ["ORGANISATION_PATH", "OnRequest", "organisation_router"]

ORGANISATION_PATH = "/v1/organisations/{organisation_id}"


def organisation_router(tag: str) -> APIRouter:
    """A router for endpoints under one organisation; JSON bodies are read strictly."""
    return APIRouter(prefix=ORGANISATION_PATH, tags=[tag], route_class=StrictJsonRoute)


async def _request_at(organisation_id: UUID, request_id: UUID, state: State) -> RequestAt:
    return RequestAt(state.pool, organisation_id, request_id)


OnRequest = Annotated[RequestAt, Depends(_request_at)]
"""The request in the path (``/requests/{request_id}``), in the path's organisation."""
