# Sourced by make test, bench and chaos: use the Kafka and Postgres that KAFKA_BOOTSTRAP_SERVERS
# and DATABASE_URL name, or start this checkout's own (stopped again when the script exits, and
# their addresses exported). Sets started_here=true|false.
started_here=false
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ] || [ -z "${DATABASE_URL:-}" ]; then
  ./scripts/stack.sh up --infra-only
  started_here=true
  set -a; . .local/stack.env; set +a
fi
stop_stack() { if $started_here; then ./scripts/stack.sh down; fi; }
trap stop_stack EXIT
