"""Test controls for webhooks (not part of Xero's API): register an app's webhook as in Xero's
developer portal (intent to receive runs before the answer), read what was delivered, and edit
a tenant's invoices and contacts as a person in Xero would, and run a repeating invoice
template as Xero's schedule does, which the webhooks then report."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from countersign_xero_sandbox.amounts import MAX_UNIT_DP
from countersign_xero_sandbox.batches import Element
from countersign_xero_sandbox.contacts import prepare_contact
from countersign_xero_sandbox.control_answers import bad, json_body
from countersign_xero_sandbox.documents import PendingContacts
from countersign_xero_sandbox.invoices import prepare_invoice
from countersign_xero_sandbox.model import Tenant
from countersign_xero_sandbox.rendering import render_document
from countersign_xero_sandbox.repeating import run_template
from countersign_xero_sandbox.sandbox import Sandbox
from countersign_xero_sandbox.webhook_sender import WebhookSender
from countersign_xero_sandbox.webhooks import CATEGORIES
from countersign_xero_sandbox.wire import loads, xero_json

__all__ = ["webhook_control_routes", "webhook_url_problem"]

_LOCAL = {"localhost", "127.0.0.1", "::1"}


def webhook_url_problem(url: object) -> str | None:
    """Why ``url`` cannot receive webhooks, or None. Xero wants https (on 443); here http is
    allowed for this machine and for a one-label host name (a compose service such as
    ``publisher``), as for redirect URIs."""
    if not isinstance(url, str) or not url:
        return "url is the receiver's absolute URL"
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.fragment:
        return f"url {url!r} is not an absolute http(s) URL without a fragment"
    local = parts.hostname in _LOCAL or "." not in parts.hostname
    if parts.scheme == "http" and not local:
        return f"url {url!r} must be https (http only for this machine or a local service)"
    return None


class _WebhookControls:
    def __init__(self, sandbox: Sandbox, sender: WebhookSender) -> None:
        self.sandbox = sandbox
        self.sender = sender

    async def register(self, request: Request) -> Response:
        body = await json_body(request)
        client_id, url, key = body.get("client_id"), body.get("url"), body.get("key")
        categories = tuple(body.get("categories") or CATEGORIES)
        if not isinstance(client_id, str) or not client_id:
            return bad("client_id names the app the webhook belongs to")
        problem = webhook_url_problem(url)
        if problem is not None:
            return bad(problem)
        if key is not None and (not isinstance(key, str) or not key):
            return bad("key, when given, is a non-empty string")
        if not set(categories) <= set(CATEGORIES):
            return bad(f"categories are among {list(CATEGORIES)}")
        webhook = self.sandbox.webhooks.register(client_id, str(url), key, categories)
        await self.sender.intent_to_receive(webhook)
        return JSONResponse(webhook.view(), status_code=201)

    async def list_webhooks(self, request: Request) -> Response:
        return JSONResponse([w.view() for w in self.sandbox.webhooks.webhooks.values()])

    async def intent(self, request: Request) -> Response:
        """Intent to receive again (Xero runs it when a webhook is re-enabled)."""
        webhook = self.sandbox.webhooks.webhooks.get(request.path_params["webhook_id"])
        if webhook is None:
            return bad("no such webhook", 404)
        await self.sender.intent_to_receive(webhook)
        return JSONResponse(webhook.view())

    async def deliveries(self, request: Request) -> Response:
        book = self.sandbox.webhooks
        webhook_id = request.path_params["webhook_id"]
        if webhook_id not in book.webhooks:
            return bad("no such webhook", 404)
        return JSONResponse([d.view() for d in book.of_webhook(webhook_id)])

    async def delete(self, request: Request) -> Response:
        if self.sandbox.webhooks.webhooks.pop(request.path_params["webhook_id"], None) is None:
            return bad("no such webhook", 404)
        return Response(status_code=204)

    # edits made in Xero ---------------------------------------------------------------------

    def _tenant(self, request: Request) -> Tenant | None:
        return self.sandbox.tenants.get(request.path_params["tenant_id"])

    async def _edit(self, request: Request, make: Any, render: Any) -> Response:
        """Validates and stores one element as the API would, outside the API's limits."""
        tenant = self._tenant(request)
        if tenant is None:
            return bad("no such tenant", 404)
        raw = await request.body()
        body = loads(raw) if raw else {}
        if not isinstance(body, dict):
            return bad("the body is one JSON object")
        async with tenant.lock:
            before = self.sandbox.webhooks.watch(tenant)
            element: Element | None = make(tenant, body)
            if element is None:
                return bad("no such record", 404)
            if not element.ok:
                return bad("; ".join(element.errors))
            element.commit()
            self.sandbox.changed(tenant, before)
            return xero_json(render(tenant, element.record), status=200)

    def _render_invoice(self, tenant: Tenant, record: Any) -> Any:
        url = self.sandbox.accounting_url("/Invoices")
        return render_document(tenant, record, "InvoiceID", url, True, MAX_UNIT_DP)

    async def create_invoice(self, request: Request) -> Response:
        def make(tenant: Tenant, body: Any) -> Element:
            now = self.sandbox.clock.now()
            return prepare_invoice(tenant, body, now, PendingContacts(), None, MAX_UNIT_DP)

        return await self._edit(request, make, self._render_invoice)

    async def patch_invoice(self, request: Request) -> Response:
        def make(tenant: Tenant, body: Any) -> Element | None:
            existing = tenant.invoices.get(request.path_params["record_id"])
            if existing is None:
                return None
            now = self.sandbox.clock.now()
            return prepare_invoice(tenant, body, now, PendingContacts(), existing, MAX_UNIT_DP)

        return await self._edit(request, make, self._render_invoice)

    async def run_repeating(self, request: Request) -> Response:
        """Xero's schedule reaching a repeating template's next date: the invoice it makes."""

        def make(tenant: Tenant, body: Any) -> Element | None:
            template = tenant.repeating_invoices.get(request.path_params["record_id"])
            if template is None:
                return None
            schedule = template["Schedule"]
            if template["Status"] == "DELETED":
                return Element({}, ["the repeating invoice is deleted"])
            if schedule.get("EndDate") and schedule["NextScheduledDate"] > schedule["EndDate"]:
                return Element({}, ["the repeating invoice's schedule has ended"])
            return run_template(tenant, template, self.sandbox.clock.now())

        return await self._edit(request, make, self._render_invoice)

    async def patch_contact(self, request: Request) -> Response:
        def make(tenant: Tenant, body: Any) -> Element | None:
            contact_id = request.path_params["record_id"]
            if contact_id not in tenant.contacts:
                return None
            raw = {**body, "ContactID": contact_id}
            return prepare_contact(tenant, raw, self.sandbox.clock.now(), set(), True)

        return await self._edit(request, make, lambda tenant, record: record)


def webhook_control_routes(sandbox: Sandbox, sender: WebhookSender) -> list[Route]:
    c = _WebhookControls(sandbox, sender)
    tenant = "/_sandbox/tenants/{tenant_id}"
    return [
        Route("/_sandbox/webhooks", c.register, methods=["POST"]),
        Route("/_sandbox/webhooks", c.list_webhooks, methods=["GET"]),
        Route("/_sandbox/webhooks/{webhook_id}", c.delete, methods=["DELETE"]),
        Route("/_sandbox/webhooks/{webhook_id}/intent", c.intent, methods=["POST"]),
        Route("/_sandbox/webhooks/{webhook_id}/deliveries", c.deliveries, methods=["GET"]),
        Route(f"{tenant}/invoices", c.create_invoice, methods=["POST"]),
        Route(f"{tenant}/invoices/{{record_id}}", c.patch_invoice, methods=["PATCH"]),
        Route(f"{tenant}/contacts/{{record_id}}", c.patch_contact, methods=["PATCH"]),
        Route(f"{tenant}/repeating-invoices/{{record_id}}/run", c.run_repeating, methods=["POST"]),
    ]
