"""Runs Countersign services as real, separate OS processes for e2e tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from countersign_harness.infra import REPO, Infrastructure
from countersign_harness.kafka import USERS_FILE, login_environment, provision_prefix
from countersign_platform.client_tls import client_tls

__all__ = ["ServiceProcess", "free_port"]


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, never handed out before by this test process (the kernel
    may offer a just-released port again)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def _listening_inodes(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for row in Path(table).read_text().splitlines()[1:]:
                fields = row.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    found.add(fields[9])
    return found


def _holds(pid: int | str, inodes: set[str]) -> bool:
    with contextlib.suppress(OSError):
        for descriptor in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(descriptor)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return True
    return False


def listens_on(pid: int, port: int) -> bool:
    """Whether the process itself holds the listening socket of ``port`` (Linux /proc); True
    where /proc cannot tell."""
    if not Path("/proc/net/tcp").exists():
        return True
    return _holds(pid, _listening_inodes(port))


def listening_pid(port: int) -> int | None:
    """The local process listening on ``port``; None when none here does (e.g. it runs in a
    container) or /proc cannot tell."""
    inodes = _listening_inodes(port)
    if inodes:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            if _holds(pid, inodes):
                return int(pid)
    return None


@dataclass
class ServiceProcess:
    """One service (``ingest``, ``approval``, ``publisher``) on its own port, schema and prefix.

    The same class runs the sandboxes (``dext-sandbox``, ``xero-sandbox``, ``mail-sandbox``:
    their console script is ``countersign-<name>``, their settings prefix ``<NAME>_``) and
    several instances of one service (a distinct ``label`` names each one's log). ``extra_env``
    is added last; ``command`` replaces the console script (a profiler around it, or a
    benchmark's own service).
    ``shipped``: the service's own settings for its loops, not the tests' faster relay poll."""

    name: str
    infra: Infrastructure
    isolation: str
    log_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    label: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    ready_path: str = "/health/ready"
    command: list[str] = field(default_factory=list)  # default: .venv/bin/countersign-<name>
    shipped: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.label or self.name}.log"

    def kafka_environment(self) -> dict[str, str]:
        """The service's own Kafka principal when the broker has ours (ADR 0063): never the
        admin's password, which the test process holds."""
        return login_environment(self.name)

    def environment(self) -> dict[str, str]:
        prefix = self.name.upper().replace("-", "_")
        # Its own database login only (ADR 0060): none of the others', nor the administrator's;
        # on the local stack's broker the test process is the Kafka admin: no process inherits
        # that either (ADR 0063).
        hidden = {USERS_FILE, "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"}
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.endswith("DATABASE_URL") and (USERS_FILE not in os.environ or k not in hidden)
        }
        database = self.infra.service_database_urls.get(self.name)
        return {
            **inherited,
            **self.kafka_environment(),
            **({f"{prefix}_DATABASE_URL": database} if database else {}),
            "KAFKA_BOOTSTRAP_SERVERS": self.infra.kafka_bootstrap_servers,
            "KAFKA_TOPIC_PREFIX": f"{self.isolation}.",
            f"{prefix}_DB_SCHEMA": f"{self.isolation}_{self.name}",
            f"{prefix}_HTTP_HOST": "127.0.0.1",
            f"{prefix}_HTTP_PORT": str(self.port),
            **({} if self.shipped else {f"{prefix}_RELAY_POLL_INTERVAL_S": "0.2"}),
            **self.extra_env,
        }

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if self.kafka_environment():
            # Its topics and its ACLs on them exist before it connects, as the topics job
            # makes them before a deployment's services start: it may create neither.
            provision_prefix(self.infra.kafka_bootstrap_servers, f"{self.isolation}.")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command or [str(REPO / ".venv" / "bin" / f"countersign-{self.name}")],
                env=self.environment(),
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                probe = httpx.get(self.url + self.ready_path, timeout=2, verify=client_tls())
                answered = probe.status_code == 200
            except httpx.HTTPError:
                answered = False
            # Another process that took the port in the meantime answers too: only ours counts.
            if answered and self.process is not None and listens_on(self.process.pid, self.port):
                return
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
