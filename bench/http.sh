#!/usr/bin/env bash
# HTTP benchmarks (issue #6): segstat in release mode on the synthetic national dataset, each
# scenario measured with `wrk -t2 -c32 -d10s --latency` beside nginx serving the identical
# response bytes from a file (the machine's limit), and beside tipg (GeoJSON, from PyPI) and
# Martin (tiles, from crates.io) on copies of the same PostGIS tables. Then scenario 8: the
# first requests after a restart and after a new import. Writes bench/results/http-<time>/.
#
#   bench/http.sh                        everything (installs wrk, nginx, tipg; Martin if
#                                        MARTIN_BIN is given or `martin` is on PATH)
#   BENCH_DURATION=5s bench/http.sh      shorter runs
#   SEED=2 bench/http.sh                 another synthetic dataset
#   BENCH_DATA=bundled bench/http.sh     the bundled real data instead (imports in seconds; the
#                                        scenarios of issue #13's table)
#   BENCH_BEFORE_BIN=path bench/http.sh  scenario 8 again with another build, on the same database
#   BENCH_COLD_ONLY=1 bench/http.sh      scenario 8 alone
#   BENCH_IMPORT_CODINGS=br bench/http.sh  one new import (not three) before the first requests
#
# Every scenario runs three times: without `Accept-Encoding` (nginx: `sendfile`), and with
# `Accept-Encoding: gzip` and `br`, where nginx serves the coded bytes segstat sent from
# precompressed files (`gzip_static`, and `brotli_static` from Debian's
# libnginx-mod-http-brotli-static).
#
# Martin is not installed by this script: `cargo install martin@1.14.0 --locked
# --no-default-features --features postgres --root target/peers` builds it (about 15 minutes
# on 2 cores); then MARTIN_BIN=target/peers/bin/martin bench/http.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/dev-db.sh
source scripts/dev-db.sh

seed="${SEED:-1}"
# BENCH_PORT_BASE moves every port, for a second bench on the same machine.
base="${BENCH_PORT_BASE:-18080}"
ours_port=$base; nginx_port=$((base + 1)); tipg_port=$((base + 2)); martin_port=$((base + 3))
pg_port=$((base + 352))
out="bench/results/http-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out/www" "$out/nginx"
out="$(cd "$out" && pwd)"

command -v wrk >/dev/null || apt_install wrk
command -v nginx >/dev/null || apt_install nginx-light
brotli_module=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
[ -f "$brotli_module" ] || apt_install libnginx-mod-http-brotli-static
command -v curl >/dev/null || apt_install curl
command -v socat >/dev/null || apt_install socat

SEGSTAT_DB_NAME=segstat_bench_http ensure_database
# BENCH_BIN: a binary built already (e.g. to compare two builds); otherwise the release build.
bin="${BENCH_BIN:-target/release/segstat}"
[ -n "${BENCH_BIN:-}" ] || cargo build --release --locked --quiet
$bin migrate >/dev/null 2>&1
data="${BENCH_DATA:-synthetic}"
dir="target/synthetic-$seed"
if [ "$data" = bundled ]; then
    $bin import bundled --data-dir data 2>&1 | grep -v " INFO " || true
else
    [ -f "$dir/catalogue.json" ] || $bin generate-synthetic --seed "$seed" --out "$dir"
    $bin import synthetic --dir "$dir" 2>&1 | grep -v " INFO " || true
fi

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    nginx -p "$out/nginx" -c "$out/nginx/nginx.conf" -s stop 2>/dev/null || true
}
trap cleanup EXIT

wait_for() { # url, what
    for _ in $(seq 300); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done
    die "$2 did not answer at $1"
}

start_ours() {
    SEGSTAT_BIND=127.0.0.1:$ours_port SEGSTAT_RATE_LIMIT=0 RUST_LOG=warn $bin serve &
    ours_pid=$!
    pids+=("$ours_pid")
    wait_for "http://127.0.0.1:$ours_port/ready" segstat
}

