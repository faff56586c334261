"""What the pipeline benchmark reads: completions from the ledger topic, CPU and memory of a
process from /proc, and the no-business-logic baseline (bench/baseline) run end to end."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from aiokafka import AIOKafkaConsumer
from countersign_contracts import LEDGER_PUBLICATIONS, decode
from countersign_harness.infra import Infrastructure
from countersign_harness.processes import ServiceProcess, listening_pid
from countersign_harness.waiting import eventually
from countersign_platform.kafka_security import client_options

__all__ = [
    "Events",
    "InfraReading",
    "ProcessReading",
    "baseline_run",
    "infra_cpu_per_1000",
    "percentile",
]

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]


@dataclass(frozen=True)
class ProcessReading:
    cpu_s: float  # user + system, since the process started
    peak_rss_mb: float  # VmHWM

    @classmethod
    def of(cls, process: ServiceProcess) -> ProcessReading:
        assert process.process is not None
        pid = process.process.pid
        status = Path(f"/proc/{pid}/status").read_text()
        peak_kb = next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM"))
        return cls(_cpu_s(pid), peak_kb / 1024)


def _cpu_s(pid: int, *, reaped_children: bool = False) -> float:
    """User + system CPU seconds of ``pid``; with ``reaped_children``, also of the children
    it has waited for (Postgres's backends that ended: their time moves to the postmaster)."""
    # Field 2 (comm) may hold spaces; everything after its closing parenthesis is fixed.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def _children(pid: int) -> list[int]:
    found = []
    for child in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) == pid:
                found.append(int(child))
    return found


@dataclass(frozen=True)
class InfraReading:
    """CPU seconds of the local Kafka broker and of Postgres (the postmaster, every backend
    alive now, and every backend that has ended — a connection closed between two readings
    still counts); ``None`` for one that is not a local process."""

    kafka_s: float | None
    postgres_s: float | None

    @classmethod
    def of(cls, infra: Infrastructure) -> InfraReading:
        kafka_port = int(infra.kafka_bootstrap_servers.split(",")[0].rsplit(":", 1)[1])
        kafka = listening_pid(kafka_port)
        postmaster = listening_pid(urlsplit(infra.database_url).port or 5432)
        postgres = None
        if postmaster is not None:
            postgres = _cpu_s(postmaster, reaped_children=True) + sum(
                _cpu_s(p) for p in _children(postmaster)
            )
        return cls(None if kafka is None else _cpu_s(kafka), postgres)


def infra_cpu_per_1000(before: InfraReading, after: InfraReading, items: int) -> dict[str, float]:
    """Kafka's and Postgres's CPU seconds per 1,000 items between two readings (backends that
    ended in between are missed; the pipeline's pools keep theirs)."""
    spent = {
        "kafka": (before.kafka_s, after.kafka_s),
        "postgres": (before.postgres_s, after.postgres_s),
    }
    return {
        name: round((b - a) * 1000 / items, 1)
        for name, (a, b) in spent.items()
        if a is not None and b is not None
    }


class Events:
    """Reads a topic from the start: when each item's ``event_type`` happened (the event's
    ``occurred_at``, stamped in the producing service's transaction)."""

    def __init__(
        self,
        bootstrap: str,
        isolation: str,
        topic: str = LEDGER_PUBLICATIONS,
        event_type: str = "PublicationCompleted",
    ) -> None:
        self._topic, self._event_type = topic, event_type
        self._consumer = AIOKafkaConsumer(
            f"{isolation}.{topic}",
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            **client_options(),
        )
        self.seen: dict[str, float] = {}

    async def start(self) -> None:
        await self._consumer.start()

    async def stop(self) -> None:
        await self._consumer.stop()

    async def wait_for(self, items: set[str], timeout_s: float) -> dict[str, float]:
        deadline = time.monotonic() + timeout_s
        while not items <= self.seen.keys() and time.monotonic() < deadline:
            batches = await self._consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    envelope = decode(self._topic, record.value)
                    if envelope.event_type == self._event_type:
                        item = envelope.payload.dext_item_id
                        self.seen[item] = envelope.occurred_at.timestamp()
        return {item: self.seen[item] for item in items if item in self.seen}


class Sink:
    """The baseline's last hop: an HTTP server noting when each item arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                item = json.loads(body)["item"]
                sink.arrived.setdefault(item, time.time())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/sink"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


async def arrived(sink: Sink) -> set[str]:
    return set(sink.arrived)


async def baseline_run(
    infra: Infrastructure, log_dir: Path, items: int
) -> tuple[float, dict[str, float]]:
    """Items per second through the baseline's three processes, first POST to last arrival;
    and Kafka's and Postgres's CPU seconds per 1,000 items meanwhile."""
    isolation = "bb" + uuid.uuid4().hex[:8]
    sink = Sink()
    stages = [
        ServiceProcess(
            "baseline",
            infra,
            isolation,
            log_dir / "baseline",
            label=f"baseline-{role}",
            command=[sys.executable, "-m", "bench.baseline.service"],
            extra_env={
                # No Countersign service, so no principal of its own on a secured broker
                # (ADR 0063): it connects as this process does, the admin.
                **{k: v for k, v in os.environ.items() if k.startswith("KAFKA_SASL_")},
                "BASELINE_ROLE": role,
                "BASELINE_DB_SCHEMA": f"{isolation}_{role}",
                "BASELINE_SINK_URL": sink.url,
            },
        )
        for role in ("front", "middle", "back")
    ]
    try:
        for stage in stages:
            stage.start()
        for stage in stages:
            stage.wait_ready()
        body = b"x" * 20_000  # the size of the pipeline run's original
        limit = asyncio.Semaphore(8)
        started: dict[str, float] = {}

        async def one(http: httpx.AsyncClient, item: str) -> None:
            async with limit:
                started[item] = time.time()
                (await http.post(f"{stages[0].url}/items/{item}", content=body)).raise_for_status()

        async with httpx.AsyncClient(timeout=30) as http:
            await one(http, "warm")
            await eventually(lambda: arrived(sink), lambda got: "warm" in got, timeout_s=60)
            started.clear()
            before = InfraReading.of(infra)
            await asyncio.gather(*(one(http, f"b-{n}") for n in range(items)))
        await eventually(lambda: arrived(sink), lambda got: started.keys() <= got, timeout_s=120)
        spent = infra_cpu_per_1000(before, InfraReading.of(infra), items)
        finished = [sink.arrived[i] for i in started if i in sink.arrived]
        return len(finished) / (max(finished) - min(started.values())), spent
    finally:
        for stage in stages:
            stage.stop()
        sink.close()
