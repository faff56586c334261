"""What Xero's and Intuit's webhook endpoints share (ADR 0053, 0072): the body read raw, its
signature (base64 HMAC-SHA256 of the raw body with the app's secret) checked in constant time
before anything is read from it — wrong or missing is 401 with nothing recorded —, then the
delivery read strictly and its events recorded in one transaction, answered 200 at once (no
ledger call in the request). Without the secret configured the endpoint answers 503."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from countersign_platform.json_bodies import MAX_JSON_BODY_BYTES, parse_json, read_bounded
from countersign_platform.problems import Problem
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import SecretStr, ValidationError

from countersign_publisher.api.routing import State
from countersign_publisher.db.xero_changes import ChangeTables
from countersign_publisher.domain.xero_changes import ChangeEvent, signature_valid
from countersign_publisher.handlers.ledger_changes import record_events

__all__ = ["SignedWebhook", "receive_signed"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignedWebhook:
    """One ledger's webhook: how people name it, its signature header and secret setting, how
    its delivery's events are read, and where they are recorded."""

    ledger: str  # xero, qbo: names the problem type
    title: str
    header: str
    secret_setting: str
    secret_name: str  # what the ledger's developer portal calls the secret
    events: Callable[[Any], list[ChangeEvent]]  # from the parsed JSON body; raises to refuse
    tables: ChangeTables


def _read(body: bytes, webhook: SignedWebhook) -> list[ChangeEvent]:
    try:
        return webhook.events(parse_json(body))
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None
    except ValueError as exc:  # a change time that is no date
        raise Problem(422, "validation", "Request is not valid", str(exc)) from None


async def receive_signed(
    request: Request,
    state: State,
    secret: SecretStr | None,
    signature: str | None,
    webhook: SignedWebhook,
) -> Response:
    if secret is None or not secret.get_secret_value():
        raise Problem(
            503,
            f"{webhook.ledger}-webhooks-unconfigured",
            f"{webhook.title} webhooks are not received here",
            f"set {webhook.secret_setting} to the {webhook.secret_name} {webhook.title} shows"
            " for the app",
        )
    body = await read_bounded(request, MAX_JSON_BODY_BYTES)
    if not signature_valid(body, secret.get_secret_value(), signature):
        log.warning("%s webhook refused: %s missing or wrong", webhook.ledger, webhook.header)
        return Response(status_code=401)
    events = _read(body, webhook)
    new = await record_events(state.pool, events, webhook.tables)
    if events:
        log.info("%s webhook: %d events, %d new", webhook.ledger, len(events), new)
    return Response(status_code=200)
