#!/usr/bin/env bash
# `make chaos`: the chaos run (scripts/chaos.py, docs/chaos.md) against real Kafka and Postgres,
# started here unless KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL point at running ones. Arguments
# go to the run (`make chaos ARGS=--short`). Writes bench/results/chaos.json.
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
.venv/bin/python scripts/chaos.py "$@"
