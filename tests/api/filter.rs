//! OGC API – Features Parts 1 and 3 details: `datetime`, the `limit` clamp, queryables,
//! `filter` (CQL2 text) and `sortby`.

use crate::support::*;

/// `s` as a query-string value.
fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn codes(fc: &serde_json::Value) -> Vec<String> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn area_type_in_selects_exactly_the_regso_scb_typed_1_or_2() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let items = "/v1/collections/regso-2020/items?geometry=none&limit=10000";
    let filter = enc("area_type IN (1,2)");
    let fc = get(&app, &format!("{items}&year=2023&filter={filter}"))
        .await
        .json();
    // SCB's 2023 types: 162 RegSO of type 1 and 293 of type 2.
    assert_eq!(fc["numberMatched"], 455);
    assert!(fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| matches!(f["properties"]["area_type"].as_i64(), Some(1 | 2))));
    // The same through datetime: a year, a date-time in it, and an interval whose latest year
    // with data is 2023.
    for datetime in ["2023", "2023-06-30T12:00:00Z", "2020/2023", "../2023"] {
        let dated = get(
            &app,
            &format!("{items}&datetime={}&filter={filter}", enc(datetime)),
        )
        .await
        .json();
        assert_eq!(dated["numberMatched"], 455, "{datetime}");
        assert_eq!(
            dated["features"][0]["properties"]["year"], 2023,
            "{datetime}"
        );
    }
    // An interval without data matches nothing.
    let empty = get(&app, &format!("{items}&datetime=1900/1901"))
        .await
        .json();
    assert_eq!(empty["numberMatched"], 0);
    // year and datetime together only when they agree.
    get(
        &app,
        &format!("{items}&year=2023&datetime=2023&filter={filter}"),
    )
    .await
    .json();
    assert_eq!(
        get(&app, &format!("{items}&year=2023&datetime=2022"))
            .await
            .bad_parameters(),
        ["datetime"]
    );
    for bad in ["2023-13-01", "2023/2020", "../..", "yesterday"] {
        assert_eq!(
            get(&app, &format!("{items}&datetime={}", enc(bad)))
                .await
                .bad_parameters(),
            ["datetime"],
            "{bad}"
        );
    }
}

