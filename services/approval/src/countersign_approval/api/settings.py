"""An organisation's settings an administrator chooses: for now, what intake does with a
likely duplicate cost item (ingest applies it, learning it from approval.organisations.v1)."""

from __future__ import annotations

from uuid import UUID

from countersign_contracts import DuplicatePolicy
from pydantic import BaseModel, ConfigDict, Field

from countersign_approval.api.auth import Admin, State
from countersign_approval.api.routing import organisation_router
from countersign_approval.domain.organisation import Organisation
from countersign_approval.handlers.organisations import organisation_of, update_organisation

__all__ = ["router"]

router = organisation_router("administration")

_POLICY = (
    "what intake does with a cost item that likely duplicates another open or published one"
    " (same supplier and invoice number, or same supplier, issue date, total and currency):"
    " warn takes it and shows the approvers a warning linking the other request; block refuses"
    " it (Dext is answered 409 likely-duplicate naming the other item)"
)


class SettingsOut(BaseModel):
    duplicate_policy: DuplicatePolicy = Field(description=_POLICY)


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    duplicate_policy: DuplicatePolicy | None = Field(default=None, description=_POLICY)


def _settings(org: Organisation) -> SettingsOut:
    return SettingsOut(duplicate_policy=DuplicatePolicy(org.duplicate_policy))


@router.get("/settings", summary="The organisation's settings")
async def get_settings(organisation_id: UUID, state: State, _: Admin) -> SettingsOut:
    return _settings(await organisation_of(state.pool, organisation_id))


@router.patch(
    "/settings",
    summary="Change the organisation's settings",
    description="Applies to items Dext publishes from the moment ingest learns the change"
    " (a moment later, from approval.organisations.v1).",
)
async def patch_settings(
    organisation_id: UUID, body: SettingsPatch, state: State, _: Admin
) -> SettingsOut:
    policy = None if body.duplicate_policy is None else body.duplicate_policy.value
    org = await update_organisation(state.pool, organisation_id, duplicate_policy=policy)
    return _settings(org)
