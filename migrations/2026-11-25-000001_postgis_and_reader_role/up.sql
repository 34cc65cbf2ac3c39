-- PostGIS holds every geometry; the extension must exist before any table uses it.
CREATE EXTENSION IF NOT EXISTS postgis;

-- The API server reads through this role and nothing else (it runs SET ROLE on every pooled
-- connection). Roles belong to the whole cluster, not to one database, so the role may already
-- exist from another database of the same cluster: create it only when missing.
DO $$
BEGIN
    CREATE ROLE segstat_reader NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO segstat_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO segstat_reader;
-- Tables created later by the migrating role are readable too, and never writable.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO segstat_reader;
