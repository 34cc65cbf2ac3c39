//! /health, /ready, the landing page and /v1/meta, including a database that goes away.

use std::time::Duration;

use actix_web::test::TestRequest;

use crate::support::*;

#[actix_web::test]
async fn health_answers_without_a_database() {
    // Nothing listens on port 1: the database is unreachable from the start.
    let app = app_for("postgres://nobody@127.0.0.1:1/none").await;
    let res = get(&app, "/health").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["status"], "ok");
    assert_eq!(res.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn ready_when_migrated_and_503_when_not() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let res = get(&app, "/ready").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["data_version"], "empty");
    // The test cluster is a primary: no lag, nothing paused.
    let replication = &res.json()["replication"];
    assert_eq!(replication["role"], "primary", "{replication}");
    assert_eq!(replication["lag_seconds"], 0.0);
    assert_eq!(replication["paused"], false);

    // The server reads through the read-only role, which needs the migrations' grants; a
    // database without them is not ready, and says why.
    let empty = TestDb::empty();
    let app = app_for(&empty.url()).await;
    let doc = get(&app, "/ready").await.problem(503);
    assert!(doc["detail"].as_str().unwrap().contains("migrat"), "{doc}");
}

#[actix_web::test]
async fn meta_cites_the_data_and_its_version() {
    let db = TestDb::migrated();
    db.execute(
        "INSERT INTO datasets (kind, source, checksum, synthetic)
         VALUES ('codes', 'codes/regioner.json', repeat('ab', 32), false);
         UPDATE data_state SET data_version = 'abc123', updated_at = '2026-01-02T03:04:05Z';",
    );
    let app = app_for(&db.url()).await;
    let res = get(&app, "/v1/meta?lang=en").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let meta = res.json();
    assert_eq!(meta["data_version"], "abc123");
    assert_eq!(meta["licence"]["id"], "CC0-1.0");
    assert_eq!(meta["citation"], "Källa: SCB");
    assert_eq!(meta["datasets"][0]["source"], "codes/regioner.json");
    assert_eq!(meta["synthetic"], false);
    assert_eq!(meta["languages"], serde_json::json!(["sv", "en"]));
    assert_eq!(
        meta["limits"]["max_uri_bytes"],
        segstat::limits::MAX_URI_BYTES
    );
    assert_eq!(res.header("data-version"), Some("abc123"));
    assert_eq!(
        res.header("data-synthetic"),
        None,
        "real data carries no synthetic mark"
    );
    assert_eq!(res.header("content-language"), Some("en"));
    assert_eq!(
        res.header("last-modified"),
        Some("Fri, 02 Jan 2026 03:04:05 GMT")
    );
}

#[actix_web::test]
async fn landing_page_links_to_every_resource_in_the_chosen_language() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let sv = get(&app, "/v1").await.json();
    let en = send(
        &app,
        TestRequest::get()
            .uri("/v1")
            .insert_header(("Accept-Language", "en-GB,en;q=0.9"))
            .insert_header(("Host", "api.example.org")),
    )
    .await;
    assert_eq!(en.header("content-language"), Some("en"));
    let en = en.json();
    assert_ne!(sv["title"], en["title"]);
    let rels: Vec<&str> = en["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    for rel in ["self", "service-desc", "service-doc", "conformance"] {
        assert!(rels.contains(&rel), "{rel} missing from {rels:?}");
    }
    // Links are absolute and use the host the client asked for.
    assert_eq!(en["links"][0]["href"], "http://api.example.org/v1");
    // Every link on this server leads somewhere (the licence's page is elsewhere).
    for link in en["links"].as_array().unwrap() {
        let href = link["href"].as_str().unwrap();
        if link["rel"] == "license" {
            assert_eq!(href, "https://creativecommons.org/publicdomain/zero/1.0/");
            continue;
        }
        let path = href.trim_start_matches("http://api.example.org");
        let res = get(&app, path).await;
        assert_eq!(res.status, 200, "{path}");
    }
}

