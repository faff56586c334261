"""Re-sealing with the keyring's newest key (countersign-reseal, ADR 0062) on the real Postgres:
what the services stored sealed with an old key is sealed with the new one, still opens to the
same plaintext through the services' own code once the old key is gone, and a second run
changes nothing; a value the service rewrites during the run is left as the service wrote it,
and one that does not open is counted and left alone."""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from countersign_harness.infra import Infrastructure
from countersign_harness.publisher import ENCRYPTION_KEYS, running_publisher
from countersign_harness.waiting import eventually
from countersign_harness.xero_process import XeroSandbox
from countersign_ingest.db.credentials import DextSecrets
from countersign_ingest.spec import SERVICE as INGEST
from countersign_platform.migrations import migrate
from countersign_platform.resealing import Resealed, reseal
from countersign_platform.sealing import Keyring
from countersign_publisher.spec import SERVICE as PUBLISHER

pytestmark = pytest.mark.integration

NEW_KEY = "k2:" + base64.b64encode(os.urandom(32)).decode()
ROTATED = f"{NEW_KEY},{ENCRYPTION_KEYS}"  # the new key seals, the old one still opens


def by_column(results: list[Resealed]) -> dict[str, tuple[int, int, int, int]]:
    return {
        r.column.split(".", 1)[1]: (r.examined, r.resealed, r.raced, r.unopenable) for r in results
    }


async def stored(dsn: str, schema: str) -> list[Any]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(
            await conn.fetch(
                f'SELECT organisation_id, access_token, refresh_token FROM "{schema}"'
                ".xero_connections UNION ALL SELECT organisation_id, code_verifier, tokens"
                f' FROM "{schema}".xero_authorisations ORDER BY 1, 2'
            )
        )
    finally:
        await conn.close()


async def test_xero_tokens_are_resealed_and_open_with_the_new_key_alone(
    infra: Infrastructure, settings_for: Any, xero_sandbox: XeroSandbox
) -> None:
    settings = settings_for(worker_enabled=False, xero_redirect_uri="http://web/v1/xero/callback")
    orgs = [uuid.uuid4() for _ in range(3)]
    async with running_publisher(settings) as publisher:  # the old keyring seals
        for org in orgs:
            tenant = xero_sandbox.create_tenant(name=f"Resealed {org.hex[:6]}")
            await publisher.connect(org, xero_sandbox, tenant["tenant_id"])
        assert publisher.parts.connecting is not None and publisher.parts.tokens is not None
        await publisher.parts.connecting.start(orgs[0], uuid.uuid4())  # a consent in flight
        async with publisher.runtime.pool.acquire() as conn:
            before = [await publisher.parts.tokens.current(conn, org) for org in orgs]
    schema = settings.db_schema
    assert schema is not None

    pkce = next(s for s in PUBLISHER.sealed if s.column == "code_verifier")
    (state_hash,) = await _state_hashes(infra.database_url, schema)
    context = pkce.context_of({"state_hash": state_hash})
    verifier = _verifier(await stored(infra.database_url, schema))
    first = await reseal(infra.database_url, schema, PUBLISHER.sealed, Keyring.parse(ROTATED), 2)
    after_first = await stored(infra.database_url, schema)
    second = await reseal(infra.database_url, schema, PUBLISHER.sealed, Keyring.parse(ROTATED), 2)
    after_second = await stored(infra.database_url, schema)
    async with running_publisher(settings_for(encryption_keys=NEW_KEY, db_schema=schema)) as later:
        assert later.parts.tokens is not None
        async with later.runtime.pool.acquire() as conn:
            after = [await later.parts.tokens.current(conn, org) for org in orgs]

    assert by_column(first) == {
        "xero_connections.access_token": (3, 3, 0, 0),
        "xero_connections.refresh_token": (3, 3, 0, 0),
        "xero_authorisations.code_verifier": (1, 1, 0, 0),
        "xero_authorisations.tokens": (0, 0, 0, 0),
    }
    assert all(value.startswith("v1.k2.") for row in after_first for value in row[1:] if value)
    assert after == before, "the same tokens, opened by the publisher with the new key alone"
    assert Keyring.parse(NEW_KEY).open(_verifier(after_first), context) == Keyring.parse(
        ENCRYPTION_KEYS
    ).open(verifier, context)
    assert [r.resealed + r.raced + r.unopenable for r in second] == [0, 0, 0, 0]
    assert after_second == after_first, "a second run changes nothing"


