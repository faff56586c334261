"""The test-control API under ``/_sandbox/`` (not part of Xero): tenants, tokens, limits,
faults, the clock, read-back of state and statistics, reset. See docs/xero-sandbox.md."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from countersign_xero_sandbox.amounts import MAX_UNIT_DP
from countersign_xero_sandbox.currency_rates import table_view
from countersign_xero_sandbox.defaults import CURRENCY_NAMES
from countersign_xero_sandbox.faults import FaultRule, FaultSpecError
from countersign_xero_sandbox.identity import TokenError
from countersign_xero_sandbox.model import Tenant, new_id
from countersign_xero_sandbox.rendering import render_document
from countersign_xero_sandbox.sandbox import Sandbox
from countersign_xero_sandbox.tenancy import (
    TenantSpecError,
    build_tenant,
    new_contact,
    sync_lock_date,
    sync_rates,
)
from countersign_xero_sandbox.wire import loads, xero_json

__all__ = ["control_routes"]


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw else {}


async def _spec(request: Request) -> Any:
    """A tenant description: its rates and amounts are read as Decimals, like Xero's bodies."""
    raw = await request.body()
    return loads(raw) if raw else {}


def _tenant_view(tenant: Tenant) -> Any:
    return {
        "tenant_id": tenant.tenant_id,
        "organisation": tenant.organisation,
        "accounts": list(tenant.accounts.values()),
        "tax_rates": list(tenant.tax_rates.values()),
        "tracking_categories": list(tenant.tracking_categories.values()),
        "currencies": [{"Code": c, "Description": d} for c, d in tenant.currencies.items()],
        "contacts": list(tenant.contacts.values()),
        "rates": {code: table_view(table) for code, table in tenant.rates.items()},
    }


def _state(sandbox: Sandbox, tenant: Tenant) -> Any:
    def with_files(record: dict[str, Any], id_key: str, collection: str) -> dict[str, Any]:
        url = sandbox.accounting_url(f"/{collection}")
        out = render_document(tenant, record, id_key, url, True, MAX_UNIT_DP)
        for rendered, stored in zip(
            out["Attachments"], tenant.attachments.get(record[id_key], []), strict=True
        ):
            rendered["Sha256"] = hashlib.sha256(stored.content).hexdigest()
        return out

    calls = tenant.calls
    return {
        "tenant_id": tenant.tenant_id,
        "organisation": tenant.organisation,
        "invoices": [with_files(i, "InvoiceID", "Invoices") for i in tenant.invoices.values()],
        "bank_transactions": [
            with_files(b, "BankTransactionID", "BankTransactions")
            for b in tenant.bank_transactions.values()
        ],
        "payments": list(tenant.payments.values()),
        "contacts": list(tenant.contacts.values()),
        "calls": {
            "total": calls.total,
            "rate_limited": calls.rate_limited,
            "rate_limited_by_problem": dict(calls.rate_limited_by_problem),
            "by_endpoint": dict(calls.by_endpoint),
        },
    }


