#!/usr/bin/env bash
# Sourced, not run: a `segstat serve` on the bundled data for the test steps that talk to a real
# server over HTTP (scripts/browser-test.sh, scripts/fuzz-test.sh).
#
#   source scripts/test-server.sh
#   start_test_server NAME      # sets $base (http://127.0.0.1:PORT); the server stops on exit
#
# Uses its own database (segstat_browser) in the private cluster of scripts/dev-db.sh, or
# BROWSER_TEST_DATABASE_URL when set; migrates it and imports the bundled data (both are no-ops
# when already done, so a second step on the same database starts in seconds). Builds the dev
# binary unless SEGSTAT_BIN names one. The server's log goes to target/artifacts/NAME-server.log.
set -euo pipefail
export SEGSTAT_DB_NAME=segstat_browser
unset DATABASE_URL
# shellcheck source=dev-db.sh
source "$(dirname "${BASH_SOURCE[0]}")/dev-db.sh"

start_test_server() {
    local name=$1 port log
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
    log="target/artifacts/$name-server.log"
    SEGSTAT_BIND="127.0.0.1:$port" SEGSTAT_WORKERS=2 SEGSTAT_RATE_LIMIT=0 "$SEGSTAT_BIN" serve >"$log" 2>&1 &
    test_server_pid=$!
    trap 'kill "$test_server_pid" 2>/dev/null; wait "$test_server_pid" 2>/dev/null || true' EXIT

    for _ in $(seq 1 120); do
        curl -fsS "$base/ready" >/dev/null 2>&1 && break
        kill -0 "$test_server_pid" 2>/dev/null || { cat "$log" >&2; die "segstat serve exited; its log is above"; }
        sleep 0.5
    done
    curl -fsS "$base/ready" >/dev/null || { tail -20 "$log" >&2; die "segstat serve did not become ready on $base"; }
}