async def _state_hashes(dsn: str, schema: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(f'SELECT state_hash FROM "{schema}".xero_authorisations')
        return [row[0] for row in rows]
    finally:
        await conn.close()


def _verifier(rows: list[Any]) -> str:
    """The sealed PKCE verifier among ``stored``'s rows (the one row without a second value)."""
    verifier: str = next(row[1] for row in rows if row[2] is None)
    return verifier


async def test_dext_secrets_resealed_beside_a_rotation_and_a_value_that_does_not_open(
    infra: Infrastructure, isolation: str
) -> None:
    """Ingest holds one organisation's rows (as a rotation does) while the run reaches them, and
    rewrites them with secrets of its own before it commits: the run's compare-and-set finds
    the values changed and leaves the service's."""
    await migrate(infra.database_url, isolation, INGEST.migrations)
    old, rotated, new_only = (Keyring.parse(k) for k in (ENCRYPTION_KEYS, ROTATED, NEW_KEY))
    stranger = Keyring.parse("k0:" + base64.b64encode(os.urandom(32)).decode())
    plain, raced, lost = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    secrets = {org: os.urandom(24) for org in (plain, raced, lost)}
    service = await asyncpg.connect(infra.database_url)
    conn = await asyncpg.connect(infra.database_url)
    try:
        for c in (service, conn):
            await c.execute(f'SET search_path TO "{isolation}"')
        until = datetime.now(UTC) + timedelta(days=1)
        for org in (plain, raced):
            await DextSecrets(conn, old).rotate_to(org, b"previous-" + secrets[org], None, until)
            await DextSecrets(conn, old).rotate_to(org, secrets[org], None, until)
        await DextSecrets(conn, stranger).rotate_to(lost, secrets[lost], None, until)
        async with service.transaction():
            await service.execute(
                "SELECT 1 FROM dext_secrets WHERE organisation_id = $1 FOR UPDATE", raced
            )
            run = asyncio.create_task(reseal(infra.database_url, isolation, INGEST.sealed, rotated))
            waiting = await eventually(lambda: blocked(conn, isolation), bool, timeout_s=10)
            ours = rotated.seal(b"the service's own", f"ingest:dext-secret:{raced}")
            await service.execute(
                "UPDATE dext_secrets SET sealed = $2 WHERE organisation_id = $1", raced, ours
            )
        first = await run
        second = await reseal(infra.database_url, isolation, INGEST.sealed, rotated)
        opened = {org: await DextSecrets(conn, new_only).opened(org) for org in (plain, raced)}
        untouched = await conn.fetchval(
            "SELECT sealed FROM dext_secrets WHERE organisation_id = $1", lost
        )
    finally:
        await service.close()
        await conn.close()

    assert waiting, "the run never reached the rows the service held"
    assert by_column(first) == {"dext_secrets.sealed": (5, 2, 2, 1)}
    assert [s for _, s in opened[plain]] == [secrets[plain], b"previous-" + secrets[plain]]
    assert [s for _, s in opened[raced]] == [b"the service's own"] * 2, "the service's values"
    assert untouched.startswith("v1.k0."), "left as it was"
    assert by_column(second) == {"dext_secrets.sealed": (5, 0, 0, 1)}


async def blocked(conn: asyncpg.Connection, schema: str) -> bool:
    """Whether a re-sealing update waits for a row lock."""
    return bool(
        await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE $1",
            f'UPDATE "{schema}".dext_secrets SET sealed%',
        )
    )


async def test_a_schema_not_migrated_yet_has_nothing_to_reseal(
    infra: Infrastructure, isolation: str
) -> None:
    """A first install whose services migrate as they start: the Job finds no table yet."""
    results = await reseal(infra.database_url, isolation, INGEST.sealed, Keyring.parse(ROTATED))
    assert by_column(results) == {"dext_secrets.sealed": (0, 0, 0, 0)}
