"""What a ledger budget benchmark shares: bills staged as authorised publications, the worker
run for a warm-up and a measured window of the ledger's (time-scaled) minutes, the bills fully
published in the window counted per organisation, and the figures reported against the
ceiling the ledger's limits allow (bench_xero_budget, bench_qbo_budget)."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from countersign_contracts import PublicationKind
from countersign_harness.document_server import DocumentServer
from countersign_harness.infra import infrastructure_from
from countersign_harness.publisher import RunningPublisher, publisher_settings
from countersign_harness.publisher_samples import authorised_request, document_bytes, sample_bill
from countersign_harness.xero_process import XeroSandbox
from countersign_publisher.settings import PublisherSettings

__all__ = [
    "WARM_UP_MINUTES",
    "Window",
    "bench_settings",
    "drop_schema",
    "each_size",
    "measure",
    "stage_bills",
    "summarise",
]

WARM_UP_MINUTES = 1.0


def bench_settings(
    sandbox: XeroSandbox | None, documents: DocumentServer, batch: int, **overrides: Any
) -> PublisherSettings:
    """A publisher of its own (schema and topics under a new isolation), its worker started by
    ``measure``, claiming ``batch`` publications at a time, with ``overrides``."""
    isolation = f"bench{uuid.uuid4().hex[:8]}"
    return publisher_settings(
        infrastructure_from(os.environ).database_url_for("publisher"),
        os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        isolation,
        sandbox,
        documents.url,
        worker_enabled=False,
        worker_lease_s=600.0,
        worker_poll_interval_s=0.05,
        db_pool_max=20,  # ten organisations with five lanes each share the pool
        worker_claim_size=batch,
        log_level="WARNING",
        **overrides,
    )


async def stage_bills(
    pool: asyncpg.Pool,
    org: uuid.UUID,
    count: int,
    documents: DocumentServer,
    label: str,
    *,
    account_code: str = "429",
    tax_type: str = "INPUT2",
) -> None:
    """``count`` bills approved for ``org``, recorded as the consumer would record them."""
    async with pool.acquire() as conn, conn.transaction():
        for b in range(count):
            reference = f"B{label}-{b}"
            bill = sample_bill(reference, account_code=account_code, tax_type=tax_type)
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


class Window:
    """The measured minutes: bills completed in them, per organisation."""

    def __init__(self, organisations: Sequence[uuid.UUID], measured: float) -> None:
        self.organisations, self.measured = list(organisations), measured
        self.counts: dict[uuid.UUID, int] = {}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def figures(self, ceiling: float) -> dict[str, Any]:
        total = self.total
        per_org_minute = total / len(self.organisations) / self.measured
        return {
            "orgs": len(self.organisations),
            "ratio_to_ceiling": round(per_org_minute / ceiling, 3),
            "min_org_share": round(min(self.counts.values()) / total, 4) if total else 0.0,
            "max_org_share": round(max(self.counts.values()) / total, 4) if total else 0.0,
            "bills_per_org_minute": round(per_org_minute, 2),
            "ceiling_bills_per_org_minute": round(ceiling, 2),
            "bills_published_in_window": total,
            "measured_minutes": self.measured,
        }


async def measure(publisher: RunningPublisher, window: Window, minute_s: float) -> None:
    """Runs the worker for the warm-up and the window; counts what completed in the window."""
    pool = publisher.runtime.pool
    worker = publisher.parts.worker
    started = await pool.fetchval("SELECT clock_timestamp()")
    await worker.start()
    await asyncio.sleep((WARM_UP_MINUTES + window.measured) * minute_s)
    await worker.stop()
    start = started + timedelta(seconds=WARM_UP_MINUTES * minute_s)
    end = start + timedelta(seconds=window.measured * minute_s)
    rows = await pool.fetch(
        "SELECT organisation_id, count(*) AS n FROM publications WHERE state = 'completed'"
        " AND updated_at >= $1 AND updated_at < $2 GROUP BY organisation_id",
        start,
        end,
    )
    found = {row["organisation_id"]: int(row["n"]) for row in rows}
    window.counts = {org: found.get(org, 0) for org in window.organisations}


async def each_size(
    name: str, sizes: Sequence[int], run: Callable[[int], Awaitable[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """``run`` with each number of organisations in turn, each result printed with its time."""
    runs = []
    for orgs in sizes:
        began = time.monotonic()
        runs.append(await run(orgs))
        print(f"{name}: {orgs} organisation(s): {runs[-1]} ({time.monotonic() - began:.0f}s)")
    return runs


async def drop_schema(schema: str | None) -> None:
    cleanup = await asyncpg.connect(os.environ["DATABASE_URL"])  # the administrator's
    await cleanup.execute(f'DROP SCHEMA "{schema}" CASCADE')
    await cleanup.close()


def summarise(runs: list[dict[str, Any]], extra: dict[str, Any], results: Path) -> dict[str, Any]:
    """The runs' summary (the worst ratio, every 429), written to ``results``."""
    summary = {
        "ratio_to_ceiling": min(r["ratio_to_ceiling"] for r in runs),
        "http_429": sum(r["http_429"] for r in runs),
        "orgs": [r["orgs"] for r in runs],
        "min_org_share": runs[-1]["min_org_share"],
        "max_org_share": runs[-1]["max_org_share"],
        **extra,
        "runs": runs,
    }
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(summary, indent=2) + "\n")
    return summary
