"""Each service's Postgres role owns its schema and cannot touch another's (ADR 0060): on the
real server, with the roles the stack (or the harness) made, each migrating a schema of its own
with its service's real migrations."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from countersign_harness.infra import Infrastructure
from countersign_platform.migrations import MigrationError, migrate
from countersign_platform.spec import installed_services

pytestmark = pytest.mark.integration

SERVICES = ("ingest", "approval", "publisher")


@pytest.fixture
async def schemas(infra: Infrastructure, isolation: str) -> AsyncIterator[dict[str, str]]:
    """A schema per service, each migrated by that service's own role."""
    specs = installed_services()
    made = {service: f"{isolation}_{service}" for service in SERVICES}
    for service, schema in made.items():
        await migrate(infra.database_url_for(service), schema, specs[service].migrations)
    yield made


async def connect_as(infra: Infrastructure, service: str) -> asyncpg.Connection:
    conn: asyncpg.Connection = await asyncpg.connect(infra.database_url_for(service))
    return conn


async def write_outbox_row(conn: asyncpg.Connection, schema: str) -> None:
    await conn.execute(
        f'INSERT INTO "{schema}".outbox (event_id, topic, key, shard, headers, payload)'
        " VALUES ($1, 'a.topic.v1', 'k', 0, '{}', $2::jsonb)",
        uuid.uuid4(),
        json.dumps({"probe": True}),
    )


async def test_each_role_owns_migrates_and_uses_its_own_schema(
    infra: Infrastructure, schemas: dict[str, str], admin_db: asyncpg.Connection
) -> None:
    owners = await admin_db.fetch(
        "SELECT nspname, pg_get_userbyid(nspowner) AS owner FROM pg_namespace"
        " WHERE nspname = ANY($1::text[])",
        list(schemas.values()),
    )
    logins = {s: infra.database_url_for(s).split("://")[1].split(":")[0] for s in SERVICES}
    assert {row["nspname"]: row["owner"] for row in owners} == {
        schemas[s]: logins[s] for s in SERVICES
    }
    for service in SERVICES:
        conn = await connect_as(infra, service)
        try:
            await write_outbox_row(conn, schemas[service])
            count = await conn.fetchval(f'SELECT count(*) FROM "{schemas[service]}".outbox')
            assert count == 1, service
        finally:
            await conn.close()


@pytest.mark.parametrize(
    ("service", "other"),
    [("ingest", "approval"), ("publisher", "ingest"), ("approval", "publisher")],
)
async def test_a_role_can_neither_read_nor_write_another_services_schema(
    infra: Infrastructure, schemas: dict[str, str], service: str, other: str
) -> None:
    conn = await connect_as(infra, service)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="schema"):
            await conn.fetch(f'SELECT * FROM "{schemas[other]}".outbox')
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="schema"):
            await write_outbox_row(conn, schemas[other])
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(f'CREATE TABLE "{schemas[other]}".planted (id int)')
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="schema public"):
            await conn.execute("CREATE TABLE public.planted (id int)")
        member = await conn.fetchval(
            "SELECT pg_has_role(current_user, pg_get_userbyid(nspowner), 'USAGE')"
            " FROM pg_namespace WHERE nspname = $1",
            schemas[other],
        )
        assert member is False
    finally:
        await conn.close()


async def test_migrating_another_services_schema_is_refused_naming_its_owner(
    infra: Infrastructure, schemas: dict[str, str]
) -> None:
    approval = installed_services()["approval"].migrations
    with pytest.raises(MigrationError, match=f"schema {schemas['approval']} belongs to role"):
        await migrate(infra.database_url_for("ingest"), schemas["approval"], approval)
