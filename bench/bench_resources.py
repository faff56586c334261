"""Memory and CPU of every service process, for the Helm chart's resource requests and limits:
the whole pipeline with the people's side (ingest, approval, publisher, notifier, the web app)
as real processes, sampled from /proc every half second while it idles and while items go
through it end to end (Dext publish → auto-approved → bill in the Xero sandbox).

Writes bench/results/resources.json and bench/results/resources.md; docs/deploying-to-kubernetes.md
explains how the chart's figures follow from them. Size: BENCH_RESOURCES_ITEMS (default 300).
Run: python -m bench.bench_resources.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from countersign_harness.infra import infrastructure
from countersign_harness.pipeline import Pipeline
from countersign_harness.processes import ServiceProcess

from bench.bench_pipeline import provision, through_pipeline
from bench.pipeline_measures import CLOCK_TICKS, percentile

ITEMS = int(os.environ.get("BENCH_RESOURCES_ITEMS", "300"))
IDLE_S = 20.0
SAMPLE_S = 0.5
RESULTS = Path(__file__).parent / "results"
_HEADER = (
    "| process | RSS MB idle (max) | RSS MB load (max) | CPU idle (mean) | CPU load (mean)"
    " | CPU load (p95) | CPU load (max) | CPU s per 1,000 items |"
    "\n|---|---|---|---|---|---|---|---|"
)


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS")) / 1024


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass
class Series:
    """One process's samples: resident memory (MB) and CPU (cores) over each interval."""

    rss_mb: list[float] = field(default_factory=list)
    cores: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        rss, cores = sorted(self.rss_mb), sorted(self.cores)
        return {
            "rss_mb_p50": round(percentile(rss, 50), 1),
            "rss_mb_max": round(max(rss), 1),
            "cores_mean": round(sum(cores) / len(cores), 3),
            "cores_p95": round(percentile(cores, 95), 3),
            "cores_max": round(max(cores), 3),
        }


async def sample(processes: dict[str, ServiceProcess], seconds: float | None) -> dict[str, Series]:
    """Samples every process until ``seconds`` have passed (None: until cancelled)."""
    pids = {name: p.process.pid for name, p in processes.items() if p.process is not None}
    series = {name: Series() for name in pids}
    last = {name: (_cpu_s(pid), time.monotonic()) for name, pid in pids.items()}
    ends = None if seconds is None else time.monotonic() + seconds
    with contextlib.suppress(asyncio.CancelledError):
        while ends is None or time.monotonic() < ends:
            await asyncio.sleep(SAMPLE_S)
            for name, pid in pids.items():
                cpu, now = _cpu_s(pid), time.monotonic()
                series[name].cores.append((cpu - last[name][0]) / (now - last[name][1]))
                series[name].rss_mb.append(_rss_mb(pid))
                last[name] = (cpu, now)
    return series


async def measure(infra: Any, log_dir: Path) -> dict[str, Any]:
    with Pipeline(infra, "br" + uuid.uuid4().hex[:8], log_dir, people=True) as pipeline:
        processes = {
            "ingest": pipeline.ingest,
            "approval": pipeline.approval,
            "publisher": pipeline.publishers[0],
            "notifier": pipeline.notifier,
            "web": pipeline.web,
        }
        orgs = await provision(pipeline, 4)
        await through_pipeline(pipeline, orgs, 20, "warm")
        idle = await sample(processes, IDLE_S)
        sampler = asyncio.create_task(sample(processes, None))
        started, done = await through_pipeline(pipeline, orgs, ITEMS, "load")
        sampler.cancel()
        load = await sampler
    seconds = max(done.values()) - min(started.values())
    return {
        "items": len(started),
        "completed": len(done),
        "seconds": round(seconds, 1),
        "idle": {name: s.summary() for name, s in idle.items()},
        "load": {name: s.summary() for name, s in load.items()},
    }


def summary(result: dict[str, Any]) -> str:
    per_1000 = result["seconds"] * 1000 / result["items"]
    rows = "\n".join(
        f"| {name} | {idle['rss_mb_max']} | {load['rss_mb_max']} | {idle['cores_mean']}"
        f" | {load['cores_mean']} | {load['cores_p95']} | {load['cores_max']}"
        f" | {load['cores_mean'] * per_1000:.1f} |"
        for name, idle, load in ((n, result["idle"][n], result["load"][n]) for n in result["load"])
    )
    return f"""# Resources of the service processes

{result["completed"]} of {result["items"]} invoices end to end in {result["seconds"]} s (4
organisations, auto-approved, Xero sandbox limits off), every process on one 2-core machine with
Kafka and Postgres. Sampled from /proc every {SAMPLE_S} s: {IDLE_S:.0f} s idle after a warm-up,
then the whole load. CPU in cores (1.0 = one core busy); the last column is the load's CPU
seconds per 1,000 items. The web app serves no one in this run (items are approved
automatically): its figures are its idle cost.

{_HEADER}
{rows}
"""


async def main() -> None:
    with infrastructure() as infra, tempfile.TemporaryDirectory() as tmp:
        result = await measure(infra, Path(tmp))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "resources.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "resources.md").write_text(summary(result))
    print(summary(result))


if __name__ == "__main__":
    asyncio.run(main())
