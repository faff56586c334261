"""A local mail server for the tests and the demo: what Countersign sends, kept to be read.

    sender ──SMTP (loopback, MAIL_SANDBOX_SMTP_PORT)──▶ reception.py ──▶ mailbox.py (in memory)
    person ──HTTP (MAIL_SANDBOX_HTTP_PORT)── GET /, /messages/{id}  ──┘       ▲
    test   ──HTTP── GET /api/messages?to=…, /api/messages/{id}/raw ───────────┘

One process, one event loop: the app's lifespan (``app.py``) opens the SMTP listener next to
the HTTP one. ``countersign_mail_sandbox.app.build_app`` builds it from
``countersign_mail_sandbox.settings.MailSandboxSettings``; this package module imports nothing.
"""
