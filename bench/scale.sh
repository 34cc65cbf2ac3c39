#!/usr/bin/env bash
# Replicas under load and faults (issue #14): the layout of scripts/replicas.sh (a primary, a hot
# standby streaming from it, a `segstat serve` on each, HAProxy in front, all on loopback) on the
# bundled data, then bench/scale.py's five phases: throughput with 1 and 2 APIs behind the
# balancer; an import under load; kill -9 of an API; the standby's PostgreSQL stopped; replay
# paused past the lag limit. Writes bench/results/scale-<time>/scale.md and exits non-zero when
# a guarantee fails (the list is in bench/scale.py).
#
#   bench/scale.sh                 about 5 minutes after the release build
#
#   SEGSTAT_MAX_REPLICA_LAG_SECS   the APIs' lag limit (5 here, 30 by default in the server)
#   BENCH_WRK_SECS                 each wrk run of phase a (6)
#   BENCH_OUTAGE_SECS              how long the standby's PostgreSQL stays down (8)
#   BENCH_KEEP=1                   leave the layout running afterwards (scripts/replicas.sh stop)
#   BENCH_IMPORT=bump              make phases b and e's new versions by changing the version row on
#                                  the primary instead of importing (seconds instead of minutes on
#                                  a loaded machine; what the replicas see is the same commit)
#   SEGSTAT_BIN=path               a binary built already (then nothing is built)
#
# Ports 18180 (HAProxy), 18181 and 18182 (the APIs), away from scripts/replicas.sh's defaults.
# Needs root or sudo to install haproxy, wrk, socat and PostgreSQL from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
# shellcheck source=../scripts/dev-db.sh
source scripts/dev-db.sh

command -v wrk >/dev/null || apt_install wrk
command -v python3 >/dev/null || apt_install python3
out="$root/bench/results/scale-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
export SEGSTAT_LB_PORT=18180 SEGSTAT_API_PORTS="18181 18182"
export SEGSTAT_MAX_REPLICA_LAG_SECS="${SEGSTAT_MAX_REPLICA_LAG_SECS:-5}"
if [ -z "${SEGSTAT_BIN:-}" ]; then
    say "building the release binary ..."
    cargo build --release --locked --quiet
    export SEGSTAT_BIN="$root/target/release/segstat"
fi

[ -d .replicas ] && scripts/replicas.sh stop
cleanup() {
    if [ "${BENCH_KEEP:-0}" = 1 ]; then say "left running: scripts/replicas.sh stop"; return; fi
    scripts/replicas.sh stop
}
trap cleanup EXIT
started=$(date +%s)
scripts/replicas.sh start

# Two more data versions for the imports under load: the bundled data with one file's bytes
# changed (whitespace after the JSON of codes/regioner.json), so its checksum, and with it the
# data version, changes while the data read stays the same.
for copy in b c; do
    dir="$root/.replicas/data-$copy"
    cp -rs "$root/data" "$dir"
    rm "$dir/codes/regioner.json"
    cp "$root/data/codes/regioner.json" "$dir/codes/regioner.json"
    if [ "$copy" = b ]; then echo >>"$dir/codes/regioner.json"; else printf '\n\n' >>"$dir/codes/regioner.json"; fi
done

status=0
say "layout up in $(( $(date +%s) - started )) s; running the phases"
BENCH_LB=127.0.0.1:18180 BENCH_PRIMARY=127.0.0.1:18181 BENCH_STANDBY=127.0.0.1:18182 \
    BENCH_REPLICAS="$root/scripts/replicas.sh" BENCH_OUT="$out" \
    BENCH_DATA_B="$root/.replicas/data-b" BENCH_DATA_C="$root/.replicas/data-c" \
    python3 bench/scale.py || status=$?
cp .replicas/api-*.log "$out/" 2>/dev/null || true
say "report: $out/scale.md"
exit $status
