"""The chaos run's hostile set (scripts/chaos_hostile.py) against a quiet pipeline: every kind
is answered with a 4xx, and afterwards every table of ingest, approval and the publisher holds
what it held before — no item, version, document, signature, user, token, workflow, decision,
connection or outbox row more or changed. The chaos run sends the same set while servers are
killed; here a regression shows as one named kind, not as a number in chaos.json."""

from __future__ import annotations

import asyncio
import hashlib
import sys
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from countersign_harness.infra import REPO, Infrastructure
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_harness.provisioning import provision_organisation

sys.path.insert(0, str(REPO / "scripts"))

from chaos_hostile import (
    REPORTED,
    UNTRIED,
    hostile_kinds,
    hostile_targets,
    stored_by_hostiles,
)
from demo_plan import PEOPLE, WORKFLOW

pytestmark = pytest.mark.e2e

BODY_TIMEOUT_S = "2"  # a body announced and withheld is answered 408 after 2 s
# Every table a call could write, with the columns that say what it holds (an outbox row's
# publication mark and an inbox, which follow the broker, aside).
TABLES = {
    "ingest": ["dext_secrets", "seen_signatures", "documents", "items", "item_versions"],
    "approval": ["organisations", "users", "api_tokens", "absences", "workflows", "requests"],
    "publisher": ["publications", "xero_connections"],
}


@pytest.fixture(scope="module")
def pipeline(infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    isolation = "t" + uuid.uuid4().hex[:10]
    logs = tmp_path_factory.mktemp("hostile")
    service_env = {"INGEST_BODY_TIMEOUT_S": BODY_TIMEOUT_S}
    with Pipeline(infra, isolation, logs, service_env=service_env) as running:
        yield running


@pytest.fixture(scope="module")
async def organisations(pipeline: Pipeline) -> AsyncIterator[tuple[Organisation, Organisation]]:
    org = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name="Hostile Ltd")
    other = await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE, name="Other Ltd")
    yield org, other


async def fingerprint(infra: Infrastructure, isolation: str) -> dict[str, str]:
    """A digest of every row of every table in ``TABLES`` (and of every outbox's payloads)."""
    conn = await asyncpg.connect(infra.database_url)
    try:
        found = {}
        for service, tables in TABLES.items():
            schema = f'"{isolation}_{service}"'
            # When a Dext credential last verified a call is bookkeeping, not a stored request:
            # a valid signature records it even when the call is then refused.
            queries = [
                f"SELECT (to_jsonb(t) - 'last_used_at')::text AS r FROM {schema}.{table} t"
                " ORDER BY r"
                for table in tables
            ]
            queries.append(f"SELECT event_id, payload FROM {schema}.outbox ORDER BY id")
            for query in queries:
                digest = hashlib.sha256()
                for row in await conn.fetch(query):
                    digest.update(repr(tuple(row.values())).encode())
                found[query] = digest.hexdigest()
        return found
    finally:
        await conn.close()


async def settled(infra: Infrastructure, isolation: str) -> dict[str, str]:
    """The fingerprint once the target request's news has reached every service (two readings
    a second apart agree)."""
    previous = await fingerprint(infra, isolation)
    for _reading in range(30):
        await asyncio.sleep(1)
        current = await fingerprint(infra, isolation)
        if current == previous:
            return current
        previous = current
    raise AssertionError("the pipeline did not settle before the hostile requests")


async def test_every_hostile_request_is_refused_and_stores_nothing(
    infra: Infrastructure, pipeline: Pipeline, organisations: tuple[Organisation, Organisation]
) -> None:
    org, other = organisations
    async with hostile_targets(org, other) as targets:
        before = await settled(infra, pipeline.isolation)

        answers = {kind.name: await kind.attempt(targets) for kind in hostile_kinds()}

        left = await stored_by_hostiles(targets)
        after = await fingerprint(infra, pipeline.isolation)

    not_refused = {name: status for name, status in answers.items() if not 400 <= status < 500}
    assert not_refused == {}, "\n".join(f"{s} {name}" for name, s in not_refused.items())
    assert left == []
    assert [query for query in before if before[query] != after[query]] == []


def test_the_set_holds_the_reported_inputs_and_ten_untried_ones() -> None:
    names = [kind.name for kind in hostile_kinds()]
    assert len(names) == len(set(names)) == 169
    assert len(REPORTED) == 6 and len(UNTRIED) == 10
    # The outside tester's inputs that come in with the ingest refusal table.
    for reported in (
        "supplier twice in the metadata",
        "file one byte over 10 MB",
        "paid before the bill was issued",
    ):
        assert reported in names
