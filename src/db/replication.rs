//! Where this database stands in PostgreSQL streaming replication: a primary, or a hot standby
//! with how far its replay trails what it received.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Nullable};

use crate::domain::replication::{Position, Standing};
use crate::error::Result;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Bool)]
    standby: bool,
    #[diesel(sql_type = Nullable<Bool>)]
    replayed_all_received: Option<bool>,
    #[diesel(sql_type = Nullable<Double>)]
    since_last_replay: Option<f64>,
    #[diesel(sql_type = Nullable<Bool>)]
    paused: Option<bool>,
}

/// Reads the replication state of the connected server, as its lag (see [`position`]).
pub fn standing(conn: &mut PgConnection) -> Result<Standing> {
    Ok(position(conn)?.standing())
}

/// Reads where the connected server stands in replication (any role may call these functions).
pub fn position(conn: &mut PgConnection) -> Result<Position> {
    let row: Row = diesel::sql_query(
        "SELECT pg_is_in_recovery() AS standby,
                CASE WHEN pg_is_in_recovery()
                     THEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() END
                  AS replayed_all_received,
                CASE WHEN pg_is_in_recovery()
                     THEN EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END
                  AS since_last_replay,
                CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS paused",
    )
    .get_result(conn)?;
    Ok(Position {
        standby: row.standby,
        replayed_all_received: row.replayed_all_received.unwrap_or(true),
        since_last_replay: row.since_last_replay,
        paused: row.paused.unwrap_or(false),
    })
}

/// One empty commit that standbys replay: the transaction is given an id, so its commit is a
/// WAL record, and a standby's `pg_last_xact_replay_timestamp()` moves to it when it replays it.
pub fn beat(conn: &mut PgConnection) -> Result<()> {
    diesel::sql_query("SELECT txid_current()").execute(conn)?;
    Ok(())
}

/// While it lives, a [`beat`] every `every` on its own connection to the primary.
///
/// An import is one long transaction: WAL streams to the standbys all the time, but no commit
/// comes until its end. A standby's lag is measured from its last replayed commit whenever WAL
/// is pending ([`position`]), so without the beats a standby that keeps up would look as far
/// behind as the import is long, and `/ready` would drain it although it serves exactly what the
/// primary serves. With them, a standby that keeps up has a commit at most `every` old.
pub struct Heartbeat {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Heartbeat {
    /// Starts beating on `database_url`. A heartbeat that cannot connect or write says so in
    /// the log and stops: the import goes on without it (only readiness is affected).
    pub fn start(database_url: &str, every: std::time::Duration) -> Heartbeat {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, url) = (stop.clone(), database_url.to_owned());
        let thread = std::thread::Builder::new()
            .name("replication-heartbeat".into())
            .spawn(move || {
                let mut conn = match PgConnection::establish(&url) {
                    Ok(c) => c,
                    Err(e) => {
                        log::warn!("no replication heartbeat during the import: {e}");
                        return;
                    }
                };
                while !flag.load(Ordering::Relaxed) {
                    if let Err(e) = beat(&mut conn) {
                        log::warn!("replication heartbeat stopped: {e}");
                        return;
                    }
                    // In short steps, so that dropping the heartbeat does not wait a whole beat.
                    let next = std::time::Instant::now() + every;
                    while !flag.load(Ordering::Relaxed) && std::time::Instant::now() < next {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                }
            })
            .map_err(|e| log::warn!("no replication heartbeat during the import: {e}"))
            .ok();
        Heartbeat { stop, thread }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
