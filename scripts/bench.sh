#!/usr/bin/env bash
# `make bench`: runs every bench/bench_*.py (or the ones named) against real Kafka and Postgres,
# started here unless KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL point at running ones. Each
# benchmark writes bench/results/<name>.json; timings are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
started_here=false
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ] || [ -z "${DATABASE_URL:-}" ]; then
  ./scripts/stack.sh up --infra-only
  started_here=true
  set -a; . .local/stack.env; set +a
fi
stop_stack() { if $started_here; then ./scripts/stack.sh down; fi; }
trap stop_stack EXIT
mkdir -p bench/results
if [ "$#" -gt 0 ]; then benches=("$@"); else benches=(bench/bench_*.py); fi
for bench in "${benches[@]}"; do
  name=$(basename "$bench" .py)
  echo "== $name"
  started=$SECONDS
  .venv/bin/python -m "bench.$name"
  echo "== $name took $((SECONDS - started)) s"
done