# Peer tables: copies of what segstat serves, with a primary key and a spatial index.
psql -q "$DATABASE_URL" <<'SQL'
DROP SCHEMA IF EXISTS peer CASCADE;
CREATE SCHEMA peer;
CREATE TABLE peer.regso AS
    SELECT code AS id, name, municipality_code, geom FROM areas WHERE division = 'regso-2025';
ALTER TABLE peer.regso ADD PRIMARY KEY (id);
CREATE INDEX ON peer.regso USING gist (geom);
CREATE INDEX ON peer.regso (municipality_code);
CREATE TABLE peer.regso_choropleth AS
    SELECT r.id, r.name, r.municipality_code, t.area_type, v.value AS employment_rate,
           ST_SimplifyPreserveTopology(r.geom, 15) AS geom
    FROM peer.regso r
    LEFT JOIN area_types t ON t.division = 'regso-2025' AND t.code = r.id AND t.year = 2023
    LEFT JOIN indicator_values v ON v.division = 'regso-2025' AND v.code = r.id AND v.year = 2023
         AND v.indicator = 'employment_rate' AND v.breakdown = 'total';
ALTER TABLE peer.regso_choropleth ADD PRIMARY KEY (id);
CREATE INDEX ON peer.regso_choropleth USING gist (geom);
CREATE INDEX ON peer.regso_choropleth (municipality_code);
ANALYZE peer.regso; ANALYZE peer.regso_choropleth;
SQL

# 5,000 random points inside Sweden for the lookup scenario.
psql -Atq "$DATABASE_URL" -c "SELECT round(ST_X(p)::numeric, 5) || ' ' || round(ST_Y(p)::numeric, 5)
    FROM (SELECT (ST_Dump(ST_Transform(ST_GeneratePoints(geom, 5000, 42), 4326))).geom AS p
          FROM areas WHERE division = 'riket') s" > "$out/points.txt"

cat > "$out/nginx/nginx.conf" <<EOF
load_module $brotli_module;
worker_processes 2;
pid $out/nginx/nginx.pid;
error_log $out/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    # The precompressed files (sN.bin.gz, sN.bin.br) the scenarios write, served as is.
    gzip_static on;
    brotli_static on;
    server { listen 127.0.0.1:$nginx_port; root $out/www; }
}
EOF
nginx -p "$out/nginx" -c "$out/nginx/nginx.conf"

# The peers' database drivers want a TCP address; the private cluster listens on a socket only.
socket_dir="$(printf '%s' "$DATABASE_URL" | sed -n 's/.*host=\([^&]*\).*/\1/p')"
socat TCP-LISTEN:$pg_port,bind=127.0.0.1,fork,reuseaddr "UNIX-CONNECT:$socket_dir/.s.PGSQL.5432" &
pids+=($!)
peer_db="postgresql://postgres@127.0.0.1:$pg_port/$(printf '%s' "$DATABASE_URL" | sed -n 's|.*/\([^/?]*\)?.*|\1|p')"

# tipg: from PyPI, in a virtualenv of its own.
tipg_url=""
if [ "${BENCH_TIPG:-1}" = 1 ]; then
    [ -x bench/.venv/bin/uvicorn ] || { python3 -m venv bench/.venv && bench/.venv/bin/pip install -q "tipg==1.*" "uvicorn==0.*"; }
    DATABASE_URL="$peer_db" TIPG_DB_SCHEMAS='["peer"]' \
        bench/.venv/bin/uvicorn tipg.main:app --host 127.0.0.1 --port $tipg_port --workers 2 --log-level warning &
    pids+=($!)
    wait_for "http://127.0.0.1:$tipg_port/collections/peer.regso" tipg
    tipg_url="http://127.0.0.1:$tipg_port"
fi

martin_url=""
martin_bin="${MARTIN_BIN:-$(command -v martin || true)}"
if [ -n "$martin_bin" ]; then
    "$martin_bin" --listen-addresses 127.0.0.1:$martin_port --workers 2 "$peer_db" >"$out/martin.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$martin_port/catalog" Martin
    martin_url="http://127.0.0.1:$martin_port"
fi

