#!/usr/bin/env bash
# The whole test suite, from a fresh Debian/Ubuntu machine: installs PostgreSQL + PostGIS (or
# says what to install), starts the private throwaway cluster, validates the OpenAPI document,
# runs every unit and integration test against the real database, then the explorer page's
# unit tests (node --test) and its browser test (scripts/browser-test.sh), then fuzzes the API
# from its OpenAPI document (scripts/fuzz-test.sh; FUZZ_EXAMPLES=0 skips it).
#
#   scripts/test.sh [extra cargo test arguments]
#
# With DATABASE_URL (or TEST_DATABASE_URL) set, that server is used instead; the tests create
# and drop databases on it, so its user needs CREATEDB.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dev-db.sh
source scripts/dev-db.sh

command -v cargo >/dev/null \
    || die "cargo is missing: install the Rust toolchain (https://rustup.rs or apt-get install cargo), then run this again"

if [ -n "${TEST_DATABASE_URL:-}" ]; then DATABASE_URL="$TEST_DATABASE_URL"; fi
ensure_packages_for_build() {
    # Building needs libpq even when the database is elsewhere, and npm for the explorer page.
    [ -f /usr/include/postgresql/libpq-fe.h ] || apt_install libpq-dev
    command -v npm >/dev/null || apt_install nodejs npm
}
ensure_packages_for_build
ensure_database
export TEST_DATABASE_URL="$DATABASE_URL"

# GDAL's OAPIF driver is the GIS client the feature tests read the API with, and Debian's
# QGIS (headless, through its Python bindings) reads the features and draws the OGC tiles.
command -v ogr2ogr >/dev/null || apt_install gdal-bin
/usr/bin/python3 -c 'import qgis.core' 2>/dev/null || apt_install --no-install-recommends python3-qgis qgis-providers

# The schema drift test compares src/db/schema.rs with what diesel generates.
if ! command -v diesel >/dev/null; then
    say "installing diesel_cli (once) ..."
    cargo install --quiet --locked diesel_cli --version '~2.3' --no-default-features --features postgres
fi

# The dependency tree's licences, duplicate versions and sources, against deny.toml. The
# RustSec advisories are not checked here: `cargo deny check advisories` needs the advisory
# database from GitHub, which the machines that run this suite cannot reach (it fails at the
# fetch; faking it would only hide that). Run it where GitHub is reachable. cargo-deny is built
# once (0.20 has no optional features to leave out): about 9.6 CPU-minutes; a cold install took
# 51 minutes of wall time on the shared 2-core machine under a load of 15 (about 5 on an idle one, estimated from the CPU time).
CARGO_DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
    say "installing cargo-deny $CARGO_DENY_VERSION (once) ..."
    cargo install --quiet --locked cargo-deny --version "$CARGO_DENY_VERSION"
fi
cargo deny --locked check licenses bans sources

# The Python clients, pinned in tests/clients/requirements.txt: an independent validator for the
# committed OpenAPI document, geopandas + pyogrio (with GDAL 3.12 inside) reading the
# collections in CRS84 and EPSG:3006, and pyjstat reading JSON-stat. Reinstalled when the pins
# change.
if ! cmp -s tests/clients/requirements.txt .venv/requirements.installed; then
    [ -x .venv/bin/pip ] || python3 -m venv .venv 2>/dev/null \
        || { apt_install python3-venv; rm -rf .venv; python3 -m venv .venv; }
    say "installing the Python test clients into .venv ..."
    .venv/bin/pip install --quiet --disable-pip-version-check -r tests/clients/requirements.txt
    cp tests/clients/requirements.txt .venv/requirements.installed
fi
.venv/bin/openapi-spec-validator openapi/openapi.json

# The JSON-stat JavaScript toolkit, pinned in tests/clients/js/package-lock.json, that reads
# /v1/data?f=jsonstat in tests/api/data.rs.
(cd tests/clients/js && npm ci --silent --no-audit --no-fund)

cargo test --locked "$@"

# The explorer page: its pure functions, then the page in headless Chromium against a server.
node --test explorer/tests/unit/
scripts/browser-test.sh

# Fuzzing: schemathesis against a server on the bundled data, from the served OpenAPI document.
scripts/fuzz-test.sh
