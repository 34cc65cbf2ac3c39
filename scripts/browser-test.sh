#!/usr/bin/env bash
# The explorer page in a real browser: headless Chromium (Debian's), driven by playwright-core,
# against a segstat server with the bundled data; then schemathesis fuzzes the same server from
# its OpenAPI document (scripts/fuzz.sh). Screenshots go to target/artifacts/, the fuzzing
# report to target/fuzz/.
#
#   scripts/browser-test.sh
#
# Installs chromium, nodejs and npm with apt when missing, uses its own database
# (segstat_browser) in the private cluster of scripts/dev-db.sh, or BROWSER_TEST_DATABASE_URL
# when set (it is migrated and loaded with the bundled data), builds and starts `segstat serve`
# on a free port, runs explorer/tests/browser.mjs, and always stops the server.
# SEGSTAT_BIN=path uses an already built binary instead of `cargo build`.
set -euo pipefail
cd "$(dirname "$0")/.."
export SEGSTAT_DB_NAME=segstat_browser
unset DATABASE_URL
# shellcheck source=dev-db.sh
source scripts/dev-db.sh

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
[ -x /usr/bin/chromium ] || apt_install chromium
if [ ! -f explorer/node_modules/.package-lock.json ] \
    || [ explorer/package-lock.json -nt explorer/node_modules/.package-lock.json ]; then
    (cd explorer && npm ci --no-audit --no-fund)
fi

if [ -n "${BROWSER_TEST_DATABASE_URL:-}" ]; then
    export DATABASE_URL="$BROWSER_TEST_DATABASE_URL"
else
    ensure_database
fi

if [ -z "${SEGSTAT_BIN:-}" ]; then
    [ -f /usr/include/postgresql/libpq-fe.h ] || apt_install libpq-dev
    # The dev profile: `cargo test` has built it already when called from scripts/test.sh.
    cargo build --locked --bin segstat
    SEGSTAT_BIN=target/debug/segstat
fi
"$SEGSTAT_BIN" migrate
"$SEGSTAT_BIN" import bundled --data-dir data

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
mkdir -p target/artifacts
log=target/artifacts/browser-test-server.log
SEGSTAT_BIND="127.0.0.1:$port" SEGSTAT_WORKERS=2 SEGSTAT_RATE_LIMIT=0 "$SEGSTAT_BIN" serve >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
    curl -fsS "$base/ready" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; die "segstat serve exited; its log is above"; }
    sleep 0.5
done
curl -fsS "$base/ready" >/dev/null || { tail -20 "$log" >&2; die "segstat serve did not become ready on $base"; }

say "browser test against $base"
EXPLORER_URL="$base" ARTIFACTS=target/artifacts node explorer/tests/browser.mjs

# The same server, fuzzed from its own OpenAPI document with a bounded number of examples per
# operation (scripts/fuzz.sh; FUZZ_EXAMPLES=0 skips it): no 5xx, every status, content type,
# header and body as documented, every invalid input refused.
if [ "${FUZZ_EXAMPLES:-25}" != 0 ]; then
    FUZZ_CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,unsupported_method,allow_header_conformance \
        scripts/fuzz.sh "$base" "${FUZZ_EXAMPLES:-25}" 1
fi
