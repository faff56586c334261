"""A local stand-in for Xero's Accounting API 2.0 and its OAuth2 identity endpoints.

Request pipeline (see ``app.py``)::

    record → /_sandbox controls | /connect/token, /connections | /identity pages | Accounting:
        token → tenant → rate limits → idempotency → faults → resource handler

The app is built by ``countersign_xero_sandbox.app.build_app`` from
``countersign_xero_sandbox.settings.SandboxSettings``; this package module imports nothing, so
its modules import one another without passing through it.
"""
