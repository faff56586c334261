"""Restarting the real Kafka broker or Postgres server under a test, through
``scripts/stack.sh restart``: only when ``COUNTERSIGN_RESTART_INFRA=1`` says the servers are
the run's own (``make test`` sets it when it started them) and only on servers this checkout's
stack started. A plain ``pytest`` on shared development servers never restarts them: the test
is skipped, and under ``CI=true`` it fails, as a missing server does."""

from __future__ import annotations

import asyncio
import os
import subprocess

import pytest
from countersign_harness.infra import REPO

__all__ = ["require_restartable", "restart"]

STACK = REPO / "scripts" / "stack.sh"


def require_restartable(target: str) -> None:
    if os.environ.get("COUNTERSIGN_RESTART_INFRA") != "1":
        reason = f"restarting {target} needs COUNTERSIGN_RESTART_INFRA=1 (make test sets it)"
    else:
        check = subprocess.run(
            [str(STACK), "restart", target, "--check"], capture_output=True, text=True
        )
        if check.returncode == 0:
            return
        reason = f"cannot restart {target}: {check.stderr.strip()}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


async def restart(target: str, pause_s: float = 2.0, *, crash: bool = False) -> None:
    """Stops ``target`` (``crash``: kills it, so its start has to recover), keeps it down
    ``pause_s`` seconds, starts it and waits until it answers."""
    await asyncio.to_thread(
        subprocess.run,
        [str(STACK), "restart", target, "--pause", str(pause_s)] + (["--crash"] if crash else []),
        check=True,
        capture_output=True,
    )
