//! `import scb` against a local server that replays SCB's real response formats (PxWebApi 2
//! JSON-stat 2.0 and GeoServer WFS GeoJSON): the machines here cannot reach SCB.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};

use crate::support::*;

/// A tiny HTTP server: the first route whose path prefix matches answers with its status and
/// body. It records every request target.
struct Replay {
    port: u16,
    hits: Arc<Mutex<Vec<String>>>,
}

fn replay(routes: Vec<(&'static str, u16, Vec<u8>)>) -> Replay {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let target = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_owned();
            seen.lock().unwrap().push(target.clone());
            let (status, body) = routes
                .iter()
                .find(|(prefix, _, _)| target.starts_with(prefix))
                .map(|(_, s, b)| (*s, b.clone()))
                .unwrap_or((404, b"{}".to_vec()));
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    Replay { port, hits }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(data_dir().join("fixtures").join(name)).unwrap()
}

fn import_scb(db: &TestDb, server: &Replay, extra: &[&str]) -> std::process::Output {
    let keep = std::env::temp_dir().join(format!(
        "segstat-fetch-{}-{}",
        std::process::id(),
        server.port
    ));
    let base = format!("http://127.0.0.1:{}", server.port);
    let mut args = vec![
        "import".to_owned(),
        "scb".to_owned(),
        "--pxweb-url".to_owned(),
        format!("{base}/api/v2"),
        "--wfs-url".to_owned(),
        format!("{base}/wfs"),
        "--data-dir".to_owned(),
        data_dir().to_string_lossy().into_owned(),
        "--keep".to_owned(),
        keep.to_string_lossy().into_owned(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_segstat"))
        .args(&args)
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(keep);
    out
}

#[test]
fn fetches_a_table_and_a_layer_and_imports_them_with_their_urls() {
    let server = replay(vec![
        (
            "/api/v2/tables/TAB638/data",
            200,
            fixture("scb_pxwebapi2_tab638_jsonstat2.json"),
        ),
        (
            "/wfs?",
            200,
            fixture("scb_wfs_deso2025_features_wgs84.json"),
        ),
    ]);
    let db = TestDb::migrated();
    let out = import_scb(
        &db,
        &server,
        &[
            "--table",
            "TAB638",
            "--select",
            "Region=0180,1480",
            "--select",
            "Tid=2023,2024",
            "--layer",
            "DeSO_2025",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let hits = server.hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(
        hits[0].contains("valueCodes%5BRegion%5D=0180%2C1480"),
        "{}",
        hits[0]
    );
    assert!(hits[0].contains("outputFormat=json-stat2"));
    assert!(
        hits[1].contains("typeNames=stat%3ADeSO_2025") && hits[1].contains("srsName=EPSG%3A3006"),
        "{}",
        hits[1]
    );

    let mut conn = db.conn();
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Double)]
        value: f64,
    }
    let v = diesel::sql_query("SELECT value FROM indicator_values WHERE indicator = 'population' AND code = '1480' AND year = 2023")
        .get_result::<V>(&mut conn)
        .unwrap();
    assert_eq!(v.value, 600_151.0);
    #[derive(QueryableByName)]
    struct Src {
        #[diesel(sql_type = Text)]
        source: String,
    }
    let sources: Vec<String> =
        diesel::sql_query("SELECT source FROM datasets WHERE source LIKE 'http%' ORDER BY source")
            .load::<Src>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|s| s.source)
            .collect();
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert!(sources
        .iter()
        .all(|s| s.starts_with(&format!("http://127.0.0.1:{}/", server.port))));
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let deso = diesel::sql_query("SELECT count(*) AS n FROM areas WHERE division = 'deso-2025' AND geom IS NOT NULL AND code = '1280C1070'")
        .get_result::<N>(&mut conn)
        .unwrap();
    assert_eq!(deso.n, 1, "the WFS feature landed as DeSO 2025 geometry");
    // The rest of the bundle came along: SCB's area types are there too.
    let types = diesel::sql_query(
        "SELECT count(*) AS n FROM area_types WHERE year = 2022 AND area_type = 1",
    )
    .get_result::<N>(&mut conn)
    .unwrap();
    assert_eq!(types.n, 160);
}

#[test]
fn an_error_from_scb_names_the_url_and_changes_nothing() {
    let server = replay(vec![(
        "/api/v2/tables/",
        503,
        br#"{"message":"Too many requests"}"#.to_vec(),
    )]);
    let db = TestDb::migrated();
    let out = import_scb(
        &db,
        &server,
        &["--table", "TAB638", "--select", "Region=0180"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/api/v2/tables/TAB638/data") && err.contains("503"),
        "{err}"
    );
    assert_eq!(
        segstat::db::data_state::current(&mut db.conn())
            .unwrap()
            .data_version,
        "empty"
    );
}
