"""Migrations on the real Postgres: once only, never edited after the fact, safe to race."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from countersign_harness.infra import Infrastructure
from countersign_platform.migrations import MigrationError, migrate

pytestmark = pytest.mark.integration


def write(directory: Path, name: str, sql: str) -> None:
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(sql)


async def test_migrations_apply_once_inside_the_service_schema(
    infra: Infrastructure, isolation: str, tmp_path: Path, admin_db: asyncpg.Connection
) -> None:
    write(tmp_path, "0001_items.sql", "CREATE TABLE items (id int PRIMARY KEY);")
    first = await migrate(infra.database_url, isolation, tmp_path)
    again = await migrate(infra.database_url, isolation, tmp_path)
    tables = await admin_db.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", isolation
    )
    assert first == ["platform/0001_messaging", "0001_items"]
    assert again == []
    assert {row["table_name"] for row in tables} == {
        "items",
        "outbox",
        "inbox",
        "schema_migrations",
    }


async def test_editing_an_applied_migration_is_refused(
    infra: Infrastructure, isolation: str, tmp_path: Path
) -> None:
    write(tmp_path, "0001_items.sql", "CREATE TABLE items (id int PRIMARY KEY);")
    await migrate(infra.database_url, isolation, tmp_path)
    write(tmp_path, "0001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        await migrate(infra.database_url, isolation, tmp_path)


async def test_replicas_starting_together_apply_each_migration_once(
    infra: Infrastructure, isolation: str, tmp_path: Path, admin_db: asyncpg.Connection
) -> None:
    write(tmp_path, "0001_items.sql", "CREATE TABLE items (id int PRIMARY KEY);")
    write(tmp_path, "0002_more.sql", "ALTER TABLE items ADD COLUMN name text;")
    results = await asyncio.gather(
        *(migrate(infra.database_url, isolation, tmp_path) for _ in range(4))
    )
    applied = [version for result in results for version in result]
    recorded = await admin_db.fetchval(f'SELECT count(*) FROM "{isolation}".schema_migrations')
    assert sorted(applied) == ["0001_items", "0002_more", "platform/0001_messaging"]
    assert recorded == 3


async def test_a_failing_migration_leaves_nothing_half_applied(
    infra: Infrastructure, isolation: str, tmp_path: Path, admin_db: asyncpg.Connection
) -> None:
    write(tmp_path, "0001_broken.sql", "CREATE TABLE half (id int); SELECT 1/0;")
    with pytest.raises(asyncpg.DivisionByZeroError):
        await migrate(infra.database_url, isolation, tmp_path)
    half = await admin_db.fetchval(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1"
        " AND table_name = 'half'",
        isolation,
    )
    assert half == 0
