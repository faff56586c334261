"""Run the sandbox in-process on a free port, in a thread of its own (for tests and benches
that drive it over real HTTP).

    with serve(SandboxSettings(time_scale=60)) as url:
        httpx.post(f"{url}/_sandbox/tenants", json={})
"""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

from countersign_xero_sandbox.app import build_app
from countersign_xero_sandbox.hosting import free_port, serve_in_thread
from countersign_xero_sandbox.settings import SandboxSettings

__all__ = ["control", "free_port", "provision", "serve"]


@contextlib.contextmanager
def serve(settings: SandboxSettings | None = None, ready_timeout_s: float = 10.0) -> Iterator[str]:
    """Yields the sandbox's root URL (identity endpoints; Accounting under /api.xro/2.0)."""
    with serve_in_thread(build_app, settings or SandboxSettings(), "Xero", ready_timeout_s) as url:
        yield url


def control(url: str, method: str, path: str, body: Any = None) -> Any:
    """Calls the test-control API (``/_sandbox/...``); returns the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{url}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
    return json.loads(raw) if raw else None


def provision(
    url: str,
    tenant: dict[str, Any] | None = None,
    client_id: str = "countersign",
    client_secret: str = "countersign-secret",
) -> dict[str, Any]:
    """A new tenant connected to ``client_id``, with a fresh token set:
    ``{"tenant_id", "tenant": <tenant view>, "token": <token answer>}``."""
    view = control(url, "POST", "/_sandbox/tenants", tenant or {})
    token = control(
        url,
        "POST",
        "/_sandbox/tokens",
        {"client_id": client_id, "client_secret": client_secret, "tenant_ids": [view["tenant_id"]]},
    )
    return {"tenant_id": view["tenant_id"], "tenant": view, "token": token}
