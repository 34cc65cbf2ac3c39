//! How far a hot standby trails its primary, from what PostgreSQL reports about it.

use serde::Serialize;
use utoipa::ToSchema;

/// What PostgreSQL says about replication on one server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    /// `pg_is_in_recovery()`.
    pub standby: bool,
    /// Everything received from the primary has been replayed (`pg_last_wal_receive_lsn()` =
    /// `pg_last_wal_replay_lsn()`).
    pub replayed_all_received: bool,
    /// Seconds since the last replayed transaction was committed on the primary, if any was.
    pub since_last_replay: Option<f64>,
    /// Replay paused by `pg_wal_replay_pause()`.
    pub paused: bool,
}

/// The replication standing a readiness check reports.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, ToSchema)]
pub struct Standing {
    /// `primary` or `standby`.
    #[schema(example = "standby")]
    pub role: &'static str,
    /// Seconds of the primary's history not yet visible here: 0 on a primary and on a standby
    /// that has replayed all it received; `null` when it cannot be known (a standby behind
    /// that has replayed nothing since it started).
    #[schema(example = 0.0)]
    pub lag_seconds: Option<f64>,
    /// Replay is paused (`pg_wal_replay_pause()`).
    pub paused: bool,
}

impl Position {
    /// The lag. A standby that has replayed everything it received is current however long ago
    /// the primary last wrote (an idle primary would otherwise look like a growing lag); one
    /// that is behind trails by the age of the last transaction it replayed.
    pub fn standing(self) -> Standing {
        let lag_seconds = if !self.standby || self.replayed_all_received {
            Some(0.0)
        } else {
            self.since_last_replay.map(|s| s.max(0.0))
        };
        Standing {
            role: if self.standby { "standby" } else { "primary" },
            lag_seconds,
            paused: self.paused,
        }
    }
}

impl Standing {
    /// Whether a server this far behind should take traffic, given the limit in seconds. An
    /// unknown lag on a standby that is behind counts as too far.
    pub fn within(&self, limit_seconds: f64) -> bool {
        self.lag_seconds.is_some_and(|lag| lag <= limit_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standby(replayed_all: bool, since: Option<f64>) -> Position {
        Position {
            standby: true,
            replayed_all_received: replayed_all,
            since_last_replay: since,
            paused: false,
        }
    }

    #[test]
    fn a_primary_never_lags() {
        let p = Position {
            standby: false,
            replayed_all_received: true,
            since_last_replay: None,
            paused: false,
        };
        assert_eq!(p.standing().role, "primary");
        assert_eq!(p.standing().lag_seconds, Some(0.0));
        assert!(p.standing().within(0.0));
    }

    #[test]
    fn a_caught_up_standby_is_current_however_idle_the_primary() {
        let s = standby(true, Some(3600.0)).standing();
        assert_eq!((s.role, s.lag_seconds), ("standby", Some(0.0)));
        assert!(s.within(5.0));
    }

    #[test]
    fn a_standby_behind_lags_by_its_last_replay_and_is_drained_past_the_limit() {
        let s = standby(false, Some(42.5)).standing();
        assert_eq!(s.lag_seconds, Some(42.5));
        assert!(!s.within(30.0));
        assert!(s.within(60.0));
        // Clock skew between the two servers never gives a negative lag.
        assert_eq!(standby(false, Some(-0.3)).standing().lag_seconds, Some(0.0));
    }

    #[test]
    fn an_unknown_lag_behind_counts_as_too_far() {
        let s = standby(false, None).standing();
        assert_eq!(s.lag_seconds, None);
        assert!(!s.within(f64::MAX));
    }
}
