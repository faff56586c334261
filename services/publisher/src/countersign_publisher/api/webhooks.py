"""Xero's webhooks: ``POST /v1/xero/webhooks`` (docs/publisher.md, ADR 0053).

The raw body's ``x-xero-signature`` is checked (constant time) with PUBLISHER_XERO_WEBHOOK_KEY
before anything is read from it: a wrong or missing one is 401 with nothing recorded. A signed
delivery's invoice and contact events are recorded in one transaction and answered 200 with an
empty body, at once: no Xero call in the request (Xero allows 5 seconds). Intent to receive's
probes (no events) pass the same way. Without a key the endpoint answers 503.
"""

from __future__ import annotations

import logging
from typing import Annotated
from uuid import UUID

from countersign_contracts import Text
from countersign_platform.json_bodies import (
    MAX_JSON_BODY_BYTES,
    StrictJsonRoute,
    parse_json,
    read_bounded,
)
from countersign_platform.problems import Problem
from fastapi import APIRouter, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from countersign_publisher.api.routing import Parts, State
from countersign_publisher.domain.xero_changes import (
    CATEGORIES,
    ChangeEvent,
    event_date,
    signature_valid,
)
from countersign_publisher.handlers.ledger_changes import record_events

__all__ = ["WEBHOOK_BODIES", "router"]

log = logging.getLogger(__name__)

# The body is read raw (its signature first), then with the strict JSON reader, by the endpoint.
router = APIRouter(prefix="/v1/xero", tags=["xero webhooks"], route_class=StrictJsonRoute)


class WebhookEvent(BaseModel):
    """One event (Xero's ``WebhookEvent.events[]``); a tolerant reader of what Xero adds."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    resource_url: Text = Field(alias="resourceUrl", max_length=2000)
    resource_id: UUID = Field(alias="resourceId")
    event_date_utc: Text = Field(alias="eventDateUtc", max_length=40)
    event_type: Text = Field(alias="eventType", max_length=40)
    event_category: Text = Field(alias="eventCategory", max_length=40)
    tenant_id: Text = Field(alias="tenantId", max_length=100)
    tenant_type: Text = Field(alias="tenantType", max_length=40)


class WebhookDelivery(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    events: list[WebhookEvent] = Field(max_length=1000)
    first_event_sequence: int = Field(alias="firstEventSequence")
    last_event_sequence: int = Field(alias="lastEventSequence")
    entropy: Text = Field(max_length=200)


WEBHOOK_BODIES: tuple[type[BaseModel], ...] = (WebhookDelivery, WebhookEvent)
"""Read from the raw body after its signature, so not on the route (tests/contract)."""


def _kept(delivery: WebhookDelivery) -> list[ChangeEvent]:
    """The events worth a look: an organisation's invoices and contacts, created or updated."""
    return [
        ChangeEvent(
            e.tenant_id,
            e.event_category,
            e.resource_id,
            event_date(e.event_date_utc),
            e.event_type,
        )
        for e in delivery.events
        if e.tenant_type == "ORGANISATION"
        and e.event_category in CATEGORIES
        and e.event_type in ("CREATE", "UPDATE")
    ]


def _read(body: bytes) -> list[ChangeEvent]:
    try:
        return _kept(WebhookDelivery.model_validate(parse_json(body)))
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None
    except ValueError as exc:  # an eventDateUtc that is no date
        raise Problem(422, "validation", "Request is not valid", str(exc)) from None


@router.post(
    "/webhooks",
    summary="Xero's webhook deliveries and intent-to-receive probes (signed by Xero)",
    status_code=200,
    response_class=Response,
    responses={401: {"description": "x-xero-signature missing or wrong: nothing recorded"}},
)
async def receive(
    request: Request,
    state: State,
    parts: Parts,
    signature: Annotated[Text | None, Header(alias="x-xero-signature", max_length=200)] = None,
) -> Response:
    key = parts.settings.xero_webhook_key
    if key is None or not key.get_secret_value():
        raise Problem(
            503,
            "xero-webhooks-unconfigured",
            "Xero webhooks are not received here",
            "set PUBLISHER_XERO_WEBHOOK_KEY to the webhook key Xero shows for the app",
        )
    body = await read_bounded(request, MAX_JSON_BODY_BYTES)
    if not signature_valid(body, key.get_secret_value(), signature):
        log.warning("xero webhook refused: x-xero-signature missing or wrong")
        return Response(status_code=401)
    events = _read(body)
    new = await record_events(state.pool, events)
    if events:
        log.info("xero webhook: %d events, %d new", len(events), new)
    return Response(status_code=200)
