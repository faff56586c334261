"""Run the sandbox in-process on a free port, in a thread of its own (for tests that drive it
over real HTTP), as the Xero sandbox's harness does.

    with serve(SandboxSettings(time_scale=60)) as url:
        httpx.post(f"{url}/_sandbox/companies", json={"country": "US"})
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from countersign_xero_sandbox.hosting import serve_in_thread

from countersign_qbo_sandbox.app import build_app
from countersign_qbo_sandbox.settings import SandboxSettings

__all__ = ["serve"]


@contextlib.contextmanager
def serve(settings: SandboxSettings | None = None, ready_timeout_s: float = 10.0) -> Iterator[str]:
    """Yields the sandbox's root URL (OAuth2 endpoints; Accounting under /v3/company)."""
    with serve_in_thread(build_app, settings or SandboxSettings(), "QBO", ready_timeout_s) as url:
        yield url
