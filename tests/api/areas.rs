//! `/v1/area-types` and `/v1/areas…` on the real bundled data.

use crate::support::*;

#[actix_web::test]
async fn area_types_have_names_in_both_languages_and_colours() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let sv = get(&app, "/v1/area-types").await.json();
    let en = get(&app, "/v1/area-types?lang=en").await.json();
    assert_eq!(sv["area_types"].as_array().unwrap().len(), 5);
    assert_eq!(
        sv["area_types"][0]["name"],
        "Områden med stora socioekonomiska utmaningar"
    );
    assert_eq!(
        en["area_types"][0]["name"],
        "Areas with major socio-economic challenges"
    );
    assert_eq!(en["colour_ramp"].as_array().unwrap().len(), 5);
    assert!(en["area_types"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["colour"].as_str().unwrap().starts_with('#')));
}

#[actix_web::test]
async fn areas_filter_by_level_place_type_and_name() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;

    let kommuner = get(&app, "/v1/areas?level=kommun&limit=1").await.json();
    assert_eq!(kommuner["numberMatched"], 290);
    assert_eq!(kommuner["numberReturned"], 1);
    assert!(kommuner["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "next"));

    let sthlm = get(
        &app,
        "/v1/areas?division=regso-2020&municipality=0180&limit=10000",
    )
    .await
    .json();
    assert_eq!(sthlm["numberMatched"], 127);
    assert_eq!(sthlm["areas"].as_array().unwrap().len(), 127);
    assert!(sthlm["links"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["rel"] != "next"));

    // SCB's 160 RegSO of type 1 in 2022, and 21 of them in Malmö.
    assert_eq!(
        get(&app, "/v1/areas?area_type=1&year=2022").await.json()["numberMatched"],
        160
    );
    assert_eq!(
        get(&app, "/v1/areas?area_type=1&year=2022&municipality=1280")
            .await
            .json()["numberMatched"],
        21
    );

    // Accent-insensitive names: "malmo" finds Malmö the kommun.
    let found = get(&app, "/v1/areas?q=malmo&level=kommun").await.json();
    assert_eq!(found["areas"][0]["code"], "1280");
    assert_eq!(found["areas"][0]["name"], "Malmö");
    let husby = get(&app, "/v1/areas?q=HUSBY&division=regso-2020")
        .await
        .json();
    assert!(husby["areas"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["code"] == "0180R036"));

    let uppsala_deso = get(&app, "/v1/areas?division=deso-2018&county=03&limit=1")
        .await
        .json();
    assert_eq!(uppsala_deso["numberMatched"], 238);
}

#[actix_web::test]
async fn bad_area_filters_are_named() {
    let db = TestDb::migrated();
    let app = app_for(&db.url()).await;
    let mut named = get(
        &app,
        "/v1/areas?level=town&area_type=9&year=2022&municipality=180&limit=0",
    )
    .await
    .bad_parameters();
    named.sort();
    assert_eq!(named, ["area_type", "level", "limit", "municipality"]);
    assert_eq!(
        get(&app, "/v1/areas?area_type=2").await.bad_parameters(),
        ["year"]
    );
    assert_eq!(
        get(&app, "/v1/areas?level=kommun&division=regso-2020")
            .await
            .bad_parameters(),
        ["division"]
    );
    assert_eq!(
        get(&app, "/v1/areas?limit=1000000000")
            .await
            .bad_parameters(),
        ["limit"]
    );
}

#[actix_web::test]
async fn an_area_profile_shows_each_version_with_its_own_history() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let husby = get(&app, "/v1/areas/0180R036?lang=en").await;
    assert_eq!(husby.header("content-language"), Some("en"));
    let p = husby.json();
    assert_eq!(p["municipality"]["name"], "Stockholm");
    assert_eq!(p["county"]["code"], "01");
    let versions = p["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "RegSO 2020 and 2025");
    let v2020 = &versions[0];
    assert_eq!(v2020["division"], "regso-2020");
    assert_eq!(v2020["history"][0]["year"], 2022);
    assert_eq!(v2020["history"][0]["area_type"], 1);
    assert_eq!(v2020["history"][0]["area_type_origin"], "official");
    assert!(v2020["children"]["deso-2018"].as_i64().unwrap() > 0);
    assert!(
        versions[1]["history"].as_array().unwrap().is_empty(),
        "no 2025-version years are joined in"
    );

    // A suffixed code picks its version.
    let only = get(&app, "/v1/areas/0180R036_RegSO2025").await.json();
    assert_eq!(only["versions"].as_array().unwrap().len(), 1);
    assert_eq!(only["versions"][0]["division"], "regso-2025");
    get(&app, "/v1/areas/0180R036_RegSO2025?division=regso-2020")
        .await
        .problem(400);

    let doc = get(&app, "/v1/areas/0180R999").await.problem(404);
    assert!(doc["detail"].as_str().unwrap().contains("0180R999"));
    assert_eq!(
        get(&app, "/v1/areas/Husby").await.bad_parameters(),
        ["code"]
    );
}

#[actix_web::test]
async fn children_are_one_level_down() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    assert_eq!(
        get(&app, "/v1/areas/00/children").await.json()["numberMatched"],
        21
    );
    assert_eq!(
        get(&app, "/v1/areas/01/children").await.json()["numberMatched"],
        26
    );
    assert_eq!(
        get(&app, "/v1/areas/0180/children?division=regso-2025")
            .await
            .json()["numberMatched"],
        127
    );
    assert_eq!(
        get(&app, "/v1/areas/0180/children").await.json()["numberMatched"],
        254,
        "both RegSO versions"
    );
    let deso = get(&app, "/v1/areas/0180R036/children?division=regso-2020")
        .await
        .json();
    assert!(deso["areas"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["division"] == "deso-2018" && a["regso_code"] == "0180R036"));
}

/// A division the database holds but the service does not know is an internal error of the
/// request that reads it (a problem, not a panic). Its area sorts first, so the first page of
/// RegSO reads it.
#[actix_web::test]
async fn an_unknown_division_in_the_database_is_an_internal_error() {
    let db = TestDb::bundled();
    db.execute(
        "INSERT INTO divisions (id, level, version, first_year, last_year, label_sv, label_en)
         VALUES ('regso-2030', 'regso', 2030, 2030, NULL, 'RegSO 2030', 'RegSO 2030');
         INSERT INTO areas (division, code, name) VALUES ('regso-2030', '0000R001', 'Nowhere');",
    );
    let app = app_for(&db.url()).await;
    let doc = get(&app, "/v1/areas?level=regso").await.problem(500);
    assert!(doc["detail"].is_string());
    // The areas of known divisions still read.
    assert_eq!(get(&app, "/v1/areas?level=kommun").await.status, 200);
}
