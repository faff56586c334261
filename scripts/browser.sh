#!/usr/bin/env bash
# Makes sure Debian's Chromium and its ChromeDriver are installed, for the tests that drive
# people-facing pages in a real headless browser (no browser is ever downloaded by a test tool).
# Installs them with apt-get when it can (root, or passwordless sudo); otherwise says so and
# exits 1, and the browser tests skip — or, with CI=true, fail.
set -euo pipefail
chromium=${CHROMIUM_BINARY:-/usr/bin/chromium}
driver=${CHROMEDRIVER:-/usr/bin/chromedriver}
if [ -x "$chromium" ] && [ -x "$driver" ]; then
  exit 0
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then as_root=(sudo -n); else
    echo "browser: $chromium or $driver missing, and apt-get needs root: install chromium chromium-driver" >&2
    exit 1
  fi
fi
echo "browser: installing Debian's chromium and chromium-driver"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null 2>&1
[ -x "$chromium" ] && [ -x "$driver" ]
echo "browser: $("$chromium" --version 2>/dev/null | head -1 || true)"
