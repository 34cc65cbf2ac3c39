//! `/v1/changes` and `/v1/crosswalk`: area-type changes checked against SCB's own exports, and
//! the crosswalk derived from SCB's DeSO change log.

use std::collections::BTreeMap;

use segstat::import::{codes, csv, Source};

use crate::support::*;

/// SCB's export of one year's official area types, by label (`Kommunnamn (RegSO-namn)`),
/// read straight from the file.
fn scb_types(year: i16) -> BTreeMap<String, i16> {
    let path = format!("scb/regso_omradestyp_{year}.csv");
    let src = Source::read(&data_dir().join(&path), &path).unwrap();
    let table = csv::read(&src).unwrap();
    table
        .rows
        .iter()
        .filter_map(|(_, cells)| {
            let t = cells
                .get(1)?
                .trim()
                .parse::<i16>()
                .ok()
                .filter(|t| (1..=5).contains(t))?;
            Some((cells[0].trim().to_owned(), t))
        })
        .collect()
}

#[actix_web::test]
async fn changes_2022_to_2023_are_those_of_scbs_exports() {
    let (t2022, t2023) = (scb_types(2022), scb_types(2023));
    assert_eq!((t2022.len(), t2023.len()), (3363, 3363));
    let (mut improved, mut worsened) = (0, 0);
    for (label, from) in &t2022 {
        let to = t2023[label];
        improved += i32::from(to > *from);
        worsened += i32::from(to < *from);
    }
    assert_eq!((improved, worsened), (131, 122));

    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let body = get(&app, "/v1/changes?from_year=2022&to_year=2023&limit=10000")
        .await
        .json();
    assert_eq!(body["cross_version"], false);
    assert_eq!(body["joined_by"], "code");
    assert_eq!(body["from_division"], "regso-2020");
    let counts = &body["counts"];
    assert_eq!(counts["improved"], improved);
    assert_eq!(counts["worsened"], worsened);
    assert_eq!(counts["compared"], 3363);
    assert_eq!(counts["unchanged"], 3363 - improved - worsened);
    assert_eq!(counts["not_comparable"], 0);
    assert_eq!(body["numberMatched"], improved + worsened);
    let changes = body["changes"].as_array().unwrap();
    assert_eq!(changes.len() as i32, improved + worsened);

    // Akalla, Stockholm: SCB typed it 3 in 2022 and 2 in 2023.
    assert_eq!(
        (t2022["Stockholm (Akalla)"], t2023["Stockholm (Akalla)"]),
        (3, 2)
    );
    let akalla = changes.iter().find(|c| c["name"] == "Akalla").unwrap();
    assert_eq!(akalla["municipality_code"], "0180");
    assert_eq!(akalla["from"]["area_type"], 3);
    assert_eq!(akalla["to"]["area_type"], 2);
    assert_eq!(akalla["from"]["area_type_origin"], "official");
    assert_eq!(akalla["to"]["area_type_origin"], "official");
    assert_eq!(akalla["direction"], "worsened");
    assert_eq!(akalla["type_change"], -1);
    assert!(akalla["index_change"].is_null(), "the bundle has no index");
    // Every listed change is one of SCB's, with SCB's types.
    let labels = codes::read_labels(
        &Source::read(
            &data_dir().join("scb/koppling-deso2018-regso2020.csv"),
            "koppling",
        )
        .unwrap(),
    )
    .unwrap();
    let by_code: BTreeMap<&str, &str> = labels
        .iter()
        .map(|(label, code)| (code.as_str(), label.as_str()))
        .collect();
    for c in changes {
        let label = by_code[c["code"].as_str().unwrap()];
        assert_eq!(c["from"]["area_type"], t2022[label], "{label}");
        assert_eq!(c["to"]["area_type"], t2023[label], "{label}");
    }

    let worse = get(
        &app,
        "/v1/changes?from_year=2022&to_year=2023&direction=worsened&limit=10000",
    )
    .await
    .json();
    assert_eq!(worse["numberMatched"], worsened);
    assert!(worse["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["direction"] == "worsened"));
}

#[actix_web::test]
async fn changes_filter_by_kommun_and_come_as_csv() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let stockholm = get(
        &app,
        "/v1/changes?from_year=2022&to_year=2023&municipality=0180&lang=en",
    )
    .await;
    assert_eq!(stockholm.header("content-language"), Some("en"));
    let body = stockholm.json();
    // From SCB's exports: 3 RegSO of Stockholm improved, 7 worsened, of 127.
    assert_eq!(body["counts"]["compared"], 127);
    assert_eq!(body["counts"]["improved"], 3);
    assert_eq!(body["counts"]["worsened"], 7);
    let changes = body["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 10);
    assert!(changes.iter().all(|c| c["municipality_code"] == "0180"));
    let alvsjo = changes.iter().find(|c| c["name"] == "Älvsjö").unwrap();
    assert_eq!(
        (&alvsjo["from"]["area_type"], &alvsjo["to"]["area_type"]),
        (&2.into(), &3.into())
    );
    assert_eq!(alvsjo["direction"], "improved");
    assert_eq!(
        alvsjo["to"]["area_type_name"],
        "Socio-economically mixed areas"
    );
    let county = get(&app, "/v1/changes?from_year=2022&to_year=2023&county=01")
        .await
        .json();
    assert!(county["counts"]["compared"].as_i64().unwrap() > 127);

    let csv = get(
        &app,
        "/v1/changes?from_year=2022&to_year=2023&municipality=0180&f=csv&sep=;",
    )
    .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.text();
    assert!(text.starts_with("\u{feff}code;name;municipality_code;from_year;"));
    assert_eq!(text.lines().count(), 11, "header and 10 changes");
    assert!(text.contains(
        ";Akalla;0180;2022;regso-2020;3;official;;2023;regso-2020;2;official;;worsened;-1;"
    ));
}

#[actix_web::test]
async fn changes_name_their_bad_parameters() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    assert_eq!(
        get(&app, "/v1/changes?from_year=2023&to_year=2022")
            .await
            .bad_parameters(),
        ["to_year"]
    );
    assert_eq!(
        get(&app, "/v1/changes?from_year=2023&to_year=2023")
            .await
            .bad_parameters(),
        ["to_year"]
    );
    assert_eq!(
        get(
            &app,
            "/v1/changes?from_year=2022&to_year=2023&direction=better"
        )
        .await
        .bad_parameters(),
        ["direction"]
    );
    assert_eq!(
        get(&app, "/v1/changes").await.bad_parameters(),
        ["from_year", "to_year"]
    );
    assert_eq!(
        get(
            &app,
            "/v1/changes?from_year=2022&to_year=2023&municipality=01"
        )
        .await
        .bad_parameters(),
        ["municipality"]
    );
    // The bundle has official types for 2022 and 2023 only.
    let problem = get(&app, "/v1/changes?from_year=2022&to_year=2024")
        .await
        .problem(400);
    assert_eq!(problem["errors"][0]["parameter"], "to_year");
    assert!(problem["errors"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("2022, 2023"));
}

#[actix_web::test]
async fn changes_across_versions_pair_only_unchanged_areas() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let body = get(&app, "/v1/changes?from_year=2023&to_year=2024&limit=10000")
        .await
        .json();
    assert_eq!(body["cross_version"], true, "{body}");
    assert_eq!(body["from_division"], "regso-2020");
    assert_eq!(body["to_division"], "regso-2025");
    assert_eq!(body["joined_by"], "crosswalk (unchanged areas only)");

    let unchanged = get(
        &app,
        "/v1/crosswalk?from=regso-2020&relation=unchanged&limit=10000",
    )
    .await
    .json();
    let unchanged_codes: Vec<&str> = unchanged["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["from"]["code"].as_str().unwrap())
        .collect();
    let counts = &body["counts"];
    let compared = counts["compared"].as_i64().unwrap();
    assert!(compared > 0);
    assert!(compared <= unchanged_codes.len() as i64);
    assert!(
        counts["not_comparable"].as_i64().unwrap() >= 3363 - unchanged_codes.len() as i64,
        "every RegSO 2020 that is not unchanged is left out: {counts}"
    );
    let changes = body["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    for c in changes {
        let code = c["code"].as_str().unwrap();
        assert!(unchanged_codes.contains(&code), "{code} is not unchanged");
        assert_eq!(c["from"]["division"], "regso-2020");
        assert_eq!(c["to"]["division"], "regso-2025");
        assert_eq!(c["to"]["code"], code);
        assert!(c["from"]["area_type_origin"].is_string());
        assert!(c["to"]["area_type_origin"].is_string());
        assert!(c["index_change"].is_number(), "synthetic data has indices");
    }
    // The synthetic types are computed, and say so.
    assert!(changes
        .iter()
        .any(|c| c["from"]["area_type_origin"] == "computed"));
    // Within one version the same years join by code.
    let same = get(&app, "/v1/changes?from_year=2024&to_year=2025")
        .await
        .problem(400);
    assert_eq!(same["errors"][0]["parameter"], "to_year");
    let within = get(&app, "/v1/changes?from_year=2022&to_year=2023")
        .await
        .json();
    assert_eq!(within["cross_version"], false);
    assert_eq!(within["counts"]["not_comparable"], 0);
}

#[actix_web::test]
async fn crosswalk_follows_scbs_change_log() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    // SCB's log: 0114C1060 (Upplands Väsby) ended into the new 0114C1061 and 0114C1062.
    let deso = get(&app, "/v1/crosswalk?from=deso-2018&code=0114C1060")
        .await
        .json();
    assert_eq!(deso["to_division"], "deso-2025");
    let pairs = deso["pairs"].as_array().unwrap();
    let to: Vec<&str> = pairs
        .iter()
        .map(|p| p["to"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(to, ["0114C1061", "0114C1062"]);
    assert!(pairs.iter().all(|p| p["relation"] == "split"
        && p["counts"]["from_targets"] == 2
        && p["counts"]["to_sources"] == 1));
    // Its RegSO, Runby södra-Ed, keeps its code with three DeSO instead of two.
    let regso = get(&app, "/v1/crosswalk?from=regso-2020&code=0114R006")
        .await
        .json();
    assert_eq!(regso["numberMatched"], 1);
    let pair = &regso["pairs"][0];
    assert_eq!(pair["from"]["name"], "Runby södra-Ed");
    assert_eq!(pair["to"]["code"], "0114R006");
    assert_eq!(pair["relation"], "boundary_changed");
    assert_eq!(pair["counts"]["deso_shared"], 2);
    assert_eq!(pair["counts"]["from_deso"], 2);
    assert_eq!(pair["counts"]["to_deso"], 3);
    // A code change: 0586C2010 became 0586B2010.
    let recoded = get(&app, "/v1/crosswalk?from=deso-2018&code=0586C2010_DeSO2018")
        .await
        .json();
    assert_eq!(recoded["pairs"][0]["to"]["code"], "0586B2010");
    assert_eq!(recoded["pairs"][0]["relation"], "recoded");

    // The unchanged RegSO are exactly those that borrow their 2025 polygon as unchanged.
    let unchanged = get(
        &app,
        "/v1/crosswalk?from=regso-2020&relation=unchanged&limit=1",
    )
    .await
    .json();
    assert_eq!(unchanged["numberMatched"], 2847);
    assert!(unchanged["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "next"));

    let csv = get(
        &app,
        "/v1/crosswalk?from=regso-2020&municipality=0114&f=csv",
    )
    .await;
    let text = csv.text();
    assert!(text.starts_with("from_division,from_code,from_name,to_division,to_code,"));
    assert!(text.contains("regso-2020,0114R006,Runby södra-Ed,regso-2025,0114R006,Runby södra-Ed,boundary_changed,1,1,2,2,3"));

    get(&app, "/v1/crosswalk?from=regso-2020&code=0114R999")
        .await
        .problem(404);
    assert_eq!(get(&app, "/v1/crosswalk").await.bad_parameters(), ["from"]);
    let mut bad = get(
        &app,
        "/v1/crosswalk?from=regso-2020&relation=moved&code=0114A0010",
    )
    .await
    .bad_parameters();
    bad.sort();
    assert_eq!(bad, ["code", "relation"]);
}
