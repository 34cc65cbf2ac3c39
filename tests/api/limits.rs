//! Rate limiting, and requests built to make the server work hard: each gets bounded work and a
//! 4xx that names what was wrong.

use std::net::SocketAddr;

use actix_web::test::TestRequest;

use crate::support::*;

fn from(ip: &str, uri: &str) -> TestRequest {
    TestRequest::get()
        .uri(uri)
        .peer_addr(SocketAddr::new(ip.parse().unwrap(), 40_000))
}

#[actix_web::test]
async fn a_client_over_its_rate_limit_gets_429_with_retry_after() {
    let db = TestDb::migrated();
    let app = app_with(config_with(
        &db.url(),
        &[("SEGSTAT_RATE_LIMIT", "6"), ("SEGSTAT_RATE_BURST", "3")],
    ))
    .await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let ok = send(&app, from("192.0.2.10", "/v1/area-types")).await;
        assert_eq!(ok.status, 200);
        assert_eq!(
            ok.header("ratelimit-policy"),
            Some("\"per-client\";q=3;w=30")
        );
        remaining.push(ok.header("ratelimit").unwrap().to_owned());
    }
    assert!(remaining[0].contains(";r=2;"), "{remaining:?}");
    assert!(remaining[2].contains(";r=0;"), "{remaining:?}");

    let limited = send(&app, from("192.0.2.10", "/v1/area-types")).await;
    let problem = limited.problem(429);
    assert!(problem["detail"].as_str().unwrap().contains("192.0.2.10"));
    // 6 a minute: the next request is allowed 10 s after the last one.
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry), "Retry-After {retry}");
    assert!(limited.header("ratelimit").unwrap().contains(";r=0;"));
    // Browsers may read the limit fields of a cross-origin answer.
    let exposed = send(
        &app,
        from("192.0.2.10", "/v1/area-types").insert_header(("Origin", "https://example.org")),
    )
    .await;
    assert_eq!(exposed.status, 429);
    let expose = exposed
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for name in ["retry-after", "ratelimit", "ratelimit-policy"] {
        assert!(expose.contains(name), "{name} not exposed: {expose}");
    }

    // Another client, and the probes, are not held back.
    assert_eq!(
        send(&app, from("192.0.2.11", "/v1/area-types"))
            .await
            .status,
        200
    );
    assert_eq!(send(&app, from("192.0.2.10", "/health")).await.status, 200);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance() {
    let db = TestDb::migrated();
    let app = app_with(config_with(
        &db.url(),
        &[
            ("SEGSTAT_RATE_LIMIT", "60"),
            ("SEGSTAT_RATE_BURST", "1"),
            ("SEGSTAT_TRUSTED_PROXIES", "10.0.0.0/8"),
        ],
    ))
    .await;
    let via_proxy = |client: &str| {
        from("10.1.1.1", "/v1/area-types").insert_header(("X-Forwarded-For", client.to_owned()))
    };
    assert_eq!(send(&app, via_proxy("198.51.100.1")).await.status, 200);
    assert_eq!(send(&app, via_proxy("198.51.100.2")).await.status, 200);
    assert_eq!(send(&app, via_proxy("198.51.100.1")).await.status, 429);
    // A client that is not a trusted proxy cannot pick its address with the header.
    let direct = |claim: &str| {
        from("192.0.2.20", "/v1/area-types").insert_header(("X-Forwarded-For", claim.to_owned()))
    };
    assert_eq!(send(&app, direct("203.0.113.1")).await.status, 200);
    assert_eq!(send(&app, direct("203.0.113.2")).await.status, 429);
}

