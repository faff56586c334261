#!/usr/bin/env bash
# `make test`: static checks first (fast failures), then one pytest run over unit, integration
# and e2e tests against the real Kafka broker and Postgres, which this script starts and stops
# unless KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL already point at running ones, then the short
# chaos run (docs/chaos.md) on the same infrastructure, which it crashes and restarts mid-stream.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$1"; }

step "setup"
./scripts/setup.sh

step "lint (ruff)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

step "types (mypy --strict)"
make --no-print-directory typecheck

step "contracts: no breaking change to a published major version"
make --no-print-directory contracts-check

step "AsyncAPI documents up to date"
make --no-print-directory asyncapi-check

step "docker-compose.yml valid"
make --no-print-directory compose-check

step "Helm chart valid (offline)"
make --no-print-directory helm-check

step "infrastructure"
. scripts/infra/use-or-start.sh
if $started_here; then
  # Our own servers: the restart tests and the chaos run may stop and start them.
  export COUNTERSIGN_RESTART_INFRA=1
fi
echo "Kafka: $KAFKA_BOOTSTRAP_SERVERS"
echo "Postgres: ${DATABASE_URL%%@*}@… (real server)"

step "tests (unit, integration, e2e)"
# -rs lists any skip with its reason; under CI=true a missing service fails instead of skipping.
.venv/bin/pytest -rs --durations=10 "$@"

step "chaos run, short (200 items, a kill per service, a broker and a database crash)"
# Restarts need the infrastructure started above: servers someone else runs are never
# restarted (under CI=true that fails). Its figures stay out of bench/results/.
chaos=(--short --out .local/chaos/short.json)
if ! $started_here; then
  echo "Kafka and Postgres were not started by make test: the chaos run restarts neither"
  if [ "${CI:-}" = true ]; then
    echo "CI=true: the chaos run must restart the broker and the database" >&2
    exit 1
  fi
  chaos+=(--no-restart kafka --no-restart postgres)
fi
.venv/bin/python scripts/chaos.py "${chaos[@]}"
