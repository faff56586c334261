"""Composition root: settings → sandbox state → one ASGI app serving the Accounting API under
/v3/company, Intuit's OAuth2 endpoints and the test controls (optionally wrapped by the
recorder the Xero sandbox uses)."""

from __future__ import annotations

from countersign_xero_sandbox.recording import Recorder, instance_recording
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from countersign_qbo_sandbox.api import handle
from countersign_qbo_sandbox.controls import control_routes
from countersign_qbo_sandbox.oauth_endpoints import oauth_routes
from countersign_qbo_sandbox.pipeline import AccountingApp
from countersign_qbo_sandbox.sandbox import API_PREFIX, Sandbox
from countersign_qbo_sandbox.settings import SandboxSettings

__all__ = ["build_app"]


class _Front:
    """Accounting paths go through the QBO pipeline; everything else to Starlette routing."""

    def __init__(self, accounting: ASGIApp, rest: ASGIApp) -> None:
        self.accounting = accounting
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX + "/"):
            await self.accounting(scope, receive, send)
        else:
            await self.rest(scope, receive, send)


def build_app(settings: SandboxSettings) -> ASGIApp:
    sandbox = Sandbox(settings)
    rest = Starlette(routes=[*control_routes(), *oauth_routes()])
    rest.state.sandbox = sandbox
    app: ASGIApp = _Front(AccountingApp(sandbox, handle), rest)
    if settings.record:
        app = Recorder(app, settings.record)
    if settings.record_dir:
        path = instance_recording(settings.record_dir, settings.http_port, "qbo-sandbox")
        app = Recorder(app, str(path))
    return app
