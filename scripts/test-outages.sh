#!/usr/bin/env bash
# The part of `make test` that takes servers down: the restart tests (marked `restarts`) and the
# short chaos run, one after the other, on a Kafka broker and a Postgres server of their own,
# started here under .local/outages/ on the main stack's ports plus 100 and stopped again at the
# end. `scripts/test.sh` runs this beside the other tests, which keep the main stack's servers
# running all along (ADR 0074).
#
#   scripts/test-outages.sh [--given] [pytest arguments]
#
# --given: run on the servers KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL name (make test did not
# start them): nothing is restarted there, the restart tests skip (and fail under CI=true) and
# the chaos run says it cannot restart them (which fails under CI=true too).
set -euo pipefail
cd "$(dirname "$0")/.."

given=false
if [ "${1:-}" = --given ]; then
  given=true
  shift
fi
step() { printf '\n== outages: %s (%s, %d s in)\n' "$1" "$(date +%T)" "$SECONDS"; }

chaos=(--short --out .local/chaos/short.json)
if $given; then
  chaos+=(--no-restart kafka --no-restart postgres)
else
  step "a broker and a database of their own"
  # Nothing of the main stack's: its addresses, roles and client settings are that stack's.
  if [ -f .local/stack.env ]; then
    for key in $(sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' .local/stack.env); do
      unset "$key"
    done
  fi
  export COUNTERSIGN_LOCAL_DIR="$PWD/.local/outages"
  export COUNTERSIGN_KAFKA_PORT=$((${COUNTERSIGN_KAFKA_PORT:-19092} + 100))
  export COUNTERSIGN_KAFKA_CONTROLLER_PORT=$((${COUNTERSIGN_KAFKA_CONTROLLER_PORT:-19093} + 100))
  export COUNTERSIGN_PG_PORT=$((${COUNTERSIGN_PG_PORT:-55432} + 100))
  # Empty servers: whatever an earlier run left there (stopped half-way) is not this run's.
  mkdir -p "$COUNTERSIGN_LOCAL_DIR"
  ./scripts/stack.sh down >/dev/null 2>&1 || true
  rm -rf "$COUNTERSIGN_LOCAL_DIR/kafka/data" "$COUNTERSIGN_LOCAL_DIR/postgres"
  trap './scripts/stack.sh down >/dev/null 2>&1 || true' EXIT
  if ! ./scripts/stack.sh up --infra-only >"$COUNTERSIGN_LOCAL_DIR/up.log" 2>&1; then
    cat "$COUNTERSIGN_LOCAL_DIR/up.log"
    exit 1
  fi
  grep -E '^(kafka: ready|postgres: ready|stack: infrastructure up)' "$COUNTERSIGN_LOCAL_DIR/up.log"
  set -a
  . "$COUNTERSIGN_LOCAL_DIR/stack.env"
  set +a
  # These servers are this run's own: the tests and the chaos run may stop and start them.
  export COUNTERSIGN_RESTART_INFRA=1
fi

step "restart tests (a broker and a database stopped and crashed under running services)"
status=0
.venv/bin/pytest -rs -p no:cacheprovider -m restarts "$@" || status=$?
# 5: nothing collected (a narrowed run with no restart test in it)
if [ "$status" -eq 5 ]; then status=0; fi

step "chaos run, short (100 items, a kill per service, a broker and a database crash)"
chaos_status=0
.venv/bin/python scripts/chaos.py "${chaos[@]}" || chaos_status=$?
echo "outages: restart tests exit status $status, chaos run exit status $chaos_status, $SECONDS s"
[ "$status" -eq 0 ] && [ "$chaos_status" -eq 0 ]
