"""Every kind of bad publication Dext could send (``tests/support/bad_requests.py``) is
refused with the right 4xx problem naming the field and the rule, and leaves nothing behind: no
row in any table, no outbox row, no remembered signature, and (checked at the end) nothing on
the topics."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from countersign_contracts import BANK_TRANSACTIONS, COST_ITEMS
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import jpeg
from countersign_harness.infra import Infrastructure
from countersign_harness.ingest import RunningIngest, new_secret, running_ingest
from countersign_harness.kafka import read_until

from tests.support.bad_requests import CASES, Bad, invoice

pytestmark = [
    pytest.mark.integration,
    # A refusal closes what it opened: the upload's spooled temporary file left to the garbage
    # collector is an error here (pyproject.toml ignores such warnings elsewhere).
    pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning"),
]


@dataclass
class Shared:
    ingest: RunningIngest
    organisation_id: uuid.UUID
    secret: str


@pytest.fixture(scope="module")
async def shared(infra: Infrastructure) -> AsyncIterator[Shared]:
    isolation = "t" + uuid.uuid4().hex[:10]
    async with running_ingest(infra, isolation) as ingest:
        organisation_id, secret = uuid.uuid4(), new_secret()
        assert (await ingest.register_secret(organisation_id, secret)).status_code == 201
        yield Shared(ingest, organisation_id, secret)


def _request(dext: DextClient, case: Bad) -> httpx.Request:
    if case.raw is not None:
        return case.raw(dext)
    path = f"/v1/organisations/{dext.organisation_id}/{case.path}"
    return dext.build("POST", path, metadata=case.metadata, file=case.file)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_a_bad_publication_is_refused_naming_field_and_rule_and_leaves_nothing(
    shared: Shared, case: Bad
) -> None:
    ingest = shared.ingest
    async with ingest.dext(shared.organisation_id, shared.secret) as dext:
        response = await dext.send(dext.sign(_request(dext, case)))

    assert response.status_code == case.status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    if case.rule:
        assert {"field": case.field, "rule": case.rule} in [
            {"field": e["field"], "rule": e["rule"]} for e in problem["errors"]
        ], problem
    assert await ingest.counts() == dict.fromkeys(await ingest.counts(), 0)


def test_the_table_holds_at_least_forty_kinds_of_bad_request() -> None:
    assert len({case.name for case in CASES}) >= 40


async def test_after_the_refusals_the_topics_carry_only_what_was_accepted(shared: Shared) -> None:
    ingest = shared.ingest
    async with ingest.dext(shared.organisation_id, shared.secret) as dext:
        for case in CASES[:5]:
            assert (await dext.send(dext.sign(_request(dext, case)))).status_code >= 400
        accepted = await dext.publish_cost_item(invoice(), "NW-1.jpg", jpeg())
    assert accepted.status_code == 202, accepted.text

    bootstrap = ingest.runtime.settings.kafka_bootstrap_servers
    cost_items = await read_until(
        bootstrap, ingest.topic_prefix + COST_ITEMS, lambda r: len(r) >= 1
    )
    banks = await read_until(
        bootstrap, ingest.topic_prefix + BANK_TRANSACTIONS, lambda r: False, timeout_s=2
    )
    assert [json.loads(r.value)["payload"]["dext_item_id"] for r in cost_items] == ["item-1"]
    assert banks == []
