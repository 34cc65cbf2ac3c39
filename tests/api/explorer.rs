//! The explorer page and its assets: served from the binary, cached by content, locked down by
//! a Content-Security-Policy, and outside the API's OpenAPI document.

use actix_web::http::Method;
use actix_web::test::TestRequest;

use crate::support::*;

/// The page needs no database to be served: nothing listens on port 1.
const NO_DATABASE: &str = "postgres://nobody@127.0.0.1:1/none";

/// The asset paths the page names in its `src` and `href` attributes.
fn asset_paths(html: &str) -> Vec<String> {
    html.split("/explorer/assets/")
        .skip(1)
        .map(|rest| format!("/explorer/assets/{}", rest.split('"').next().unwrap()))
        .collect()
}

#[actix_web::test]
async fn the_page_is_served_at_root_and_explorer() {
    let app = app_for(NO_DATABASE).await;
    let root = get(&app, "/").await;
    assert_eq!(root.status, 200);
    assert_eq!(
        root.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = root.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("worker-src blob:"), "{csp}");
    assert!(root.header("cache-control").unwrap().contains("max-age=60"));
    let html = root.text();
    assert!(html.contains("<div id=\"map\""), "{html}");
    // Everything the page loads comes from this server.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );

    for path in ["/explorer", "/explorer/", "/?lang=en"] {
        let page = get(&app, path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.body, root.body, "{path}");
        assert_eq!(page.header("etag"), root.header("etag"), "{path}");
    }
}

#[actix_web::test]
async fn with_a_public_url_the_page_may_fetch_from_it() {
    // The API's links (TileJSON's tile URLs among them) point at SEGSTAT_PUBLIC_URL, also when
    // the page was reached by another address; the policy must let the page follow them.
    let app = app_with(config_with(
        NO_DATABASE,
        &[("SEGSTAT_PUBLIC_URL", "https://api.example.org/segstat/")],
    ))
    .await;
    let page = get(&app, "/").await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("connect-src 'self' https://api.example.org;"),
        "{csp}"
    );
    assert!(csp.contains("script-src 'self';"), "{csp}");
}

#[actix_web::test]
async fn assets_have_types_strong_etags_and_long_caching() {
    let app = app_for(NO_DATABASE).await;
    let paths = asset_paths(&get(&app, "/").await.text());
    assert_eq!(paths.len(), 2, "{paths:?}");
    for path in paths {
        let res = get(&app, &path).await;
        assert_eq!(res.status, 200, "{path}");
        assert!(res.body.len() > 1000, "{path} is nearly empty");
        let expected = if path.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else {
            "text/css; charset=utf-8"
        };
        assert_eq!(res.header("content-type"), Some(expected), "{path}");
        assert_eq!(
            res.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        let etag = res.header("etag").unwrap().to_owned();
        assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");

        let again = send(
            &app,
            TestRequest::get()
                .uri(&path)
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));

        // The HTTP/1 dispatcher drops a HEAD body on the wire; in process the route and the
        // headers are what can be checked.
        let head = send(&app, TestRequest::default().method(Method::HEAD).uri(&path)).await;
        assert_eq!(head.status, 200, "{path}");
        assert_eq!(head.header("etag"), Some(etag.as_str()));
        assert_eq!(head.header("content-type"), Some(expected), "{path}");
    }
}

#[actix_web::test]
async fn the_page_revalidates_with_its_etag_even_when_compressed() {
    let app = app_for(NO_DATABASE).await;
    let gz = send(
        &app,
        TestRequest::get()
            .uri("/")
            .insert_header(("Accept-Encoding", "gzip")),
    )
    .await;
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let tag = gz.header("etag").unwrap().to_owned();
    let again = send(
        &app,
        TestRequest::get()
            .uri("/")
            .insert_header(("Accept-Encoding", "gzip"))
            .insert_header(("If-None-Match", tag.as_str())),
    )
    .await;
    assert_eq!(again.status, 304);
}

#[actix_web::test]
async fn unknown_assets_and_methods_are_problems() {
    let app = app_for(NO_DATABASE).await;
    for path in ["/explorer/assets/nope.js", "/explorer/assets/..%2Fmain.rs"] {
        let doc = get(&app, path).await.problem(404);
        assert!(doc["detail"].as_str().unwrap().contains("asset"), "{doc}");
    }
    get(&app, "/explorer/nope").await.problem(404);
    let post = send(&app, TestRequest::post().uri("/")).await;
    post.problem(405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[test]
fn the_page_is_not_part_of_the_api_document() {
    let spec: serde_json::Value = serde_json::from_str(&segstat::openapi::spec_json()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths
        .keys()
        .all(|p| p.starts_with("/v1") || p == "/health" || p == "/ready"));
}
