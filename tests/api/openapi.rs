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

/// OpenAPI requires each parameter once per operation (name and location); a parameter type
/// that reads another's parameters must not be listed beside it.
#[test]
fn no_operation_lists_a_parameter_twice() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut twice = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut seen = std::collections::BTreeSet::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let key = (p["name"].to_string(), p["in"].to_string());
                if !seen.insert(key.clone()) {
                    twice.push(format!("{method} {path}: {} in {}", key.0, key.1));
                }
            }
        }
    }
    assert!(twice.is_empty(), "parameters listed twice: {twice:#?}");
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
    let mut answered_200 = 0;
    for (path, item) in paths {
        let op = &item["get"];
        assert!(op["operationId"].is_string(), "{path} has no operationId");
        assert!(
            op["responses"]["200"].is_object(),
            "{path} documents no 200"
        );
        if path.contains('{') {
            continue;
        }
        // Called bare, every path answers with a status it documents; a 400 names only
        // parameters the operation documents.
        let answer = get(&app, path).await;
        let status = answer.status.to_string();
        assert!(
            op["responses"][&status].is_object(),
            "{path} answered {status}, which it does not document: {}",
            answer.text()
        );
        if answer.status == 400 {
            let documented: Vec<&str> = op["parameters"]
                .as_array()
                .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            for name in answer.bad_parameters() {
                assert!(
                    documented.contains(&name.as_str()),
                    "{path} named {name}, not one of {documented:?}"
                );
            }
        }
        answered_200 += usize::from(answer.status == 200);
    }
    assert!(answered_200 >= 8, "most bare paths answer 200");
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

/// Every operation refuses an unknown parameter with a status it documents (a 400, or the 404
/// of a path that names nothing): the shared responses stay on every operation.
#[actix_web::test]
async fn every_operation_documents_its_answer_to_an_unknown_parameter() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let op = &item["get"];
        let mut uri = path.clone();
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] == "path" {
                let example = &p["example"];
                let value = example
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| example.to_string());
                uri = uri.replace(&format!("{{{}}}", p["name"].as_str().unwrap()), &value);
            }
        }
        assert!(
            !uri.contains('{'),
            "{path}: a path parameter lacks an example"
        );
        let answer = get(&app, &format!("{uri}?fuzz_unknown=1")).await;
        let status = answer.status.to_string();
        assert!(
            op["responses"][&status].is_object(),
            "{uri} answered {status}, which it does not document"
        );
        assert_eq!(answer.status, 400, "{uri}: {}", answer.text());
        assert!(
            answer.bad_parameters().contains(&"fuzz_unknown".to_owned()),
            "{uri}"
        );
    }
}

/// Routes are registered once, from their operations: the documented routes the service
/// registers are exactly the spec's paths and methods, none twice, and the routes kept out of
/// the spec are the ones listed here (adding one is a decision, so it is spelled out).
#[test]
fn every_served_route_is_in_the_spec_and_every_spec_path_is_served() {
    use segstat::api::routes::{Documented, Routes};
    let mut registered = None;
    let _app = actix_web::App::new().configure(|cfg| {
        let mut routes = Routes::new(cfg);
        segstat::api::endpoints::register(&mut routes);
        registered = Some((routes.documented(), routes.undocumented_paths()));
    });
    let (documented, undocumented) = registered.expect("configure ran");

    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut in_spec: Vec<Documented> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| {
                    [
                        "get", "put", "post", "delete", "options", "head", "patch", "trace",
                    ]
                    .contains(&k.as_str())
                })
                .map(|method| Documented {
                    path: path.clone(),
                    method: method.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    in_spec.sort();
    let mut once = documented.clone();
    once.dedup();
    assert_eq!(once, documented, "a route is registered twice");
    assert_eq!(documented, in_spec);
    assert_eq!(
        undocumented,
        [
            "/",
            "/explorer",
            "/explorer/",
            "/explorer/assets/{file}",
            "/metrics",
            "/v1/",
            "/v1/docs",
            "/v1/docs/{_:.*}",
        ]
    );
}
