#!/usr/bin/env bash
# `make demo`: bring the whole stack up (Kafka, Postgres, ingest, approval, publisher, notifier,
# the Dext and Xero sandboxes, the mail sandbox, the web app), then run scripts/demo.py against
# it: a demo organisation, twenty items published by the Dext sandbox, approvers deciding (the
# notifier's mails to them land in the mail sandbox), a table of where each item ended, and how
# to sign in to the web app as a demo approver.
# The stack keeps running afterwards; `make down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/stack.sh up
set -a; . .local/stack.env; set +a
.venv/bin/python scripts/demo.py
