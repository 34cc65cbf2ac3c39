//! Migrations, embedded in the binary so a deployment needs nothing but the executable.

use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{Error, Result};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Applies every pending migration, each in its own transaction, and returns their names.
/// An advisory lock keeps two replicas that start together from racing.
pub fn run_pending(conn: &mut PgConnection) -> Result<Vec<String>> {
    with_migration_lock(conn, |conn| {
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| Error::Migration(explain(e.to_string())))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    })
}

/// Reverts every applied migration, newest first (used by the up/down test and `migrate --reset`).
pub fn revert_all(conn: &mut PgConnection) -> Result<Vec<String>> {
    with_migration_lock(conn, |conn| {
        let reverted = conn
            .revert_all_migrations(MIGRATIONS)
            .map_err(|e| Error::Migration(e.to_string()))?;
        Ok(reverted.iter().map(ToString::to_string).collect())
    })
}

/// True when the database has every migration this binary knows. Needs only SELECT, so the
/// read-only server can ask it.
pub fn is_up_to_date(conn: &mut PgConnection) -> Result<bool> {
    let known: Vec<String> = MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map_err(|e| Error::Migration(e.to_string()))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "to_regclass('__diesel_schema_migrations') IS NOT NULL",
    ))
    .get_result(conn)?;
    if !exists {
        return Ok(false);
    }
    let applied: Vec<String> = diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
        .load::<Version>(conn)?
        .into_iter()
        .map(|v| v.version)
        .collect();
    Ok(known.iter().all(|k| applied.contains(k)))
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

fn with_migration_lock<T>(
    conn: &mut PgConnection,
    work: impl FnOnce(&mut PgConnection) -> Result<T>,
) -> Result<T> {
    // An arbitrary constant that names this project's migration lock.
    const LOCK: i64 = 0x5E65_7374_6174;
    diesel::sql_query(format!("SELECT pg_advisory_lock({LOCK})")).execute(conn)?;
    let result = work(conn);
    diesel::sql_query(format!("SELECT pg_advisory_unlock({LOCK})")).execute(conn)?;
    result
}

/// Adds the fix to the one failure a fresh machine is likely to hit.
fn explain(message: String) -> String {
    if message.contains("postgis.control") || message.contains("extension \"postgis\"") {
        format!(
            "{message}\nPostGIS is not installed for this PostgreSQL server. On Debian/Ubuntu: \
             apt-get install postgresql-<version>-postgis-3 (scripts/dev-db.sh does this)."
        )
    } else {
        message
    }
}
