#!/usr/bin/env bash
# `make chaos`: the chaos run (scripts/chaos.py, docs/chaos.md) against real Kafka and Postgres,
# started here unless KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL point at running ones. Arguments
# go to the run (`make chaos ARGS=--short`). Writes bench/results/chaos.json.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. scripts/infra/use-or-start.sh
mkdir -p bench/results
.venv/bin/python scripts/chaos.py "$@"
