"""The Xero sandbox as a separate process on a free port, over real HTTP, with its test-control
API as methods: what the publisher's tests and the Xero budget benchmark call Xero."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from countersign_harness.sandbox_process import SandboxProcess

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "XeroSandbox", "sandbox_process"]

# The publisher's Xero app, as the sandbox knows it.
CLIENT_ID = "countersign-tests"
CLIENT_SECRET = "not-a-real-secret"
SCOPE = (
    "openid offline_access accounting.transactions accounting.contacts accounting.settings"
    " accounting.attachments"
)


def _grant(tenant_id: str) -> dict[str, Any]:
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "tenant_ids": [tenant_id],
        "scope": SCOPE,
    }


class XeroSandbox(SandboxProcess):
    NAME = "xero-sandbox"
    LABEL = "Xero"
    ENV_PREFIX = "XERO_SANDBOX_"

    def __init__(self, log_dir: Path, **settings: str) -> None:
        super().__init__(log_dir, **settings)
        self.api_url = f"{self.root}/api.xro/2.0"

    def create_tenant(self, **spec: Any) -> dict[str, Any]:
        return self._object("POST", "/_sandbox/tenants", {"connect_client_id": CLIENT_ID, **spec})

    def mint_tokens(self, tenant_id: str) -> dict[str, Any]:
        return self._object("POST", "/_sandbox/tokens", _grant(tenant_id))

    def authorization_code(self, tenant_id: str) -> str:
        return str(self._json("POST", "/_sandbox/authorizations", _grant(tenant_id))["code"])

    def state(self, tenant_id: str) -> dict[str, Any]:
        return self._object("GET", f"/_sandbox/tenants/{tenant_id}/state")

    def set_limits(self, **limits: Any) -> None:
        self._json("PUT", "/_sandbox/limits", limits)


def sandbox_process(
    log_dir: Path, **settings: str
) -> contextlib.AbstractContextManager[XeroSandbox]:
    return XeroSandbox.running(log_dir, **settings)
