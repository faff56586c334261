"""An organisation's publication settings (admins, operators): whether the approval's
decisions are written to each Xero bill's History and Notes (ADR 0051), read when a
publication takes the step, so a change holds for every bill not yet that far; and from which
date bills approved in Xero outside Countersign are reported (ADR 0055), which may only move
earlier. The view also shows the ledger mode the publisher acts on (ADR 0058), as approval
last announced it: set in approval's settings, shown here so a switch can be seen to have
arrived before bills are submitted in Xero."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from countersign_contracts import LedgerMode
from countersign_platform.access_http import AdminOrOperator
from countersign_platform.organisation_status import is_via_xero
from pydantic import BaseModel, ConfigDict, Field

from countersign_publisher.api.routing import State, organisation_router
from countersign_publisher.db.bypass import BypassedBills
from countersign_publisher.db.settings import OrganisationSettings, PublicationSettings
from countersign_publisher.domain.bypass import check_start_date

__all__ = ["router"]

router = organisation_router()

OPERATOR = "operator"
"""Who changed a setting, when it was the operator (an admin is named by their user id)."""


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    xero_history_notes: bool = Field(
        description="Write who approved at which step, with comments, to the bill's Xero history"
    )
    bypass_detection_from: date | None = Field(
        default=None,
        description=(
            "Report bills approved in Xero outside Countersign dated on or after this day"
            " (YYYY-MM-DD). Not after today, and only earlier than the date in force;"
            " omitted or null: unchanged"
        ),
    )


class SettingsView(BaseModel):
    organisation_id: UUID
    xero_history_notes: bool = Field(description="On unless an admin turned it off")
    bypass_detection_from: date | None = Field(
        description=(
            "The start date in force: the one set, else the day the organisation first"
            " connected Xero; null before it ever connected"
        )
    )
    changed_by: str | None = Field(description="A user id, or `operator`; null: the defaults")
    changed_at: datetime | None
    ledger_mode: LedgerMode = Field(
        description="Where bills start, as the publisher acts on it (read-only: set in"
        " approval's settings; `via_xero` pulls bills submitted in Xero from then on)"
    )


def _view(
    organisation_id: UUID, settings: PublicationSettings, start: date | None, via_xero: bool
) -> SettingsView:
    mode = LedgerMode.VIA_XERO if via_xero else LedgerMode.DIRECT
    fields = {**settings.__dict__, "bypass_detection_from": start, "ledger_mode": mode}
    return SettingsView(organisation_id=organisation_id, **fields)


@router.get("/publication-settings", summary="Publication settings (admins, operators)")
async def publication_settings(
    organisation_id: UUID, state: State, _: AdminOrOperator
) -> SettingsView:
    async with state.pool.acquire() as conn:
        stored = await OrganisationSettings(conn).get(organisation_id)
        start = await BypassedBills(conn).start_date(organisation_id)
        via_xero = await is_via_xero(conn, organisation_id)
    return _view(organisation_id, stored, start, via_xero)


@router.put("/publication-settings", summary="Change publication settings (admins, operators)")
async def change_publication_settings(
    organisation_id: UUID, body: SettingsIn, state: State, caller: AdminOrOperator
) -> SettingsView:
    by = OPERATOR if caller is None else str(caller.user_id)
    async with state.pool.acquire() as conn, conn.transaction():
        settings = OrganisationSettings(conn)
        before = await settings.get(organisation_id, for_update=True)
        start = await BypassedBills(conn).start_date(organisation_id)
        wanted = body.bypass_detection_from
        if wanted is not None:
            check_start_date(wanted, start, datetime.now(UTC).date())
        kept = before.bypass_detection_from if wanted is None else wanted
        stored = await settings.put(organisation_id, body.xero_history_notes, kept, by)
        start = await BypassedBills(conn).start_date(organisation_id)
        via_xero = await is_via_xero(conn, organisation_id)
    return _view(organisation_id, stored, start, via_xero)
