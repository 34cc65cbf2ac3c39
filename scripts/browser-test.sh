#!/usr/bin/env bash
# The explorer page in a real browser: headless Chromium (Debian's), driven by playwright-core,
# against a segstat server with the bundled data. Screenshots go to target/artifacts/.
#
#   scripts/browser-test.sh
#
# Installs chromium, nodejs and npm with apt when missing, starts `segstat serve` on a free port
# with the bundled data (scripts/test-server.sh: its own database segstat_browser, or
# BROWSER_TEST_DATABASE_URL; SEGSTAT_BIN=path uses an already built binary instead of
# `cargo build`), runs explorer/tests/browser.mjs, and always stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=test-server.sh
source scripts/test-server.sh

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
[ -x /usr/bin/chromium ] || apt_install chromium
if [ ! -f explorer/node_modules/.package-lock.json ] \
    || [ explorer/package-lock.json -nt explorer/node_modules/.package-lock.json ]; then
    (cd explorer && npm ci --no-audit --no-fund)
fi

start_test_server browser-test
say "browser test against $base"
EXPLORER_URL="$base" ARTIFACTS=target/artifacts node explorer/tests/browser.mjs
