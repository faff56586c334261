"""Composition root: settings → sandbox state → one ASGI app serving the Accounting API under
/v3/company, Intuit's OAuth2 endpoints and the test controls (optionally wrapped by the
recorder the Xero sandbox uses)."""

from __future__ import annotations

from countersign_xero_sandbox.hosting import Front, recorded
from starlette.applications import Starlette
from starlette.types import ASGIApp

from countersign_qbo_sandbox.api import handle
from countersign_qbo_sandbox.controls import control_routes
from countersign_qbo_sandbox.oauth_endpoints import oauth_routes
from countersign_qbo_sandbox.pipeline import AccountingApp
from countersign_qbo_sandbox.sandbox import API_PREFIX, Sandbox
from countersign_qbo_sandbox.settings import SandboxSettings

__all__ = ["build_app"]


def build_app(settings: SandboxSettings) -> ASGIApp:
    sandbox = Sandbox(settings)
    rest = Starlette(routes=[*control_routes(), *oauth_routes()])
    rest.state.sandbox = sandbox
    return recorded(
        Front(API_PREFIX, AccountingApp(sandbox, handle), rest), settings, "qbo-sandbox"
    )
