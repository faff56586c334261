"""Runs Countersign services as real, separate OS processes for e2e tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.infra import REPO, Infrastructure

__all__ = ["ServiceProcess", "free_port"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ServiceProcess:
    """One service (``ingest``, ``approval``, ``publisher``) on its own port, schema and prefix."""

    name: str
    infra: Infrastructure
    isolation: str
    log_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    # Settings of this process on top of the inherited environment (secrets, sandbox URLs…).
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def environment(self) -> dict[str, str]:
        prefix = self.name.upper()
        return {
            **os.environ,
            "DATABASE_URL": self.infra.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.infra.kafka_bootstrap_servers,
            "KAFKA_TOPIC_PREFIX": f"{self.isolation}.",
            f"{prefix}_DB_SCHEMA": f"{self.isolation}_{self.name}",
            f"{prefix}_HTTP_HOST": "127.0.0.1",
            f"{prefix}_HTTP_PORT": str(self.port),
            f"{prefix}_RELAY_POLL_INTERVAL_S": "0.2",
            **self.extra_env,
        }

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(REPO / ".venv" / "bin" / f"countersign-{self.name}")],
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not become ready:\n{self.tail()}")

    def stop(self, timeout_s: float = 20.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
