"""How a sandbox is served, the same for the Xero and QBO sandboxes: the front that sends the
Accounting API's paths to its pipeline, the recorders, the console entry (uvicorn) and the
in-process server on a free port that tests and benches drive over real HTTP."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from countersign_xero_sandbox.recording import Recorder, instance_recording
from countersign_xero_sandbox.settings import CommonSandboxSettings

__all__ = ["Front", "free_port", "recorded", "run", "serve_in_thread"]

S = TypeVar("S", bound=CommonSandboxSettings)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Front:
    """Paths under ``prefix`` go through the Accounting pipeline; everything else to routing."""

    def __init__(self, prefix: str, accounting: ASGIApp, rest: ASGIApp) -> None:
        self.prefix = prefix + "/"
        self.accounting = accounting
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            await self.accounting(scope, receive, send)
        else:
            await self.rest(scope, receive, send)


def recorded(app: ASGIApp, settings: CommonSandboxSettings, name: str) -> ASGIApp:
    """``app`` wrapped by the recorders the settings ask for (one file, and/or one per
    instance in ``record_dir``)."""
    if settings.record:
        app = Recorder(app, settings.record)
    if settings.record_dir:
        app = Recorder(app, str(instance_recording(settings.record_dir, settings.http_port, name)))
    return app


def run(build_app: Callable[[S], ASGIApp], settings: S) -> None:
    """The console entry: serve until stopped."""
    uvicorn.run(
        build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )


@contextlib.contextmanager
def serve_in_thread(
    build_app: Callable[[S], ASGIApp], settings: S, label: str, ready_timeout_s: float
) -> Iterator[str]:
    """Serves on a free loopback port in a thread of its own; yields the root URL (``label``:
    "Xero", "QBO")."""
    port = free_port()
    settings = settings.model_copy(update={"http_host": "127.0.0.1", "http_port": port})
    config = uvicorn.Config(
        build_app(settings), host="127.0.0.1", port=port, log_level="critical", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, name=f"{label.lower()}-sandbox-{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + ready_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the {label} sandbox did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