def control_routes(sandbox: Sandbox) -> list[Route]:
    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def create_tenant(request: Request) -> Response:
        spec = await _spec(request)
        try:
            tenant = build_tenant(spec, sandbox.clock.now())
        except (TenantSpecError, ValueError, KeyError, TypeError) as exc:
            return _bad(f"unusable tenant spec: {exc}")
        if tenant.tenant_id in sandbox.tenants:
            return _bad(f"tenant {tenant.tenant_id} exists", 409)
        sandbox.tenants[tenant.tenant_id] = tenant
        if spec.get("connect_client_id"):
            sandbox.identity.connect(
                str(spec["connect_client_id"]),
                tenant.tenant_id,
                tenant.organisation["Name"],
                new_id(),
            )
        return xero_json(_tenant_view(tenant), status=201)

    def tenant_of(request: Request) -> Tenant | None:
        return sandbox.tenants.get(request.path_params["tenant_id"])

    async def tenant_state(request: Request) -> Response:
        tenant = tenant_of(request)
        if tenant is None:
            return _bad("no such tenant", 404)
        async with tenant.lock:
            return xero_json(_state(sandbox, tenant))

    async def patch_tenant(request: Request) -> Response:
        tenant = tenant_of(request)
        if tenant is None:
            return _bad("no such tenant", 404)
        body = await _spec(request)
        async with tenant.lock:
            if "lock_date" in body:
                tenant.lock_date = (
                    date.fromisoformat(body["lock_date"]) if body["lock_date"] else None
                )
                sync_lock_date(tenant)
            if "currencies" in body:
                codes = [str(c) for c in body["currencies"]]
                tenant.currencies = {c: CURRENCY_NAMES.get(c, c) for c in codes}
                tenant.currencies.setdefault(tenant.base_currency, tenant.base_currency)
            try:
                sync_rates(tenant, body.get("rates") or {})
            except ValueError as exc:
                return _bad(f"unusable rates: {exc}")
            return xero_json(tenant.organisation)

    async def add_contact(request: Request) -> Response:
        tenant = tenant_of(request)
        if tenant is None:
            return _bad("no such tenant", 404)
        body = await _spec(request)
        if not isinstance(body, dict) or not body.get("Name"):
            return _bad("a contact needs a Name")
        async with tenant.lock:
            contact = new_contact(body, sandbox.clock.now())
            tenant.contacts[contact["ContactID"]] = contact
        return xero_json(contact, status=201)

    async def grant_body(request: Request) -> tuple[str, str, list[str], str, str | None]:
        body = await _json(request)
        tenant_ids = [str(t) for t in body.get("tenant_ids", [])]
        missing = [t for t in tenant_ids if t not in sandbox.tenants]
        if missing:
            raise TenantSpecError(f"unknown tenants: {missing}")
        sandbox.identity.register(str(body["client_id"]), str(body.get("client_secret", "")))
        scope = str(
            body.get(
                "scope",
                "openid profile email offline_access accounting.transactions accounting.contacts "
                "accounting.settings accounting.attachments",
            )
        )
        return str(body["client_id"]), scope, tenant_ids, scope, body.get("redirect_uri")

    async def authorize(request: Request) -> Response:
        try:
            client_id, scope, tenant_ids, _, redirect = await grant_body(request)
        except (TenantSpecError, TokenError, KeyError) as exc:
            return _bad(str(exc))
        return JSONResponse(
            {"code": sandbox.identity.mint_code(client_id, scope, tenant_ids, redirect)}
        )

    async def tokens(request: Request) -> Response:
        try:
            client_id, scope, tenant_ids, _, _ = await grant_body(request)
        except (TenantSpecError, TokenError, KeyError) as exc:
            return _bad(str(exc))
        event = new_id()
        for tenant_id in tenant_ids:
            name = sandbox.tenants[tenant_id].organisation["Name"]
            sandbox.identity.connect(client_id, tenant_id, name, event)
        answer = sandbox.identity.issue(client_id, scope, event)
        expires = sandbox.identity.access[answer["access_token"]].expires_at
        answer["expires_at"] = sandbox.clock.real_deadline(expires)
        return JSONResponse(answer)

    async def limits(request: Request) -> Response:
        body = await _json(request)
        config = sandbox.limiter.config
        for name in ("enabled", "minute", "day", "concurrent", "app_minute"):
            if name in body:
                setattr(config, name, body[name])
        return JSONResponse(asdict(config))

    async def add_fault(request: Request) -> Response:
        try:
            rule = FaultRule.from_json(await _json(request))
        except FaultSpecError as exc:
            return _bad(str(exc))
        sandbox.faults.add(rule)
        return JSONResponse(rule.as_json(), status_code=201)

    async def list_faults(request: Request) -> Response:
        return JSONResponse([rule.as_json() for rule in sandbox.faults.rules])

    async def clear_faults(request: Request) -> Response:
        sandbox.faults.clear()
        return Response(status_code=204)

    async def clock(request: Request) -> Response:
        body = await _json(request)
        sandbox.clock.advance(float(body.get("advance_seconds", 0)))
        return JSONResponse(
            {"now": sandbox.clock.now().isoformat(), "time_scale": sandbox.clock.scale}
        )

    async def stats(request: Request) -> Response:
        return JSONResponse(
            {
                "calls": sandbox.stats.calls,
                "rate_limited": sum(sandbox.limiter.refused.values()),
                "rate_limited_by_problem": dict(sandbox.limiter.refused),
                "by_endpoint": dict(sandbox.stats.by_endpoint),
                "max_concurrent": sandbox.limiter.max_in_flight,
                "faults_injected": sandbox.faults.injected,
                "idempotent_replays": sandbox.idempotency.replays,
            }
        )

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return Response(status_code=204)

    return [
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/tenants", create_tenant, methods=["POST"]),
        Route("/_sandbox/tenants/{tenant_id}", patch_tenant, methods=["PATCH"]),
        Route("/_sandbox/tenants/{tenant_id}/state", tenant_state, methods=["GET"]),
        Route("/_sandbox/tenants/{tenant_id}/contacts", add_contact, methods=["POST"]),
        Route("/_sandbox/authorizations", authorize, methods=["POST"]),
        Route("/_sandbox/tokens", tokens, methods=["POST"]),
        Route("/_sandbox/limits", limits, methods=["PUT"]),
        Route("/_sandbox/faults", add_fault, methods=["POST"]),
        Route("/_sandbox/faults", list_faults, methods=["GET"]),
        Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
        Route("/_sandbox/clock", clock, methods=["POST"]),
        Route("/_sandbox/stats", stats, methods=["GET"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
    ]
