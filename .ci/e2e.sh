#!/usr/bin/env bash
# CI: the end-to-end suite in a real VS Code (code-server 4.100.3 driven by Debian's Chromium).
# Run from .ci/run after `npm ci`. code-server goes into the git-ignored prefix .cache/code-server
# (or $CODE_SERVER_PREFIX): keep that folder in the CI cache and the install is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_yes=true
started=$(date +%s)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  # chromium: the browser; libkrb5-dev, build-essential, python3: code-server's native modules
  # (kerberos, node-pty) compile from source; ripgrep: stands in for the rg code-server downloads.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium libkrb5-dev ripgrep build-essential python3 >/dev/null
fi
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
bash scripts/e2e/install-code-server.sh
echo "e2e: tools ready after $(( $(date +%s) - started )) s"
npm run test:e2e
echo "e2e: done after $(( $(date +%s) - started )) s"
