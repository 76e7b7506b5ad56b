#!/usr/bin/env bash
# The test command (README.md): installs the real clients the end-to-end suite drives — Debian's
# Chromium, the npm packages of interop/ and browser-tests/, PyJWT — when they are missing, then
# runs every test of the workspace. Extra arguments go to `cargo test` (e.g. `--locked`).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  else
    echo "error: the browser tests need Debian's chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi

for dir in interop browser-tests; do
  # npm ci only when node_modules is missing or older than the lock file.
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    npm ci --prefix "$dir" --no-audit --no-fund
  fi
done

if ! python3 -c 'import jwt, cryptography' >/dev/null 2>&1; then
  python3 -m pip install -q -r interop/python/requirements.txt
fi

exec cargo test --workspace "$@"
