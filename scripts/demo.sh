#!/usr/bin/env bash
# `make demo`: bring the stack up (Kafka, Postgres, the three services) and follow one item
# through it. The stack keeps running afterwards; `make down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/stack.sh up
set -a; . .local/stack.env; set +a
.venv/bin/python scripts/demo.py
