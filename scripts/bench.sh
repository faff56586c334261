#!/usr/bin/env bash
# `make bench`: runs every bench/bench_*.py (or the ones named) against real Kafka and Postgres,
# started here unless KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL point at running ones. Each
# benchmark writes bench/results/<name>.json; timings are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. scripts/infra/use-or-start.sh
mkdir -p bench/results
if [ "$#" -gt 0 ]; then benches=("$@"); else benches=(bench/bench_*.py); fi
for bench in "${benches[@]}"; do
  name=$(basename "$bench" .py)
  echo "== $name"
  started=$SECONDS
  .venv/bin/python -m "bench.$name"
  echo "== $name took $((SECONDS - started)) s"
done
