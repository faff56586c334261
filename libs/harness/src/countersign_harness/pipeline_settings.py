"""What a ``Pipeline`` gives each of its processes: the shared secrets and client credentials,
the tests' fast loop settings, the sandboxes' limits, and each service's environment built from
where its neighbours answer."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets

from countersign_harness.qbo_process import (
    CLIENT_ID as QBO_CLIENT_ID,
    CLIENT_SECRET as QBO_CLIENT_SECRET,
)
from countersign_platform.access import generate_seed

__all__ = [
    "ADMIN_TOKEN",
    "DOCUMENT_LINK_SECRET",
    "FAST_PUBLISHER",
    "NOTIFIER_CLIENT_SECRET",
    "QBO_CLIENT_ID",
    "QBO_CLIENT_SECRET",
    "QBO_WEBHOOK_VERIFIER",
    "UNLIMITED_PUBLISHER",
    "UNLIMITED_XERO",
    "WEB_CLIENT_SECRET",
    "WEB_OIDC_CLIENT_ID",
    "WEB_OIDC_SECRET",
    "XERO_CLIENT_ID",
    "XERO_CLIENT_SECRET",
    "XERO_WEBHOOK_KEY",
    "approval_env",
    "ledger_callbacks",
    "notifier_env",
    "publisher_environment",
    "web_env",
]

# The web app: its credential at approval (APPROVAL_CLIENTS holds the hash) and its app at the
# Xero sandbox for "Sign in with Xero" (registered there by the test that uses it).
WEB_CLIENT_SECRET = secrets.token_urlsafe(24)
# The notifier's credential at approval, for the buttons' action grants.
NOTIFIER_CLIENT_SECRET = secrets.token_urlsafe(24)
WEB_OIDC_CLIENT_ID, WEB_OIDC_SECRET = "countersign-web", "web-oidc-secret"

ADMIN_TOKEN = "pipeline-operator-token"
XERO_CLIENT_ID = "countersign-pipeline"
XERO_CLIENT_SECRET = "pipeline-xero-client-secret"
DOCUMENT_LINK_SECRET = "pipeline-document-links"
# The publisher's Xero webhook key: set, so a test may register the webhook with the sandbox
# (none is registered unless a test does, and it removes it after).
XERO_WEBHOOK_KEY = secrets.token_urlsafe(24)
# The verifier token of the publisher's QBO webhook, likewise (``Pipeline.qbo_webhook``).
QBO_WEBHOOK_VERIFIER = secrets.token_urlsafe(24)

# Fast polling and short leases: a test should not wait for a production-sized interval.
FAST_PUBLISHER = {
    "PUBLISHER_WORKER_POLL_INTERVAL_S": "0.1",
    "PUBLISHER_WORKER_BACKOFF_S": "0.1",
    "PUBLISHER_WORKER_LEASE_S": "10",
}
# Xero's own limits, as the publisher paces itself for them, lifted with the sandbox's.
UNLIMITED_PUBLISHER = {
    "PUBLISHER_XERO_MINUTE_LIMIT": "100000",
    "PUBLISHER_XERO_APP_MINUTE_LIMIT": "100000",
    "PUBLISHER_XERO_DAY_LIMIT": "1000000",
}

# Xero's limits off: no 429s, and limit headers so high the publisher never pauses for them.
UNLIMITED_XERO = {
    "XERO_SANDBOX_LIMITS_ENABLED": "false",
    "XERO_SANDBOX_MINUTE_LIMIT": "1000000",
    "XERO_SANDBOX_DAY_LIMIT": "100000000",
    "XERO_SANDBOX_APP_MINUTE_LIMIT": "100000000",
    "XERO_SANDBOX_CONCURRENT_LIMIT": "1000",
}


def publisher_environment(
    *, xero_url: str, qbo_url: str, ingest_url: str, shipped: bool
) -> dict[str, str]:
    """Xero's and QBO's sandboxes as the publisher's ledgers, ingest as its documents' source."""
    return {
        **({} if shipped else FAST_PUBLISHER),
        **UNLIMITED_PUBLISHER,
        "PUBLISHER_XERO_API_URL": f"{xero_url}/api.xro/2.0",
        "PUBLISHER_XERO_IDENTITY_URL": xero_url,
        "PUBLISHER_XERO_CLIENT_ID": XERO_CLIENT_ID,
        "PUBLISHER_XERO_CLIENT_SECRET": XERO_CLIENT_SECRET,
        "PUBLISHER_XERO_WEBHOOK_KEY": XERO_WEBHOOK_KEY,
        "PUBLISHER_INGEST_URL": ingest_url,
        "PUBLISHER_XERO_AUTHORIZE_URL": f"{xero_url}/identity/connect/authorize",
        "PUBLISHER_QBO_API_URL": qbo_url,
        "PUBLISHER_QBO_DISCOVERY_URL": f"{qbo_url}/.well-known/openid_sandbox_configuration",
        "PUBLISHER_QBO_CLIENT_ID": QBO_CLIENT_ID,
        "PUBLISHER_QBO_CLIENT_SECRET": QBO_CLIENT_SECRET,
        "PUBLISHER_QBO_WEBHOOK_VERIFIER": QBO_WEBHOOK_VERIFIER,
    }


def ledger_callbacks(publisher_url: str) -> dict[str, str]:
    """Where each ledger sends the admin's browser back: the one URL registered with it (the
    first publisher's; whichever instance serves the callback, the flow's row is shared)."""
    return {
        "PUBLISHER_XERO_REDIRECT_URI": f"{publisher_url}/v1/xero/callback",
        "PUBLISHER_QBO_REDIRECT_URI": f"{publisher_url}/v1/qbo/callback",
    }


def approval_env(xero_url: str, workflow_hour_s: float | None) -> dict[str, str]:
    """Approval signs the access tokens, knows the web app as a client, and trusts the Xero
    sandbox's ID tokens for the web app ("Sign in with Xero")."""
    return {
        "APPROVAL_SIGNING_KEYS": "pipeline1:" + generate_seed(),
        "APPROVAL_CLIENTS": ",".join(
            f"{name}:{hashlib.sha256(secret.encode()).hexdigest()}"
            for name, secret in (("web", WEB_CLIENT_SECRET), ("notifier", NOTIFIER_CLIENT_SECRET))
        ),
        "APPROVAL_OIDC_ISSUER": xero_url,
        "APPROVAL_OIDC_CLIENT_ID": WEB_OIDC_CLIENT_ID,
        **(
            {}
            if workflow_hour_s is None
            else {
                "APPROVAL_WORKFLOW_HOUR_S": str(workflow_hour_s),
                "APPROVAL_REMINDER_INTERVAL_S": str(workflow_hour_s / 4),
            }
        ),
    }


