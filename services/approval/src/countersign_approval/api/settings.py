"""An organisation's settings an administrator chooses: what intake does with a likely
duplicate cost item, and where bills start (direct from Dext, or via Xero, ADR 0058). Ingest
and the publisher apply them, learning them from approval.organisations.v1."""

from __future__ import annotations

from uuid import UUID

from countersign_contracts import DuplicatePolicy, LedgerMode
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


_MODE = (
    "where the organisation's bills start: direct (Dext publishes to Countersign, which creates"
    " each approved bill in Xero) or via_xero (a capture tool submits bills in Xero, Countersign"
    " pulls each SUBMITTED one, runs the workflow and authorises it in Xero, or returns it to"
    " draft); requests already running finish as they started"
)
_REQUESTER = (
    "the user who owns requests pulled from Xero (Xero does not say who submitted a bill);"
    " required for via_xero"
)


class SettingsOut(BaseModel):
    duplicate_policy: DuplicatePolicy = Field(description=_POLICY)
    ledger_mode: LedgerMode = Field(description=_MODE)
    via_xero_requester: UUID | None = Field(description=_REQUESTER)


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    duplicate_policy: DuplicatePolicy | None = Field(default=None, description=_POLICY)
    ledger_mode: LedgerMode | None = Field(default=None, description=_MODE)
    via_xero_requester: UUID | None = Field(default=None, description=_REQUESTER)


def _settings(org: Organisation) -> SettingsOut:
    return SettingsOut(
        duplicate_policy=DuplicatePolicy(org.duplicate_policy),
        ledger_mode=LedgerMode(org.ledger_mode),
        via_xero_requester=org.via_xero_requester,
    )


@router.get("/settings", summary="The organisation's settings")
async def get_settings(organisation_id: UUID, state: State, _: Admin) -> SettingsOut:
    return _settings(await organisation_of(state.pool, organisation_id))


@router.patch(
    "/settings",
    summary="Change the organisation's settings",
    description="Applies from the moment ingest and the publisher learn the change (a moment"
    " later, from approval.organisations.v1). 422 problem+json naming `via_xero_requester`"
    " when the via_xero mode has no requester (`required`) or names nobody current"
    " (`unknown_user`).",
)
async def patch_settings(
    organisation_id: UUID, body: SettingsPatch, state: State, _: Admin
) -> SettingsOut:
    policy = None if body.duplicate_policy is None else body.duplicate_policy.value
    mode = None if body.ledger_mode is None else body.ledger_mode.value
    org = await update_organisation(
        state.pool,
        organisation_id,
        duplicate_policy=policy,
        ledger_mode=mode,
        via_xero_requester=body.via_xero_requester,
    )
    return _settings(org)
