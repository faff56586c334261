"""What every route of the publisher's API shares: its place under the organisation, strict
JSON bodies, and the running service it reaches."""

from __future__ import annotations

from typing import Annotated

from countersign_platform.json_bodies import StrictJsonRoute
from countersign_platform.runtime import Runtime, runtime
from fastapi import APIRouter, Depends

from countersign_publisher.components import Components

__all__ = ["Parts", "State", "organisation_router"]


async def _components(state: Annotated[Runtime[Components], Depends(runtime)]) -> Components:
    return state.parts


State = Annotated[Runtime[Components], Depends(runtime)]
Parts = Annotated[Components, Depends(_components)]
"""The publisher's running parts (``Components``)."""


def organisation_router() -> APIRouter:
    """A router for operator routes under ``/v1/organisations/{organisation_id}``."""
    return APIRouter(
        prefix="/v1/organisations/{organisation_id}",
        tags=["publications"],
        route_class=StrictJsonRoute,
    )
