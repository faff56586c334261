"""Composition root: settings → sandbox state → one ASGI app serving the Accounting API, the
identity endpoints (tokens and connections, OpenID Connect discovery, keys and userinfo, and
the browser's authorize, login and consent pages), the test controls (optionally wrapped by
the recorder) and the webhook sender."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import ASGIApp

from countersign_xero_sandbox.api_routes import ACCOUNTING_ROUTES
from countersign_xero_sandbox.consent_endpoints import consent_routes
from countersign_xero_sandbox.controls import control_routes
from countersign_xero_sandbox.hosting import Front, recorded
from countersign_xero_sandbox.identity_controls import identity_control_routes
from countersign_xero_sandbox.identity_endpoints import identity_routes
from countersign_xero_sandbox.oidc_endpoints import oidc_routes
from countersign_xero_sandbox.pipeline import AccountingApp
from countersign_xero_sandbox.sandbox import ACCOUNTING_PREFIX, Sandbox
from countersign_xero_sandbox.settings import SandboxSettings
from countersign_xero_sandbox.webhook_controls import webhook_control_routes
from countersign_xero_sandbox.webhook_sender import WebhookSender

__all__ = ["build_app"]


def build_app(settings: SandboxSettings) -> ASGIApp:
    sandbox = Sandbox(settings)
    sender = WebhookSender(sandbox)
    sandbox.wake_webhooks = sender.kick
    routes = [
        *control_routes(sandbox),
        *webhook_control_routes(sandbox, sender),
        *identity_control_routes(sandbox),
        *identity_routes(sandbox),
        *oidc_routes(sandbox),
        *consent_routes(sandbox),
    ]
    rest = Starlette(routes=routes)
    rest.state.sandbox = sandbox
    front = Front(ACCOUNTING_PREFIX, AccountingApp(sandbox, ACCOUNTING_ROUTES), rest)
    return recorded(front, settings, "xero-sandbox")
