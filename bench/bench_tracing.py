"""What tracing costs (ADR 0059): the pipeline benchmark's main run (bench_pipeline.py) with
tracing off, then on, every span exported over OTLP/HTTP to an in-memory receiver in this
process (not counted: a collector runs elsewhere). CPU per item of each service both ways.

Writes bench/results/tracing.json. Size: BENCH_PIPELINE_ITEMS (default 300). Run:
python -m bench.bench_tracing.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

from countersign_harness.infra import infrastructure
from countersign_harness.otlp_receiver import OtlpReceiver

from bench.bench_pipeline import ITEMS, RESULTS, measure_pipeline
from bench.pipeline_measures import baseline_run


async def main() -> None:
    with infrastructure() as infra, tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        await baseline_run(infra, log_dir / "warm-up", ITEMS)  # warm servers, as bench_pipeline
        off = await measure_pipeline(infra, log_dir / "off")
        with OtlpReceiver() as traces:
            on = await measure_pipeline(infra, log_dir / "on", traces)
            on["spans_per_item"] = round(traces.span_count / (on["items"] + 20), 1)
    result = {"tracing_off": off, "tracing_on": on}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "tracing.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
