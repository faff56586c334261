"""The QuickBooks Online sandbox as a separate process on a free port, over real HTTP, with its
test-control API as methods (as ``xero_process`` is for the Xero sandbox)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from countersign_harness.infra import REPO

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "QboSandbox", "qbo_sandbox_process"]

# The app the tests connect, as the sandbox knows it.
CLIENT_ID = "countersign-tests"
CLIENT_SECRET = "not-a-real-secret"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class QboSandbox:
    """The sandbox as a process; its test-control API as methods."""

    def __init__(self, log_dir: Path, **settings: str) -> None:
        self.port = _free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.root}/v3"
        self.discovery_url = f"{self.root}/.well-known/openid_sandbox_configuration"
        self._log = log_dir / "qbo-sandbox.log"
        self._env = {
            **os.environ,
            "QBO_SANDBOX_HTTP_HOST": "127.0.0.1",
            "QBO_SANDBOX_HTTP_PORT": str(self.port),
            **{f"QBO_SANDBOX_{k.upper()}": v for k, v in settings.items()},
        }
        self._process: subprocess.Popen[bytes] | None = None
        self.http = httpx.Client(base_url=self.root, timeout=10)

    @staticmethod
    def available() -> bool:
        return (REPO / ".venv" / "bin" / "countersign-qbo-sandbox").exists()

    def start(self) -> QboSandbox:
        self._log.parent.mkdir(parents=True, exist_ok=True)
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [str(REPO / ".venv" / "bin" / "countersign-qbo-sandbox")],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if self.http.get("/_sandbox/health").status_code == 200:
                    return self
            time.sleep(0.1)
        raise RuntimeError(f"the QBO sandbox did not start:\n{self._log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.http.close()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def _json(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    def register_app(self, redirect_uris: list[str]) -> None:
        body = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": redirect_uris,
        }
        self._json("POST", "/_sandbox/apps", body)

    def create_company(self, **spec: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._json("POST", "/_sandbox/companies", spec)
        return result

    def mint_tokens(self, realm_id: str) -> dict[str, Any]:
        body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "realm_id": realm_id}
        result: dict[str, Any] = self._json("POST", "/_sandbox/tokens", body)
        return result

    def state(self, realm_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._json("GET", f"/_sandbox/companies/{realm_id}/state")
        return result

    def fault(self, **rule: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._json("POST", "/_sandbox/faults", rule)
        return result

    def clear_faults(self) -> None:
        self.http.delete("/_sandbox/faults").raise_for_status()

    def advance_clock(self, seconds: float) -> None:
        self._json("POST", "/_sandbox/clock", {"advance_seconds": seconds})


@contextlib.contextmanager
def qbo_sandbox_process(log_dir: Path, **settings: str) -> Iterator[QboSandbox]:
    sandbox = QboSandbox(log_dir, **settings).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()
