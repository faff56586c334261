#!/usr/bin/env bash
# `make screenshots`: runs the browser tests (``-k browser`` of tests/e2e) in Debian's headless
# Chromium with COUNTERSIGN_SCREENSHOTS=docs/images, so every page they pass through is saved
# there for the docs. Starts Kafka and Postgres unless KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL
# point at running ones.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/browser.sh
. scripts/infra/use-or-start.sh
mkdir -p docs/images
COUNTERSIGN_SCREENSHOTS="$PWD/docs/images" .venv/bin/pytest -q -p no:cacheprovider tests/e2e -k browser
ls docs/images
