"""Finds the real Kafka broker and Postgres server for the tests, benchmarks and scripts.

In order: the addresses in ``KAFKA_BOOTSTRAP_SERVERS`` / ``DATABASE_URL`` (``make test`` and CI
set them after starting the stack); Testcontainers when a Docker engine answers; otherwise the
local processes ``scripts/stack.sh up --infra-only`` starts. When none works,
``InfrastructureUnavailable`` says why (the tests' fixture skips on it, or fails under
``CI=true``, where a missing service must fail the run).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["REPO", "Infrastructure", "InfrastructureUnavailable", "infrastructure", "read_env_file"]

_KAFKA_CLIENT_SETTINGS = ("KAFKA_SECURITY_", "KAFKA_SASL_", "KAFKA_SSL_", "COUNTERSIGN_KAFKA_")

# The checkout this package is installed from (editable, by scripts/setup.sh):
# libs/harness/src/countersign_harness/infra.py
REPO = Path(__file__).resolve().parents[4]


class InfrastructureUnavailable(RuntimeError):
    """Neither the named servers, nor a Docker engine, nor the local stack answered."""


@dataclass(frozen=True)
class Infrastructure:
    kafka_bootstrap_servers: str
    database_url: str


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip().removeprefix("export ")
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value.strip("'\"")
    return values


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def _containers() -> Iterator[Infrastructure]:
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.postgres import PostgresContainer

    with (
        KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft() as kafka,
        PostgresContainer("postgres:15", driver=None) as postgres,
    ):
        yield Infrastructure(kafka.get_bootstrap_server(), postgres.get_connection_url())


@contextlib.contextmanager
def _local_processes() -> Iterator[Infrastructure]:
    stack = REPO / "scripts" / "stack.sh"
    started = subprocess.run([stack, "status"], capture_output=True, text=True).returncode != 0
    result = subprocess.run([stack, "up", "--infra-only"], capture_output=True, text=True)
    if result.returncode != 0:
        raise InfrastructureUnavailable(
            f"scripts/stack.sh up failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    env = read_env_file(REPO / ".local" / "stack.env")
    # How to connect (TLS, the admin's SCRAM user, ADR 0063): for every client of this process.
    os.environ.update({k: v for k, v in env.items() if k.startswith(_KAFKA_CLIENT_SETTINGS)})
    try:
        yield Infrastructure(env["KAFKA_BOOTSTRAP_SERVERS"], env["DATABASE_URL"])
    finally:
        if started:
            subprocess.run([stack, "down"], capture_output=True, check=False)


@contextlib.contextmanager
def infrastructure() -> Iterator[Infrastructure]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    database = os.environ.get("DATABASE_URL")
    if kafka and database:
        yield Infrastructure(kafka, database)
    elif _docker_answers():
        with _containers() as found:
            yield found
    else:
        with _local_processes() as found:
            yield found