#[actix_web::test]
async fn filter_on_population_and_municipality_agrees_with_the_page_it_filters() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let items =
        "/v1/collections/regso-2025/items?geometry=none&limit=10000&indicator=population&year=2024";
    let all = get(&app, &format!("{items}&municipality=0180"))
        .await
        .json();
    let mut expected: Vec<String> = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["properties"]["population"]
                .as_f64()
                .is_some_and(|p| p > 5000.0)
        })
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    let filter = enc("population > 5000 AND municipality_code = '0180'");
    let fc = get(&app, &format!("{items}&filter={filter}")).await.json();
    assert_eq!(codes(&fc), expected);
    assert_eq!(fc["numberMatched"], expected.len());
    // The indicator need not be among the properties, but the year is needed.
    let bare = get(
        &app,
        &format!(
            "/v1/collections/regso-2025/items?geometry=none&limit=10000&year=2024&filter={filter}"
        ),
    )
    .await
    .json();
    assert_eq!(codes(&bare), expected);
    let bad = get(
        &app,
        &format!("/v1/collections/regso-2025/items?filter={filter}"),
    )
    .await
    .problem(400);
    assert_eq!(bad["errors"][0]["parameter"], "filter");
    assert!(bad["errors"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("year"));

    // sortby: by population, largest first; areas without a value last.
    let sorted = get(
        &app,
        &format!(
            "{items}&municipality=0180&sortby={}",
            enc("-population,code")
        ),
    )
    .await
    .json();
    let pops: Vec<f64> = sorted["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["population"].as_f64())
        .collect();
    assert!(pops.len() > 10);
    assert!(pops.windows(2).all(|w| w[0] >= w[1]), "{pops:?}");
    assert_eq!(
        get(&app, &format!("{items}&sortby=elevation"))
            .await
            .bad_parameters(),
        ["sortby"]
    );
    assert_eq!(
        get(&app, &format!("{items}&sortby={}", enc("code;drop")))
            .await
            .bad_parameters(),
        ["sortby"]
    );
}

#[actix_web::test]
async fn bad_filters_name_the_position_and_literals_cannot_inject() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let items = "/v1/collections/regso-2025/items?geometry=none&limit=5";
    for (filter, at) in [
        ("population >", "character 13"),
        ("code = 'abc", "character 8"),
        ("code = 5", "character 8"),
        ("elevation > 3", "character 1"),
        ("code ; DROP TABLE areas", "character 6"),
    ] {
        let doc = get(&app, &format!("{items}&year=2024&filter={}", enc(filter)))
            .await
            .problem(400);
        assert_eq!(doc["errors"][0]["parameter"], "filter", "{filter}");
        let detail = doc["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(at), "{filter}: {detail}");
    }
    assert_eq!(
        get(
            &app,
            &format!("{items}&filter=code%3D%270180R001%27&filter-lang=cql2-json")
        )
        .await
        .bad_parameters(),
        ["filter-lang"]
    );
    // A quote inside a string literal is data: nothing matches and nothing is dropped.
    for filter in [
        "code = '0180R001'' OR ''1''=''1'",
        "name = 'x''; DROP TABLE areas; --'",
    ] {
        let fc = get(&app, &format!("{items}&filter={}", enc(filter)))
            .await
            .json();
        assert_eq!(fc["numberMatched"], 0, "{filter}");
    }
    let after = get(&app, items).await.json();
    assert!(after["numberMatched"].as_i64().unwrap() > 1000);
    // String comparisons work on codes.
    let one = get(
        &app,
        &format!(
            "{items}&filter={}",
            enc("code IN ('0180R001', '0180R002') OR name IS NULL")
        ),
    )
    .await
    .json();
    assert!(one["numberMatched"].as_i64().unwrap() <= 2);
}

#[actix_web::test]
async fn limit_above_the_maximum_is_lowered_and_queryables_describe_the_filter() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let fc = get(
        &app,
        "/v1/collections/deso-2025/items?geometry=none&limit=1000000",
    )
    .await
    .json();
    assert_eq!(
        fc["numberReturned"],
        6160.min(fc["numberMatched"].as_i64().unwrap())
    );
    assert!(fc["numberReturned"].as_i64().unwrap() <= 10_000);
    get(&app, "/v1/collections/deso-2025/items?limit=0")
        .await
        .problem(400);

    let res = get(&app, "/v1/collections/regso-2025/queryables").await;
    assert_eq!(res.header("content-type"), Some("application/schema+json"));
    let schema = res.json();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["$id"]
        .as_str()
        .unwrap()
        .ends_with("/v1/collections/regso-2025/queryables"));
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["properties"]["area_type"]["type"], "integer");
    assert_eq!(schema["properties"]["code"]["type"], "string");
    assert_eq!(schema["properties"]["population"]["type"], "number");
    let counties = get(&app, "/v1/collections/counties/queryables")
        .await
        .json();
    assert!(counties["properties"]["area_type"].is_null());
    get(&app, "/v1/collections/roads/queryables")
        .await
        .problem(404);

    // Links: licence and queryables where the standard looks for them.
    let collection = get(&app, "/v1/collections/regso-2025").await.json();
    let rels: Vec<&str> = collection["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    for rel in [
        "license",
        "describedby",
        "http://www.opengis.net/def/rel/ogc/1.0/queryables",
    ] {
        assert!(rels.contains(&rel), "{rel}: {rels:?}");
    }
    for path in ["/v1", "/v1/collections"] {
        let doc = get(&app, path).await.json();
        assert!(
            doc["links"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["rel"] == "license"
                    && l["href"] == "https://creativecommons.org/publicdomain/zero/1.0/"),
            "{path}"
        );
    }
    let conformance = get(&app, "/v1/conformance").await.json();
    let classes = conformance["conformsTo"].as_array().unwrap();
    assert!(classes
        .iter()
        .all(|c| !c.as_str().unwrap().ends_with("/oas30")));
    assert!(classes.contains(&serde_json::json!(
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter"
    )));
}
