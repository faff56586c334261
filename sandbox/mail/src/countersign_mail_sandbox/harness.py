"""Run the mail sandbox in-process on free ports, in a thread of its own (for tests that send
over real SMTP and read over real HTTP).

    with serve() as mail:
        with smtplib.SMTP(mail.smtp_host, mail.smtp_port) as smtp: smtp.send_message(message)
        httpx.get(f"{mail.url}/api/messages", params={"to": "ann@example.com"})
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn

from countersign_mail_sandbox.app import build_app
from countersign_mail_sandbox.settings import MailSandboxSettings

__all__ = ["Served", "serve"]


@dataclass(frozen=True)
class Served:
    url: str
    smtp_host: str
    smtp_port: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # A server in a test's thread leaves the runner's Ctrl-C alone.
        yield


@contextlib.contextmanager
def serve(
    settings: MailSandboxSettings | None = None,
    ready_timeout_s: float = 10.0,
    smtp_port: int | None = None,
) -> Iterator[Served]:
    """``smtp_port``: a port of the caller's choosing, e.g. one a sender already tries, for a
    mail server that comes up late; a free one otherwise."""
    http_port, smtp_port = _free_port(), smtp_port or _free_port()
    settings = (settings or MailSandboxSettings()).model_copy(
        update={
            "http_host": "127.0.0.1",
            "http_port": http_port,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
        }
    )
    config = uvicorn.Config(
        build_app(settings), host="127.0.0.1", port=http_port, log_level="critical"
    )
    server = _Server(config)
    thread = threading.Thread(target=server.run, name=f"mail-sandbox-{http_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + ready_timeout_s
    while not server.started:  # uvicorn starts serving after the lifespan opened SMTP
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the mail sandbox did not start")
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{http_port}", "127.0.0.1", smtp_port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
