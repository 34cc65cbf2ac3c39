#!/usr/bin/env bash
# The scaled-out topology, on one machine and all on loopback:
#
#   HAProxy 127.0.0.1:${SEGSTAT_LB_PORT:-8080}   health checks on /ready, retries idempotent GETs
#     ├─ segstat serve 127.0.0.1:8081  ── primary PostgreSQL   (the only one an import writes to)
#     └─ segstat serve 127.0.0.1:8082  ── hot standby          (pg_basebackup, streaming replication)
#
#   scripts/replicas.sh start [DATA_DIR]   build (release), create and start everything, import the
#                                          bundled data (or DATA_DIR's) on the primary, wait until
#                                          both APIs are ready behind the balancer
#   scripts/replicas.sh import             import the bundled data again on the primary
#   scripts/replicas.sh status             /ready of each API, replication as the primary sees it
#   scripts/replicas.sh stop               stop everything and remove .replicas/
#
# Everything lives in .replicas/ (clusters, sockets, logs). The clusters listen on Unix sockets only.
# The balancer is HAProxy with deploy/haproxy.cfg (why not nginx: see there).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dev-db.sh
source scripts/dev-db.sh

ROOT="$PWD/.replicas"
LB_PORT="${SEGSTAT_LB_PORT:-8080}"
API_PORTS=(8081 8082)
BIN="${SEGSTAT_BIN:-$PWD/target/release/segstat}"

pg_url() { printf 'postgres://postgres@localhost/segstat?host=%s' "$ROOT/run-$1"; }

start_pg() {
    # $1: primary | standby
    local options="-c listen_addresses='' -k $ROOT/run-$1 -c fsync=off -c max_connections=200 -c hot_standby_feedback=on"
    as_pg "$PG_BIN/pg_ctl" -D "$ROOT/$1" -l "$ROOT/$1.log" -w -t 60 -o "$options" start >/dev/null \
        || { tail -20 "$ROOT/$1.log" >&2; die "PostgreSQL ($1) did not start; its log is above"; }
}

start_api() {
    # $1: port, $2: primary | standby
    SEGSTAT_BIND="127.0.0.1:$1" DATABASE_URL="$(pg_url "$2")" SEGSTAT_RATE_LIMIT=0 \
        RUST_LOG="${RUST_LOG:-warn}" nohup "$BIN" serve >"$ROOT/api-$1.log" 2>&1 &
    echo $! >"$ROOT/api-$1.pid"
}

wait_ready() {
    # $1: URL; waits up to 60 s for 200 on /ready.
    local i
    for i in $(seq 1 600); do
        curl -fsS -o /dev/null "$1/ready" 2>/dev/null && return 0
        sleep 0.1
    done
    die "$1/ready did not answer 200 within 60 s"
}

start() {
    local data_dir="${1:-}"
    [ -d "$ROOT/primary" ] && die "$ROOT exists: run '$0 stop' first"
    command -v haproxy >/dev/null || apt_install haproxy
    command -v curl >/dev/null || apt_install curl
    ensure_packages
    if [ -z "${SEGSTAT_BIN:-}" ]; then
        say "building the release binary ..."
        cargo build --release --locked --quiet
    fi
    mkdir -p "$ROOT/primary" "$ROOT/run-primary" "$ROOT/run-standby"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$ROOT"
    say "primary: initdb and start"
    as_pg "$PG_BIN/initdb" -D "$ROOT/primary" -U postgres --auth=trust -E UTF8 >/dev/null
    start_pg primary
    as_pg "$PG_BIN/psql" -h "$ROOT/run-primary" -U postgres -d postgres -qc "CREATE DATABASE segstat"
    DATABASE_URL="$(pg_url primary)" RUST_LOG=warn "$BIN" migrate
    say "primary: importing ${data_dir:-the bundled data}"
    DATABASE_URL="$(pg_url primary)" RUST_LOG=warn "$BIN" import bundled ${data_dir:+--data-dir "$data_dir"}
    say "standby: pg_basebackup from the primary, then start streaming"
    as_pg "$PG_BIN/pg_basebackup" -h "$ROOT/run-primary" -U postgres -D "$ROOT/standby" -R -X stream --checkpoint=fast
    start_pg standby
    start_api "${API_PORTS[0]}" primary
    start_api "${API_PORTS[1]}" standby
    for port in "${API_PORTS[@]}"; do wait_ready "http://127.0.0.1:$port"; done
    LB_BIND="127.0.0.1:$LB_PORT" PRIMARY_API="127.0.0.1:${API_PORTS[0]}" STANDBY_API="127.0.0.1:${API_PORTS[1]}" \
        haproxy -D -p "$ROOT/haproxy.pid" -f deploy/haproxy.cfg
    wait_ready "http://127.0.0.1:$LB_PORT"
    status
    say "the API is at http://127.0.0.1:$LB_PORT/v1 (stop with: $0 stop)"
}

status() {
    local port
    for port in "${API_PORTS[@]}"; do
        printf 'api :%s  ' "$port"
        curl -sS "http://127.0.0.1:$port/ready" || printf 'down'
        echo
    done
    as_pg "$PG_BIN/psql" -h "$ROOT/run-primary" -U postgres -d postgres -tAc \
        "SELECT 'primary sends to ' || application_name || ': ' || state || ', replay lag ' || coalesce(replay_lag::text, '0') FROM pg_stat_replication" 2>/dev/null || true
}

stop() {
    local port
    [ -f "$ROOT/haproxy.pid" ] && kill "$(cat "$ROOT/haproxy.pid")" 2>/dev/null || true
    for port in "${API_PORTS[@]}"; do
        [ -f "$ROOT/api-$port.pid" ] && kill "$(cat "$ROOT/api-$port.pid")" 2>/dev/null || true
    done
    PG_BIN=$(pg_bin_dir)
    for node in standby primary; do
        [ -f "$ROOT/$node/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$ROOT/$node" -m fast stop >/dev/null 2>&1 || true
    done
    rm -rf "$ROOT"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    import)
        DATABASE_URL="$(pg_url primary)" RUST_LOG=info "$BIN" import bundled ;;
    status) PG_BIN=$(pg_bin_dir); status ;;
    stop) stop ;;
    *) die "usage: $0 start [DATA_DIR] | import | status | stop" ;;
esac