#[actix_web::test]
async fn conformance_declares_common_core() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let doc = get(&app, "/v1/conformance").await.json();
    let classes: Vec<&str> = doc["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core"));
}

#[actix_web::test]
async fn database_outage_gives_503_then_recovers_by_itself() {
    let db = TestDb::migrated();
    let proxy = DbProxy::start();
    let app = app_for(&proxy.url_for(&db.name)).await;

    let before = get(&app, "/v1/meta").await;
    assert_eq!(before.status, 200, "{}", before.text());
    let etag = before.header("etag").unwrap().to_owned();

    proxy.down();
    let ready = within("/ready with the database down", get(&app, "/ready")).await;
    let doc = ready.problem(503);
    assert!(ready.header("retry-after").is_some(), "{doc}");
    let fresh = within(
        "/v1/meta with the database down",
        get(&app, "/v1/meta?lang=en"),
    )
    .await;
    fresh.problem(503);
    // A client holding the current version is still answered, without the database.
    let revalidated = within(
        "a conditional request with the database down",
        send(
            &app,
            TestRequest::get()
                .uri("/v1/meta")
                .insert_header(("If-None-Match", etag.as_str())),
        ),
    )
    .await;
    assert_eq!(revalidated.status, 304);

    proxy.up();
    let mut status = 0;
    for _ in 0..50 {
        status = within("/ready after the outage", get(&app, "/ready"))
            .await
            .status;
        if status == 200 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        status, 200,
        "the server did not recover after the database returned"
    );
    assert_eq!(get(&app, "/v1/meta").await.status, 200);
}

#[actix_web::test]
async fn metrics_count_routes_cache_rate_limit_and_replication() {
    use std::net::SocketAddr;
    let db = TestDb::migrated();
    let app = app_with(config_with(
        &db.url(),
        &[("SEGSTAT_RATE_LIMIT", "2"), ("SEGSTAT_RATE_BURST", "2")],
    ))
    .await;
    let from = |uri: &str| {
        TestRequest::get()
            .uri(uri)
            .peer_addr(SocketAddr::new("192.0.2.20".parse().unwrap(), 40_000))
    };
    // A miss, a hit, then the third request of a burst of 2 is refused.
    assert_eq!(send(&app, from("/v1/meta")).await.status, 200);
    assert_eq!(send(&app, from("/v1/meta")).await.status, 200);
    assert_eq!(send(&app, from("/v1/meta")).await.status, 429);
    // Readiness and metrics are exempt from the limit, however often they are asked.
    assert_eq!(send(&app, from("/ready")).await.status, 200);
    let mut text = String::new();
    for _ in 0..3 {
        let res = send(&app, from("/metrics")).await;
        assert_eq!(res.status, 200);
        assert_eq!(
            res.header("content-type"),
            Some("text/plain; version=0.0.4; charset=utf-8")
        );
        text = res.text();
    }
    for line in [
        r#"segstat_http_requests_total{route="/v1/meta",status="200"} 2"#,
        r#"segstat_http_requests_total{route="/v1/meta",status="429"} 1"#,
        r#"segstat_cache_lookups_total{result="miss"} 1"#,
        r#"segstat_cache_lookups_total{result="hit"} 1"#,
        "segstat_rate_limited_total 1",
        // The test database is a primary: read at /ready.
        "segstat_replica_lag_seconds 0",
        "segstat_db_pool_in_use 0",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    // The earlier scrapes are counted too (this one is not finished when it renders).
    assert!(
        text.contains(r#"segstat_http_requests_total{route="/metrics",status="200"} 2"#),
        "{text}"
    );
    let age: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("segstat_data_version_age_seconds "))
        .expect("the data version's age")
        .parse()
        .unwrap();
    assert!(age >= 0.0, "{age}");
}
