"""A local stand-in for QuickBooks Online's Accounting API (v3) and Intuit's OAuth2 endpoints.

Request pipeline (see ``pipeline.py``)::

    record → /_sandbox controls | OAuth2 (discovery, authorize, token, revoke) | Accounting:
        bearer token → realm → limits → minorversion → faults → requestid → entity handler

The app is built by ``countersign_qbo_sandbox.app.build_app`` from
``countersign_qbo_sandbox.settings.SandboxSettings``; this package module imports nothing.
"""
