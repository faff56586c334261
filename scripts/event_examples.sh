#!/usr/bin/env bash
# `make event-examples`: run the real pipeline against real Kafka and Postgres (started here
# unless KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL point at running ones), take Dext items down
# every path, break, mend and end the organisation's Xero connection, and write one real message
# per event type of the public topics (approval.requests.v1, ledger.publications.v1,
# ledger.connections.v1, ledger.master-data.v1) to docs/events/examples/
# (scripts/event_examples.py).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. scripts/infra/use-or-start.sh
.venv/bin/python scripts/event_examples.py "$@"
