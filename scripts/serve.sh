#!/usr/bin/env bash
# Serves the API on http://127.0.0.1:8080 (the explorer page at /) from a fresh Debian/Ubuntu
# machine: installs PostgreSQL + PostGIS, and Node.js + npm to build the explorer page, if missing
# (or says what to install), starts a private throwaway cluster (or uses DATABASE_URL when set),
# migrates, loads the bundled real SCB data (a no-op when it is loaded already), writes the bulk
# downloads into downloads/ (a no-op when written already), and serves.
#
#   scripts/serve.sh                  the real bundled data
#   scripts/serve.sh --synthetic [N]  the synthetic national dataset (seed N, default 1) instead;
#                                     every response says it is synthetic
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dev-db.sh
source scripts/dev-db.sh

synthetic=""
case "${1:-}" in
    "") ;;
    --synthetic) synthetic="${2:-1}" ;;
    *) die "usage: $0 [--synthetic [SEED]]" ;;
esac

command -v cargo >/dev/null \
    || die "cargo is missing: install the Rust toolchain (https://rustup.rs or apt-get install cargo), then run this again"
[ -f /usr/include/postgresql/libpq-fe.h ] || apt_install libpq-dev
# The build bundles the explorer page (served at /) with npm.
command -v npm >/dev/null || apt_install nodejs npm
ensure_database

cargo build --release --locked
target/release/segstat migrate
if [ -n "$synthetic" ]; then
    # Borders with fewer vertices than SCB's (the benchmarks use the default 580), so the demo
    # is up in a minute or two; SYNTHETIC_VERTICES=580 gives the benchmark dataset.
    target/release/segstat generate-synthetic --seed "$synthetic" --vertices "${SYNTHETIC_VERTICES:-120}" \
        --out "target/synthetic-demo-$synthetic"
    target/release/segstat import synthetic --dir "target/synthetic-demo-$synthetic"
else
    target/release/segstat import bundled --data-dir data
fi
# The bulk downloads of this data version (/v1/downloads); a few seconds, a no-op when written.
# The PMTiles archives are left out here: z0–12 of the national RegSO takes minutes
# (`segstat export` without --formats writes them too).
target/release/segstat export --formats gpkg,fgb,geoparquet,csv,area-types,summaries
say "serving on http://${SEGSTAT_BIND:-127.0.0.1:8080}/ (the explorer; the API at /v1, Swagger UI at /v1/docs/); Ctrl-C stops"
exec target/release/segstat serve
