//! ETag / If-None-Match / Cache-Control, keyed on the data version; compression.

use actix_web::test::TestRequest;

use crate::support::*;

fn with_etag(uri: &str, etag: &str) -> TestRequest {
    TestRequest::get()
        .uri(uri)
        .insert_header(("If-None-Match", etag))
}

#[actix_web::test]
async fn repeat_request_with_etag_is_304_until_the_data_changes() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let first = get(&app, "/v1/meta").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("cache-control"), Some("public, max-age=60"));
    let etag = first.header("etag").unwrap().to_owned();
    assert!(etag.starts_with("\"empty-"), "{etag}");

    let again = send(&app, with_etag("/v1/meta", &etag)).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));

    // Another representation (language) has another tag.
    let en = get(&app, "/v1/meta?lang=en").await;
    assert_ne!(en.header("etag"), Some(etag.as_str()));

    // An import changes the data version; the old tag no longer matches.
    db.execute("UPDATE data_state SET data_version = 'v2', updated_at = now()");
    // The server learns of a new version when it reads it: every few seconds in `serve`
    // (SEGSTAT_REFRESH_SECS), or at any read that bypasses memory, such as /ready.
    assert_eq!(get(&app, "/ready").await.json()["data_version"], "v2");
    let after = get(&app, "/v1/meta").await;
    assert_eq!(after.json()["data_version"], "v2");
    let new_tag = after.header("etag").unwrap();
    assert!(new_tag.starts_with("\"v2-"), "{new_tag}");
    let stale = send(&app, with_etag("/v1/meta", &etag)).await;
    assert_eq!(
        stale.status, 200,
        "a tag of the old version must not validate"
    );
}

#[actix_web::test]
async fn compressed_responses_have_their_own_strong_tag() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let plain = get(&app, "/v1/openapi.json").await;
    let gz = send(
        &app,
        TestRequest::get()
            .uri("/v1/openapi.json")
            .insert_header(("Accept-Encoding", "gzip")),
    )
    .await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(
        gz.body.len() < plain.body.len() / 2,
        "gzip should shrink the spec"
    );
    let gz_tag = gz.header("etag").unwrap().to_owned();
    assert_ne!(Some(gz_tag.as_str()), plain.header("etag"));
    assert!(gz_tag.ends_with("-gzip\""), "{gz_tag}");
    // The coded tag still validates its resource.
    let again = send(
        &app,
        with_etag("/v1/openapi.json", &gz_tag).insert_header(("Accept-Encoding", "gzip")),
    )
    .await;
    assert_eq!(again.status, 304);
    let br = send(
        &app,
        TestRequest::get()
            .uri("/v1/openapi.json")
            .insert_header(("Accept-Encoding", "br")),
    )
    .await;
    assert_eq!(br.header("content-encoding"), Some("br"));
}

#[actix_web::test]
async fn errors_are_never_cached() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let res = get(&app, "/v1/meta?lang=xx").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert!(res.header("etag").is_none());
}

#[actix_web::test]
async fn repeat_requests_are_answered_from_memory_until_the_data_changes() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let first = get(&app, "/v1/meta?lang=en").await;
    assert_eq!(
        first.header("cache-status"),
        Some("segstat; fwd=miss; stored")
    );
    let second = get(&app, "/v1/meta?lang=en").await;
    assert_eq!(second.header("cache-status"), Some("segstat; hit"));
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("etag"), first.header("etag"));
    // Another representation is another entry.
    assert_eq!(
        get(&app, "/v1/meta?lang=sv").await.header("cache-status"),
        Some("segstat; fwd=miss; stored")
    );

    // A new data version, once seen, bypasses the old entries.
    db.execute("UPDATE data_state SET data_version = 'v2', updated_at = now()");
    let ready = get(&app, "/ready").await;
    assert_eq!(ready.json()["data_version"], "v2");
    let after = get(&app, "/v1/meta?lang=en").await;
    assert_eq!(
        after.header("cache-status"),
        Some("segstat; fwd=miss; stored")
    );
    assert_eq!(after.json()["data_version"], "v2");
}

#[actix_web::test]
async fn cached_answers_survive_a_database_outage() {
    let db = TestDb::migrated();
    let proxy = DbProxy::start();
    let app = app_for(&proxy.url_for(&db.name)).await;
    assert_eq!(get(&app, "/v1/meta").await.status, 200);
    proxy.down();
    let cached = within(
        "a cached request with the database down",
        get(&app, "/v1/meta"),
    )
    .await;
    assert_eq!(cached.status, 200);
    assert_eq!(cached.header("cache-status"), Some("segstat; hit"));
    within(
        "an uncached request with the database down",
        get(&app, "/v1/meta?lang=en"),
    )
    .await
    .problem(503);
    proxy.up();
}