start_ours
export BENCH_OURS="http://127.0.0.1:$ours_port" BENCH_NGINX="http://127.0.0.1:$nginx_port" \
    BENCH_TIPG="$tipg_url" BENCH_MARTIN="$martin_url" BENCH_WWW="$out/www" BENCH_OUT="$out" \
    BENCH_PID="$ours_pid" BENCH_POINTS="$out/points.txt"
{
    echo "# HTTP benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{print int($2/1048576)}') GiB; data: $([ "$data" = bundled ] && echo "the bundled real data" || echo "synthetic seed $seed"); wrk -t2 -c${BENCH_CONNECTIONS:-32} -d${BENCH_DURATION:-10s}; binary: $bin${BENCH_BEFORE_BIN:+; before: $BENCH_BEFORE_BIN}"
    echo
    echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
} > "$out/header.md"
# BENCH_COLD_ONLY=1: scenario 8 alone (no wrk runs), e.g. to compare the first requests of builds.
if [ "${BENCH_COLD_ONLY:-0}" = 1 ]; then
    : > "$out/report.md"
else
    python3 bench/scenarios.py
    echo "load average after the wrk runs: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/report.md"
fi

# Scenario 8: the first requests after a restart, and after a new import (the data version
# changes, so every cached answer is void), each without a coding, with gzip and with br.
restart_ours() {
    kill "$ours_pid"; wait "$ours_pid" 2>/dev/null || true
    start_ours
    export BENCH_PID="$ours_pid"
}
# The same dataset with one file changed (a newline after the JSON of the catalogue, or of the
# synthetic catalogue): a new data version of identical content. Imports alternate between it
# and the original, so each one moves the data version.
if [ "$data" = bundled ]; then
    original="data"; changed="target/bundled-changed"
    rm -rf "$changed"; cp -r "$original" "$changed"
    printf '\n' >> "$changed/catalogue/indicators.json"
    import_dir() { "${import_bin:-$bin}" import bundled --data-dir "$1" 2>&1 | grep -v " INFO " || true; }
else
    original="$dir"; changed="$dir-changed"
    rm -rf "$changed"; cp -r "$original" "$changed"
    printf '\n' >> "$changed/catalogue.json"
    import_dir() { "${import_bin:-$bin}" import synthetic --dir "$1" 2>&1 | grep -v " INFO " || true; }
fi
next_import="$changed"
new_import() { # the label's prefix
    local started new_version
    started=$(date +%s.%N)
    import_dir "$next_import"
    if [ "$next_import" = "$changed" ]; then next_import="$original"; else next_import="$changed"; fi
    new_version=$(psql -Atq "$DATABASE_URL" -c "SELECT data_version FROM data_state")
    for _ in $(seq 100); do
        curl -fs "http://127.0.0.1:$ours_port/ready" | grep -q "$new_version" && break
        sleep 0.1
    done
    echo "$1new data version $new_version served $(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$started" "$(date +%s.%N)") s after the import started (load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$out/header.md"
}
cold_passes() { # the label's prefix
    for coding in "" gzip br; do
        restart_ours
        python3 bench/scenarios.py cold "${1}after a restart" ${coding:+"$coding"}
    done
    # BENCH_IMPORT_CODINGS: the codings of the passes after a new import (one import each);
    # "identity gzip br" unless given, e.g. "br" alone when imports are slow.
    for coding in ${BENCH_IMPORT_CODINGS:-identity gzip br}; do
        [ "$coding" = identity ] && coding=""
        new_import "$1"
        python3 bench/scenarios.py cold "${1}after a new import" ${coding:+"$coding"}
    done
}
printf '| when | scenario | status | first request | second request |\n|---|---|---|---|---|\n' > "$out/cold.md"
cold_passes ""
# BENCH_BEFORE_BIN: the same passes with another build (e.g. one from before the compressed
# cache, where actix-web's `Compress` coded every response), on the same database. The imports
# are still done by $bin: the served tables are the same, only the server differs.
if [ -n "${BENCH_BEFORE_BIN:-}" ]; then
    import_bin="$bin"; bin="$BENCH_BEFORE_BIN"
    cold_passes "before: "
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/cold.md"
cat "$out/header.md" "$out/report.md" <(echo) "$out/cold.md" > "$out/README.md"
say "report: $out/README.md"
