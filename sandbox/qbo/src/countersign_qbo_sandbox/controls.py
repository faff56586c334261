"""The test-control API under ``/_sandbox/`` (not part of QBO): companies, apps, minted tokens,
the clock, limits, faults, the requestid memory, webhook registration, state read-back,
statistics and reset; and ``/_files/…``, where the temporary download URLs point."""

from __future__ import annotations

import hmac
from dataclasses import asdict
from typing import Any

from countersign_xero_sandbox.faults import FaultRule, FaultSpecError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from countersign_qbo_sandbox.attachments import file_token
from countersign_qbo_sandbox.oauth import ACCOUNTING_SCOPE, App
from countersign_qbo_sandbox.sandbox import Sandbox
from countersign_qbo_sandbox.seeding import CompanySpecError, build_realm
from countersign_qbo_sandbox.wire import dumps, loads, plain

__all__ = ["control_routes"]


def _json(payload: Any, status: int = 200) -> Response:
    return Response(dumps(payload), status_code=status, media_type="application/json")


def _bad(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


async def _body(request: Request) -> Any:
    try:
        return loads(await request.body()) or {}
    except ValueError:
        return None


def _view(sandbox: Sandbox, realm_id: str) -> dict[str, Any]:
    realm = sandbox.realms[realm_id]
    return {
        "realm_id": realm.realm_id,
        "name": realm.name,
        "country": realm.country,
        "home_currency": realm.home_currency,
        "multicurrency": realm.multicurrency,
        "book_close_date": realm.book_close_date.isoformat() if realm.book_close_date else None,
    }


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def reset(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    sandbox.reset()
    return JSONResponse({"status": "reset"})


async def companies(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    body = await _body(request)
    realm_id = sandbox.new_realm_id()
    try:
        sandbox.realms[realm_id] = build_realm(realm_id, body, sandbox.clock.now())
    except CompanySpecError as exc:
        return _bad(str(exc))
    return JSONResponse(_view(sandbox, realm_id), status_code=201)


async def state(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    realm = sandbox.realms.get(request.path_params["realm_id"])
    if realm is None:
        return _bad("no such company")
    return _json(
        plain(
            {
                **_view(sandbox, realm.realm_id),
                "entities": realm.entities,
                "deleted": realm.deleted,
                "changes": [asdict(c) for c in realm.changes],
            }
        )
    )


async def apps(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    body = await _body(request)
    if not isinstance(body, dict) or not body.get("client_id") or not body.get("client_secret"):
        return _bad("client_id and client_secret are required")
    uris = [str(u) for u in body.get("redirect_uris") or []]
    sandbox.oauth.register(App(str(body["client_id"]), str(body["client_secret"]), uris))
    return JSONResponse({"client_id": body["client_id"], "redirect_uris": uris}, status_code=201)


async def tokens(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    body = await _body(request)
    if not isinstance(body, dict) or body.get("realm_id") not in sandbox.realms:
        return _bad("realm_id must name a company")
    client_id = str(body.get("client_id") or "countersign")
    if client_id not in sandbox.oauth.apps:
        sandbox.oauth.register(App(client_id, str(body.get("client_secret") or "secret")))
    grant = sandbox.oauth.connect(client_id, body["realm_id"], ACCOUNTING_SCOPE)
    return JSONResponse({**sandbox.oauth.token_answer(grant), "realm_id": body["realm_id"]})


async def clock(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    body = await _body(request)
    if not isinstance(body, dict):
        return _bad("a JSON object")
    sandbox.clock.advance(float(body.get("advance_seconds", 0)))
    return JSONResponse({"now": sandbox.clock.now().isoformat()})


async def limits(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    body = await _body(request)
    config = sandbox.limiter.config
    for key, value in (body or {}).items():
        if not hasattr(config, key):
            return _bad(f"unknown limit {key}")
        setattr(config, key, value)
    return JSONResponse(asdict(config))


async def faults(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    if request.method == "DELETE":
        sandbox.faults.clear()
        return Response(status_code=204)
    body = await _body(request)
    if isinstance(body, dict) and "realm_id" in body:
        body = {"tenant_id": body["realm_id"], **{k: v for k, v in body.items() if k != "realm_id"}}
    try:
        rule = FaultRule.from_json(body)
    except FaultSpecError as exc:
        return _bad(str(exc))
    sandbox.faults.add(rule)
    return JSONResponse(rule.as_json(), status_code=201)


async def request_ids(request: Request) -> Response:
    """Forgets the remembered requestids now (of one realm with ``?realm_id=``), as if their
    retention (``QBO_SANDBOX_REQUESTID_TTL_S``) had passed: a repeat runs the call again."""
    sandbox: Sandbox = request.app.state.sandbox
    forgotten = sandbox.request_ids.forget(request.query_params.get("realm_id"))
    return JSONResponse({"forgotten": forgotten})


async def webhooks(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    if request.method == "GET":
        return JSONResponse(sandbox.webhooks.view())
    body = await _body(request)
    if not isinstance(body, dict) or not body.get("url") or not body.get("verifier_token"):
        return _bad("url and verifier_token are required")
    realms = list(sandbox.realms.values())
    found = sandbox.webhooks.register(str(body["url"]), str(body["verifier_token"]), realms)
    return JSONResponse(found.view(), status_code=201)


async def webhook(request: Request) -> Response:
    """``DELETE /_sandbox/webhooks/{registration_id}``: the registration removed (204)."""
    sandbox: Sandbox = request.app.state.sandbox
    if not sandbox.webhooks.unregister(request.path_params["registration_id"]):
        return JSONResponse({"error": "no such registration"}, status_code=404)
    return Response(status_code=204)


async def stats(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    return JSONResponse(
        {
            "calls": sandbox.stats.calls,
            "by_endpoint": dict(sandbox.stats.by_endpoint),
            "throttled": dict(sandbox.limiter.refused),
            "in_flight": sandbox.limiter.in_flight(),
            "faults_injected": sandbox.faults.injected,
            "requestid_replays": sandbox.request_ids.replays,
        }
    )


async def files(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    realm = sandbox.realms.get(request.path_params["realm_id"])
    attachable_id = request.path_params["attachable_id"]
    try:
        expires = int(request.query_params.get("expires", "0"))
    except ValueError:
        expires = 0
    wanted = file_token(
        sandbox.file_secret, request.path_params["realm_id"], attachable_id, expires
    )
    signature = request.query_params.get("signature", "")
    if (
        realm is None
        or expires < sandbox.clock.seconds()
        or not hmac.compare_digest(wanted, signature)
    ):
        return Response("AccessDenied", status_code=403, media_type="text/plain")
    record = realm.get("Attachable", attachable_id)
    content = realm.files.get(attachable_id)
    if record is None or content is None:
        return Response("NoSuchKey", status_code=404, media_type="text/plain")
    return Response(content, media_type=record["ContentType"])


def control_routes() -> list[Route]:
    return [
        Route("/_sandbox/health", health),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/companies", companies, methods=["POST"]),
        Route("/_sandbox/companies/{realm_id}/state", state),
        Route("/_sandbox/apps", apps, methods=["POST"]),
        Route("/_sandbox/tokens", tokens, methods=["POST"]),
        Route("/_sandbox/clock", clock, methods=["POST"]),
        Route("/_sandbox/limits", limits, methods=["PUT"]),
        Route("/_sandbox/faults", faults, methods=["POST", "DELETE"]),
        Route("/_sandbox/requestids", request_ids, methods=["DELETE"]),
        Route("/_sandbox/webhooks", webhooks, methods=["GET", "POST"]),
        Route("/_sandbox/webhooks/{registration_id}", webhook, methods=["DELETE"]),
        Route("/_sandbox/stats", stats),
        Route("/_files/{realm_id}/{attachable_id}", files),
    ]
