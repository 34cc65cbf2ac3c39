#!/usr/bin/env bash
# The whole barometer from SCB, nationally, against the offline replay (issue #11): every
# table of the indicator catalogue, every year, riket to DeSO, both division versions, with
# SCB's limits (150,000 cells a call, 30 calls per 10 s). Reports the calls, the time to fetch
# and to import, the import's peak memory, the disk the fetched files take and the database
# size. Loopback only; the replay serves synthetic values from SCB's real table metadata.
#
#   bench/scb-national.sh            fetch (resumable, into target/bench-scb) and import
#   FRESH=1 bench/scb-national.sh    delete the fetched files first, to time the fetch too
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/dev-db.sh
source scripts/dev-db.sh

port=18090
keep=target/bench-scb
out="bench/results/scb-national-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
command -v curl >/dev/null || apt_install curl
[ -x /usr/bin/time ] || apt_install time

SEGSTAT_DB_NAME=segstat_bench_scb ensure_database
cargo build --release --locked --quiet
bin=target/release/segstat
psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
$bin migrate >/dev/null 2>&1
[ "${FRESH:-0}" = 1 ] && rm -rf "$keep"

$bin replay-scb --bind "127.0.0.1:$port" >"$out/replay.log" 2>&1 &
replay=$!
trap 'kill $replay 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/config" && break; sleep 0.2; done

start=$(date +%s)
/usr/bin/time -v -o "$out/time.txt" \
    $bin import scb --all --pxweb-url "http://127.0.0.1:$port/api/v2" --keep "$keep" \
    >"$out/import.log" 2>&1 || { tail -20 "$out/import.log"; die "the import failed"; }
end=$(date +%s)

calls=$(grep -o '[0-9]* calls ([0-9]* already fetched)' "$out/import.log" | head -1)
fetch=$(grep -o 'fetched [0-9]* calls ([0-9]* were already in [^)]*) in [0-9.]*[a-z]*' "$out/import.log" | head -1)
rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$out/time.txt")
disk=$(du -sh "$keep" | cut -f1)
dbsize=$(psql "$DATABASE_URL" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")
values=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM indicator_values")
{
    echo "plan: $calls"
    echo "fetch: $fetch"
    echo "whole command: $((end - start)) s, peak RSS $((rss_kb / 1024)) MiB"
    echo "fetched files: $disk in $keep"
    echo "database: $dbsize, $values indicator values"
} | tee "$out/summary.txt"
