//! Versioned URLs (`v=<data version>`: immutable, or a redirect to the current version) and
//! links built from `SEGSTAT_PUBLIC_URL` whatever the request's headers say.

use actix_web::test::TestRequest;

use crate::support::*;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[actix_web::test]
async fn a_url_naming_the_current_version_is_immutable() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let plain = get(&app, "/v1/meta").await;
    assert_eq!(plain.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(plain.header("data-version"), Some("empty"));

    let pinned = get(&app, "/v1/meta?lang=en&v=empty").await;
    assert_eq!(pinned.status, 200, "{}", pinned.text());
    assert_eq!(pinned.header("cache-control"), Some(IMMUTABLE));
    assert_eq!(pinned.json()["data_version"], "empty");

    // Revalidating it keeps it immutable.
    let etag = pinned.header("etag").unwrap().to_owned();
    let again = send(
        &app,
        TestRequest::get()
            .uri("/v1/meta?lang=en&v=empty")
            .insert_header(("If-None-Match", etag.as_str())),
    )
    .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("cache-control"), Some(IMMUTABLE));
}

#[actix_web::test]
async fn a_url_naming_another_version_is_redirected_to_the_current_one() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let moved = get(&app, "/v1/meta?lang=en&v=0123456789ab").await;
    assert_eq!(moved.status, 302, "{}", moved.text());
    assert_eq!(moved.header("cache-control"), Some("no-store"));
    assert_eq!(moved.header("data-version"), Some("empty"));
    let location = moved.header("location").unwrap();
    assert!(
        location.starts_with("http") && location.ends_with("/v1/meta?lang=en&v=empty"),
        "{location}"
    );

    // An import this server has not seen yet: the version named is read again before any
    // redirect, so a URL of the new version is answered at once, and immutable.
    db.execute("UPDATE data_state SET data_version = 'v2', updated_at = now()");
    let fresh = get(&app, "/v1/meta?v=v2").await;
    assert_eq!(fresh.status, 200, "{}", fresh.text());
    assert_eq!(fresh.header("cache-control"), Some(IMMUTABLE));
    assert_eq!(fresh.json()["data_version"], "v2");
    // ... and the old version now moves to the new one.
    let old = get(&app, "/v1/meta?v=empty").await;
    assert_eq!(old.status, 302);
    assert!(old.header("location").unwrap().ends_with("/v1/meta?v=v2"));
}

#[actix_web::test]
async fn a_malformed_version_is_a_bad_parameter_and_only_data_takes_one() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let bad = get(&app, "/v1/meta?v=Not-A-Version&bogus=1").await;
    let mut named = bad.bad_parameters();
    named.sort();
    assert_eq!(named, ["bogus", "v"]);
    // Another version is redirected only once every other parameter is valid, and only for
    // the methods the resource answers.
    let stale_and_bad = get(&app, "/v1/meta?v=0123456789ab&lang=xx").await;
    assert_eq!(stale_and_bad.bad_parameters(), ["lang"]);
    let trace = send(
        &app,
        TestRequest::default()
            .method(actix_web::http::Method::TRACE)
            .uri("/v1/meta?v=0123456789ab"),
    )
    .await;
    assert_eq!(trace.status, 405);
    // Documents fixed by the software have no data version to name.
    let landing = get(&app, "/v1/conformance?v=empty").await;
    assert_eq!(landing.bad_parameters(), ["v"]);
}

#[actix_web::test]
async fn tilejson_binds_its_tiles_to_the_data_version() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let doc = get(&app, "/v1/tiles/regso-2025?year=2023").await.json();
    let template = doc["tiles"][0].as_str().unwrap();
    assert!(template.ends_with("?year=2023&v=empty"), "{template}");
    let path = template
        .split_once("/v1/")
        .map(|(_, rest)| format!("/v1/{rest}"))
        .unwrap()
        .replace("{z}/{x}/{y}", "6/35/18");
    let tile = get(&app, &path).await;
    assert_eq!(tile.status, 200);
    assert_eq!(tile.header("cache-control"), Some(IMMUTABLE));

    let tileset = get(&app, "/v1/collections/regso-2025/tiles/WebMercatorQuad").await;
    let item = tileset.json()["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "item")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(item.ends_with("?f=mvt&v=empty"), "{item}");
}

