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
    assert_eq!(years[0]["area_type_origin"], "official", "SCB's own types");
    assert_eq!(years[0]["regso_count"], 127, "every RegSO of Stockholm");
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
    assert_eq!(
        y["population_untyped"], 0,
        "every synthetic RegSO has a type"
    );
    assert_eq!(y["inequality_method"], "income_quintiles");
    assert_eq!(y["inequality_origin"], "computed");
    assert_eq!(y["inequality_spatial_unit"], "regso");
    assert_eq!(y["inequality_areas"], y["regso_count"]);

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
    assert!(
        text.starts_with(
            "\u{feff}rank;code;name;inequality_index;method;origin;regso_count;areas;few_areas;year;synthetic\r\n"
        ),
        "{text}"
    );
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .contains(";income_quintiles;computed;"),
        "{text}"
    );
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

#[derive(diesel::QueryableByName)]
struct TestPoint {
    #[diesel(sql_type = diesel::sql_types::Double)]
    x: f64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    y: f64,
}

#[derive(diesel::QueryableByName)]
struct BorderDistance {
    #[diesel(sql_type = diesel::sql_types::Double)]
    metres: f64,
}

/// The in-memory point lookup must find what PostGIS finds: on random points over Sweden, and
/// on points within two metres of RegSO and DeSO borders, where a mistake in the polygon test
/// would show. It holds coordinates to the centimetre, so a point closer than that to a border
/// may fall on the other side; nowhere else may they differ.
async fn memory_lookup_agrees_with_postgis(db: TestDb) {
    use diesel::prelude::*;
    let state = segstat::state::AppState::new(config(&db.url()));
    state.refresh().await.expect("the data version reads");
    let locator = state.locator().await.expect("the locator builds");
    let mut conn = db.conn();
    let points: Vec<TestPoint> = diesel::sql_query(
        "SELECT ST_X(p.geom) AS x, ST_Y(p.geom) AS y FROM (
             SELECT (ST_Dump(ST_GeneratePoints(ST_Expand(ST_Envelope(geom), 20000), 1500, 11))).geom
             FROM areas WHERE division = 'riket'
             UNION ALL
             SELECT (ST_Dump(ST_GeneratePoints(ST_Buffer(ST_Boundary(geom), 2), 3, 12))).geom
             FROM (SELECT geom FROM areas WHERE geom IS NOT NULL AND length(code) > 4
                   ORDER BY md5(code) LIMIT 500) a
         ) p",
    )
    .load(&mut conn)
    .unwrap();
    assert!(points.len() > 2500, "{} points", points.len());
    let (mut inside, mut compared, mut near_border) = (0, 0, 0);
    for p in &points {
        // Sorted: where areas of one division overlap (the synthetic RegSO inherit the small
        // overlaps of SCB's generalised kommun borders), the database's order among them is
        // arbitrary.
        let mut expected: Vec<String> =
            segstat::db::summaries::containing(&mut conn, p.x, p.y, 3006)
                .unwrap()
                .into_iter()
                .filter(|h| h.level != segstat::domain::geography::Level::Riket)
                .map(|h| format!("{} {}", h.division, h.code))
                .collect();
        let mut found: Vec<String> = locator
            .containing(p.x, p.y)
            .into_iter()
            .map(|h| format!("{} {}", h.division, h.code))
            .collect();
        expected.sort();
        found.sort();
        if found != expected {
            let differing: Vec<&String> = found
                .iter()
                .filter(|a| !expected.contains(a))
                .chain(expected.iter().filter(|a| !found.contains(a)))
                .collect();
            for area in differing {
                let (division, code) = area.split_once(' ').unwrap();
                let d: BorderDistance = diesel::sql_query(
                    "SELECT ST_Distance(ST_Boundary(geom), ST_SetSRID(ST_MakePoint($1, $2), 3006)) AS metres
                     FROM areas WHERE division = $3 AND code = $4",
                )
                .bind::<diesel::sql_types::Double, _>(p.x)
                .bind::<diesel::sql_types::Double, _>(p.y)
                .bind::<diesel::sql_types::Text, _>(division)
                .bind::<diesel::sql_types::Text, _>(code)
                .get_result(&mut conn)
                .unwrap();
                assert!(
                    d.metres < 0.01,
                    "at ({}, {}) memory found {found:?}, PostGIS {expected:?}; {area} is {} m away",
                    p.x,
                    p.y,
                    d.metres
                );
            }
            near_border += 1;
        }
        inside += usize::from(!found.is_empty());
        compared += 1;
    }
    // The sample reaches both outside and inside Sweden.
    assert!(
        inside > compared / 4 && inside < compared,
        "{inside} of {compared}"
    );
    assert!(
        near_border * 100 < compared,
        "{near_border} of {compared} differ"
    );
}

#[actix_web::test]
async fn memory_lookup_agrees_with_postgis_on_real_borders() {
    memory_lookup_agrees_with_postgis(TestDb::bundled()).await;
}

#[actix_web::test]
async fn memory_lookup_agrees_with_postgis_on_synthetic_borders() {
    memory_lookup_agrees_with_postgis(TestDb::synthetic()).await;
}

