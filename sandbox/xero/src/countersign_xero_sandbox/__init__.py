"""A local stand-in for Xero's Accounting API 2.0 and its OAuth2 identity endpoints.

Request pipeline (see ``app.py``)::

    record → /_sandbox controls | /connect/token, /connections | Accounting:
        token → tenant → rate limits → idempotency → faults → resource handler
"""

from countersign_xero_sandbox.app import build_app
from countersign_xero_sandbox.settings import SandboxSettings

__all__ = ["SandboxSettings", "build_app"]
