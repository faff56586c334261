"""How migration files are found and ordered (the database side is an integration test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from countersign_platform.migrations import MigrationError, discover, migrations_dir


def test_files_are_applied_in_name_order_with_their_prefix(tmp_path: Path) -> None:
    (tmp_path / "0002_second.sql").write_text("SELECT 2;")
    (tmp_path / "0001_first.sql").write_text("SELECT 1;")
    plan = discover(tmp_path, prefix="svc/")
    assert [m.version for m in plan] == ["svc/0001_first", "svc/0002_second"]
    assert plan[0].checksum != plan[1].checksum


def test_a_badly_named_file_is_refused_rather_than_skipped(tmp_path: Path) -> None:
    (tmp_path / "add users.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_lower_snake"):
        discover(tmp_path)


def test_a_service_finds_its_migrations_in_the_source_tree() -> None:
    import countersign_ingest.spec as ingest_spec

    found = migrations_dir(ingest_spec.__file__)
    assert found.name == "migrations"
    assert sorted(p.name for p in found.glob("*.sql"))[0].startswith("0001_")
