"""The Accounting API front door, in Xero's order of checks:

    Accept → bearer token → xero-tenant-id → rate limits → Idempotency-Key → faults → handler

(Accept is checked against what the route can answer: JSON, and a PDF or a file for some.)

It is a raw ASGI app so that a fault can cut the connection after the status line (what a
client sees when Xero committed but the answer was lost).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from countersign_xero_sandbox import faults
from countersign_xero_sandbox.idempotency import (
    MAX_KEY_LENGTH,
    Conflict,
    Proceed,
    Replay,
    StoredAnswer,
    fingerprint,
)
from countersign_xero_sandbox.sandbox import ACCOUNTING_PREFIX, Call, CallError, Sandbox
from countersign_xero_sandbox.wire import (
    JSON,
    forbidden,
    negotiate,
    not_found,
    unauthorized,
    validation_exception,
)

__all__ = ["AccountingApp", "Handler", "Route"]

Handler = Callable[[Call], Response]
WRITES = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    # What the route can answer with (checked against Accept before anything else); empty when
    # only the handler knows (a file download answers in the file's own type).
    media: tuple[str, ...] = (JSON,)


def _replay(answer: StoredAnswer) -> Response:
    response = Response(answer.body, status_code=answer.status, headers=answer.headers)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _key_refusal(message: str) -> Response:
    return validation_exception([{"ValidationErrors": [{"Message": message}]}])


class AccountingApp:
    def __init__(self, sandbox: Sandbox, routes: list[Route]) -> None:
        self.sandbox = sandbox
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._serve(request, send)
        if response is not None:
            await response(scope, receive, send)

    def _route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.pattern.fullmatch(path)
            if found and route.method == method:
                return route, found.groupdict()
        return None

    async def _serve(self, request: Request, send: Send) -> Response | None:
        """The answer to send, or None when a fault already dealt with the connection."""
        sandbox = self.sandbox
        # Route on the raw path: a percent-encoded "/" in a file name must stay inside its segment.
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1").split("?")[0].removeprefix(ACCOUNTING_PREFIX) or "/"
        found = self._route(request.method, path)
        media = found[0].media if found else (JSON,)
        if media and negotiate(request.headers.get("accept"), media) is None:
            return Response(f"This resource answers {', '.join(media)}", status_code=406)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        grant = sandbox.identity.grant_for(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None or isinstance(grant, str):
            return unauthorized(grant or "AuthenticationUnsuccessful")
        tenant_id = request.headers.get("xero-tenant-id", "").strip()
        tenant = sandbox.tenants.get(tenant_id)
        if tenant is None or not sandbox.identity.connected(
            grant.client_id, tenant_id, grant.user_id
        ):
            return forbidden()
        method = request.method
        shape = re.sub(r"/Attachments/[^/]+", "/Attachments/{FileName}", path, flags=re.I)
        endpoint = f"{method} {re.sub(r'/[0-9a-fA-F-]{36}', '/{id}', shape)}"
        admission = sandbox.limiter.admit(tenant_id, grant.client_id)
        if admission.problem is not None:
            tenant.calls.rate_limited += 1
            tenant.calls.rate_limited_by_problem[admission.problem] += 1
            headers = {**admission.headers, "X-Rate-Limit-Problem": admission.problem}
            if admission.retry_after is not None:
                headers["Retry-After"] = str(admission.retry_after)
            return Response(b"", status_code=429, headers=headers)
        tenant.calls.total += 1
        tenant.calls.by_endpoint[endpoint] += 1
        sandbox.stats.calls += 1
        sandbox.stats.by_endpoint[endpoint] += 1
        try:
            response = await self._admitted(request, send, tenant_id, grant.client_id, path)
            if response is not None:
                response.headers.update(admission.headers)
            return response
        finally:
            sandbox.limiter.release(tenant_id)

    async def _claim(
        self, request: Request, client_id: str, body: bytes
    ) -> tuple[str, str] | Response | None:
        """The slot that keeps the answer for the request's Idempotency-Key, or the answer
        itself (a refusal or a replay); None when there is no key to honour."""
        key = request.headers.get("idempotency-key")
        if key is None or request.method not in WRITES:
            return None
        if not key or len(key) > MAX_KEY_LENGTH:
            return _key_refusal(
                f"The Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters long."
            )
        outcome = await self.sandbox.idempotency.begin(
            client_id, key, fingerprint(request.method, str(request.url), body)
        )
        if isinstance(outcome, Replay):
            return _replay(outcome.answer)
        if isinstance(outcome, Conflict):
            return _key_refusal(
                f"The Idempotency-Key '{key}' is already used with a different request."
            )
        assert isinstance(outcome, Proceed)
        return outcome.slot

    async def _admitted(
        self, request: Request, send: Send, tenant_id: str, client_id: str, path: str
    ) -> Response | None:
        body = await request.body()
        slot = await self._claim(request, client_id, body)
        if isinstance(slot, Response):
            return slot
        drop_after_commit = False
        for rule in self.sandbox.faults.draw(request.method, path, tenant_id):
            if rule.latency_ms:
                await asyncio.sleep(rule.latency_ms / 1000)
            if rule.fault == "error":
                self._forget(slot)
                return Response(
                    f"Injected fault: {rule.status}",
                    status_code=rule.status,
                    media_type="text/plain",
                )
            if rule.fault == "timeout":
                self._forget(slot)
                await faults.hold(request, rule.seconds)
                await faults.cut(send)
                return None
            drop_after_commit = drop_after_commit or rule.fault == "drop_after_commit"
        response = await self._answer(request, tenant_id, path, body, slot)
        if drop_after_commit:
            await faults.cut(send)
            return None
        return response

    async def _answer(
        self, request: Request, tenant_id: str, path: str, body: bytes, slot: tuple[str, str] | None
    ) -> Response:
        """The handler's answer, kept under the Idempotency-Key when there is one."""
        try:
            response = await self._handle(request, tenant_id, path, body)
        except BaseException:
            # A sandbox bug must not leave the key "in flight" for every later retry.
            self._forget(slot)
            raise
        if slot is not None:
            self.sandbox.idempotency.finish(
                slot,
                StoredAnswer(
                    response.status_code,
                    {"content-type": response.headers.get("content-type", "application/json")},
                    bytes(response.body),
                ),
            )
        return response

    async def _handle(self, request: Request, tenant_id: str, path: str, body: bytes) -> Response:
        sandbox = self.sandbox
        found = self._route(request.method, path)
        if found is None:
            return not_found()
        route, params = found
        handler = route.handler
        tenant = sandbox.tenants[tenant_id]
        async with tenant.lock:
            call = Call(
                sandbox,
                tenant,
                request.method,
                path,
                params,
                request.query_params,
                request.headers,
                body,
                sandbox.clock.now(),
            )
            before = sandbox.webhooks.watch(tenant) if request.method in WRITES else None
            try:
                return handler(call)
            except CallError as stop:
                return stop.response
            finally:
                sandbox.changed(tenant, before)

    def _forget(self, slot: tuple[str, str] | None) -> None:
        if slot is not None:
            self.sandbox.idempotency.abandon(slot)
