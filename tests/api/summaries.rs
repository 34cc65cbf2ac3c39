//! Summaries per kommun, län and Sweden, the inequality ranking, and point lookup.

use crate::support::*;

#[actix_web::test]
async fn municipality_summary_matches_scb_counts_on_real_data() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let s = get(&app, "/v1/municipalities/0180/summary").await.json();
    assert_eq!(s["name"], "Stockholm");
    let years = s["years"].as_array().unwrap();
    assert_eq!(years.len(), 2);
    assert_eq!(years[0]["year"], 2022);
    assert_eq!(
        years[0]["regso_by_type"],
        serde_json::json!([3, 7, 19, 75, 23])
    );
    assert_eq!(
        years[1]["regso_by_type"],
        serde_json::json!([3, 8, 19, 76, 21])
    );
    assert!(
        years[0]["population"].is_null(),
        "the real bundle has no population per RegSO"
    );
    assert!(years[0]["inequality_index"].is_null());
    let regso = years[0]["regso"].as_array().unwrap();
    assert_eq!(regso.len(), 127);
    let husby = regso.iter().find(|r| r["code"] == "0180R036").unwrap();
    assert_eq!(husby["area_type"], 1);

    let sweden = get(&app, "/v1/counties/00/summary?year=2023").await.json();
    assert_eq!(
        sweden["years"][0]["regso_by_type"],
        serde_json::json!([162, 293, 835, 1781, 292])
    );
    assert_eq!(sweden["years"][0]["regso"].as_array().unwrap().len(), 3363);
    let without_year = get(&app, "/v1/counties/00/summary").await.json();
    assert!(
        without_year["years"][0]["regso"].is_null(),
        "Sweden's RegSO list only for chosen years"
    );
}

#[actix_web::test]
async fn summaries_refuse_wrong_codes() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    assert_eq!(
        get(&app, "/v1/municipalities/01/summary")
            .await
            .bad_parameters(),
        ["code"]
    );
    assert_eq!(
        get(&app, "/v1/counties/0180/summary")
            .await
            .bad_parameters(),
        ["code"]
    );
    get(&app, "/v1/municipalities/0999/summary")
        .await
        .problem(404);
    assert_eq!(
        get(&app, "/v1/municipalities/0180/summary?year=20x2")
            .await
            .bad_parameters(),
        ["year"]
    );
}

#[actix_web::test]
async fn population_shares_and_inequality_on_synthetic_data() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let s = get(&app, "/v1/municipalities/1480/summary?year=2024")
        .await
        .json();
    let y = &s["years"][0];
    let shares: f64 = y["population_share_by_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!((shares - 100.0).abs() < 1e-6, "{shares}");
    let by_type: i64 = y["population_by_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(by_type, y["population"].as_i64().unwrap());
    let d = y["inequality_index"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&d));

    let ranking = get(&app, "/v1/inequality?year=2024").await.json();
    let entries = ranking["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 290);
    assert_eq!(entries[0]["rank"], 1);
    let values: Vec<f64> = entries
        .iter()
        .map(|e| e["inequality_index"].as_f64().unwrap())
        .collect();
    assert!(
        values.windows(2).all(|w| w[0] >= w[1]),
        "sorted, most unequal first"
    );
    let goteborg = entries.iter().find(|e| e["code"] == "1480").unwrap();
    assert_eq!(
        goteborg["inequality_index"].as_f64().unwrap(),
        d,
        "the ranking and the summary agree"
    );

    let csv = get(&app, "/v1/inequality?level=lan&year=2024&f=csv&sep=;").await;
    let text = csv.text();
    assert!(text.starts_with("\u{feff}rank;code;name;inequality_index;regso_count;year\r\n"));
    assert_eq!(text.lines().count(), 22, "header and 21 län");
    assert_eq!(
        get(&app, "/v1/inequality?year=1990").await.bad_parameters(),
        ["year"]
    );
    assert_eq!(
        get(&app, "/v1/inequality?level=regso")
            .await
            .bad_parameters(),
        ["level"]
    );
}

#[actix_web::test]
async fn lookup_finds_the_areas_around_a_point() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    // Central Uppsala: Uppsala län has DeSO 2018 and exact RegSO 2020 polygons.
    let hit = get(&app, "/v1/lookup?lon=17.6389&lat=59.8586").await.json();
    assert_eq!(hit["county"]["code"], "03");
    assert_eq!(hit["municipality"]["code"], "0380");
    let regso = hit["regso"].as_array().unwrap();
    let divisions: Vec<&str> = regso
        .iter()
        .map(|r| r["division"].as_str().unwrap())
        .collect();
    assert_eq!(divisions, ["regso-2020", "regso-2025"]);
    assert_eq!(regso[0]["geometry_source"], "exact");
    assert!(
        regso[0]["area_type"].as_i64().is_some(),
        "the 2020 RegSO has SCB's area type"
    );
    assert_eq!(regso[0]["year"], 2023);
    let deso = hit["deso"].as_array().unwrap();
    assert_eq!(deso.len(), 1);
    assert!(deso[0]["code"].as_str().unwrap().starts_with("0380"));

    // The same point in SWEREF 99 TM.
    let sweref = get(
        &app,
        "/v1/lookup?crs=EPSG:3006&easting=647400&northing=6637800",
    )
    .await
    .json();
    assert_eq!(sweref["municipality"]["code"], "0380");

    let sea = get(&app, "/v1/lookup?lon=2.35&lat=48.85")
        .await
        .problem(404);
    assert!(sea["detail"]
        .as_str()
        .unwrap()
        .contains("no Swedish kommun"));
    let mut bad = get(&app, "/v1/lookup?lon=200&lat=NaN")
        .await
        .bad_parameters();
    bad.sort();
    assert_eq!(bad, ["lat", "lon"]);
    assert_eq!(
        get(&app, "/v1/lookup?lon=17.6").await.bad_parameters(),
        ["lat"]
    );
    assert_eq!(
        get(
            &app,
            "/v1/lookup?crs=EPSG:3006&lon=17&lat=59&easting=1&northing=1"
        )
        .await
        .bad_parameters(),
        ["lon"]
    );
}
