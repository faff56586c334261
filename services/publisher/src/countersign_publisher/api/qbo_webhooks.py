"""QuickBooks Online's webhooks: ``POST /v1/qbo/webhooks`` (docs/publisher.md, ADR 0072).

Intuit's legacy payload (``eventNotifications[].dataChangeEvent.entities[]``). The raw body's
``intuit-signature`` (base64 HMAC-SHA256 with the app's verifier token) is checked in constant
time before anything is read from it: wrong or missing is 401 with nothing recorded. A signed
delivery's Bill events are recorded in one transaction and answered 200 at once (Intuit allows
3 seconds): no QBO call in the request. Without a verifier token the endpoint answers 503.
"""

from __future__ import annotations

from typing import Annotated

from countersign_contracts import Text
from countersign_platform.json_bodies import (
    StrictJsonRoute,
)
from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from countersign_publisher.adapters.qbo_changes import QBO_BILL
from countersign_publisher.api.routing import Parts, State
from countersign_publisher.api.signed_webhooks import SignedWebhook, receive_signed
from countersign_publisher.db.xero_changes import QBO_TABLES
from countersign_publisher.domain.xero_changes import ChangeEvent, event_date

__all__ = ["QBO_WEBHOOK_BODIES", "router"]


router = APIRouter(prefix="/v1/qbo", tags=["qbo webhooks"], route_class=StrictJsonRoute)

OPERATIONS = frozenset({"Create", "Update", "Delete", "Void", "Merge"})


class QboEntityChange(BaseModel):
    """One entity of a delivery; a tolerant reader of what Intuit adds."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    name: Text = Field(max_length=100)
    id: Text = Field(max_length=64)
    operation: Text = Field(max_length=40)
    last_updated: Text = Field(alias="lastUpdated", max_length=40)


class QboDataChange(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entities: list[QboEntityChange] = Field(max_length=1000)


class QboNotification(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    realm_id: Text = Field(alias="realmId", max_length=100)
    data_change_event: QboDataChange = Field(alias="dataChangeEvent")


class QboDelivery(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    event_notifications: list[QboNotification] = Field(alias="eventNotifications", max_length=100)


QBO_WEBHOOK_BODIES: tuple[type[BaseModel], ...] = (
    QboDelivery,
    QboNotification,
    QboDataChange,
    QboEntityChange,
)
"""Read from the raw body after its signature, so not on the route (tests/contract)."""


def _kept(delivery: QboDelivery) -> list[ChangeEvent]:
    """The events worth a look: bills created, updated, deleted, voided or merged."""
    return [
        ChangeEvent(n.realm_id, QBO_BILL, e.id, event_date(e.last_updated), e.operation)
        for n in delivery.event_notifications
        for e in n.data_change_event.entities
        if e.name.casefold() == "bill" and e.operation in OPERATIONS
    ]


QBO_WEBHOOK = SignedWebhook(
    ledger="qbo",
    title="QuickBooks Online",
    header="intuit-signature",
    secret_setting="PUBLISHER_QBO_WEBHOOK_VERIFIER",
    secret_name="verifier token",
    events=lambda body: _kept(QboDelivery.model_validate(body)),
    tables=QBO_TABLES,
)


@router.post(
    "/webhooks",
    summary="QuickBooks Online's webhook deliveries (signed by Intuit)",
    status_code=200,
    response_class=Response,
    responses={401: {"description": "intuit-signature missing or wrong: nothing recorded"}},
)
async def receive(
    request: Request,
    state: State,
    parts: Parts,
    signature: Annotated[Text | None, Header(alias="intuit-signature", max_length=200)] = None,
) -> Response:
    secret = parts.settings.qbo_webhook_verifier
    return await receive_signed(request, state, secret, signature, QBO_WEBHOOK)
