"""Xero's webhooks: ``POST /v1/xero/webhooks`` (docs/publisher.md, ADR 0053).

The raw body's ``x-xero-signature`` is checked (constant time) with PUBLISHER_XERO_WEBHOOK_KEY
before anything is read from it: a wrong or missing one is 401 with nothing recorded. A signed
delivery's invoice and contact events are recorded in one transaction and answered 200 with an
empty body, at once: no Xero call in the request (Xero allows 5 seconds). Intent to receive's
probes (no events) pass the same way. Without a key the endpoint answers 503.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from countersign_contracts import Text
from countersign_platform.json_bodies import (
    StrictJsonRoute,
)
from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from countersign_publisher.api.routing import Parts, State
from countersign_publisher.api.signed_webhooks import SignedWebhook, receive_signed
from countersign_publisher.db.xero_changes import XERO_TABLES
from countersign_publisher.domain.xero_changes import (
    CATEGORIES,
    ChangeEvent,
    event_date,
)

__all__ = ["WEBHOOK_BODIES", "router"]


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


XERO_WEBHOOK = SignedWebhook(
    ledger="xero",
    title="Xero",
    header="x-xero-signature",
    secret_setting="PUBLISHER_XERO_WEBHOOK_KEY",
    secret_name="webhook key",
    events=lambda body: _kept(WebhookDelivery.model_validate(body)),
    tables=XERO_TABLES,
)


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
    secret = parts.settings.xero_webhook_key
    return await receive_signed(request, state, secret, signature, XERO_WEBHOOK)
