"""Finding requests: by item, state, supplier, total, when opened, and whose they are — the
requests I requested, the ones I decided. Every criterion is a query parameter and is applied
in SQL; a bad one is refused (422) naming it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from countersign_contracts import Text
from countersign_platform.problems import FieldError, Problem
from fastapi import Depends, Query

from countersign_approval.api.auth import Reader, State
from countersign_approval.api.routing import organisation_router
from countersign_approval.api.views import RequestSummary, request_summary
from countersign_approval.db.requests import RequestFilter
from countersign_approval.domain.lifecycle import RequestState
from countersign_approval.handlers.reading import requests_seen_by

__all__ = ["router"]

router = organisation_router("requests")

Me = Literal["me"]
Amount = Annotated[Decimal | None, Query(max_digits=18, decimal_places=4)]


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


def _checked(f: RequestFilter) -> RequestFilter:
    errors = []
    if f.min_total is not None and f.max_total is not None and f.min_total > f.max_total:
        errors.append(FieldError("max_total", "not_below_min", "max_total is below min_total"))
    if f.opened_from and f.opened_before and f.opened_from >= f.opened_before:
        errors.append(FieldError("opened_to", "not_before_from", "opened_to is before opened_from"))
    if errors:
        detail = "; ".join(e.message for e in errors)
        raise Problem(422, "validation", "Request is not valid", detail, errors)
    return f


async def request_filter(
    reader: Reader,
    dext_item_id: Text | None = None,
    request_state: Annotated[RequestState | None, Query(alias="state")] = None,
    supplier: Annotated[Text | None, Query(min_length=1, max_length=200)] = None,
    min_total: Amount = None,
    max_total: Amount = None,
    opened_from: Annotated[date | None, Query(description="opened on or after (UTC)")] = None,
    opened_to: Annotated[date | None, Query(description="opened on or before (UTC)")] = None,
    decided_by: Annotated[Me | None, Query(description="me: I approved or rejected it")] = None,
    requested_by: Annotated[Me | None, Query(description="me: I requested it")] = None,
    newest_first: bool = False,
) -> RequestFilter:
    """The query parameters as one filter; ``me`` is the caller."""
    return _checked(
        RequestFilter(
            dext_item_id=dext_item_id,
            state=None if request_state is None else request_state.value,
            supplier=supplier,
            min_total=min_total,
            max_total=max_total,
            opened_from=_start_of(opened_from),
            opened_before=_start_of(opened_to + timedelta(days=1) if opened_to else None),
            decided_by=reader.user_id if decided_by else None,
            requested_by=reader.user_id if requested_by else None,
            newest_first=newest_first,
        )
    )


@router.get(
    "/requests",
    summary="Requests I may see, found by item, state, supplier, total, date, mine",
    description="Admins and auditors see every request, others those they take part in."
    " supplier: the name contains it, case-blind; min_total/max_total: the bill's total,"
    " inclusive; opened_from/opened_to: dates (UTC), inclusive; decided_by=me: requests I"
    " approved or rejected; requested_by=me: requests I requested. Oldest first, unless"
    " newest_first.",
)
async def list_requests(
    organisation_id: UUID,
    state: State,
    user: Reader,
    narrowed: Annotated[RequestFilter, Depends(request_filter)],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RequestSummary]:
    found = await requests_seen_by(state.pool, organisation_id, user, narrowed, limit)
    return [request_summary(r) for r in found]
