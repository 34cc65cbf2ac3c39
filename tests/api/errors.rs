//! Every client mistake is a problem+json 4xx that names what was wrong; never a 500.

use actix_web::test::TestRequest;

use crate::support::*;

#[actix_web::test]
async fn unknown_route_is_404_problem() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    for path in ["/nope", "/v1/nope", "/v2", "/v1/meta/extra"] {
        let doc = get(&app, path).await.problem(404);
        assert!(doc["detail"].as_str().unwrap().contains(path), "{doc}");
    }
}

#[actix_web::test]
async fn wrong_method_is_405_with_allow() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    for req in [
        TestRequest::post().uri("/v1/meta"),
        TestRequest::delete().uri("/health"),
        TestRequest::put().uri("/v1"),
    ] {
        let res = send(&app, req).await;
        res.problem(405);
        assert_eq!(res.header("allow"), Some("GET, HEAD"));
    }
}

#[actix_web::test]
async fn head_answers_like_get_without_a_body() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let get_res = get(&app, "/v1/meta").await;
    let head = send(
        &app,
        TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri("/v1/meta"),
    )
    .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("etag"), get_res.header("etag"));
}

#[actix_web::test]
async fn bad_parameters_are_all_named_at_once() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let mut named = get(&app, "/v1/meta?lang=de&f=xml&colour=red")
        .await
        .bad_parameters();
    named.sort();
    assert_eq!(named, ["colour", "f", "lang"]);
    assert_eq!(
        get(&app, "/health?verbose=1").await.bad_parameters(),
        ["verbose"]
    );
    assert_eq!(
        get(&app, "/v1/meta?lang=sv&lang=en").await.bad_parameters(),
        ["lang"]
    );
    assert_eq!(
        get(&app, "/v1/meta?lang=%FF").await.bad_parameters(),
        ["lang"]
    );
}

#[actix_web::test]
async fn unservable_accept_is_406() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let res = send(
        &app,
        TestRequest::get()
            .uri("/v1/meta")
            .insert_header(("Accept", "application/xml")),
    )
    .await;
    let doc = res.problem(406);
    assert!(
        doc["detail"].as_str().unwrap().contains("application/json"),
        "{doc}"
    );
}

#[actix_web::test]
async fn oversized_request_target_is_414() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let long = format!(
        "/v1/meta?lang={}",
        "x".repeat(segstat::limits::MAX_URI_BYTES)
    );
    let doc = get(&app, &long).await.problem(414);
    assert!(doc["detail"]
        .as_str()
        .unwrap()
        .contains(&segstat::limits::MAX_URI_BYTES.to_string()));
}

#[actix_web::test]
async fn cors_allows_any_origin_for_reads() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let res = send(
        &app,
        TestRequest::get()
            .uri("/v1/meta")
            .insert_header(("Origin", "https://maps.example.org")),
    )
    .await;
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
    assert!(res
        .header("access-control-expose-headers")
        .unwrap()
        .contains("etag"));
    let preflight = send(
        &app,
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/v1/meta")
            .insert_header(("Origin", "https://maps.example.org"))
            .insert_header(("Access-Control-Request-Method", "GET")),
    )
    .await;
    assert_eq!(preflight.status, 200);
    assert!(preflight
        .header("access-control-allow-methods")
        .unwrap()
        .contains("GET"));
    // Errors carry CORS headers too, so a browser client can read the problem.
    let err = send(
        &app,
        TestRequest::get()
            .uri("/v1/meta?bad=1")
            .insert_header(("Origin", "https://x.example")),
    )
    .await;
    assert_eq!(err.header("access-control-allow-origin"), Some("*"));
}

#[actix_web::test]
async fn non_ascii_codes_are_a_400_not_a_crash() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    // "012éxyz" is 8 bytes with byte 4 inside "é": once a panic, now a named parameter.
    assert_eq!(
        get(&app, "/v1/areas/012%C3%A9xyz").await.bad_parameters(),
        ["code"]
    );
    assert_eq!(
        get(&app, "/v1/areas?municipality=012%C3%A9x")
            .await
            .bad_parameters(),
        ["municipality"]
    );
    assert_eq!(
        get(&app, "/v1/municipalities/0%C3%A91/summary")
            .await
            .bad_parameters(),
        ["code"]
    );
    // The server is still there.
    assert_eq!(get(&app, "/health").await.status, 200);
}

