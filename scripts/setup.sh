#!/usr/bin/env bash
# Installs the Python toolchain and every pinned dependency into .venv (idempotent and quick when
# nothing changed). Needs only python3 with pip; uv is installed from the package index.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  python3 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
stamp=.venv/.requirements.sha256
want=$(cat requirements.txt libs/*/pyproject.toml services/*/pyproject.toml sandbox/*/pyproject.toml 2>/dev/null \
  | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
[ -x .venv/bin/python ] || uv venv --quiet --python 3.11 .venv
export VIRTUAL_ENV="$PWD/.venv"
uv pip sync --quiet requirements.txt
# Every local sandbox package (sandbox/<name>/pyproject.toml) is installed editable as well.
sandboxes=()
for pyproject in sandbox/*/pyproject.toml; do
  [ -f "$pyproject" ] && sandboxes+=(-e "$(dirname "$pyproject")")
done
uv pip install --quiet --no-deps \
  -e libs/contracts -e libs/platform -e libs/harness \
  -e services/ingest -e services/approval -e services/publisher -e services/notifier -e services/web "${sandboxes[@]}"
echo "$want" > "$stamp"
echo "setup: .venv ready"
