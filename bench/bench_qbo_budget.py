"""How much of QuickBooks Online's budget the publisher turns into published bills.

At Intuit's limits per realm (500 requests a minute, 10 in flight, 40 batch requests a minute),
enforced by the QBO sandbox in its own time-scaled minutes, every company is given more bills
than it can publish and the worker runs. After a warm-up minute, bills fully published (bill,
history notes, original, audit report) are counted over the measured minutes.

The ceiling: a bill needs its history notes (a read for the SyncToken and a sparse update: two
requests), two uploads, and 1/30 of a batch request, so a realm can publish at most
500 / (4 + 1/30) ≈ 124 bills a minute. Batch requests (40 a minute, 30 bills each) allow
1,200 bills: not the binding limit.

Writes bench/results/qbo_budget.json: {"ratio_to_ceiling", "http_429", "orgs",
"min_org_share", "max_org_share", "runs": [...]}. Environment: BENCH_QBO_TIME_SCALE (sandbox
seconds per real second, default 2), BENCH_QBO_MEASURED_MINUTES (default 2): about 3.5 minutes
for both runs.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from countersign_harness.document_server import DocumentServer
from countersign_harness.publisher import (
    DOCUMENT_SECRET,
    qbo_settings,
    running_publisher,
)
from countersign_harness.qbo_process import QboSandbox, qbo_sandbox_process

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

RESULTS = Path(__file__).parent / "results" / "qbo_budget.json"
PER_MINUTE = 500
BATCH = 30
CALLS_PER_BILL = 4 + 1 / BATCH  # notes (read + update), original, audit report; 1/30 batch
CEILING = PER_MINUTE / CALLS_PER_BILL  # bills per realm-minute


def _coding(sandbox: QboSandbox, realm_id: str) -> dict[str, str]:
    """The company's expense account and 20% VAT code, by the Ids Dext codes with."""
    entities = sandbox.state(realm_id)["entities"]

    def named(kind: str, name: str) -> str:
        return str(next(i for i, r in entities[kind].items() if r.get("Name") == name))

    return {
        "account_code": named("Account", "Office Expenses"),
        "tax_type": named("TaxCode", "20.0% S"),
    }


def _throttled(sandbox: QboSandbox) -> int:
    return sum(int(n) for n in sandbox.stats()["throttled"].values())


async def run(
    orgs: int, sandbox: QboSandbox, documents: DocumentServer, scale: float, measured: float
) -> dict[str, Any]:
    minute_s = 60 / scale
    settings = bench_settings(
        None, documents, BATCH, **qbo_settings(sandbox), qbo_minute_s=minute_s
    )
    bills_each = int(CEILING * (WARM_UP_MINUTES + measured) * 1.3) + BATCH
    throttled_before, calls_before = _throttled(sandbox), sandbox.stats()["calls"]
    async with running_publisher(settings) as publisher:
        organisations = []
        for n in range(orgs):
            realm_id = sandbox.create_company(country="GB", name=f"Bench Co {n}")["realm_id"]
            org = uuid.uuid4()
            await publisher.connect_qbo(org, sandbox, realm_id)
            organisations.append(org)
            coding = _coding(sandbox, realm_id)
            label = f"{n}-{settings.kafka_topic_prefix.rstrip('.')}"
            pool = publisher.runtime.pool
            await stage_bills(pool, org, bills_each, documents, label, **coding)
        window = Window(organisations, measured)
        await measure(publisher, window, minute_s)
    await drop_schema(settings.db_schema)
    return {
        **window.figures(CEILING),
        "http_429": _throttled(sandbox) - throttled_before,
        "sandbox_calls": sandbox.stats()["calls"] - calls_before,
    }


async def main() -> None:
    scale = float(os.environ.get("BENCH_QBO_TIME_SCALE", "2"))
    measured = float(os.environ.get("BENCH_QBO_MEASURED_MINUTES", "2"))
    with (
        tempfile.TemporaryDirectory() as logs,
        DocumentServer(DOCUMENT_SECRET) as documents,
        qbo_sandbox_process(Path(logs), time_scale=str(scale)) as sandbox,
    ):
        runs = await each_size(
            "qbo budget", (1, 3), lambda orgs: run(orgs, sandbox, documents, scale, measured)
        )
    limits = {"per_minute": PER_MINUTE, "concurrent": 10, "batch_per_minute": 40,
              "batch": BATCH}  # fmt: skip
    summarise(runs, {"time_scale": scale, "limits": limits}, RESULTS)


if __name__ == "__main__":
    asyncio.run(main())
