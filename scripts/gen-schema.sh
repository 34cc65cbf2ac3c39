#!/usr/bin/env bash
# Regenerates src/db/schema.rs from the migrations (a test fails when it drifts).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dev-db.sh
source scripts/dev-db.sh
SEGSTAT_DB_NAME=segstat_schema DATABASE_URL= ensure_database
psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
cargo run --quiet -- migrate
diesel print-schema --database-url "$DATABASE_URL" > src/db/schema.rs
say "wrote src/db/schema.rs"
