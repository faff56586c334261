"""The QuickBooks Online sandbox as a separate process on a free port, over real HTTP, with its
test-control API as methods (``sandbox_process`` runs it, as it runs the Xero sandbox)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from countersign_harness.sandbox_process import SandboxProcess
from countersign_platform.client_tls import client_tls

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "QboSandbox",
    "answer_consent",
    "qbo_sandbox_process",
]

# The app the tests connect, as the sandbox knows it.
CLIENT_ID = "countersign-tests"
CLIENT_SECRET = "not-a-real-secret"


class QboSandbox(SandboxProcess):
    NAME = "qbo-sandbox"
    LABEL = "QBO"
    ENV_PREFIX = "QBO_SANDBOX_"

    def __init__(self, log_dir: Path, **settings: str) -> None:
        super().__init__(log_dir, **settings)
        self.api_url = f"{self.root}/v3"
        self.discovery_url = f"{self.root}/.well-known/openid_sandbox_configuration"

    def register_app(self, redirect_uris: list[str]) -> None:
        body = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": redirect_uris,
        }
        self._json("POST", "/_sandbox/apps", body)

    def create_company(self, **spec: Any) -> dict[str, Any]:
        return self._object("POST", "/_sandbox/companies", spec)

    def mint_tokens(self, realm_id: str) -> dict[str, Any]:
        body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "realm_id": realm_id}
        return self._object("POST", "/_sandbox/tokens", body)

    def state(self, realm_id: str) -> dict[str, Any]:
        return self._object("GET", f"/_sandbox/companies/{realm_id}/state")

    def forget_request_ids(self, realm_id: str | None = None) -> int:
        """Forgets the remembered requestids now (of one realm), as if their retention had
        passed; how many."""
        params = {} if realm_id is None else {"realm_id": realm_id}
        response = self.http.delete("/_sandbox/requestids", params=params)
        response.raise_for_status()
        return int(response.json()["forgotten"])


def answer_consent(authorize_url: str, realm_id: str) -> tuple[str, dict[str, str]]:
    """A person on the consent page picks the company and presses Connect: where the
    browser is sent back to, and the query it carries (code, state, realmId)."""
    with httpx.Client(timeout=10, verify=client_tls()) as browser:
        page = browser.get(authorize_url)
        assert page.status_code == 200 and realm_id in page.text, page.text
        fields = dict(re.findall(r'<input type=hidden name="(\w+)" value="([^"]*)"', page.text))
        action = re.search(r'<form method=post action="([^"]+)"', page.text)
        assert action is not None, page.text
        answer = browser.post(
            httpx.URL(authorize_url).join(action.group(1)),
            data={**fields, "realm_id": realm_id, "decision": "connect"},
        )
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["location"])
    back = f"{location.scheme}://{location.netloc}{location.path}"
    return back, {k: v[0] for k, v in parse_qs(location.query).items()}


def qbo_sandbox_process(
    log_dir: Path, **settings: str
) -> contextlib.AbstractContextManager[QboSandbox]:
    return QboSandbox.running(log_dir, **settings)
