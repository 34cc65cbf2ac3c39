//! The binary itself: start-up checks, migrate, serve on a real socket.

use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::support::*;

fn segstat(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_segstat"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "info");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    segstat(args, env).output().expect("run segstat")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn invalid_configuration_names_each_variable_and_exits_non_zero() {
    let out = run(
        &["serve"],
        &[("SEGSTAT_POOL_SIZE", "many"), ("SEGSTAT_BIND", "nowhere")],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("SEGSTAT_POOL_SIZE") && err.contains("SEGSTAT_BIND"),
        "{err}"
    );
}

#[test]
fn unreachable_database_at_start_is_reported_and_fatal() {
    let out = run(
        &["serve"],
        &[
            ("DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none"),
            ("SEGSTAT_DB_WAIT_SECS", "1"),
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("cannot connect") && err.contains("SEGSTAT_DB_WAIT_SECS"),
        "{err}"
    );
    assert!(!err.contains("secret"), "password leaked: {err}");
}

#[test]
fn serve_refuses_an_unmigrated_database() {
    let db = TestDb::empty();
    let out = run(&["serve"], &[("DATABASE_URL", &db.url())]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("segstat migrate"), "{}", stderr(&out));
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn migrate_then_serve_on_a_real_socket() {
    let db = TestDb::empty();
    let url = db.url();
    let out = run(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("applied migration"),
        "{}",
        stderr(&out)
    );
    let again = run(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(stderr(&again).contains("up to date"), "{}", stderr(&again));

    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = segstat(
        &["serve"],
        &[("DATABASE_URL", &url), ("SEGSTAT_BIND", &bind)],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let health = format!("http://{bind}/health");
    let ready = format!("http://{bind}/ready");
    let mut ok = false;
    for _ in 0..100 {
        if segstat::server::healthcheck(&ready).is_ok() {
            ok = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let health_ok = segstat::server::healthcheck(&health).is_ok();
    let cli_check = run(&["healthcheck", "--url", &health], &[])
        .status
        .success();
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(ok, "the server never became ready on {bind}");
    assert!(health_ok && cli_check);
    // With the server gone, the health check fails.
    assert!(!run(&["healthcheck", "--url", &health], &[])
        .status
        .success());

    let down = run(&["migrate", "--revert-all"], &[("DATABASE_URL", &url)]);
    assert!(down.status.success(), "{}", stderr(&down));
    assert!(stderr(&down).contains("reverted migration"));
}

#[test]
fn openapi_command_prints_the_committed_spec() {
    let out = run(&["openapi"], &[]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        include_str!("../../openapi/openapi.json")
    );
}

#[test]
fn slow_clients_are_cut_off_and_do_not_hold_the_server() {
    use std::io::{Read, Write};
    let db = TestDb::migrated();
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = segstat(
        &["serve"],
        &[("DATABASE_URL", &db.url()), ("SEGSTAT_BIND", &bind)],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let health = format!("http://{bind}/health");
    for _ in 0..100 {
        if segstat::server::healthcheck(&health).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Fifty clients send half a request head and stop.
    let mut slow: Vec<std::net::TcpStream> = (0..50)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&bind).unwrap();
            s.write_all(b"GET /v1/meta HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    // Others are still served meanwhile.
    let served = segstat::server::healthcheck(&health).is_ok();
    // The server closes the slow ones itself, bounded by its request timeout (5 s); the read
    // timeout here only keeps a broken server from hanging the test.
    let mut closed = 0;
    for s in &mut slow {
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut answer = Vec::new();
        if s.read_to_end(&mut answer).is_ok() {
            let text = String::from_utf8_lossy(&answer);
            assert!(
                text.is_empty() || text.starts_with("HTTP/1.1 408"),
                "{text}"
            );
            closed += 1;
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(served, "a slow client blocked the others");
    assert_eq!(closed, 50, "the server left slow connections open");
}

/// A command-line mistake says what to change and exits 2 (as clap's own do), not
/// "internal error" and 1; an error of the work itself stays 1.
#[test]
fn a_usage_mistake_is_named_and_exits_2() {
    let data = data_dir();
    let data = data.to_str().unwrap();
    for (args, says) in [
        (
            &["import", "scb", "--data-dir", data, "--layer", "Kommun"][..],
            "--layer Kommun: expected RegSO_2020",
        ),
        (
            &["import", "scb", "--data-dir", data][..],
            "nothing to fetch: give --all, --table and/or --layer",
        ),
        (
            &["healthcheck", "--url", "ftp://localhost/ready"][..],
            "only http:// URLs are supported",
        ),
    ] {
        let out = run(args, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("internal error"), "{args:?}: {err}");
    }
    // The server not answering is not a usage mistake.
    let out = run(
        &[
            "healthcheck",
            "--url",
            &format!("http://127.0.0.1:{}/ready", free_port()),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}
