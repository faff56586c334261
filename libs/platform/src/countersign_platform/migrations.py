"""Forward-only SQL migrations, one Postgres schema per service.

Each service owns a schema. Its migrations are plain ``NNNN_name.sql`` files applied in order,
each in its own transaction with ``search_path`` set to the schema, so the SQL never names it.
The shared messaging tables (outbox, inbox) come first, from this library, recorded under the
``platform/`` prefix. Applied files are recorded with a checksum: editing an applied file is an
error, never silently ignored. A session-level advisory lock lets several replicas start at once.

Migrations run as the service's own role, the schema's owner (ADR 0060): the schema is created
when missing (the role may create schemas) or found in place (an operator created it for the
role); one owned by another role is refused, before any SQL of the service runs.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from countersign_platform.settings import database_url_from_env
from countersign_platform.spec import add_service_arguments, chosen_services

__all__ = ["Migration", "MigrationError", "discover", "main", "migrate", "migrations_dir"]

log = logging.getLogger(__name__)

PLATFORM_MIGRATIONS = Path(__file__).parent / "sql"
_FILE_NAME = re.compile(r"^\d{4}_[a-z0-9_]+\.sql$")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class MigrationError(RuntimeError):
    """A migration could not be applied, or an applied one was changed."""


@dataclass(frozen=True)
class Migration:
    version: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path, prefix: str = "") -> list[Migration]:
    """Reads ``NNNN_name.sql`` files from ``directory`` in order; other files are an error."""
    if not directory.is_dir():
        raise MigrationError(f"{directory}: no migrations folder (was it packaged?)")
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        if not _FILE_NAME.match(path.name):
            raise MigrationError(f"{path}: migration files are named NNNN_lower_snake.sql")
        migrations.append(Migration(version=prefix + path.stem, sql=path.read_text()))
    return migrations


def migrations_dir(module_file: str | Path) -> Path:
    """A service's migrations folder, given a module of its package.

    Inside an installed wheel it sits in the package; in a source checkout at the service root.
    """
    package_dir = Path(module_file).resolve().parent
    packaged = package_dir / "migrations"
    return packaged if packaged.is_dir() else package_dir.parents[1] / "migrations"


def _plan(service_migrations: Path) -> list[Migration]:
    return discover(PLATFORM_MIGRATIONS, prefix="platform/") + discover(service_migrations)


async def migrate(dsn: str, schema: str, service_migrations: Path) -> list[str]:
    """Applies what is missing; returns the versions applied by this call."""
    if not _SCHEMA_NAME.match(schema):
        raise MigrationError(f"schema {schema!r} is not a plain lower-case identifier")
    plan = _plan(service_migrations)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"migrate:{schema}")
        try:
            return await _apply(conn, schema, plan)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"migrate:{schema}")
    finally:
        await conn.close()


async def _own_schema(conn: asyncpg.Connection, schema: str) -> None:
    """The schema, created when missing; refused when it belongs to another role."""
    owner = await conn.fetchval(
        "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", schema
    )
    if owner is None:
        # CREATE SCHEMA IF NOT EXISTS would still ask for the right to create schemas.
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        return
    user = await conn.fetchval("SELECT current_user")
    if owner != user and not await conn.fetchval("SELECT pg_has_role($1, 'USAGE')", owner):
        raise MigrationError(
            f"schema {schema} belongs to role {owner}, not to {user}, the role migrating it;"
            f" ALTER SCHEMA {schema} OWNER TO {user} (docs/deploying-to-kubernetes.md)"
        )


async def _apply(conn: asyncpg.Connection, schema: str, plan: Sequence[Migration]) -> list[str]:
    await _own_schema(conn, schema)
    await conn.execute(
        f'CREATE TABLE IF NOT EXISTS "{schema}".schema_migrations ('
        " version text PRIMARY KEY, checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())"
    )
    rows = await conn.fetch(f'SELECT version, checksum FROM "{schema}".schema_migrations')
    applied = {row["version"]: row["checksum"] for row in rows}
    done = []
    for migration in plan:
        if migration.version in applied:
            if applied[migration.version] != migration.checksum:
                raise MigrationError(
                    f"{schema}: migration {migration.version} was changed after it was applied;"
                    " add a new migration instead"
                )
            continue
        async with conn.transaction():
            await conn.execute(f'SET LOCAL search_path TO "{schema}"')
            await conn.execute(migration.sql)
            await conn.execute(
                f'INSERT INTO "{schema}".schema_migrations (version, checksum) VALUES ($1, $2)',
                migration.version,
                migration.checksum,
            )
        log.info("%s: applied migration %s", schema, migration.version)
        done.append(migration.version)
    return done


def main(argv: Sequence[str] | None = None) -> int:
    """``countersign-migrate [--all | SERVICE ...]``: migrates installed services' schemas,
    each as its own role (``INGEST_DATABASE_URL``, ``APPROVAL_DATABASE_URL``, …)."""

    parser = argparse.ArgumentParser(prog="countersign-migrate", description=main.__doc__)
    add_service_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    specs = chosen_services(args)
    if specs is None:
        return 2
    for spec in specs:
        # Each schema by its owner: the service's own role, from its own variable.
        dsn = database_url_from_env(spec.env_prefix).get_secret_value()
        applied = asyncio.run(migrate(dsn, spec.schema, spec.migrations))
        print(f"{spec.name}: schema {spec.schema} up to date ({len(applied)} applied)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