#[actix_web::test]
async fn meta_publishes_the_rate_limit() {
    let db = TestDb::migrated();
    let limited = app_with(config_with(
        &db.url(),
        &[("SEGSTAT_RATE_LIMIT", "90"), ("SEGSTAT_RATE_BURST", "30")],
    ))
    .await;
    let meta = get(&limited, "/v1/meta").await.json();
    assert_eq!(meta["limits"]["rate_limit"]["requests_per_minute"], 90);
    assert_eq!(meta["limits"]["rate_limit"]["burst"], 30);
    let open = app_with(config_with(&db.url(), &[("SEGSTAT_RATE_LIMIT", "0")])).await;
    let answer = send(&open, from("192.0.2.30", "/v1/meta")).await;
    assert!(answer.json()["limits"]["rate_limit"].is_null());
    assert_eq!(answer.header("ratelimit"), None);
}

#[actix_web::test]
async fn hostile_parameters_get_a_400_naming_them() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let thousand_codes = (0..1000)
        .map(|i| format!("{:04}", i))
        .collect::<Vec<_>>()
        .join(",");
    let cases: Vec<(String, &str)> = vec![
        ("/v1/areas?limit=1000000000".into(), "limit"),
        ("/v1/areas?limit=-1".into(), "limit"),
        ("/v1/areas?offset=1000000000000".into(), "offset"),
        ("/v1/areas?offset=99999999999999999999999".into(), "offset"),
        (
            format!("/v1/areas?municipality={thousand_codes}"),
            "municipality",
        ),
        (
            format!("/v1/data?indicator=population&area={thousand_codes}"),
            "area",
        ),
        ("/v1/areas?q=%FF%FE".into(), "q"),
        (
            "/v1/collections/regso-2025/items?bbox=NaN,59,18,60".into(),
            "bbox",
        ),
        (
            "/v1/collections/regso-2025/items?bbox=18,60,17,59".into(),
            "bbox",
        ),
        (
            "/v1/collections/regso-2025/items?bbox=inf,59,18,60".into(),
            "bbox",
        ),
        (
            "/v1/collections/regso-2025/items?bbox=1e400,59,18,60".into(),
            "bbox",
        ),
        // (`/items` clamps a limit over its maximum, as OGC API – Features allows; other
        // lists refuse it.)
        ("/v1/areas?limit=1000000000".into(), "limit"),
        ("/v1/lookup?lon=NaN&lat=59".into(), "lon"),
        ("/v1/lookup?lon=18&lat=inf".into(), "lat"),
        ("/v1/lookup?lon=18&lat=%FF".into(), "lat"),
        ("/v1/data?indicator=%C0%AF&year=2023".into(), "indicator"),
    ];
    for (uri, parameter) in cases {
        let answer = get(&app, &uri).await;
        assert_eq!(answer.status, 400, "{uri}: {}", answer.text());
        assert!(
            answer.bad_parameters().iter().any(|p| p == parameter),
            "{uri} should name {parameter}: {}",
            answer.text()
        );
    }
}

#[actix_web::test]
async fn the_deepest_allowed_offset_is_an_empty_page_not_work() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let max = segstat::limits::MAX_OFFSET;
    let page = get(&app, &format!("/v1/areas?offset={max}&limit=10")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let doc = page.json();
    let items = doc
        .as_object()
        .and_then(|o| o.values().find_map(|v| v.as_array()))
        .expect("a list");
    assert!(items.is_empty());
    let over = get(&app, &format!("/v1/areas?offset={}", max + 1)).await;
    assert_eq!(over.bad_parameters(), ["offset"]);
}

#[actix_web::test]
async fn invalid_utf8_and_control_bytes_in_the_path_are_4xx() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    for uri in [
        "/v1/areas/%FF%FE",
        "/v1/areas/0180R001%00",
        "/v1/collections/%C3%28/items",
        "/v1/tiles/regso-2025/6/35/%FF.mvt",
        "/v1/municipalities/%E2%82/summary",
    ] {
        let answer = get(&app, uri).await;
        assert!(
            (400..500).contains(&answer.status),
            "{uri}: {} {}",
            answer.status,
            answer.text()
        );
        answer.problem(answer.status);
    }
}
