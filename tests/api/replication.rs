//! A real hot standby behind `/ready`: a private primary and a standby made with
//! `pg_basebackup`, streaming from it (PostgreSQL's own replication, no mock). The replica's
//! readiness reports its lag, drains past the limit while it goes on answering, and a change on
//! the primary reaches the server reading from the standby.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::*;

/// The newest PostgreSQL server installation with PostGIS (as scripts/dev-db.sh picks it).
fn pg_bin() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect(
            "PostgreSQL server binaries under /usr/lib/postgresql (scripts/test.sh installs them)",
        )
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            let postgis = format!("/usr/share/postgresql/{version}/extension/postgis.control");
            (bin.join("initdb").exists() && Path::new(&postgis).exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().expect("a PostgreSQL with PostGIS").1
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL tool as the `postgres` user when the suite runs as root (initdb and the
/// server refuse root), and returns its output; panics with it on failure.
fn pg(bin: &Path, tool: &str, args: &[&str]) -> String {
    let exe = bin.join(tool);
    let out = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&exe)
            .args(args)
            .output()
    } else {
        Command::new(&exe).args(args).output()
    }
    .unwrap_or_else(|e| panic!("{tool} could not run: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{tool} {args:?} failed: {text}");
    text
}

/// A primary and its hot standby in a private folder, stopped and removed on drop.
struct Pair {
    bin: PathBuf,
    dir: PathBuf,
}

impl Pair {
    fn start() -> Pair {
        let bin = pg_bin();
        // One folder per pair: the tests of one process run their pairs side by side.
        static PAIRS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "segstat-replica-{}-{}",
            std::process::id(),
            PAIRS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["primary", "run-primary", "run-standby"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(ok.success());
            // pg_basebackup makes the standby's folder itself, with the 0700 the server wants.
        }
        let pair = Pair { bin, dir };
        let d = |s: &str| pair.dir.join(s).to_string_lossy().into_owned();
        pg(
            &pair.bin,
            "initdb",
            &[
                "-D",
                &d("primary"),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
        );
        pair.server("primary", "run-primary");
        pg(
            &pair.bin,
            "psql",
            &[
                "-h",
                &d("run-primary"),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qc",
                "CREATE DATABASE segstat",
            ],
        );
        pair
    }

    fn server(&self, data: &str, run: &str) {
        let d = |s: &str| self.dir.join(s).to_string_lossy().into_owned();
        // No autovacuum: nothing commits on the primary but what a test does, so a commit
        // the standby replays is the test's.
        let options = format!(
            "-c listen_addresses='' -k {} -c fsync=off -c hot_standby_feedback=on -c autovacuum=off",
            d(run)
        );
        pg(
            &self.bin,
            "pg_ctl",
            &[
                "-D",
                &d(data),
                "-l",
                &d(&format!("{data}.log")),
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        );
    }

    fn url(&self, run: &str) -> String {
        format!(
            "postgres://postgres@localhost/segstat?host={}",
            self.dir.join(run).display()
        )
    }

    /// Makes the standby from a base backup of the primary (`-R` writes its primary_conninfo)
    /// and starts it.
    fn start_standby(&self) {
        let d = |s: &str| self.dir.join(s).to_string_lossy().into_owned();
        pg(
            &self.bin,
            "pg_basebackup",
            &[
                "-h",
                &d("run-primary"),
                "-U",
                "postgres",
                "-D",
                &d("standby"),
                "-R",
                "-X",
                "stream",
                // A fast checkpoint: the default spread one waits minutes on an idle primary.
                "--checkpoint=fast",
            ],
        );
        self.server("standby", "run-standby");
    }

    fn sql(&self, run: &str, sql: &str) -> String {
        let host = self.dir.join(run).to_string_lossy().into_owned();
        pg(
            &self.bin,
            "psql",
            &["-h", &host, "-U", "postgres", "-d", "segstat", "-tAc", sql],
        )
        .trim()
        .to_owned()
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for data in ["standby", "primary"] {
            let path = self.dir.join(data);
            let exe = self.bin.join("pg_ctl");
            let args = ["-D", &path.to_string_lossy(), "-m", "immediate", "stop"].map(String::from);
            let _ = if is_root() {
                Command::new("runuser")
                    .args(["-u", "postgres", "--"])
                    .arg(&exe)
                    .args(&args)
                    .output()
            } else {
                Command::new(&exe).args(&args).output()
            };
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Polls `/ready` until `done` holds for its answer, for at most 20 s.
async fn ready_until<S, B>(app: &S, what: &str, done: impl Fn(&Answer) -> bool) -> Answer
where
    S: TestApp<B>,
    B: actix_web::body::MessageBody,
{
    let started = Instant::now();
    loop {
        let res = get(app, "/ready").await;
        if done(&res) {
            return res;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{what}: still {} {} after 20 s",
            res.status,
            res.text()
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A migrated primary and its streaming standby.
fn migrated_pair() -> Pair {
    let pair = Pair::start();
    let migrated = Command::new(env!("CARGO_BIN_EXE_segstat"))
        .arg("migrate")
        .env("DATABASE_URL", pair.url("run-primary"))
        .output()
        .unwrap();
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    pair.start_standby();
    assert_eq!(pair.sql("run-standby", "SELECT pg_is_in_recovery()"), "t");
    pair
}

#[actix_web::test]
async fn a_standby_replica_reports_its_lag_drains_past_the_limit_and_catches_up() {
    let pair = migrated_pair();

    // The limit is 0 s: any replay behind what the standby received drains it.
    let app = app_with(config_with(
        &pair.url("run-standby"),
        &[("SEGSTAT_MAX_REPLICA_LAG_SECS", "0")],
    ))
    .await;
    let res = ready_until(&app, "a caught-up standby", |r| r.status == 200).await;
    let body = res.json();
    assert_eq!(body["replication"]["role"], "standby", "{body}");
    assert_eq!(body["replication"]["lag_seconds"], 0.0);
    assert_eq!(body["data_version"], "empty");

    // Replay paused, then a new data version on the primary: the standby receives it but does
    // not apply it, so it lags, and is drained.
    pair.sql("run-standby", "SELECT pg_wal_replay_pause()");
    pair.sql(
        "run-primary",
        "UPDATE data_state SET data_version = 'replicated', updated_at = now()",
    );
    let drained = ready_until(&app, "a paused standby behind", |r| r.status == 503).await;
    let problem = drained.problem(503);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("(a hot standby)"),
        "{problem}"
    );
    // Drained, not down: it goes on answering what it has, the old version.
    let meta = get(&app, "/v1/meta").await;
    assert_eq!(meta.status, 200, "{}", meta.text());
    assert_eq!(meta.json()["data_version"], "empty");

    // Resumed, it catches up and is ready again, serving the primary's new version.
    pair.sql("run-standby", "SELECT pg_wal_replay_resume()");
    let back = ready_until(&app, "a resumed standby", |r| {
        r.status == 200 && r.json()["data_version"] == "replicated"
    })
    .await;
    assert_eq!(back.json()["replication"]["paused"], false);
    let meta = get(&app, "/v1/meta").await;
    assert_eq!(meta.json()["data_version"], "replicated");
}

#[actix_web::test]
async fn a_standby_behind_answers_a_newer_version_with_a_retry_not_a_redirect_back() {
    let pair = migrated_pair();
    let app = app_for(&pair.url("run-standby")).await;
    ready_until(&app, "a caught-up standby", |r| r.status == 200).await;
    // Caught up, a version it does not serve can only be an old one (or none): the redirect.
    let old = get(&app, "/v1/meta?v=0123456789ab").await;
    assert_eq!(old.status, 302, "{}", old.text());

    // Replay paused, then an import on the primary that the standby receives but does not apply.
    pair.sql("run-standby", "SELECT pg_wal_replay_pause()");
    pair.sql(
        "run-primary",
        "UPDATE data_state SET data_version = 'newer', updated_at = now()",
    );
    let sent = pair.sql("run-primary", "SELECT pg_current_wal_lsn()");
    let started = Instant::now();
    while pair.sql(
        "run-standby",
        &format!("SELECT pg_last_wal_receive_lsn() >= '{sent}'::pg_lsn"),
    ) != "t"
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the standby did not receive the change within 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // A URL of the primary's new version (as its TileJSON would hand out) is not sent back to
    // the old version: a 503 to retry, here or on another replica.
    let newer = get(&app, "/v1/meta?lang=en&v=newer").await;
    let problem = newer.problem(503);
    assert_eq!(newer.header("retry-after"), Some("1"));
    assert_eq!(newer.header("cache-control"), Some("no-store"));
    assert!(
        problem["detail"].as_str().unwrap().contains("newer"),
        "{problem}"
    );
    // Without `v`, it answers what it has.
    let meta = get(&app, "/v1/meta").await;
    assert_eq!(meta.status, 200, "{}", meta.text());
    assert_eq!(meta.json()["data_version"], "empty");

    // Resumed, it applies the change: the new version's URL is answered, and the old version's
    // is redirected to it.
    pair.sql("run-standby", "SELECT pg_wal_replay_resume()");
    let started = Instant::now();
    let fresh = loop {
        let res = get(&app, "/v1/meta?lang=en&v=newer").await;
        if res.status != 503 {
            break res;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still 503 20 s after replay resumed: {}",
            res.text()
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(fresh.status, 200, "{}", fresh.text());
    assert_eq!(fresh.json()["data_version"], "newer");
    let old = get(&app, "/v1/meta?v=empty").await;
    assert_eq!(old.status, 302, "{}", old.text());
    assert!(old
        .header("location")
        .unwrap()
        .ends_with("/v1/meta?v=newer"));
}

/// An import is one long transaction: the standby receives its WAL all along but no commit
/// until the end, and its lag is measured from its last replayed commit. The heartbeat the
/// import runs (`db::replication::Heartbeat`) commits on its own connection while the import's
/// transaction stays open, and the standby replays those commits: its replay clock passes a
/// moment taken inside the open transaction. (Without the heartbeat nothing commits here: the
/// pair runs without autovacuum, and the transaction is still open.)
#[test]
fn a_standby_replays_the_heartbeat_while_an_import_transaction_is_open() {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use segstat::db::replication::Heartbeat;

    let pair = migrated_pair();
    let mut import = diesel::PgConnection::establish(&pair.url("run-primary")).unwrap();
    import
        .batch_execute(
            "BEGIN;
             CREATE TABLE import_like (n int);
             INSERT INTO import_like SELECT generate_series(1, 100000);",
        )
        .unwrap();
    #[derive(diesel::QueryableByName)]
    struct Now {
        #[diesel(sql_type = diesel::sql_types::Text)]
        now: String,
    }
    let inside: Now = diesel::sql_query("SELECT clock_timestamp()::text AS now")
        .get_result(&mut import)
        .unwrap();
    let passed = format!(
        "SELECT coalesce(pg_last_xact_replay_timestamp() > '{}'::timestamptz, false)",
        inside.now
    );
    assert_eq!(
        pair.sql("run-standby", &passed),
        "f",
        "nothing has committed since the transaction began"
    );

    let heartbeat = Heartbeat::start(&pair.url("run-primary"), Duration::from_millis(50));
    let started = Instant::now();
    while pair.sql("run-standby", &passed) != "t" {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the standby replayed no heartbeat in 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(heartbeat);
    import.batch_execute("ROLLBACK").unwrap();
}
