#!/usr/bin/env bash
# Import benchmark: generates the synthetic national dataset and times its import (all levels,
# 18,870 polygons, 14 years, ~1.4 million values) with the release build, reporting wall time
# and the import process's peak memory. Runs against the private cluster of scripts/dev-db.sh
# (or DATABASE_URL), in a database of its own that it drops afterwards.
#
#   bench/import.sh [SEED] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/dev-db.sh
source scripts/dev-db.sh
seed="${1:-1}"
runs="${2:-3}"
SEGSTAT_DB_NAME=segstat_bench DATABASE_URL="" ensure_database
command -v /usr/bin/time >/dev/null || apt_install time
cargo build --release --locked --quiet
bin=target/release/segstat
dir="target/synthetic-$seed"
$bin migrate 2>/dev/null
/usr/bin/time -f "generate: %e s wall, %M KiB peak RSS" $bin generate-synthetic --seed "$seed" --out "$dir" 2>&1 | grep -v INFO
for i in $(seq "$runs"); do
    psql -q "$DATABASE_URL" -c "TRUNCATE datasets CASCADE; UPDATE data_state SET data_version = 'empty'" >/dev/null 2>&1 || true
    $bin migrate --revert-all >/dev/null 2>&1; $bin migrate >/dev/null 2>&1
    /usr/bin/time -f "import run $i: %e s wall, %M KiB peak RSS" $bin import synthetic --dir "$dir" 2>&1 | grep -v INFO
done
/usr/bin/time -f "import again (unchanged, no-op): %e s wall, %M KiB peak RSS" $bin import synthetic --dir "$dir" 2>&1 | grep -v INFO
psql -q "$(printf '%s' "$DATABASE_URL" | sed 's|/segstat_bench|/postgres|')" -c "DROP DATABASE segstat_bench WITH (FORCE)" >/dev/null
