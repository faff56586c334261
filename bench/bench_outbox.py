"""Outbox relay throughput: rows published per second from Postgres to Kafka, with one relay
and with three relays sharing the table (the per-key order guarantee costs what it costs).

Writes bench/results/outbox.json: {"rows", "relays": {"1": rows_per_s, "3": rows_per_s}}.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from pathlib import Path

import asyncpg
from countersign_contracts import COST_ITEMS
from countersign_harness.samples import cost_item_submitted
from countersign_harness.waiting import eventually
from countersign_platform.migrations import migrate
from countersign_platform.outbox import OutboxRelay, enqueue
from countersign_platform.producer import RenewingProducer
from countersign_platform.topics import ensure_topics

ROWS = 5000
RESULTS = Path(__file__).parent / "results" / "outbox.json"
NO_SERVICE_TABLES = Path(__file__).parents[1] / "tests" / "integration" / "no_migrations"


async def run(relay_count: int, database_url: str, bootstrap: str) -> float:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    await migrate(database_url, schema, NO_SERVICE_TABLES)
    await ensure_topics(bootstrap, {f"{schema}.{COST_ITEMS}": 6})
    settings = {"search_path": schema}
    pool = await asyncpg.create_pool(
        database_url, min_size=2, max_size=10, server_settings=settings
    )
    org = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        for n in range(ROWS):
            await enqueue(conn, COST_ITEMS, cost_item_submitted(org, f"item-{n % 200}", n + 1))
    producers = [RenewingProducer(bootstrap, client_id="bench") for _ in range(relay_count)]
    for producer in producers:
        await producer.start()
    relays = [
        OutboxRelay(
            pool,
            producer,
            schema=schema,
            connect=lambda: asyncpg.connect(database_url, server_settings=settings),
            topic_prefix=f"{schema}.",
            batch_size=500,
            poll_interval_s=0.05,
        )
        for producer in producers
    ]
    started = time.perf_counter()
    for relay in relays:
        await relay.start()
    await eventually(
        lambda: pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"),
        lambda pending: pending == 0,
        timeout_s=300,
        interval_s=0.02,
    )
    elapsed = time.perf_counter() - started
    for relay in relays:
        await relay.stop()
    for producer in producers:
        await producer.stop()
    await pool.execute(f'DROP SCHEMA "{schema}" CASCADE')
    await pool.close()
    return ROWS / elapsed


async def main() -> None:
    database_url = os.environ["DATABASE_URL"]
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    results = {"rows": ROWS, "relays": {}}
    for count in (1, 3):
        rate = await run(count, database_url, bootstrap)
        results["relays"][str(count)] = round(rate)
        print(f"outbox relay: {count} relay(s): {rate:,.0f} rows/s")
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
