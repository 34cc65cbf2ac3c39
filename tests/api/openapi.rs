//! The committed OpenAPI document, the served one and the code agree; Swagger UI is offline.

use crate::support::*;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn committed_spec_is_generated_from_the_code() {
    assert!(
        segstat::openapi::spec_json() == COMMITTED,
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[actix_web::test]
async fn served_spec_is_the_committed_one_and_every_path_answers() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let res = get(&app, "/v1/openapi.json").await;
    assert_eq!(res.status, 200);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("application/vnd.oai.openapi+json"));
    assert_eq!(res.text(), COMMITTED);

    let spec = res.json();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 6);
    for (path, item) in paths {
        assert!(
            item["get"]["operationId"].is_string(),
            "{path} has no operationId"
        );
        assert!(
            item["get"]["responses"]["200"].is_object(),
            "{path} documents no 200"
        );
        if !path.contains('{') {
            let answer = get(&app, path).await;
            assert_eq!(answer.status, 200, "{path}: {}", answer.text());
        }
    }
}

#[actix_web::test]
async fn swagger_ui_is_served_from_the_binary() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let redirect = get(&app, "/v1/docs").await;
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/v1/docs/"));

    let page = get(&app, "/v1/docs/").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("swagger-ui"));
    // Everything the page loads is relative: nothing comes from a CDN.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-initializer.js",
    ] {
        let res = get(&app, &format!("/v1/docs/{asset}")).await;
        assert_eq!(res.status, 200, "{asset}");
        assert!(res.body.len() > 100, "{asset} is empty");
    }
    let init = get(&app, "/v1/docs/swagger-initializer.js").await.text();
    assert!(init.contains("/v1/openapi.json"), "{init}");
}
