"""The Accounting API front door, in Intuit's order of checks:

    bearer token (401) → realm (403) → throttles (429) → minorversion → faults → requestid →
    handler (under the realm's lock)

A raw ASGI app so that a fault can cut the connection after the write committed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from countersign_xero_sandbox import faults
from countersign_xero_sandbox.idempotency import Proceed, Replay, StoredAnswer
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from countersign_qbo_sandbox.model import Realm
from countersign_qbo_sandbox.sandbox import API_PREFIX, Call, Sandbox
from countersign_qbo_sandbox.wire import Fault, forbidden, throttled, unauthenticated

__all__ = ["AccountingApp", "Handler"]

Handler = Callable[[Call], Awaitable[Response]]
PATH = re.compile(r"/(?P<realm>[^/]+)/(?P<segment>[^/]+)(?:/(?P<id>[^/]+))?/?")
SERVED_MINOR_VERSION = 75
MAX_REQUEST_ID = 50


def _minor_version(raw: str | None) -> None:
    """Absent or 1 to 75 is served as 75 (Intuit, 1 Aug 2025); anything else is refused."""
    if raw is None:
        return
    if not raw.isdigit() or not 1 <= int(raw) <= SERVED_MINOR_VERSION:
        raise Fault(
            "2170",
            "Invalid Enumeration",
            f"Invalid Enumeration : minorversion {raw} is not supported; use 1 to 75",
            "minorversion",
        )


class AccountingApp:
    def __init__(self, sandbox: Sandbox, handler: Handler) -> None:
        self.sandbox = sandbox
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._serve(request, send)
        if response is not None:
            await response(scope, receive, send)

    async def _serve(self, request: Request, send: Send) -> Response | None:
        sandbox = self.sandbox
        now = sandbox.clock.now()
        found = PATH.fullmatch(request.url.path.removeprefix(API_PREFIX))
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        grant = sandbox.oauth.grant_for(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None:
            return unauthenticated(now)
        if found is None:
            return Response("Not Found", status_code=404, media_type="text/plain")
        realm = sandbox.realms.get(found["realm"])
        if realm is None or grant.realm_id != realm.realm_id:
            return forbidden(now)
        segment = found["segment"].lower()
        if sandbox.limiter.admit(realm.realm_id, batch=segment == "batch") is not None:
            return throttled(now)
        try:
            return await self._admitted(
                request, send, found["segment"], found["id"], realm.realm_id
            )
        except Fault as fault:
            return fault.response(now)
        finally:
            sandbox.limiter.release(realm.realm_id)

    async def _admitted(
        self, request: Request, send: Send, segment: str, entity_id: str | None, realm_id: str
    ) -> Response | None:
        sandbox = self.sandbox
        _minor_version(request.query_params.get("minorversion"))
        request_id = request.query_params.get("requestid")
        if request_id is not None and not 0 < len(request_id) <= MAX_REQUEST_ID:
            raise Fault(
                "2170",
                "Invalid Enumeration",
                f"Invalid Enumeration : requestid must be 1 to {MAX_REQUEST_ID} characters",
                "requestid",
            )
        path = request.url.path
        drop = False
        for rule in sandbox.faults.draw(request.method, path, realm_id):
            if rule.latency_ms:
                await asyncio.sleep(rule.latency_ms / 1000)
            if rule.fault == "error":
                return Response(
                    f"Injected fault: {rule.status}",
                    status_code=rule.status,
                    media_type="text/plain",
                )
            if rule.fault == "timeout":
                await faults.hold(request, rule.seconds)
                await faults.cut(send)
                return None
            drop = drop or rule.fault == "drop_after_commit"
        sandbox.stats.calls += 1
        endpoint = f"{request.method} {segment.lower()}" + ("/{id}" if entity_id else "")
        sandbox.stats.by_endpoint[endpoint] += 1
        body = await request.body()
        response = await self._answer(request, segment, entity_id, realm_id, request_id, body)
        if drop:
            await faults.cut(send)
            return None
        return response

    async def _answer(
        self,
        request: Request,
        segment: str,
        entity_id: str | None,
        realm_id: str,
        request_id: str | None,
        body: bytes,
    ) -> Response:
        sandbox = self.sandbox
        realm = sandbox.realms[realm_id]
        async with realm.lock:
            slot = None
            if request_id is not None:
                # One fingerprint for every call: Intuit documents no refusal of a repeated
                # requestid with another body, so the first answer is replayed whatever comes.
                outcome = await sandbox.request_ids.begin(realm_id, request_id, "")
                if isinstance(outcome, Replay):
                    kept = outcome.answer
                    return Response(kept.body, status_code=kept.status, headers=kept.headers)
                assert isinstance(outcome, Proceed)  # one fingerprint: never a Conflict
                slot = outcome.slot
            try:
                response = await self._handle(request, segment, entity_id, realm, body)
            except BaseException:
                if slot is not None:
                    sandbox.request_ids.abandon(slot)
                raise
            if slot is not None:
                media = response.headers.get("content-type", "application/json")
                kept_body = bytes(response.body)
                answer = StoredAnswer(response.status_code, {"content-type": media}, kept_body)
                sandbox.request_ids.finish(slot, answer)
            sandbox.changed(realm)
            return response

    async def _handle(
        self, request: Request, segment: str, entity_id: str | None, realm: Realm, body: bytes
    ) -> Response:
        now = self.sandbox.clock.now()
        call = Call(
            self.sandbox,
            realm,
            request.method,
            segment.lower(),
            entity_id,
            request.query_params,
            request.headers,
            body,
            now,
        )
        try:
            return await self.handler(call)
        except Fault as fault:
            return fault.response(now)
