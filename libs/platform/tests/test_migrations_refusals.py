"""What the migrator refuses — a schema name that is not a plain identifier, an unknown service,
a missing folder, a changed migration — and that a refusal still releases its lock."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from countersign_platform.migrations import (
    PLATFORM_MIGRATIONS,
    MigrationError,
    discover,
    main,
    migrate,
)

from libs.platform.tests.fakes import FakeConnection, FakeDatabase

DSN = "postgresql://migrator@db/countersign"


class Connections:
    """``asyncpg.connect`` over a fake database, noting the DSNs it was asked for."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.dsns: list[str] = []

    async def __call__(self, dsn: str) -> FakeConnection:
        self.dsns.append(dsn)
        return self.db.connect()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Connections:
    opened = Connections(FakeDatabase())
    monkeypatch.setattr(asyncpg, "connect", opened)
    return opened


def recorded(directory: Path, prefix: str = "") -> list[dict[str, Any]]:
    """schema_migrations rows for every file of ``directory``, as applied."""
    return [
        {"version": prefix + path.stem, "checksum": hashlib.sha256(path.read_bytes()).hexdigest()}
        for path in sorted(directory.glob("*.sql"))
    ]


@pytest.mark.parametrize(
    "schema",
    ["Ingest", "in-gest", "1ingest", 'ingest"; DROP SCHEMA public; --', "i" * 64, ""],
)
async def test_a_schema_name_that_is_not_a_plain_identifier_is_refused_before_connecting(
    connections: Connections, schema: str, tmp_path: Path
) -> None:
    with pytest.raises(MigrationError, match="plain lower-case identifier"):
        await migrate(DSN, schema, tmp_path)

    assert connections.dsns == []


def test_a_missing_migrations_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="no migrations folder"):
        discover(tmp_path / "migrations")


async def test_a_changed_migration_is_refused_and_the_lock_and_connection_are_released(
    connections: Connections, tmp_path: Path
) -> None:
    (tmp_path / "0001_items.sql").write_text("CREATE TABLE items (id bigint PRIMARY KEY);")
    (tmp_path / "0002_names.sql").write_text("ALTER TABLE items ADD COLUMN name text;")
    applied = recorded(PLATFORM_MIGRATIONS, "platform/")
    applied.append({"version": "0001_items", "checksum": hashlib.sha256(b"before").hexdigest()})
    connections.db.answers["SELECT version, checksum"] = applied
    connections.db.answers["FROM pg_namespace"] = "migrator"
    connections.db.answers["SELECT current_user"] = "migrator"

    with pytest.raises(MigrationError, match="0001_items was changed after it was applied"):
        await migrate(DSN, "ingest", tmp_path)

    db = connections.db
    assert connections.dsns == [DSN]
    assert "BEGIN" not in db.steps  # nothing applied, not even 0002_names
    locks = [(query.split("(")[0], args) for query, args in db.journal if "advisory" in query]
    assert locks == [
        ("SELECT pg_advisory_lock", ("migrate:ingest",)),
        ("SELECT pg_advisory_unlock", ("migrate:ingest",)),
    ]
    assert db.closed == 1


def test_unknown_services_are_refused_before_anything_is_migrated(
    connections: Connections, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", "no-such-service"]) == 2

    assert "unknown services: no-such-service" in capsys.readouterr().out
    assert connections.dsns == []


async def test_a_schema_another_role_owns_is_refused_before_any_migration_runs(
    connections: Connections, tmp_path: Path
) -> None:
    (tmp_path / "0001_items.sql").write_text("CREATE TABLE items (id bigint PRIMARY KEY);")
    connections.db.answers.update(
        {"FROM pg_namespace": "countersign_approval", "SELECT current_user": "countersign_ingest"}
    )
    connections.db.answers["pg_has_role"] = False

    with pytest.raises(MigrationError, match="belongs to role countersign_approval, not to"):
        await migrate(DSN, "approval", tmp_path)

    assert "BEGIN" not in connections.db.steps
    assert connections.db.closed == 1


def test_each_service_is_migrated_as_its_own_role(
    connections: Connections, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``countersign-migrate`` reads each service's own ``<SERVICE>_DATABASE_URL`` (ADR 0060)."""
    own = {name: f"postgresql://countersign_{name}:pw@db/countersign" for name in ("a", "b")}
    monkeypatch.setenv("DATABASE_URL", "postgresql://administrator@db/countersign")
    monkeypatch.setenv("INGEST_DATABASE_URL", own["a"])
    monkeypatch.setenv("APPROVAL_DATABASE_URL", own["b"])
    connections.db.answers.update({"FROM pg_namespace": None, "SELECT version, checksum": []})

    assert main(["ingest", "approval"]) == 0

    assert connections.dsns == [own["a"], own["b"]]