/// Every operation the spec gives `v` takes it (immutable at the current version), and every
/// other refuses it: the spec and the routes agree.
#[actix_web::test]
async fn the_spec_documents_v_exactly_where_it_is_taken() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let version = get(&app, "/v1/meta").await.json()["data_version"]
        .as_str()
        .unwrap()
        .to_owned();
    let spec = get(&app, "/v1/openapi.json").await.json();
    let mut versioned = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let op = &item["get"];
        let params: Vec<&serde_json::Value> =
            op["parameters"].as_array().into_iter().flatten().collect();
        let mut uri = path.clone();
        for p in params.iter().filter(|p| p["in"] == "path") {
            let example = &p["example"];
            let value = example
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| example.to_string());
            uri = uri.replace(&format!("{{{}}}", p["name"].as_str().unwrap()), &value);
        }
        let documented = params
            .iter()
            .any(|p| p["name"] == "v" && p["in"] == "query");
        let answer = get(&app, &format!("{uri}?v={version}")).await;
        if documented {
            versioned += 1;
            // The downloads take their own `v`: another version's file is a 404, not a 302.
            if !path.starts_with("/v1/downloads") {
                assert!(op["responses"]["302"].is_object(), "{path} lacks its 302");
            }
            // Called bare, some operations miss a required parameter; never `v`.
            if answer.status == 400 {
                assert!(!answer.bad_parameters().contains(&"v".to_owned()), "{uri}");
            }
            // The listing of downloads can still change within a version (an export written
            // later), so it is not immutable; its files are (tests/api/downloads.rs).
            if answer.status == 200 && path != "/v1/downloads" {
                assert_eq!(answer.header("cache-control"), Some(IMMUTABLE), "{uri}");
            }
        } else {
            assert_eq!(answer.bad_parameters(), ["v"], "{uri}");
        }
    }
    assert!(versioned >= 20, "{versioned} operations take v");
}

#[actix_web::test]
async fn with_a_public_url_request_headers_choose_no_links_tags_or_cache_entries() {
    let db = TestDb::migrated();
    let app = app_with(config_with(
        &db.url(),
        &[("SEGSTAT_PUBLIC_URL", "https://api.example.org/segstat/")],
    ))
    .await;
    let forged = |uri: &str| {
        TestRequest::get()
            .uri(uri)
            .insert_header(("Host", "evil.example"))
            .insert_header(("X-Forwarded-Host", "evil2.example"))
            .insert_header(("X-Forwarded-Proto", "http"))
            .insert_header(("Forwarded", "host=evil3.example;proto=http"))
    };
    for uri in ["/v1", "/v1/collections", "/v1/tiles/regso-2025"] {
        let honest = get(&app, uri).await;
        let lied = send(&app, forged(uri)).await;
        assert_eq!(lied.status, 200, "{uri}");
        let body = lied.text();
        assert!(!body.contains("evil"), "{uri}: {body}");
        assert!(
            body.contains("https://api.example.org/segstat/v1/"),
            "{uri}: {body}"
        );
        assert_eq!(honest.body, lied.body, "{uri}");
        assert_eq!(honest.header("etag"), lied.header("etag"), "{uri}");
        let vary = lied.header("vary").unwrap().to_ascii_lowercase();
        assert!(
            !vary.contains("host") && !vary.contains("forwarded"),
            "{vary}"
        );
        assert!(vary.contains("accept-language"), "{vary}");
    }
    // The second forged request of a data resource was answered from memory, under the key the
    // honest one stored: the headers made no copy of their own.
    let twice = send(&app, forged("/v1/collections")).await;
    assert!(
        twice.header("cache-status").unwrap().contains("hit"),
        "{:?}",
        twice.header("cache-status")
    );
    // Problems and redirects are built from it too.
    let problem = send(&app, forged("/v1/nowhere")).await.problem(404);
    assert!(problem["type"]
        .as_str()
        .unwrap()
        .starts_with("https://api.example.org/segstat/v1/problems/"));
    let moved = send(&app, forged("/v1/meta?v=old")).await;
    assert_eq!(
        moved.header("location"),
        Some("https://api.example.org/segstat/v1/meta?v=empty")
    );

    // Without it, links follow the request, and Vary says so.
    let app = app_for(&db.url()).await;
    let lied = send(&app, forged("/v1")).await;
    assert!(lied.text().contains("evil"));
    assert!(lied
        .header("vary")
        .unwrap()
        .to_ascii_lowercase()
        .contains("host"));
}