#[actix_web::test]
async fn if_none_match_star_is_not_a_shortcut_past_the_checks() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let star = |uri: &str| {
        TestRequest::get()
            .uri(uri)
            .insert_header(("If-None-Match", "*"))
    };
    assert_eq!(send(&app, star("/v1/meta")).await.status, 200);
    send(&app, star("/v1/areas/0180R999")).await.problem(404);
}

#[actix_web::test]
async fn problems_carry_cors_headers_too() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let long = format!(
        "/v1/meta?lang={}",
        "x".repeat(segstat::limits::MAX_URI_BYTES)
    );
    let res = send(
        &app,
        TestRequest::get()
            .uri(&long)
            .insert_header(("Origin", "https://x.example")),
    )
    .await;
    assert_eq!(res.status, 414);
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
    let missing = send(
        &app,
        TestRequest::get()
            .uri("/nope")
            .insert_header(("Origin", "https://x.example")),
    )
    .await;
    assert_eq!(missing.header("access-control-allow-origin"), Some("*"));
}

#[actix_web::test]
async fn control_characters_are_a_400_naming_the_parameter_never_a_500() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    for (uri, parameter) in [
        ("/v1/areas?q=%00", "q"),
        (
            "/v1/data?indicator=population&area=0180&breakdown=%00",
            "breakdown",
        ),
        (
            "/v1/collections/regso-2025/items?indicator=%00&year=2023",
            "indicator",
        ),
        ("/v1/areas?q=a%1Fb", "q"),
    ] {
        assert_eq!(get(&app, uri).await.bad_parameters(), [parameter], "{uri}");
    }
    // Path segments are checked by their own parsers: a 4xx, never a 500.
    for uri in [
        "/v1/areas/0180%00",
        "/v1/areas/%00/children",
        "/v1/collections/%00/items",
        "/v1/collections/regso-2025/items/%00",
        "/v1/indicators/%00",
        "/v1/municipalities/%00/summary",
        "/v1/tiles/%00",
    ] {
        let status = get(&app, uri).await.status;
        assert!(status == 400 || status == 404, "{uri} answered {status}");
    }
}

#[actix_web::test]
async fn a_406_lists_each_media_type_once() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let res = send(
        &app,
        TestRequest::get()
            .uri("/v1/data?indicator=population&area=0180")
            .insert_header(("Accept", "application/xml")),
    )
    .await;
    let detail = res.problem(406)["detail"].as_str().unwrap().to_owned();
    assert_eq!(detail.matches("application/json").count(), 1, "{detail}");
}

#[actix_web::test]
async fn every_problem_type_resolves_to_a_page_on_this_server() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let long = format!(
        "/v1/meta?lang={}",
        "x".repeat(segstat::limits::MAX_URI_BYTES)
    );
    let mut cases = vec![
        (get(&app, "/v1/meta?lang=de&colour=red").await, 400),
        (get(&app, "/v1/nope?x=1").await, 404),
        (send(&app, TestRequest::post().uri("/v1/meta")).await, 405),
        (
            send(
                &app,
                TestRequest::get()
                    .uri("/v1/meta")
                    .insert_header(("Accept", "application/xml")),
            )
            .await,
            406,
        ),
        (get(&app, &long).await, 414),
    ];
    let mut kinds = Vec::new();
    for (answer, status) in cases.drain(..) {
        let doc = answer.problem(status);
        let problem_type = doc["type"].as_str().unwrap();
        assert!(problem_type.starts_with("http://localhost"), "{doc}");
        let path = &problem_type[problem_type.find("/v1/problems/").unwrap()..];
        let page = get(&app, path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.text());
        let page = page.json();
        assert_eq!(page["status"], status, "{page}");
        assert!(page["meaning"].is_string() && page["what_to_do"].is_string());
        kinds.push(page["kind"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        kinds,
        [
            "invalid-parameter",
            "not-found",
            "method-not-allowed",
            "not-acceptable",
            "uri-too-long"
        ]
    );
    let doc = get(&app, "/v1/nope?x=1").await.problem(404);
    assert_eq!(doc["instance"], "/v1/nope?x=1");
    let doc = get(&app, "/v1/meta?lang=de").await.problem(400);
    assert_eq!(doc["instance"], "/v1/meta?lang=de");
    get(&app, "/v1/problems/no-such-kind").await.problem(404);
}
