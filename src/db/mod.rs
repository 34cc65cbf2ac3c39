//! The database: connection pool, migrations and every query. Queries are plain functions over
//! a `&mut PgConnection`; nothing outside this module writes SQL.

pub mod areas;
pub mod changes;
pub mod data_state;
pub mod export;
pub mod features;
pub mod geography;
pub mod indicators;
pub mod migrations;
pub mod replication;
#[rustfmt::skip]
pub mod schema;
pub mod summaries;
pub mod tiles;

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};

use crate::config::{redact_url, Config};
use crate::error::{Error, Result};

pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// Reads waiting for a pooled connection now, in this process (r2d2 does not count them).
static WAITING: AtomicI64 = AtomicI64::new(0);

/// How many reads wait for a pooled connection now.
pub fn waiting() -> i64 {
    WAITING.load(Ordering::Relaxed)
}
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

/// The role the server reads through (created by the first migration).
pub const READER_ROLE: &str = "segstat_reader";

/// Session settings applied to every pooled connection of the server, before it serves a query.
#[derive(Debug)]
struct ReaderSession {
    statement_timeout: Duration,
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for ReaderSession {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        // The server must never write, whichever login it was given: it drops to the read-only
        // role, and every transaction is read-only on top of that.
        conn.batch_execute(&format!(
            "SET application_name = 'segstat-serve';
             SET statement_timeout = {timeout};
             SET lock_timeout = {timeout};
             SET idle_in_transaction_session_timeout = {idle};
             SET ROLE {READER_ROLE};
             SET default_transaction_read_only = on;",
            timeout = self.statement_timeout.as_millis(),
            idle = self.statement_timeout.as_millis() * 2,
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Builds the server's read-only pool. It opens no connection yet, so a database that is down
/// at this moment is reported by the first request (503) or by [`wait_for_database`].
pub fn reader_pool(config: &Config) -> PgPool {
    Pool::builder()
        .max_size(config.pool_size)
        .min_idle(Some(0))
        .connection_timeout(config.pool_timeout)
        .test_on_check_out(true)
        .connection_customizer(Box::new(ReaderSession {
            statement_timeout: config.statement_timeout,
        }))
        .build_unchecked(ConnectionManager::new(&config.database_url))
}

/// A direct connection for commands that write (`migrate`, `import`).
pub fn connect_writer(database_url: &str) -> Result<PgConnection> {
    let mut conn = PgConnection::establish(database_url).map_err(|e| {
        Error::Unavailable(format!(
            "cannot connect to {}: {}",
            redact_url(database_url),
            e.to_string().trim()
        ))
    })?;
    conn.batch_execute("SET application_name = 'segstat-admin'")?;
    Ok(conn)
}

/// Retries an unreachable database until `max_wait` has passed, then gives up with the last
/// error. Containers start in any order; a bounded wait lets `serve` ride that out without
/// hanging forever on a misconfigured URL.
pub fn wait_for_database(database_url: &str, max_wait: Duration) -> Result<PgConnection> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(200);
    loop {
        match connect_writer(database_url) {
            Ok(conn) => return Ok(conn),
            Err(e) if start.elapsed() + delay > max_wait => {
                return Err(Error::Unavailable(format!(
                    "{e} (gave up after {:.0?}; set SEGSTAT_DB_WAIT_SECS to wait longer)",
                    start.elapsed()
                )))
            }
            Err(e) => {
                log::warn!("database not reachable yet, retrying in {delay:?}: {e}");
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// Runs `work` in one read-only, repeatable-read transaction on a pooled connection, on the
/// blocking thread pool. Everything one response reads comes from one snapshot, so a response
/// never mixes two data versions.
///
/// `work` returns its own error type (the API's, for a handler), into which the pool's and the
/// database's errors convert.
pub async fn read<T, E, F>(pool: &PgPool, work: F) -> Result<T, E>
where
    F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<Error> + From<diesel::result::Error> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        WAITING.fetch_add(1, Ordering::Relaxed);
        let got = pool.get();
        WAITING.fetch_sub(1, Ordering::Relaxed);
        let mut conn = got.map_err(Error::from)?;
        conn.build_transaction()
            .read_only()
            .repeatable_read()
            .run(|conn| work(conn))
    })
    .await
    .map_err(Error::from)?
}
