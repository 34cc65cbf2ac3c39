-- The role is cluster-wide and may serve other databases; only its rights in this one go.
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM segstat_reader;
REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM segstat_reader;
REVOKE USAGE ON SCHEMA public FROM segstat_reader;
DROP EXTENSION IF EXISTS postgis;
