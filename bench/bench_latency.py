"""Latency, hop by hop, with the services' shipped settings: how long an item takes from Dext's
publish to each of its events, one at a time (unloaded) and at fixed offered rates.

    publish ─▶ RequestOpened ─▶ RequestAuthorised ─▶ BillCreated ─▶ PublicationCompleted
    (Dext)     (approval)       (approval)           (publisher)    (publisher)

Items are auto-approved invoices spread over several organisations; Xero's limits are lifted
(in the sandbox and in the publisher's own pacing), every other setting is what the services
ship with — poll intervals, fetch settings, concurrency. Rates are offered open-loop: item n
is published at t0 + n / rate whatever happened to the ones before, so a backlog shows as
growing latency rather than a slower generator.

Writes bench/results/latency.json. Sizes: BENCH_LATENCY_SECONDS per rate (default 60),
BENCH_LATENCY_RATES (default "5,10,20"), BENCH_LATENCY_UNLOADED items (default 40).
Run: python -m bench.bench_latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer
from countersign_contracts import APPROVAL_REQUESTS, LEDGER_PUBLICATIONS, decode
from countersign_dext_sandbox.client import DextClient
from countersign_harness.infra import infrastructure
from countersign_harness.organisation import Organisation
from countersign_harness.pipeline import Pipeline
from countersign_platform.kafka_security import client_options

from bench.bench_pipeline import ORIGINAL, metadata, provision
from bench.pipeline_measures import InfraReading, ProcessReading, percentile

SECONDS = float(os.environ.get("BENCH_LATENCY_SECONDS", "60"))
RATES = [float(r) for r in os.environ.get("BENCH_LATENCY_RATES", "5,10,20").split(",")]
UNLOADED = int(os.environ.get("BENCH_LATENCY_UNLOADED", "40"))
ORGANISATIONS = 8
RESULTS = Path(__file__).parent / "results"
MILESTONES = ("RequestOpened", "RequestAuthorised", "BillCreated", "PublicationCompleted")
SEGMENTS = (
    ("publish", "RequestOpened"),
    ("RequestOpened", "RequestAuthorised"),
    ("RequestAuthorised", "BillCreated"),
    ("BillCreated", "PublicationCompleted"),
    ("publish", "BillCreated"),
    ("publish", "PublicationCompleted"),
)


class Milestones:
    """When each item reached each milestone: the event's ``occurred_at``, stamped in the
    producing service's transaction (every process shares this machine's clock)."""

    def __init__(self, bootstrap: str, isolation: str) -> None:
        self._consumer = AIOKafkaConsumer(
            f"{isolation}.{APPROVAL_REQUESTS}",
            f"{isolation}.{LEDGER_PUBLICATIONS}",
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            **client_options(),
        )
        self.at: dict[str, dict[str, float]] = {}
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Milestones:
        await self._consumer.start()
        self._task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    async def _read(self) -> None:
        while True:
            for records in (await self._consumer.getmany(timeout_ms=100)).values():
                for record in records:
                    topic = record.topic.split(".", 1)[1]
                    envelope = decode(topic, record.value)
                    if envelope.event_type in MILESTONES:
                        item = self.at.setdefault(envelope.payload.dext_item_id, {})
                        item.setdefault(envelope.event_type, envelope.occurred_at.timestamp())

    async def completed(self, items: set[str], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all("PublicationCompleted" in self.at.get(i, {}) for i in items):
                return True
            await asyncio.sleep(0.02)
        return False


def _segments(published: dict[str, float], seen: Milestones) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for start, end in SEGMENTS:
        spans = sorted(
            (seen.at[i][end] - (t if start == "publish" else seen.at[i][start])) * 1000
            for i, t in published.items()
            if end in seen.at.get(i, {}) and (start == "publish" or start in seen.at[i])
        )
        out[f"{start} → {end}"] = {
            "p50_ms": round(percentile(spans, 50), 1),
            "p95_ms": round(percentile(spans, 95), 1),
            "p99_ms": round(percentile(spans, 99), 1),
            "max_ms": round(spans[-1], 1) if spans else None,
            "items": len(spans),
        }
    return out


class Cpu:
    """CPU seconds of every process of the run: the services, both sandboxes, Kafka and
    Postgres ("all-in", the load generator left out)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        self._start = self._read()

    def _read(self) -> dict[str, float]:
        found = {(p.label or p.name): ProcessReading.of(p).cpu_s for p in self._pipeline.processes}
        infra = InfraReading.of(self._pipeline.infra)
        found["kafka"] = infra.kafka_s or 0.0
        found["postgres"] = infra.postgres_s or 0.0
        return found

    def per_item_ms(self, items: int) -> dict[str, float]:
        now = self._read()
        spent = {name: (now[name] - self._start[name]) * 1000 / items for name in now}
        return {**{k: round(v, 2) for k, v in spent.items()}, "all": round(sum(spent.values()), 2)}


