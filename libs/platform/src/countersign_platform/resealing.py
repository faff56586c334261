"""Re-sealing: every sealed value a service stores, sealed again with the keyring's newest key,
so that an old key can leave ``ENCRYPTION_KEYS`` (ADR 0062).

    countersign-reseal [--all | SERVICE ...] [--batch-size N]

For each service, each column its ``ServiceSpec.sealed`` names, in primary-key order, a batch
at a time:

    read a batch (no lock) ─▶ each value sealed with another key: open it (its context), seal
    it with the newest key ─▶ UPDATE … SET column = new WHERE key = k AND column = old

The update is a compare-and-set, one statement per row with no transaction around the batch:
a row is locked only for its own update, so the running service is never held up for long,
and a value the service rewrote meanwhile (a token refresh seals with the newest key itself)
is left as the service wrote it and counted as ``raced``. A value already sealed with the
newest key is not touched, so a second run changes nothing. Only counts are logged.

Exit status 1 when a value does not open with the keyring (a key dropped too early, or a
value copied to another row): it is left as it is and counted as ``unopenable``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from countersign_platform.sealing import Keyring, SealedColumn, SealingError
from countersign_platform.settings import database_url_from_env
from countersign_platform.spec import add_service_arguments, chosen_services

__all__ = ["Resealed", "main", "reseal", "reseal_column"]

log = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass
class Resealed:
    """What one run did to one column: counts only, never a value."""

    column: str
    examined: int = 0
    resealed: int = 0
    raced: int = 0
    unopenable: int = 0

    def __str__(self) -> str:
        return (
            f"{self.column}: {self.examined} sealed values, {self.resealed} re-sealed,"
            f" {self.raced} changed meanwhile, {self.unopenable} do not open"
        )


def _names(schema: str, sealed: SealedColumn) -> None:
    for name in (schema, sealed.table, sealed.column, sealed.key, *sealed.context_columns):
        if not _IDENTIFIER.match(name):
            raise ValueError(f"{name!r} is not a plain lower-case identifier")


async def reseal_column(
    conn: asyncpg.Connection, schema: str, sealed: SealedColumn, keyring: Keyring, batch_size: int
) -> Resealed:
    """Re-seals one column with the keyring's newest key; see the module's docstring."""
    _names(schema, sealed)
    table = f'"{schema}".{sealed.table}'
    extra = "".join(f", {name}" for name in sealed.context_columns if name != sealed.key)
    select = (
        f"SELECT {sealed.key}, {sealed.column} AS sealed{extra} FROM {table}"
        f" WHERE {sealed.column} IS NOT NULL {{after}} ORDER BY {sealed.key} LIMIT $1"
    )
    update = (
        f"UPDATE {table} SET {sealed.column} = $1 WHERE {sealed.key} = $2 AND {sealed.column} = $3"
    )
    done = Resealed(f"{schema}.{sealed.table}.{sealed.column}")
    last: object = None
    while True:
        if last is None:
            try:
                rows = await conn.fetch(select.format(after=""), batch_size)
            except asyncpg.UndefinedTableError:
                return done  # not migrated yet (a first install): nothing stored to re-seal
        else:
            rows = await conn.fetch(select.format(after=f"AND {sealed.key} > $2"), batch_size, last)
        for row in rows:
            done.examined += 1
            if not keyring.needs_resealing(row["sealed"]):
                continue
            context = sealed.context_of(dict(row))
            try:
                fresh = keyring.seal(keyring.open(row["sealed"], context), context)
            except SealingError:
                done.unopenable += 1
                continue
            changed = await conn.execute(update, fresh, row[sealed.key], row["sealed"])
            if changed == "UPDATE 1":
                done.resealed += 1
            else:
                done.raced += 1
        if len(rows) < batch_size:
            return done
        last = rows[-1][sealed.key]


async def reseal(
    dsn: str,
    schema: str,
    columns: Sequence[SealedColumn],
    keyring: Keyring,
    batch_size: int = 100,
) -> list[Resealed]:
    """Re-seals every column of one service's schema with the keyring's newest key."""
    conn = await asyncpg.connect(dsn)
    try:
        results = []
        for sealed in columns:
            result = await reseal_column(conn, schema, sealed, keyring, batch_size)
            log.info("%s", result)
            results.append(result)
        return results
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> int:
    """``countersign-reseal [--all | SERVICE ...]``: re-seals installed services' stored secrets
    with the first key of ENCRYPTION_KEYS."""
    parser = argparse.ArgumentParser(prog="countersign-reseal", description=main.__doc__)
    add_service_arguments(parser)
    parser.add_argument("--batch-size", type=int, default=100, help="rows read at a time")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    specs = chosen_services(args)
    if specs is None:
        return 2
    keys = os.environ.get("ENCRYPTION_KEYS", "").strip()
    if not keys:
        print("ENCRYPTION_KEYS is not set: there is no key to re-seal with")
        return 2
    keyring = Keyring.parse(keys)
    unopenable = 0
    for spec in specs:
        # As the service's own role, the owner of its schema (ADR 0060).
        dsn = database_url_from_env(spec.env_prefix).get_secret_value()
        results = asyncio.run(reseal(dsn, spec.schema, spec.sealed, keyring, args.batch_size))
        unopenable += sum(result.unopenable for result in results)
        print(f"{spec.name}: {len(results)} sealed columns re-sealed with key {keyring.current}")
    return 1 if unopenable else 0


if __name__ == "__main__":
    sys.exit(main())
