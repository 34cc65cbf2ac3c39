//! How far a hot standby trails its primary, from what PostgreSQL reports about it, and what a
//! replica answers for a data version it does not serve.

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

/// What a replica answers a URL whose `v` names a data version other than the one it serves
/// (`http::version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherVersion {
    /// A 302 to the same URL with the version served here: this server has applied everything
    /// it knows of, so the version asked is an old one (or was never made).
    Redirect,
    /// A 503 to retry in a second: this hot standby holds changes from its primary that it has
    /// not applied yet, and they may make the version asked. Redirecting would send a client
    /// that read the new version elsewhere back to an old one.
    NotReplayedYet,
}

impl Position {
    /// Whether this server has received WAL it has not replayed yet, or has replay paused: what
    /// it serves may be older than what its primary has already committed.
    pub fn replay_pending(self) -> bool {
        self.standby && (!self.replayed_all_received || self.paused)
    }

    /// The answer to a request naming a data version this server does not serve.
    pub fn other_version(self) -> OtherVersion {
        if self.replay_pending() {
            OtherVersion::NotReplayedYet
        } else {
            OtherVersion::Redirect
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
    fn a_primary_or_a_caught_up_standby_redirects_another_version() {
        let primary = Position {
            standby: false,
            replayed_all_received: true,
            since_last_replay: None,
            paused: false,
        };
        assert_eq!(primary.other_version(), OtherVersion::Redirect);
        assert_eq!(
            standby(true, Some(3600.0)).other_version(),
            OtherVersion::Redirect
        );
    }

    #[test]
    fn a_standby_with_received_changes_not_replayed_asks_to_retry() {
        // Received but not applied: the version asked may be in what is waiting.
        assert_eq!(
            standby(false, Some(0.2)).other_version(),
            OtherVersion::NotReplayedYet
        );
        assert_eq!(
            standby(false, None).other_version(),
            OtherVersion::NotReplayedYet
        );
        // Paused, even with nothing waiting yet: whatever arrives next is not applied.
        let paused = Position {
            paused: true,
            ..standby(true, Some(1.0))
        };
        assert!(paused.replay_pending());
        assert_eq!(paused.other_version(), OtherVersion::NotReplayedYet);
    }

    #[test]
    fn an_unknown_lag_behind_counts_as_too_far() {
        let s = standby(false, None).standing();
        assert_eq!(s.lag_seconds, None);
        assert!(!s.within(f64::MAX));
    }
}
