"""Where each part of a running Countersign answers (``Endpoints``, from ``.local/stack.env``),
and a Xero token set minted through the sandbox's control API for tests that act as the
publisher's Xero app."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx
from countersign_platform.client_tls import client_tls

__all__ = ["XERO_SCOPE", "Endpoints", "mint_qbo_tokens", "mint_xero_tokens"]

XERO_SCOPE = (
    "openid offline_access accounting.transactions accounting.contacts accounting.settings"
    " accounting.attachments"
)


@dataclass(frozen=True)
class Endpoints:
    """Where each part of a running stack answers, and the operator's credentials."""

    ingest: str
    approval: str
    publisher: str
    dext_sandbox: str
    xero_root: str  # the sandbox's root: /_sandbox/…, /connect/token, /api.xro/2.0
    admin_token: str
    xero_client_id: str
    xero_client_secret: str
    # QuickBooks Online's sandbox, empty where none runs: its root (/_sandbox/…, /oauth2/…,
    # /v3/company/…) and the publisher's app there.
    qbo_root: str = ""
    qbo_client_id: str = ""
    qbo_client_secret: str = ""
    # The people's side, empty where it does not run (a pipeline without it):
    mail_sandbox: str = ""  # its pages and /api/messages (docs/mail-sandbox.md)
    mail_smtp: tuple[str, int] = ("", 0)  # where a sender hands it messages: (host, port)
    web: str = ""  # the web app people use (WEB_URL)

    @classmethod
    def from_environment(cls, env: dict[str, str] | None = None) -> Endpoints:
        """From the variables of ``.local/stack.env`` (``scripts/stack.sh up`` writes them)."""
        values = os.environ if env is None else env
        return cls(
            ingest=values["INGEST_URL"],
            approval=values["APPROVAL_URL"],
            publisher=values["PUBLISHER_URL"],
            dext_sandbox=values["DEXT_SANDBOX_URL"],
            xero_root=values["XERO_IDENTITY_URL"],
            mail_sandbox=values["MAIL_SANDBOX_URL"],
            mail_smtp=(values["MAIL_SMTP_HOST"], int(values["MAIL_SMTP_PORT"])),
            admin_token=values["COUNTERSIGN_ADMIN_TOKEN"],
            xero_client_id=values.get("PUBLISHER_XERO_CLIENT_ID", "countersign"),
            xero_client_secret=values.get("PUBLISHER_XERO_CLIENT_SECRET", ""),
            web=values.get("WEB_URL", ""),
            qbo_root=values.get("QBO_SANDBOX_URL", "").removesuffix("/v3"),
            qbo_client_id=values.get("PUBLISHER_QBO_CLIENT_ID", "countersign"),
            qbo_client_secret=values.get("PUBLISHER_QBO_CLIENT_SECRET", ""),
        )

    @property
    def xero_redirect_uri(self) -> str:
        """The publisher's Xero callback, as the local stacks register it with the sandbox."""
        return f"{self.publisher}/v1/xero/callback"

    @property
    def operator(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}


def mint_xero_tokens(endpoints: Endpoints, tenant_id: str) -> dict[str, Any]:
    """A token set for the publisher's Xero app, connected to the tenant (sandbox control)."""
    response = httpx.post(
        f"{endpoints.xero_root}/_sandbox/tokens",
        json={
            "client_id": endpoints.xero_client_id,
            "client_secret": endpoints.xero_client_secret,
            "tenant_ids": [tenant_id],
            "scope": XERO_SCOPE,
        },
        timeout=10,
        verify=client_tls(),
    )
    response.raise_for_status()
    tokens: dict[str, Any] = response.json()
    return tokens


def mint_qbo_tokens(endpoints: Endpoints, realm_id: str) -> dict[str, Any]:
    """A token set for the publisher's QBO app, connected to the company (sandbox control)."""
    response = httpx.post(
        f"{endpoints.qbo_root}/_sandbox/tokens",
        json={
            "client_id": endpoints.qbo_client_id,
            "client_secret": endpoints.qbo_client_secret,
            "realm_id": realm_id,
        },
        timeout=10,
        verify=client_tls(),
    )
    response.raise_for_status()
    tokens: dict[str, Any] = response.json()
    return tokens
