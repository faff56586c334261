"""How much of Xero's budget the publisher turns into published bills.

At Xero's real limits (60 calls/min, 5 in flight, 5,000/day per organisation; 10,000/min per
app), time-scaled in the sandbox, every organisation is given more bills than it can publish and
the worker runs. After a warm-up minute, bills fully published (bill, original, audit report)
are counted over the measured minutes.

The ceiling: a bill needs its history notes (one call), two attachment calls and 1/50 of a
batched creation call, so an organisation can publish at most 60 / (3 + 1/50) ≈ 19.9 bills a
minute (29.7 with the notes turned off, ADR 0051).

Writes bench/results/xero_budget.json: {"ratio_to_ceiling", "http_429", "orgs",
"min_org_share", "max_org_share", "runs": [...]}; an org's share is its fraction of all bills
published in the window (fair is 1/orgs). Environment: BENCH_TIME_SCALE (sandbox seconds per
real second, default 4), BENCH_MEASURED_MINUTES (default 4): about 2.5 minutes for both runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from countersign_contracts import PublicationKind
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import infrastructure_from
from countersign_harness.publisher import DOCUMENT_SECRET, publisher_settings, running_publisher
from countersign_harness.publisher_samples import (
    authorised_request,
    document_bytes,
    sample_bill,
)
from countersign_harness.xero_process import XeroSandbox, sandbox_process

RESULTS = Path(__file__).parent / "results" / "xero_budget.json"
PER_MINUTE = 60
BATCH = 50
CALLS_PER_BILL = 3 + 1 / BATCH  # notes, original, audit report; 1/50 of a creation
CEILING = PER_MINUTE / CALLS_PER_BILL  # bills per organisation-minute
WARM_UP_MINUTES = 1.0


async def run(
    orgs: int, sandbox: XeroSandbox, documents: DocumentServer, scale: float, measured: float
) -> dict[str, Any]:
    minute_s = 60 / scale
    database_url = os.environ["DATABASE_URL"]  # the administrator's: drops the schema after
    isolation = f"bench{uuid.uuid4().hex[:8]}"
    settings = publisher_settings(
        infrastructure_from(os.environ).database_url_for("publisher"),
        os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        isolation,
        sandbox,
        documents.url,
        worker_enabled=False,
        xero_minute_s=minute_s,
        worker_lease_s=600.0,
        worker_poll_interval_s=0.05,
        db_pool_max=20,  # ten organisations with five lanes each share the pool
        worker_claim_size=BATCH,
        log_level="WARNING",
    )
    bills_each = int(CEILING * (WARM_UP_MINUTES + measured) * 1.3) + BATCH
    stats_before = sandbox.stats()
    async with running_publisher(settings) as publisher:
        pool = publisher.runtime.pool
        organisations = []
        for n in range(orgs):
            tenant = sandbox.create_tenant(name=f"Bench Org {n}")
            org = uuid.uuid4()
            await publisher.connect(org, sandbox, tenant["tenant_id"])
            organisations.append(org)
            async with pool.acquire() as conn, conn.transaction():
                for b in range(bills_each):
                    reference = f"B{n}-{b}-{isolation}"
                    bill = sample_bill(reference)
                    documents.add(bill.document.document_id, document_bytes(reference))
                    request = authorised_request(bill)
                    await conn.execute(
                        "INSERT INTO publications (publication_id, organisation_id, kind,"
                        " request_id, dext_item_id, item_version, state, document,"
                        " correlation_id, causation_id) VALUES"
                        " ($1, $2, $3, $4, $5, 1, 'recorded', $6::jsonb, $7, $8)",
                        uuid.uuid4(),
                        org,
                        PublicationKind.BILL.value,
                        request.request_id,
                        request.dext_item_id,
                        request.model_dump_json(),
                        uuid.uuid4(),
                        uuid.uuid4(),
                    )
        worker = publisher.parts.worker
        started = await pool.fetchval("SELECT clock_timestamp()")
        await worker.start()
        await asyncio.sleep((WARM_UP_MINUTES + measured) * minute_s)
        await worker.stop()
        window_start = started + timedelta(seconds=WARM_UP_MINUTES * minute_s)
        window_end = window_start + timedelta(seconds=measured * minute_s)
        counts = await count_published(pool, organisations, window_start, window_end)
        scheduler_429 = publisher.parts.scheduler.rate_limited
    cleanup = await asyncpg.connect(database_url)
    await cleanup.execute(f'DROP SCHEMA "{settings.db_schema}" CASCADE')
    await cleanup.close()
    stats_after = sandbox.stats()
    total = sum(counts.values())
    per_org_minute = total / orgs / measured
    http_429 = stats_after["rate_limited"] - stats_before["rate_limited"]
    return {
        "orgs": orgs,
        "ratio_to_ceiling": round(per_org_minute / CEILING, 3),
        "http_429": max(http_429, scheduler_429),
        "min_org_share": round(min(counts.values()) / total, 4) if total else 0.0,
        "max_org_share": round(max(counts.values()) / total, 4) if total else 0.0,
        "bills_per_org_minute": round(per_org_minute, 2),
        "ceiling_bills_per_org_minute": round(CEILING, 2),
        "bills_published_in_window": total,
        "measured_minutes": measured,
        "sandbox_calls": stats_after["calls"] - stats_before["calls"],
    }


async def count_published(
    pool: asyncpg.Pool, organisations: list[uuid.UUID], start: Any, end: Any
) -> dict[uuid.UUID, int]:
    rows = await pool.fetch(
        "SELECT organisation_id, count(*) AS n FROM publications WHERE state = 'completed'"
        " AND updated_at >= $1 AND updated_at < $2 GROUP BY organisation_id",
        start,
        end,
    )
    found = {row["organisation_id"]: int(row["n"]) for row in rows}
    return {org: found.get(org, 0) for org in organisations}


async def main() -> None:
    scale = float(os.environ.get("BENCH_TIME_SCALE", "4"))
    measured = float(os.environ.get("BENCH_MEASURED_MINUTES", "4"))
    runs = []
    with (
        tempfile.TemporaryDirectory() as logs,
        DocumentServer(DOCUMENT_SECRET) as documents,
        sandbox_process(Path(logs), time_scale=str(scale)) as sandbox,
    ):
        for orgs in (1, 10):
            began = time.monotonic()
            result = await run(orgs, sandbox, documents, scale, measured)
            runs.append(result)
            elapsed = time.monotonic() - began
            print(f"xero budget: {orgs} org(s): {json.dumps(result)} ({elapsed:.0f}s)")
    summary = {
        "ratio_to_ceiling": min(r["ratio_to_ceiling"] for r in runs),
        "http_429": sum(r["http_429"] for r in runs),
        "orgs": [r["orgs"] for r in runs],
        "min_org_share": runs[-1]["min_org_share"],
        "max_org_share": runs[-1]["max_org_share"],
        "time_scale": scale,
        "limits": {
            "per_minute": PER_MINUTE,
            "concurrent": 5,
            "per_day": 5000,
            "app_per_minute": 10000,
            "batch": BATCH,
        },
        "runs": runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
