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
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from countersign_harness.document_server import DocumentServer
from countersign_harness.publisher import DOCUMENT_SECRET, running_publisher
from countersign_harness.xero_process import XeroSandbox, sandbox_process

from bench.ledger_budget import (
    WARM_UP_MINUTES,
    Window,
    bench_settings,
    drop_schema,
    each_size,
    measure,
    stage_bills,
    summarise,
)

RESULTS = Path(__file__).parent / "results" / "xero_budget.json"
PER_MINUTE = 60
BATCH = 50
CALLS_PER_BILL = 3 + 1 / BATCH  # notes, original, audit report; 1/50 of a creation
CEILING = PER_MINUTE / CALLS_PER_BILL  # bills per organisation-minute


async def run(
    orgs: int, sandbox: XeroSandbox, documents: DocumentServer, scale: float, measured: float
) -> dict[str, Any]:
    minute_s = 60 / scale
    settings = bench_settings(sandbox, documents, BATCH, xero_minute_s=minute_s)
    bills_each = int(CEILING * (WARM_UP_MINUTES + measured) * 1.3) + BATCH
    stats_before = sandbox.stats()
    async with running_publisher(settings) as publisher:
        organisations = []
        for n in range(orgs):
            tenant = sandbox.create_tenant(name=f"Bench Org {n}")
            org = uuid.uuid4()
            await publisher.connect(org, sandbox, tenant["tenant_id"])
            organisations.append(org)
            label = f"{n}-{settings.kafka_topic_prefix.rstrip('.')}"
            await stage_bills(publisher.runtime.pool, org, bills_each, documents, label)
        window = Window(organisations, measured)
        await measure(publisher, window, minute_s)
        scheduler_429 = publisher.parts.scheduler.rate_limited
    await drop_schema(settings.db_schema)
    stats_after = sandbox.stats()
    http_429 = stats_after["rate_limited"] - stats_before["rate_limited"]
    return {
        **window.figures(CEILING),
        "http_429": max(http_429, scheduler_429),
        "sandbox_calls": stats_after["calls"] - stats_before["calls"],
    }


async def main() -> None:
    scale = float(os.environ.get("BENCH_TIME_SCALE", "4"))
    measured = float(os.environ.get("BENCH_MEASURED_MINUTES", "4"))
    with (
        tempfile.TemporaryDirectory() as logs,
        DocumentServer(DOCUMENT_SECRET) as documents,
        sandbox_process(Path(logs), time_scale=str(scale)) as sandbox,
    ):
        runs = await each_size(
            "xero budget", (1, 10), lambda orgs: run(orgs, sandbox, documents, scale, measured)
        )
    limits = {"per_minute": PER_MINUTE, "concurrent": 5, "per_day": 5000,
              "app_per_minute": 10000, "batch": BATCH}  # fmt: skip
    summarise(runs, {"time_scale": scale, "limits": limits}, RESULTS)


if __name__ == "__main__":
    asyncio.run(main())