def web_env(*, approval_url: str, ingest_url: str, xero_url: str, smtp_port: int) -> dict[str, str]:
    return {
        "WEB_APPROVAL_URL": approval_url,
        "WEB_INGEST_URL": ingest_url,
        "WEB_CLIENT_SECRET": WEB_CLIENT_SECRET,
        "WEB_COOKIE_KEYS": "pipeline:" + base64.b64encode(os.urandom(32)).decode(),
        "WEB_SECURE_COOKIES": "false",  # plain HTTP on loopback
        "WEB_SMTP_HOST": "127.0.0.1",
        "WEB_SMTP_PORT": str(smtp_port),
        "WEB_OIDC_ISSUER": xero_url,
        "WEB_OIDC_CLIENT_ID": WEB_OIDC_CLIENT_ID,
        "WEB_OIDC_CLIENT_SECRET": WEB_OIDC_SECRET,
    }


def notifier_env(approval_url: str, smtp_port: int) -> dict[str, str]:
    """Asks approval for the buttons' grants, links to the web app (``Pipeline.start`` sets its
    public address), sends to the mail sandbox."""
    return {
        "NOTIFIER_APPROVAL_URL": approval_url,
        "NOTIFIER_CLIENT_SECRET": NOTIFIER_CLIENT_SECRET,
        "NOTIFIER_SMTP_HOST": "127.0.0.1",
        "NOTIFIER_SMTP_PORT": str(smtp_port),
        "NOTIFIER_SEND_POLL_INTERVAL_S": "0.5",
        "NOTIFIER_SEND_BACKOFF_S": "0.5",
    }
