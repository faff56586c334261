#!/usr/bin/env bash
# `make test`: static checks first (fast failures), then one pytest run over unit, integration
# and e2e tests against the real Kafka broker and Postgres, which this script starts and stops
# unless KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL already point at running ones, then the Xero
# and QBO fidelity nets over what every sandbox of that run served (tests/fidelity/README.md).
# Beside that pytest run, on a broker and a database of their own which they stop, crash and
# restart (scripts/test-outages.sh, ADR 0074): the restart tests, then the short chaos run
# (docs/chaos.md).
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says when it began, so a run's log shows where its minutes went (budget: 15).
step() { printf '\n== %s (%s, %d s in)\n' "$1" "$(date +%T)" "$SECONDS"; }

step "setup"
./scripts/setup.sh

# The static checks run beside the browser install and the infrastructure's start (they need
# neither, and that start mostly waits on the JVM): their log is shown when they have finished.
step "static checks: lint (ruff), types (mypy --strict), contracts, AsyncAPI, compose, Helm (beside the next two steps)"
static_log=.local/static-checks.log
mkdir -p .local
(
  set -e
  echo "-- lint (ruff)"
  .venv/bin/ruff check .
  .venv/bin/ruff format --check .
  echo "-- types (mypy --strict)"
  make --no-print-directory typecheck
  echo "-- contracts: no breaking change to a published major version"
  make --no-print-directory contracts-check
  echo "-- AsyncAPI documents up to date"
  make --no-print-directory asyncapi-check
  echo "-- docker-compose.yml valid"
  make --no-print-directory compose-check
  echo "-- Helm chart valid (offline)"
  make --no-print-directory helm-check
) >"$static_log" 2>&1 &
static_pid=$!

step "browser: Debian's Chromium and ChromeDriver for the page tests"
./scripts/browser.sh || echo "browser: not installed; the browser tests skip (and fail under CI=true)"

step "infrastructure"
. scripts/infra/use-or-start.sh
echo "Kafka: $KAFKA_BOOTSTRAP_SERVERS"
echo "Postgres: ${DATABASE_URL%%@*}@… (real server)"

step "outages: the restart tests, then the short chaos run, on servers of their own (beside the tests; their log follows the tests')"
# They stop and crash their broker and database, which would pull the shared ones from under
# the other tests: they get their own, started by test-outages.sh. Servers make test did not
# start are never restarted (the restart tests skip, and under CI=true fail, as the chaos run).
outages_log=.local/outages.log
outages=(./scripts/test-outages.sh)
$started_here || outages+=(--given)
setsid "${outages[@]}" "$@" >"$outages_log" 2>&1 &
outages_pid=$!
# Interrupted: the outages stop too (their own EXIT trap stops their servers), then ours.
stop_outages() {
  if kill -0 "$outages_pid" 2>/dev/null; then
    kill -TERM -- "-$outages_pid" 2>/dev/null || true
    wait "$outages_pid" 2>/dev/null || true
  fi
  stop_stack
}
trap stop_outages EXIT

step "static checks: their results"
static_status=0
wait "$static_pid" || static_status=$?
cat "$static_log"
if [ "$static_status" -ne 0 ]; then
  echo "static checks failed (exit status $static_status)" >&2
  exit 1
fi

step "tests (unit, integration, e2e)"
# Every Xero and QBO sandbox the tests start (in-process or as a process) records what it serves
# into a file of its own here, for the fidelity net below (tests/fidelity/README.md).
recordings="$PWD/.local/fidelity/recordings"
rm -rf "$recordings"
# -rs lists any skip with its reason; under CI=true a missing service fails instead of skipping.
# A failing test does not stop the script before the fidelity net has reported too.
# Two test processes (pytest-xdist), each module whole in one of them (its module fixtures and
# pipelines started once): the tests mostly wait on Kafka, Postgres and the services, so two
# share the two cores with room to spare (measured: 5 min 54 s instead of 11 min 34 s). Each
# test already keeps to topics, schemas and organisations of its own; those that stop and
# start the broker or database (marked `restarts`) run in the outages beside.
tests_status=0
XERO_SANDBOX_RECORD_DIR="$recordings" QBO_SANDBOX_RECORD_DIR="$recordings" \
  .venv/bin/pytest -rs --durations=10 -n 2 --dist loadfile -m "not restarts" "$@" || tests_status=$?
# 5: nothing collected (a narrowed run with nothing of this part)
if [ "$tests_status" -eq 5 ]; then tests_status=0; fi

step "fidelity: Xero's answers and the publisher's requests against Xero's spec and SDK; QBO's exchanges against Intuit's shapes"
fidelity=(.venv/bin/python -m tests.fidelity.check "$recordings")
# A whole run must have recorded something; a narrowed one (arguments given) may not.
if [ $# -eq 0 ]; then
  fidelity+=(--require-recordings)
fi
fidelity_status=0
"${fidelity[@]}" || fidelity_status=$?

step "outages: waiting for the restart tests and the short chaos run to finish"
outages_status=0
wait "$outages_pid" || outages_status=$?
cat "$outages_log"
if [ "$tests_status" -ne 0 ] || [ "$fidelity_status" -ne 0 ] || [ "$outages_status" -ne 0 ]; then
  echo "tests exit status $tests_status, fidelity net exit status $fidelity_status," \
    "outages (restart tests and chaos run) exit status $outages_status" >&2
  exit 1
fi
echo "make test: everything passed in $SECONDS s"
