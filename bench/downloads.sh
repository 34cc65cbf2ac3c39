#!/usr/bin/env bash
# Downloads as real clients fetch them: the bundled data exported (GeoPackage, FlatGeobuf, the
# values zip), served by `segstat serve`, then
#   - one whole 33.6 MB GeoPackage, 20 times with curl (throughput);
#   - on one kept-alive connection (wrk -c1): the 23.7 kB values zip, and a 16 KiB range of the
#     GeoPackage (the reads GDAL's /vsicurl makes);
#   - GDAL's ogrinfo finding one RegSO in the remote GeoPackage through /vsicurl, as QGIS opens
#     a layer by URL (its range requests are counted).
# Prints one Markdown table row per build. Nothing is timed in the test suite; this is where
# those numbers come from (bench/README.md).
#
#   bench/downloads.sh                       the dev build (cargo build)
#   BENCH_BINS="old=/tmp/a new=target/debug/segstat" bench/downloads.sh
#                                            several builds in turn, twice each, same files
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/dev-db.sh
source scripts/dev-db.sh

port="${BENCH_PORT_BASE:-18090}"
command -v wrk >/dev/null || apt_install wrk
command -v ogrinfo >/dev/null || apt_install gdal-bin
command -v bc >/dev/null || apt_install bc

SEGSTAT_DB_NAME=segstat_bench_downloads ensure_database
if [ -z "${BENCH_BINS:-}" ]; then
    cargo build --locked --quiet
    BENCH_BINS="this=target/debug/segstat"
fi
first_bin="${BENCH_BINS%% *}"; first_bin="${first_bin#*=}"
"$first_bin" migrate >/dev/null 2>&1
"$first_bin" import bundled --data-dir data 2>&1 | grep -v " INFO " || true
out="$(mktemp -d)"
pid=
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT
"$first_bin" export --out "$out" --formats gpkg,fgb,csv 2>&1 | grep -v " INFO " || true
v=$(ls "$out")
base="http://127.0.0.1:$port/v1/downloads"
gpkg="$base/regso-2025.gpkg?v=$v"

echo "| build | 33.6 MB GeoPackage, 20× | values zip, one connection | 16 KiB range, one connection | ogrinfo over /vsicurl |"
echo "|---|---|---|---|---|"
for round in 1 2; do
    for entry in $BENCH_BINS; do
        name="${entry%%=*}"; bin="${entry#*=}"
        SEGSTAT_BIND=127.0.0.1:$port SEGSTAT_DOWNLOADS_DIR="$out" SEGSTAT_RATE_LIMIT=0 RUST_LOG=warn \
            "$bin" serve >/dev/null 2>&1 &
        pid=$!
        for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/ready" && break; sleep 0.1; done
        start=$(date +%s.%N)
        for _ in $(seq 20); do curl -fs -o /dev/null "$gpkg"; done
        end=$(date +%s.%N)
        mbps=$(echo "scale=0; 20 * 33.6 / ($end - $start)" | bc)
        zip=$(wrk -t1 -c1 -d5s "$base/values.csv.zip?v=$v" | awk '/Requests\/sec/ {print $2}')
        range=$(wrk -t1 -c1 -d5s -H "Range: bytes=0-16383" "$gpkg" | awk '/Requests\/sec/ {print $2}')
        start=$(date +%s.%N)
        CPL_DEBUG=ON ogrinfo -ro -al -where "code='0180R036'" "/vsicurl/$gpkg" >"$out/ogr.log" 2>&1
        end=$(date +%s.%N)
        grep -q "name (String) = Husby" "$out/ogr.log" || die "ogrinfo did not find Husby: $(tail -5 "$out/ogr.log")"
        reads=$(grep -c "VSICURL: Downloading" "$out/ogr.log")
        ogr=$(echo "scale=2; ($end - $start) / 1" | bc)
        echo "| $name (round $round) | $mbps MB/s | $zip req/s | $range req/s | $ogr s, $reads range requests |"
        kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    done
done
