"""An organisation's publication settings (admins, operators): whether the approval's
decisions are written to each Xero bill's History and Notes (ADR 0051). Read when a
publication takes the step, so a change holds for every bill not yet that far."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_platform.access_http import AdminOrOperator
from pydantic import BaseModel, ConfigDict, Field

from countersign_publisher.api.routing import State, organisation_router
from countersign_publisher.db.settings import OrganisationSettings, PublicationSettings

__all__ = ["router"]

router = organisation_router()

OPERATOR = "operator"
"""Who changed a setting, when it was the operator (an admin is named by their user id)."""


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    xero_history_notes: bool = Field(
        description="Write who approved at which step, with comments, to the bill's Xero history"
    )


class SettingsView(BaseModel):
    organisation_id: UUID
    xero_history_notes: bool = Field(description="On unless an admin turned it off")
    changed_by: str | None = Field(description="A user id, or `operator`; null: the defaults")
    changed_at: datetime | None


def _view(organisation_id: UUID, settings: PublicationSettings) -> SettingsView:
    return SettingsView(organisation_id=organisation_id, **settings.__dict__)


@router.get("/publication-settings", summary="Publication settings (admins, operators)")
async def publication_settings(
    organisation_id: UUID, state: State, _: AdminOrOperator
) -> SettingsView:
    async with state.pool.acquire() as conn:
        return _view(organisation_id, await OrganisationSettings(conn).get(organisation_id))


@router.put("/publication-settings", summary="Change publication settings (admins, operators)")
async def change_publication_settings(
    organisation_id: UUID, body: SettingsIn, state: State, caller: AdminOrOperator
) -> SettingsView:
    by = OPERATOR if caller is None else str(caller.user_id)
    async with state.pool.acquire() as conn:
        stored = await OrganisationSettings(conn).put(organisation_id, body.xero_history_notes, by)
    return _view(organisation_id, stored)
