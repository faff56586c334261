"""Ingest intake: cost items accepted per second, each with its own 100 KB PDF, by 32 concurrent
Dext clients, against ingest running as a real process on the real Postgres and Kafka; and the
accept latency (signed multipart call → 202) at the 50th and 99th percentiles.

Writes bench/results/ingest.json: {"accepted_per_s", "p50_ms", "p99_ms"} (plus the run's shape).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line
from countersign_harness.infra import infrastructure_from
from countersign_harness.processes import ServiceProcess

CONCURRENCY = 32
ITEMS = 640
WARM_UP = 32
PDF_BYTES = 100 * 1024
RESULTS = Path(__file__).parent / "results" / "ingest.json"
ADMIN_TOKEN = "bench-operator-token"


def item(n: int) -> tuple[dict[str, Any], bytes]:
    lines = [
        line("Printer paper", "5", "21.10", tracking=[("Region", "North")]),
        line("Toner", "2", "64.99", account_code="463"),
    ]
    meta = cost_item(f"bench-{n}", "invoice", lines, reference=f"B-{n}", due_in_days=30)
    return meta, pdf("Northwind Stationery Ltd", f"Invoice B-{n}", pad_to=PDF_BYTES)


async def publish_all(url: str, org: uuid.UUID, secret: str, first: int, count: int) -> list[float]:
    payloads = [item(n) for n in range(first, first + count)]
    queue: asyncio.Queue[tuple[dict[str, Any], bytes]] = asyncio.Queue()
    for payload in payloads:
        queue.put_nowait(payload)
    latencies: list[float] = []

    async def worker() -> None:
        async with DextClient(url, org, secret, timeout_s=120) as dext:
            while not queue.empty():
                meta, original = queue.get_nowait()
                started = time.perf_counter()
                response = await dext.publish_cost_item(meta, "invoice.pdf", original)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 202:
                    raise RuntimeError(f"{response.status_code}: {response.text[:300]}")

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def drop_schema(database_url: str, schema: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def main() -> None:
    infra = infrastructure_from(os.environ)
    isolation = f"bench_{uuid.uuid4().hex[:8]}"
    os.environ.update(
        COUNTERSIGN_ADMIN_TOKEN=ADMIN_TOKEN,
        ENCRYPTION_KEYS="bench:" + base64.b64encode(os.urandom(32)).decode(),
        DOCUMENT_LINK_SECRET="bench-document-links",
        INGEST_DB_POOL_MAX="20",
    )
    ingest = ServiceProcess("ingest", infra, isolation, Path(tempfile.mkdtemp()))
    ingest.start()
    try:
        ingest.wait_ready()
        org, secret = uuid.uuid4(), base64.urlsafe_b64encode(os.urandom(32)).decode()
        httpx.put(
            f"{ingest.url}/v1/operator/organisations/{org}/dext-secret",
            json={"secret": secret},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ).raise_for_status()
        asyncio.run(publish_all(ingest.url, org, secret, 0, WARM_UP))
        started = time.perf_counter()
        latencies = asyncio.run(publish_all(ingest.url, org, secret, WARM_UP, ITEMS))
        elapsed = time.perf_counter() - started
    finally:
        ingest.stop()
        asyncio.run(drop_schema(infra.database_url, f"{isolation}_ingest"))
    result = {
        "accepted_per_s": round(ITEMS / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "items": ITEMS,
        "concurrency": CONCURRENCY,
        "pdf_bytes": PDF_BYTES,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
