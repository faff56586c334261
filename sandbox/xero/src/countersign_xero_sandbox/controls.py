"""The test-control API under ``/_sandbox/`` (not part of Xero): tenants, limits, faults, the
clock, read-back of state and statistics, reset (apps, users, codes, tokens and disconnecting are
``identity_controls.py``). See docs/xero-sandbox.md."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from countersign_xero_sandbox.amounts import MAX_UNIT_DP
from countersign_xero_sandbox.control_answers import bad, json_body
from countersign_xero_sandbox.currency_rates import table_view
from countersign_xero_sandbox.defaults import CURRENCY_NAMES
from countersign_xero_sandbox.faults import FaultRule, FaultSpecError
from countersign_xero_sandbox.history import render_history
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
        # Per document id, as GET …/History answers: newest first.
        "history": {
            doc: [render_history(r) for r in reversed(records)]
            for doc, records in tenant.history.items()
        },
        "calls": {
            "total": calls.total,
            "rate_limited": calls.rate_limited,
            "rate_limited_by_problem": dict(calls.rate_limited_by_problem),
            "by_endpoint": dict(calls.by_endpoint),
        },
    }


def _named(records: Iterable[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    for record in records:
        ids = {str(v).casefold() for k, v in record.items() if k.endswith("ID") or k == "Name"}
        if wanted.casefold() in ids:
            return record
    return None


class _Controls:
    """One handler a control route, all over the same sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def create_tenant(self, request: Request) -> Response:
        spec = await _spec(request)
        try:
            tenant = build_tenant(spec, self.sandbox.clock.now())
        except (TenantSpecError, ValueError, KeyError, TypeError) as exc:
            return bad(f"unusable tenant spec: {exc}")
        if tenant.tenant_id in self.sandbox.tenants:
            return bad(f"tenant {tenant.tenant_id} exists", 409)
        self.sandbox.tenants[tenant.tenant_id] = tenant
        if spec.get("connect_client_id"):
            self.sandbox.identity.connect(
                str(spec["connect_client_id"]),
                tenant.tenant_id,
                tenant.organisation["Name"],
                new_id(),
            )
        return xero_json(_tenant_view(tenant), status=201)

    def _tenant(self, request: Request) -> Tenant | None:
        return self.sandbox.tenants.get(request.path_params["tenant_id"])

    async def tenant_state(self, request: Request) -> Response:
        tenant = self._tenant(request)
        if tenant is None:
            return bad("no such tenant", 404)
        async with tenant.lock:
            return xero_json(_state(self.sandbox, tenant))

    async def patch_tenant(self, request: Request) -> Response:
        tenant = self._tenant(request)
        if tenant is None:
            return bad("no such tenant", 404)
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
                return bad(f"unusable rates: {exc}")
            return xero_json(tenant.organisation)

    async def add_contact(self, request: Request) -> Response:
        tenant = self._tenant(request)
        if tenant is None:
            return bad("no such tenant", 404)
        body = await _spec(request)
        if not isinstance(body, dict) or not body.get("Name"):
            return bad("a contact needs a Name")
        async with tenant.lock:
            before = self.sandbox.webhooks.watch(tenant)
            contact = new_contact(body, self.sandbox.clock.now())
            tenant.contacts[contact["ContactID"]] = contact
            self.sandbox.changed(tenant, before)
        return xero_json(contact, status=201)

    async def patch_account(self, request: Request) -> Response:
        """An account's Status (ACTIVE, ARCHIVED) or Name changed, as in Xero's settings; its
        UpdatedDateUTC moves, so If-Modified-Since sees it."""
        tenant = self._tenant(request)
        if tenant is None:
            return bad("no such tenant", 404)
        body = await json_body(request)
        code = request.path_params["code"]
        async with tenant.lock:
            account = next((a for a in tenant.accounts.values() if a["Code"] == code), None)
            if account is None:
                return bad(f"no account with code {code}", 404)
            if body.get("Status", "ACTIVE") not in {"ACTIVE", "ARCHIVED"}:
                return bad("Status is ACTIVE or ARCHIVED")
            account.update({k: str(body[k]) for k in ("Status", "Name") if k in body})
            account["UpdatedDateUTC"] = self.sandbox.clock.now()
            return xero_json(account)

    async def patch_tracking_option(self, request: Request) -> Response:
        """A tracking option's Status (ACTIVE, ARCHIVED); category and option by id or name."""
        tenant = self._tenant(request)
        if tenant is None:
            return bad("no such tenant", 404)
        body = await json_body(request)
        wanted = request.path_params
        async with tenant.lock:
            category = _named(tenant.tracking_categories.values(), wanted["category"])
            option = None if category is None else _named(category["Options"], wanted["option"])
            if option is None:
                return bad("no such tracking category or option", 404)
            if body.get("Status") not in {"ACTIVE", "ARCHIVED"}:
                return bad("Status is ACTIVE or ARCHIVED")
            option["Status"] = body["Status"]
            return xero_json(category)

    async def limits(self, request: Request) -> Response:
        body = await json_body(request)
        config = self.sandbox.limiter.config
        for name in ("enabled", "minute", "day", "concurrent", "app_minute"):
            if name in body:
                setattr(config, name, body[name])
        return JSONResponse(asdict(config))

    async def add_fault(self, request: Request) -> Response:
        try:
            rule = FaultRule.from_json(await json_body(request))
        except FaultSpecError as exc:
            return bad(str(exc))
        self.sandbox.faults.add(rule)
        return JSONResponse(rule.as_json(), status_code=201)

    async def list_faults(self, request: Request) -> Response:
        return JSONResponse([rule.as_json() for rule in self.sandbox.faults.rules])

    async def clear_faults(self, request: Request) -> Response:
        self.sandbox.faults.clear()
        return Response(status_code=204)

    async def clock(self, request: Request) -> Response:
        clock = self.sandbox.clock
        clock.advance(float((await json_body(request)).get("advance_seconds", 0)))
        return JSONResponse({"now": clock.now().isoformat(), "time_scale": clock.scale})

    async def stats(self, request: Request) -> Response:
        sandbox = self.sandbox
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

    async def reset(self, request: Request) -> Response:
        self.sandbox.reset()
        return Response(status_code=204)


def control_routes(sandbox: Sandbox) -> list[Route]:
    c = _Controls(sandbox)
    return [
        Route("/_sandbox/health", c.health, methods=["GET"]),
        Route("/_sandbox/tenants", c.create_tenant, methods=["POST"]),
        Route("/_sandbox/tenants/{tenant_id}", c.patch_tenant, methods=["PATCH"]),
        Route("/_sandbox/tenants/{tenant_id}/state", c.tenant_state, methods=["GET"]),
        Route("/_sandbox/tenants/{tenant_id}/contacts", c.add_contact, methods=["POST"]),
        Route("/_sandbox/tenants/{tenant_id}/accounts/{code}", c.patch_account, methods=["PATCH"]),
        Route(
            "/_sandbox/tenants/{tenant_id}/tracking-categories/{category}/options/{option}",
            c.patch_tracking_option,
            methods=["PATCH"],
        ),
        Route("/_sandbox/limits", c.limits, methods=["PUT"]),
        Route("/_sandbox/faults", c.add_fault, methods=["POST"]),
        Route("/_sandbox/faults", c.list_faults, methods=["GET"]),
        Route("/_sandbox/faults", c.clear_faults, methods=["DELETE"]),
        Route("/_sandbox/clock", c.clock, methods=["POST"]),
        Route("/_sandbox/stats", c.stats, methods=["GET"]),
        Route("/_sandbox/reset", c.reset, methods=["POST"]),
    ]
