"""Finds the real Kafka broker and Postgres server for the tests, benchmarks and scripts.

In order: the addresses in ``KAFKA_BOOTSTRAP_SERVERS`` / ``DATABASE_URL`` (``make test`` and CI
set them after starting the stack); Testcontainers when a Docker engine answers; otherwise the
local processes ``scripts/stack.sh up --infra-only`` starts. When none works,
``InfrastructureUnavailable`` says why (the tests' fixture skips on it, or fails under
``CI=true``, where a missing service must fail the run).

``DATABASE_URL`` is the administrator's: the tests read any schema with it. Every service runs
as its own Postgres role (ADR 0060), from ``<SERVICE>_DATABASE_URL`` when the environment (the
stack's ``stack.env``) names it; otherwise its role is made here, as the administrator, with a
password derived from the administrator's URL (so parallel test processes agree on it).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import os
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit, urlunsplit

from countersign_platform.db_roles import ensure_roles, role_name
from countersign_platform.spec import installed_services

__all__ = [
    "REPO",
    "Infrastructure",
    "InfrastructureUnavailable",
    "infrastructure",
    "infrastructure_from",
    "read_env_file",
]

_KAFKA_CLIENT_SETTINGS = ("KAFKA_SECURITY_", "KAFKA_SASL_", "KAFKA_SSL_", "COUNTERSIGN_KAFKA_")

# The checkout this package is installed from (editable, by scripts/setup.sh):
# libs/harness/src/countersign_harness/infra.py
REPO = Path(__file__).resolve().parents[4]


class InfrastructureUnavailable(RuntimeError):
    """Neither the named servers, nor a Docker engine, nor the local stack answered."""


# Roles the stand-in services of the tests (probe) and benchmarks (baseline) log in as, besides
# the installed services'.
STAND_IN_SERVICES = ("probe", "baseline")


@dataclass(frozen=True)
class Infrastructure:
    kafka_bootstrap_servers: str
    database_url: str  # the administrator's
    service_database_urls: Mapping[str, str] = field(default_factory=dict)

    def database_url_for(self, service: str) -> str:
        """The URL service ``service`` (``ingest``, ``approval``…, ``probe``) logs in with."""
        try:
            return self.service_database_urls[service]
        except KeyError:
            raise LookupError(f"no database role for {service!r}") from None


def _derived_url(admin_url: str, service: str) -> str:
    parts = urlsplit(admin_url)
    password = hashlib.sha256(f"{admin_url}|{service}".encode()).hexdigest()[:32]
    netloc = f"{role_name(service)}:{password}@{parts.netloc.rpartition('@')[2]}"
    return urlunsplit(parts._replace(netloc=netloc))


def infrastructure_from(env: Mapping[str, str]) -> Infrastructure:
    """The broker and database ``env`` names, with a role of its own for every service: the
    one its ``<SERVICE>_DATABASE_URL`` names, else one made here."""
    admin = env["DATABASE_URL"]
    urls: dict[str, str] = {}
    made: list[str] = []
    for service in (*installed_services(), *STAND_IN_SERVICES):
        given = env.get(f"{service.upper()}_DATABASE_URL")
        urls[service] = given or _derived_url(admin, service)
        if not given:
            made.append(urls[service])
    if made:
        # A thread of its own: the caller may be inside a running event loop.
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, ensure_roles(admin, made)).result()
    return Infrastructure(env["KAFKA_BOOTSTRAP_SERVERS"], admin, MappingProxyType(urls))


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
        yield infrastructure_from(
            {
                "KAFKA_BOOTSTRAP_SERVERS": kafka.get_bootstrap_server(),
                "DATABASE_URL": postgres.get_connection_url(),
            }
        )


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
        yield infrastructure_from(env)
    finally:
        if started:
            subprocess.run([stack, "down"], capture_output=True, check=False)


@contextlib.contextmanager
def infrastructure() -> Iterator[Infrastructure]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    database = os.environ.get("DATABASE_URL")
    if kafka and database:
        yield infrastructure_from(os.environ)
    elif _docker_answers():
        with _containers() as found:
            yield found
    else:
        with _local_processes() as found:
            yield found
