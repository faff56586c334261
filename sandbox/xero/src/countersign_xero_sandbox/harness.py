"""Run the sandbox in-process on a free port, in a thread of its own (for tests and benches
that drive it over real HTTP).

    with serve(SandboxSettings(time_scale=60)) as url:
        httpx.post(f"{url}/_sandbox/tenants", json={})
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn

from countersign_xero_sandbox.app import build_app
from countersign_xero_sandbox.settings import SandboxSettings

__all__ = ["free_port", "serve"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(settings: SandboxSettings | None = None, ready_timeout_s: float = 10.0) -> Iterator[str]:
    """Yields the sandbox's root URL (identity endpoints; Accounting under /api.xro/2.0)."""
    port = free_port()
    settings = (settings or SandboxSettings()).model_copy(
        update={"http_host": "127.0.0.1", "http_port": port}
    )
    config = uvicorn.Config(
        build_app(settings), host="127.0.0.1", port=port, log_level="critical", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"xero-sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + ready_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the Xero sandbox did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
