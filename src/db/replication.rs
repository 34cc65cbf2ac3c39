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
