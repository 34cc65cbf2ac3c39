#!/usr/bin/env bash
# Load with faults (issue #6): under steady load from 16 connections, PostgreSQL is stopped for
# 10 s and started again. Answers the server holds in memory must keep succeeding, the rest
# must fail fast with 503 problems, and errors must stop within 5 s of the database's return.
# Prints the counts per phase and writes bench/results/faults-<time>/faults.md; exits non-zero
# when a target is missed.
#
#   bench/faults.sh              OUTAGE_SECS=10 OUTAGE_AT=10 TAIL_SECS=15 THREADS=16
#
# It runs its own PostgreSQL cluster (under target/faults/.pg), so stopping it disturbs
# nothing else, and serves the bundled real data.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export SEGSTAT_ROOT="$root/target/faults"
mkdir -p "$SEGSTAT_ROOT"
# shellcheck source=../scripts/dev-db.sh
source scripts/dev-db.sh
out="$root/bench/results/faults-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
SEGSTAT_DB_NAME=segstat_faults DATABASE_URL="" ensure_database
cargo build --release --locked --quiet
bin=target/release/segstat
$bin migrate >/dev/null 2>&1
$bin import bundled --data-dir data 2>&1 | grep -v " INFO " || true
pg_dir="$(cluster_dir)"
pg_ctl="$(pg_bin_dir)/pg_ctl"
port=18090
SEGSTAT_BIND=127.0.0.1:$port SEGSTAT_RATE_LIMIT=0 RUST_LOG=warn $bin serve 2>"$out/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true; SEGSTAT_ROOT="$SEGSTAT_ROOT" scripts/dev-db.sh stop' EXIT
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/ready" && break; sleep 0.2; done
BENCH_PORT=$port BENCH_OUT="$out" \
    BENCH_STOP="runuser -u postgres -- $pg_ctl -D $pg_dir/data -m immediate stop >/dev/null" \
    BENCH_START="runuser -u postgres -- $pg_ctl -D $pg_dir/data -l $pg_dir/postgres.log -w start -o \"-c listen_addresses='' -k $pg_dir/run -c fsync=off -c max_connections=200\" >/dev/null" \
    python3 bench/faults.py
kill -0 $server || die "the server died during the outage; its log: $out/server.log"
say "the server is still up; report: $out/faults.md"
