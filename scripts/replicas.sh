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
#   scripts/replicas.sh import [DATA_DIR]  import the bundled data (or DATA_DIR's) again on the primary
#   scripts/replicas.sh status             /ready of each API, replication as the primary sees it
#   scripts/replicas.sh stop               stop everything and remove .replicas/
#
# Faults and operations on the running layout (bench/scale.sh drives these under load):
#   scripts/replicas.sh api-kill primary|standby     kill -9 that API process
#   scripts/replicas.sh api-start primary|standby    start it again (returns at once)
#   scripts/replicas.sh pg-stop|pg-start standby     stop (fast) or start the standby's PostgreSQL
#   scripts/replicas.sh replay pause|resume          pg_wal_replay_pause()/_resume() on the standby
#   scripts/replicas.sh lb enable|disable primary|standby
#                                          put that API in or out of HAProxy's rotation (maint)
#   scripts/replicas.sh sql primary|standby SQL      run SQL in the segstat database there
#
# Everything lives in .replicas/ (clusters, sockets, logs). The clusters listen on Unix sockets only.
# The balancer is HAProxy with deploy/haproxy.cfg (why not nginx: see there), plus an admin socket
# in .replicas/haproxy.sock for the `lb` subcommand. The ports come from SEGSTAT_LB_PORT (8080)
# and SEGSTAT_API_PORTS ("8081 8082": the primary's API, then the standby's); other SEGSTAT_*
# variables (e.g. SEGSTAT_MAX_REPLICA_LAG_SECS) reach both APIs as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dev-db.sh
source scripts/dev-db.sh

ROOT="$PWD/.replicas"
LB_PORT="${SEGSTAT_LB_PORT:-8080}"
read -r -a API_PORTS <<<"${SEGSTAT_API_PORTS:-8081 8082}"
[ "${#API_PORTS[@]}" -eq 2 ] || die "SEGSTAT_API_PORTS names two ports: the primary's API, the standby's"
BIN="${SEGSTAT_BIN:-$PWD/target/release/segstat}"

pg_url() { printf 'postgres://postgres@localhost/segstat?host=%s' "$ROOT/run-$1"; }

start_pg() {
    # $1: primary | standby
    local options="-c listen_addresses='' -k $ROOT/run-$1 -c fsync=off -c max_connections=200 -c hot_standby_feedback=on"
    as_pg "$PG_BIN/pg_ctl" -D "$ROOT/$1" -l "$ROOT/$1.log" -w -t 60 -o "$options" start >/dev/null \
        || { tail -20 "$ROOT/$1.log" >&2; die "PostgreSQL ($1) did not start; its log is above"; }
}

port_of() {
    # $1: primary | standby: the port of the API reading from that database.
    case "$1" in
        primary) echo "${API_PORTS[0]}" ;;
        standby) echo "${API_PORTS[1]}" ;;
        *) die "not a node: $1 (primary or standby)" ;;
    esac
}

start_api() {
    # $1: port, $2: primary | standby
    SEGSTAT_BIND="127.0.0.1:$1" DATABASE_URL="$(pg_url "$2")" SEGSTAT_RATE_LIMIT=0 \
        RUST_LOG="${RUST_LOG:-warn}" nohup "$BIN" serve >>"$ROOT/api-$1.log" 2>&1 &
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
    command -v socat >/dev/null || apt_install socat
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
    printf 'global\n    stats socket %s mode 600 level admin\n' "$ROOT/haproxy.sock" >"$ROOT/haproxy-admin.cfg"
    LB_BIND="127.0.0.1:$LB_PORT" PRIMARY_API="127.0.0.1:${API_PORTS[0]}" STANDBY_API="127.0.0.1:${API_PORTS[1]}" \
        haproxy -D -p "$ROOT/haproxy.pid" -f deploy/haproxy.cfg -f "$ROOT/haproxy-admin.cfg"
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

lb() {
    # $1: enable | disable, $2: primary | standby
    local state
    case "$1" in enable) state=ready ;; disable) state=maint ;; *) die "lb enable|disable NODE" ;; esac
    port_of "$2" >/dev/null
    echo "set server segstat/$2-api state $state" | socat stdio "$ROOT/haproxy.sock" >/dev/null
}

sql() {
    # $1: primary | standby, $2: SQL; prints the result unaligned, without headers.
    port_of "$1" >/dev/null
    as_pg "$(pg_bin_dir)/psql" -h "$ROOT/run-$1" -U postgres -d segstat -tAc "$2"
}

need_standby() { [ "${1:-}" = standby ] || die "only the standby: $0 ${2:-pg-stop} standby"; }

case "${1:-}" in
    start) shift; start "$@" ;;
    import)
        DATABASE_URL="$(pg_url primary)" RUST_LOG="${RUST_LOG:-info}" "$BIN" import bundled ${2:+--data-dir "$2"} ;;
    status) PG_BIN=$(pg_bin_dir); status ;;
    stop) stop ;;
    api-kill)
        port=$(port_of "${2:-}")
        kill -9 "$(cat "$ROOT/api-$port.pid")" ;;
    api-start)
        port=$(port_of "${2:-}")
        start_api "$port" "$2" ;;
    pg-stop)
        need_standby "${2:-}" pg-stop
        as_pg "$(pg_bin_dir)/pg_ctl" -D "$ROOT/standby" -m fast stop >/dev/null ;;
    pg-start)
        need_standby "${2:-}" pg-start
        PG_BIN=$(pg_bin_dir); start_pg standby ;;
    replay)
        case "${2:-}" in
            pause) sql standby "SELECT pg_wal_replay_pause()" >/dev/null ;;
            resume) sql standby "SELECT pg_wal_replay_resume()" >/dev/null ;;
            *) die "replay pause|resume" ;;
        esac ;;
    lb) lb "${2:-}" "${3:-}" ;;
    sql) sql "${2:-}" "${3:-}" ;;
    *) die "usage: $0 start [DATA_DIR] | import [DATA_DIR] | status | stop | api-kill NODE | api-start NODE | pg-stop standby | pg-start standby | replay pause|resume | lb enable|disable NODE | sql NODE SQL" ;;
esac
