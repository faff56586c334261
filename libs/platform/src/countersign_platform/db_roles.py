"""One Postgres login role per service, owner of its schema and of nothing else (ADR 0060).

    administrator (DATABASE_URL) ──creates──▶ countersign_ingest    ──owns──▶ schema ingest
                                          ├─▶ countersign_approval  ──owns──▶ schema approval
                                          └─▶ …
    PUBLIC: no rights on the database, none on schema public; no role is a member of another.

A role may connect to the database and create schemas, which it then owns (its own, and the
tests' per-run copies of it); it gets no right on any schema it did not create, so it cannot
read or write another service's tables. An operator who creates each schema for its role
(``CREATE SCHEMA ingest AUTHORIZATION countersign_ingest``) can leave out the right to create
schemas: the migrations then find the schema in place (docs/deploying-to-kubernetes.md).

``countersign-db-roles SERVICE…`` makes each named service's role match the user and password
in its ``<SERVICE>_DATABASE_URL``, connected as the administrator in ``DATABASE_URL``;
``scripts/stack.sh up`` runs it with the passwords it generated under ``.local/``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

import asyncpg

from countersign_platform.settings import database_url_from_env

__all__ = ["ensure_role", "ensure_roles", "main", "role_name"]

log = logging.getLogger(__name__)


def role_name(service: str) -> str:
    """The role a service logs in as where Countersign makes the roles itself."""
    return "countersign_" + service.replace("-", "_")


def _login(dsn: str) -> tuple[str, str, str]:
    """The user, password and database a connection URL names."""
    parts = urlsplit(dsn)
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    database = unquote(parts.path.lstrip("/"))
    if not (user and password and database):
        raise ValueError("a service's database URL names its role, its password and a database")
    return user, password, database


async def ensure_role(admin: asyncpg.Connection, dsn: str) -> str:
    """Makes the login role of ``dsn`` exist with its password, able to connect to its
    database and to create schemas of its own, and nothing more; returns the role's name."""
    user, password, database = _login(dsn)
    exists = await admin.fetchval("SELECT true FROM pg_roles WHERE rolname = $1", user)
    if not exists:
        await admin.execute(await _format(admin, "CREATE ROLE %I", user))
    statements = (
        ("ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION", user),
        ("ALTER ROLE %I PASSWORD %L", user, password),
        ("REVOKE ALL ON DATABASE %I FROM PUBLIC", database),
        ("GRANT CONNECT, CREATE ON DATABASE %I TO %I", database, user),
        ("REVOKE ALL ON SCHEMA public FROM PUBLIC",),
    )
    for template, *arguments in statements:
        await admin.execute(await _format(admin, template, *arguments))
    return user


async def _format(admin: asyncpg.Connection, template: str, *arguments: str) -> str:
    # Utility statements take no bind parameters; the server quotes names (%I) and values (%L).
    placeholders = ", ".join(f"${n}::text" for n in range(2, len(arguments) + 2))
    statement: str = await admin.fetchval(
        f"SELECT format($1{', ' if arguments else ''}{placeholders})", template, *arguments
    )
    return statement


async def ensure_roles(admin_dsn: str, service_dsns: Sequence[str]) -> list[str]:
    admin = await asyncpg.connect(admin_dsn)
    try:
        # One caller at a time (parallel test workers): two sessions creating one role, or
        # granting on one database, at once fail ("tuple concurrently updated").
        async with admin.transaction():
            await admin.execute("SELECT pg_advisory_xact_lock(hashtext('countersign-db-roles'))")
            return [await ensure_role(admin, dsn) for dsn in service_dsns]
    finally:
        await admin.close()


def main(argv: Sequence[str] | None = None) -> int:
    """``countersign-db-roles SERVICE ...``: each service's role as its database URL names it."""
    parser = argparse.ArgumentParser(prog="countersign-db-roles", description=main.__doc__)
    parser.add_argument("services", nargs="+", help="service names, e.g. ingest approval")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    admin = database_url_from_env("").get_secret_value()
    dsns = [database_url_from_env(f"{name.upper()}_").get_secret_value() for name in args.services]
    roles = asyncio.run(ensure_roles(admin, dsns))
    print(f"database roles ready: {', '.join(roles)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
