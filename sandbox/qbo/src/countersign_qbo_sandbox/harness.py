"""Run the sandbox in-process on a free port, in a thread of its own (for tests that drive it
over real HTTP), as the Xero sandbox's harness does.

    with serve(SandboxSettings(time_scale=60)) as url:
        httpx.post(f"{url}/_sandbox/companies", json={"country": "US"})
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import uvicorn
from countersign_xero_sandbox.harness import free_port

from countersign_qbo_sandbox.app import build_app
from countersign_qbo_sandbox.settings import SandboxSettings

__all__ = ["serve"]


@contextlib.contextmanager
def serve(settings: SandboxSettings | None = None, ready_timeout_s: float = 10.0) -> Iterator[str]:
    """Yields the sandbox's root URL (OAuth2 endpoints; Accounting under /v3/company)."""
    port = free_port()
    settings = (settings or SandboxSettings()).model_copy(
        update={"http_host": "127.0.0.1", "http_port": port}
    )
    config = uvicorn.Config(
        build_app(settings), host="127.0.0.1", port=port, log_level="critical", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"qbo-sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + ready_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the QBO sandbox did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