#[actix_web::test]
async fn another_host_never_gets_this_hosts_links() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let mine = send(
        &app,
        TestRequest::get()
            .uri("/v1")
            .insert_header(("Host", "api.example.org")),
    )
    .await;
    let theirs = send(
        &app,
        TestRequest::get()
            .uri("/v1")
            .insert_header(("Host", "api.example.org"))
            .insert_header(("X-Forwarded-Host", "evil.example")),
    )
    .await;
    assert_ne!(mine.header("etag"), theirs.header("etag"));
    let again = send(
        &app,
        TestRequest::get()
            .uri("/v1/meta")
            .insert_header(("Host", "api.example.org")),
    )
    .await;
    let poisoned = send(
        &app,
        TestRequest::get()
            .uri("/v1/meta")
            .insert_header(("Host", "evil.example")),
    )
    .await;
    assert_eq!(
        poisoned.header("cache-status"),
        Some("segstat; fwd=miss; stored"),
        "a cache entry is per host"
    );
    assert_ne!(again.header("etag"), poisoned.header("etag"));
    assert!(mine.text().contains("http://api.example.org/v1") && !mine.text().contains("evil"));
}

fn coded(uri: &str, accept_encoding: &str) -> TestRequest {
    TestRequest::get()
        .uri(uri)
        .insert_header(("Accept-Encoding", accept_encoding))
}

fn gunzip(body: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(body), &mut plain)
        .expect("a gzip body");
    plain
}

fn unbrotli(body: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut brotli::Decompressor::new(body, 4096), &mut plain)
        .expect("a brotli body");
    plain
}

#[actix_web::test]
async fn compressed_data_is_coded_once_and_kept_beside_the_identity_body() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let uri = "/v1/meta?lang=en";
    let plain = get(&app, uri).await;
    assert_eq!(plain.header("content-encoding"), None);
    let plain_tag = plain.header("etag").unwrap().to_owned();

    for (coding, decode) in [("gzip", gunzip as fn(&[u8]) -> Vec<u8>), ("br", unbrotli)] {
        let first = send(&app, coded(uri, coding)).await;
        assert_eq!(first.status, 200);
        assert_eq!(first.header("content-encoding"), Some(coding));
        assert_eq!(
            first.header("cache-status"),
            Some("segstat; fwd=miss; stored; detail=coded-from-hit"),
            "{coding}: coded from the identity body in memory"
        );
        assert_eq!(
            decode(&first.body),
            plain.body,
            "{coding} decodes to the identity body"
        );
        assert!(first.header("vary").unwrap().contains("Accept-Encoding"));
        let tag = first.header("etag").unwrap().to_owned();
        assert_eq!(
            tag,
            format!("{}-{coding}\"", plain_tag.trim_end_matches('"'))
        );

        let second = send(&app, coded(uri, coding)).await;
        assert_eq!(second.header("cache-status"), Some("segstat; hit"));
        assert_eq!(second.header("content-encoding"), Some(coding));
        assert_eq!(second.body, first.body, "{coding}: the stored bytes");
        assert_eq!(second.header("etag"), Some(tag.as_str()));

        let revalidated = send(
            &app,
            with_etag(uri, &tag).insert_header(("Accept-Encoding", coding)),
        )
        .await;
        assert_eq!(revalidated.status, 304, "{coding}");
        assert_eq!(revalidated.header("etag"), Some(tag.as_str()));
        assert!(revalidated.body.is_empty());
    }
}

#[actix_web::test]
async fn a_first_compressed_request_stores_both_bodies() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let first = send(&app, coded("/v1/meta", "gzip, deflate, br")).await;
    assert_eq!(first.header("content-encoding"), Some("br"));
    assert_eq!(
        first.header("cache-status"),
        Some("segstat; fwd=miss; stored")
    );
    let plain = get(&app, "/v1/meta").await;
    assert_eq!(plain.header("cache-status"), Some("segstat; hit"));
    assert_eq!(unbrotli(&first.body), plain.body);
}

#[actix_web::test]
async fn refused_codings_get_the_identity_body() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let plain = get(&app, "/v1/meta").await;
    for accept in [
        "gzip;q=0, br;q=0",
        "identity",
        "br;q=0, gzip;q=0, identity;q=0.5",
    ] {
        let res = send(&app, coded("/v1/meta", accept)).await;
        assert_eq!(res.status, 200, "{accept}");
        assert_eq!(res.header("content-encoding"), None, "{accept}");
        assert_eq!(res.body, plain.body, "{accept}");
        assert_eq!(res.header("etag"), plain.header("etag"), "{accept}");
        assert_eq!(res.header("cache-status"), Some("segstat; hit"), "{accept}");
    }
    // Weights choose: gzip over a less wanted br.
    let gz = send(&app, coded("/v1/meta", "br;q=0.2, gzip;q=0.8")).await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&gz.body), plain.body);
}

#[actix_web::test]
async fn large_bodies_are_coded_and_streamed_whole() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let uri = "/v1/collections/regso-2025/items?geometry=coarse&limit=10000";
    let plain = get(&app, uri).await;
    assert!(plain.body.len() > 256 * 1024, "{} bytes", plain.body.len());
    for (coding, decode) in [("gzip", gunzip as fn(&[u8]) -> Vec<u8>), ("br", unbrotli)] {
        for status in ["fwd=miss; stored; detail=coded-from-hit", "hit"] {
            let res = send(&app, coded(uri, coding)).await;
            assert_eq!(res.header("content-encoding"), Some(coding));
            assert_eq!(
                res.header("cache-status"),
                Some(format!("segstat; {status}").as_str())
            );
            assert!(
                res.body.len() < plain.body.len() / 3,
                "{coding}: {} bytes",
                res.body.len()
            );
            assert_eq!(decode(&res.body), plain.body, "{coding}");
        }
    }
}
