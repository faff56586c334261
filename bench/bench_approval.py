"""Approval throughput, against real Kafka and Postgres with the service as its own process:

- requests opened per second: CostItemSubmitted records produced to Kafka, until every one is
  an open request waiting for its approver;
- decisions per second: approvals over HTTP (a few concurrent clients), with their p99 latency.

Writes bench/results/approval.json. Sizes are modest on purpose (a shared 2-core machine).

    python -m bench.bench_approval            # REQUESTS=300 by default
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from countersign_contracts import (
    APPROVAL_REQUESTS,
    COST_ITEMS,
    LEDGER_PUBLICATIONS,
    ORGANISATIONS,
    CostItemSubmitted,
    new_envelope,
)
from countersign_harness.approval import OPERATOR_TOKEN, as_record
from countersign_harness.infra import Infrastructure, infrastructure_from
from countersign_harness.kafka import produce
from countersign_harness.processes import ServiceProcess
from countersign_harness.samples import sample_bill
from countersign_harness.waiting import eventually
from countersign_platform.topics import ensure_topics

REQUESTS = int(os.environ.get("BENCH_APPROVAL_REQUESTS", "300"))
CONCURRENCY = 4
RESULTS = Path(__file__).parent / "results" / "approval.json"
WORKFLOW = {
    "steps": [{"name": "Manager", "approvers": [{"approver": "ann@example.com"}]}],
    "default_approver": "ann@example.com",
}


async def setup(http: httpx.AsyncClient) -> tuple[uuid.UUID, dict[str, str]]:
    registered = await http.post(
        "/v1/organisations",
        headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
        json={
            "name": "Bench Ltd",
            "base_currency": "GBP",
            "timezone": "Europe/London",
            "admin": {"email": "ada@example.com", "name": "Ada"},
        },
    )
    registered.raise_for_status()
    org = uuid.UUID(registered.json()["organisation"]["organisation_id"])
    admin = {"Authorization": f"Bearer {registered.json()['admin']['token']}"}
    ann = await http.post(
        f"/v1/organisations/{org}/users",
        headers=admin,
        json={"email": "ann@example.com", "name": "Ann", "roles": ["approver"]},
    )
    ann.raise_for_status()
    (
        await http.put(f"/v1/organisations/{org}/workflow", headers=admin, json=WORKFLOW)
    ).raise_for_status()
    return org, {"Authorization": f"Bearer {ann.json()['token']}"}


async def open_requests(
    infra: Infrastructure, prefix: str, org: uuid.UUID, pool: asyncpg.Pool
) -> float:
    bill = sample_bill("INV-BENCH")
    records = [
        as_record(
            new_envelope(
                CostItemSubmitted(
                    dext_item_id=f"bench-{n}", version=1, bill=bill, submitted_at=datetime.now(UTC)
                ),
                producer="ingest",
                organisation_id=org,
                correlation_id=uuid.uuid4(),
            )
        )
        for n in range(REQUESTS)
    ]
    started = time.perf_counter()
    await produce(infra.kafka_bootstrap_servers, prefix + COST_ITEMS, records)
    opened = await eventually(
        lambda: pool.fetchval("SELECT count(*) FROM requests WHERE state = 'in_approval'"),
        lambda count: count >= REQUESTS,
        timeout_s=600,
        interval_s=0.05,
    )
    elapsed = time.perf_counter() - started
    assert opened >= REQUESTS, f"only {opened} of {REQUESTS} requests opened"
    return REQUESTS / elapsed


async def decide_all(
    http: httpx.AsyncClient, org: uuid.UUID, ann: dict[str, str], request_ids: list[str]
) -> tuple[float, float]:
    latencies: list[float] = []
    queue = list(request_ids)

    async def worker() -> None:
        while queue:
            request_id = queue.pop()
            began = time.perf_counter()
            response = await http.post(
                f"/v1/organisations/{org}/requests/{request_id}/approve",
                headers=ann,
                json={"comment": "ok"},
            )
            latencies.append(time.perf_counter() - began)
            response.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    return len(request_ids) / elapsed, p99


async def main() -> None:
    infra = infrastructure_from(os.environ)
    isolation = f"bench{uuid.uuid4().hex[:8]}"
    prefix = f"{isolation}."
    await ensure_topics(
        infra.kafka_bootstrap_servers,
        {
            prefix + t: 3
            for t in (COST_ITEMS, LEDGER_PUBLICATIONS, APPROVAL_REQUESTS, ORGANISATIONS)
        },
    )
    os.environ["COUNTERSIGN_ADMIN_TOKEN"] = OPERATOR_TOKEN
    service = ServiceProcess("approval", infra, isolation, Path(tempfile.mkdtemp()))
    schema = f"{isolation}_approval"
    service.start()
    try:
        service.wait_ready()
        pool = await asyncpg.create_pool(
            infra.database_url, min_size=1, max_size=2, server_settings={"search_path": schema}
        )
        async with httpx.AsyncClient(base_url=service.url, timeout=30) as http:
            org, ann = await setup(http)
            opened_per_s = await open_requests(infra, prefix, org, pool)
            ids = [
                str(r["request_id"]) for r in await pool.fetch("SELECT request_id FROM requests")
            ]
            decisions_per_s, p99_ms = await decide_all(http, org, ann, ids)
        await pool.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await pool.close()
    finally:
        service.stop()
    results = {
        "decisions_per_s": round(decisions_per_s, 1),
        "requests_opened_per_s": round(opened_per_s, 1),
        "p99_ms": round(p99_ms, 1),
        "requests": REQUESTS,
        "decision_clients": CONCURRENCY,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"approval: {results}")


if __name__ == "__main__":
    asyncio.run(main())