#[actix_web::test]
async fn lookup_answers_the_same_from_memory_and_with_the_database_cut() {
    let db = TestDb::bundled();
    let proxy = DbProxy::start();
    let app = app_for(&proxy.url_for(&db.name)).await;
    let first = get(&app, "/v1/lookup?lon=17.6389&lat=59.8586").await;
    assert_eq!(first.status, 200, "{}", first.text());
    let second = get(&app, "/v1/lookup?lon=17.63892&lat=59.85862").await;
    assert_eq!(second.json(), first.json());
    // Once the locator is built, every point is answered from memory: one in the same areas,
    // and one in areas never asked before.
    proxy.down();
    let near = get(&app, "/v1/lookup?lon=17.63891&lat=59.85861").await;
    let elsewhere = get(&app, "/v1/lookup?lon=18.0686&lat=59.3293").await;
    proxy.up();
    assert_eq!(near.status, 200, "{}", near.text());
    assert_eq!(near.json(), first.json());
    assert_eq!(near.header("cache-status"), Some("segstat; hit"));
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.text());
    assert_eq!(elsewhere.json()["municipality"]["code"], "0180");
    assert!(elsewhere.json()["regso"][0]["area_type"].is_i64());
}

/// The body built from memory is byte for byte the body built with the database's queries
/// (the path taken while no locator is built), for the same areas: on random points over
/// Sweden and beyond it, and on points within two metres of RegSO and DeSO borders.
#[actix_web::test]
async fn lookup_body_from_memory_is_the_body_from_the_database() {
    use diesel::prelude::*;
    use segstat::api::lookup::{from_database, from_memory};
    let db = TestDb::bundled();
    let state = segstat::state::AppState::new(config(&db.url()));
    state.refresh().await.expect("the data version reads");
    let locator = state.locator().await.expect("the locator builds");
    let mut conn = db.conn();
    let data = segstat::db::data_state::current(&mut conn).unwrap();
    assert_eq!(locator.data, data);
    let points: Vec<TestPoint> = diesel::sql_query(
        "SELECT ST_X(p.geom) AS x, ST_Y(p.geom) AS y FROM (
             SELECT (ST_Dump(ST_GeneratePoints(ST_Expand(ST_Envelope(geom), 20000), 1000, 21))).geom
             FROM areas WHERE division = 'riket'
             UNION ALL
             SELECT (ST_Dump(ST_GeneratePoints(ST_Buffer(ST_Boundary(geom), 2), 2, 22))).geom
             FROM (SELECT geom FROM areas WHERE geom IS NOT NULL AND length(code) > 4
                   ORDER BY md5(code) LIMIT 500) a
         ) p",
    )
    .load(&mut conn)
    .unwrap();
    assert!(points.len() > 1500, "{} points", points.len());
    let (mut outside, mut with_values, mut with_type) = (0, 0, 0);
    for p in &points {
        let memory = from_memory(&locator, p.x, p.y);
        let database = from_database(&mut conn, &data, locator.containing(p.x, p.y)).unwrap();
        let bytes = |b: &Option<segstat::api::lookup::Lookup>| {
            b.as_ref().map(|b| serde_json::to_vec(b).unwrap())
        };
        assert!(
            bytes(&memory) == bytes(&database),
            "at ({}, {}) memory gave {}, the database {}",
            p.x,
            p.y,
            String::from_utf8_lossy(&bytes(&memory).unwrap_or_default()),
            String::from_utf8_lossy(&bytes(&database).unwrap_or_default())
        );
        match &memory {
            None => outside += 1,
            Some(body) => {
                with_values += usize::from(body.regso.iter().any(|r| !r.latest_values.is_empty()));
                with_type += usize::from(body.regso.iter().any(|r| r.area_type.is_some()));
            }
        }
    }
    // The sample reaches outside every kommun, and RegSO with values and area types.
    assert!(outside > 50, "{outside} outside");
    assert!(with_values > 100, "{with_values} with values");
    assert!(with_type > 100, "{with_type} with an area type");
}

/// An import switches the data version under a running server: until the server has seen the
/// new version, lookups answer wholly from the old locator, named as the old version; then
/// wholly from a locator of the new one. Never the old label with new values, or the reverse.
#[actix_web::test]
async fn lookup_never_mixes_data_versions_across_an_import() {
    let db = TestDb::bundled();
    let state = actix_web::web::Data::new(segstat::state::AppState::new(config(&db.url())));
    let app = actix_web::test::init_service(segstat::app::app(state.clone())).await;
    state.refresh().await.unwrap();
    let uri = "/v1/lookup?lon=17.6389&lat=59.8586";
    let before = get(&app, uri).await;
    assert_eq!(before.status, 200, "{}", before.text());
    let before = before.json();
    let old_version = before["data_version"].as_str().unwrap().to_owned();

    // What an import does in its one transaction: new values and a new version.
    let mut conn = db.conn();
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        "UPDATE indicator_values SET value = value + 1000 WHERE value IS NOT NULL;
         UPDATE data_state SET data_version = 'switched', updated_at = now();",
    )
    .unwrap();

    let stale = get(&app, uri).await;
    assert_eq!(stale.json(), before, "the old locator, wholly");
    assert_eq!(stale.header("data-version"), Some(old_version.as_str()));

    state.refresh().await.unwrap();
    let after = get(&app, uri).await;
    assert_eq!(after.header("data-version"), Some("switched"));
    let after = after.json();
    assert_eq!(after["data_version"], "switched");
    let values = |body: &serde_json::Value| -> Vec<f64> {
        body["regso"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["latest_values"].as_array().unwrap().clone())
            .filter_map(|v| v["value"].as_f64())
            .collect()
    };
    let (old, new) = (values(&before), values(&after));
    assert!(!old.is_empty());
    assert_eq!(old.len(), new.len());
    for (o, n) in old.iter().zip(&new) {
        assert!((n - o - 1000.0).abs() < 1e-6, "{o} became {n}");
    }
}
