#!/usr/bin/env bash
# Re-resolves the workspace and writes the pinned requirement files that are committed.
# uv.lock stays local (it records registry addresses); these files carry only names and versions.
set -euo pipefail
cd "$(dirname "$0")/.."
uv lock --quiet
export_pins() { uv export --frozen --no-hashes --no-emit-workspace --no-header "$@"; }
export_pins --all-packages --all-groups -o requirements.txt >/dev/null
for svc in ingest approval publisher notifier web; do
  export_pins --package "countersign-$svc" --no-dev -o "services/$svc/requirements.txt" >/dev/null
done
for sandbox in dext mail xero qbo; do
  export_pins --package "countersign-$sandbox-sandbox" --no-dev -o "sandbox/$sandbox/requirements.txt" >/dev/null
done
echo "pinned: requirements.txt services/*/requirements.txt sandbox/*/requirements.txt"
