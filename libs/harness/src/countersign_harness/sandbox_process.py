"""A sandbox as a separate process on a free port, over real HTTP: start (waiting for its
health check), stop, its log, and the test-control calls every sandbox answers alike (faults,
the clock). ``xero_process`` and ``qbo_process`` add what is their sandbox's own."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Self

import httpx
from countersign_harness.infra import REPO
from countersign_harness.processes import free_port
from countersign_platform.client_tls import client_tls

__all__ = ["SandboxProcess"]


class SandboxProcess:
    """The sandbox as a process; its test-control API as methods."""

    NAME: ClassVar[str]  # "xero-sandbox": the console script is countersign-<NAME>
    LABEL: ClassVar[str]  # "Xero": for the error when it does not start
    ENV_PREFIX: ClassVar[str]  # "XERO_SANDBOX_"

    def __init__(self, log_dir: Path, **settings: str) -> None:
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self._log = log_dir / f"{self.NAME}.log"
        prefix = self.ENV_PREFIX
        self._env = {
            **os.environ,
            f"{prefix}HTTP_HOST": "127.0.0.1",
            f"{prefix}HTTP_PORT": str(self.port),
            **{f"{prefix}{k.upper()}": v for k, v in settings.items()},
        }
        self._process: subprocess.Popen[bytes] | None = None
        self.http = httpx.Client(base_url=self.root, timeout=10, verify=client_tls())

    @classmethod
    def _script(cls) -> Path:
        return REPO / ".venv" / "bin" / f"countersign-{cls.NAME}"

    @classmethod
    def available(cls) -> bool:
        return cls._script().exists()

    @classmethod
    @contextlib.contextmanager
    def running(cls, log_dir: Path, **settings: str) -> Iterator[Self]:
        sandbox = cls(log_dir, **settings).start()
        try:
            yield sandbox
        finally:
            sandbox.stop()

    def start(self) -> Self:
        self._log.parent.mkdir(parents=True, exist_ok=True)
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [str(self._script())], env=self._env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if self.http.get("/_sandbox/health").status_code == 200:
                    return self
            time.sleep(0.1)
        tail = self._log.read_text()[-2000:]
        raise RuntimeError(f"the {self.LABEL} sandbox did not start:\n{tail}")

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

    def _object(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        result: dict[str, Any] = self._json(method, path, body)
        return result

    def fault(self, **rule: Any) -> dict[str, Any]:
        return self._object("POST", "/_sandbox/faults", rule)

    def clear_faults(self) -> None:
        self.http.delete("/_sandbox/faults").raise_for_status()

    def advance_clock(self, seconds: float) -> None:
        self._json("POST", "/_sandbox/clock", {"advance_seconds": seconds})

    def stats(self) -> dict[str, Any]:
        return self._object("GET", "/_sandbox/stats")
