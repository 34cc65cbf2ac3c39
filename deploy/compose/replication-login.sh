#!/bin/bash
# Run once by the postgis image at the primary's first start (docker-compose.yml mounts it into
# /docker-entrypoint-initdb.d): the login a hot standby clones and streams with.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
    -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${SEGSTAT_REPLICATION_PASSWORD:?}'"
echo "host replication replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"