async def unloaded(dexts: list[DextClient], seen: Milestones, run: str) -> dict[str, Any]:
    """One item at a time: each published once the one before is completed."""
    published: dict[str, float] = {}
    for n in range(UNLOADED):
        item = f"{run}-u{n}"
        dext = dexts[n % len(dexts)]
        published[item] = time.time()
        sent = await dext.publish_cost_item(metadata(item), f"{item}.pdf", ORIGINAL)
        assert sent.status_code == 202, sent.text
        assert await seen.completed({item}, timeout_s=60), f"{item} not completed"
        await asyncio.sleep(0.2)  # let every loop fall idle again
    return {"items": UNLOADED, "segments": _segments(published, seen)}


async def offered(
    dexts: list[DextClient], seen: Milestones, rate: float, run: str
) -> dict[str, Any]:
    """``rate`` items a second for ``SECONDS``, published on a fixed schedule."""
    published: dict[str, float] = {}
    count = int(rate * SECONDS)
    t0 = time.monotonic() + 0.5
    late = 0

    async def one(n: int) -> None:
        item = f"{run}-r{rate:g}-{n}"
        published[item] = time.time()
        sent = await dexts[n % len(dexts)].publish_cost_item(
            metadata(item), f"{item}.pdf", ORIGINAL
        )
        assert sent.status_code == 202, sent.text

    tasks = []
    for n in range(count):
        wait = t0 + n / rate - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        else:
            late += 1
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    window_end = time.time()
    done = await seen.completed(set(published), timeout_s=120)
    completed = sorted(
        seen.at[i]["PublicationCompleted"]
        for i in published
        if "PublicationCompleted" in seen.at.get(i, {})
    )
    # A backlog grows when the pipeline falls behind the offered rate: then the last tenth of
    # the items waits clearly longer than the first tenth.
    order = sorted(published, key=published.__getitem__)
    tenth = max(1, len(order) // 10)

    def total_ms(items: list[str]) -> float:
        spans = sorted(
            (seen.at[i]["BillCreated"] - published[i]) * 1000
            for i in items
            if "BillCreated" in seen.at.get(i, {})
        )
        return percentile(spans, 50)

    first, last = total_ms(order[:tenth]), total_ms(order[-tenth:])
    return {
        "offered_per_s": rate,
        "items": count,
        "published_late": late,
        "achieved_per_s": round(len(completed) / (completed[-1] - min(published.values())), 2)
        if completed
        else 0.0,
        "all_completed": done,
        "completed_after_window_s": round(completed[-1] - window_end, 2) if completed else None,
        "backlog_grew": bool(last > 2 * first + 50),
        "first_tenth_p50_ms": round(first, 1),
        "last_tenth_p50_ms": round(last, 1),
        "segments": _segments(published, seen),
    }


async def main() -> None:
    with infrastructure() as infra, tempfile.TemporaryDirectory() as tmp:
        isolation = "bl" + uuid.uuid4().hex[:8]
        with Pipeline(infra, isolation, Path(tmp), shipped=True) as pipeline:
            orgs: list[Organisation] = await provision(pipeline, ORGANISATIONS)
            async with contextlib.AsyncExitStack() as stack:
                dexts = [await stack.enter_async_context(org.dext()) for org in orgs]
                seen = await stack.enter_async_context(
                    Milestones(infra.kafka_bootstrap_servers, isolation)
                )
                warm = [f"warm-{n}" for n in range(2 * ORGANISATIONS)]
                for n, item in enumerate(warm):  # connections, caches, each org's contact
                    sent = await dexts[n % ORGANISATIONS].publish_cost_item(
                        metadata(item), f"{item}.pdf", ORIGINAL
                    )
                    assert sent.status_code == 202, sent.text
                assert await seen.completed(set(warm), timeout_s=120)
                cpu = Cpu(pipeline)
                result: dict[str, Any] = {"unloaded": await unloaded(dexts, seen, "a")}
                result["unloaded"]["cpu_ms_per_item"] = cpu.per_item_ms(UNLOADED)
                result["rates"] = []
                for rate in RATES:
                    cpu = Cpu(pipeline)
                    measured = await offered(dexts, seen, rate, "b")
                    measured["cpu_ms_per_item"] = cpu.per_item_ms(measured["items"])
                    result["rates"].append(measured)
                    await asyncio.sleep(2)
    result["settings"] = "shipped (Xero's limits lifted in the sandbox and the publisher)"
    result["organisations"] = ORGANISATIONS
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latency.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
