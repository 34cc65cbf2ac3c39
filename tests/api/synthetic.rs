//! The synthetic national dataset: deterministic, complete, nested, and labelled synthetic.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};

use crate::support::*;

fn files(dir: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in segstat::synthetic::manifest().entries {
        out.insert(
            entry.path.clone(),
            std::fs::read(dir.join(&entry.path)).unwrap(),
        );
    }
    out
}

#[test]
fn same_seed_writes_the_same_files() {
    let (_, first) = synthetic_template();
    let db = TestDb::migrated();
    let again =
        std::env::temp_dir().join(format!("segstat-synthetic-again-{}", std::process::id()));
    segstat::synthetic::generate(
        &mut db.conn(),
        &data_dir(),
        &again,
        SYNTHETIC_SEED,
        SYNTHETIC_VERTICES,
    )
    .unwrap();
    let (a, b) = (files(first), files(&again));
    let _ = std::fs::remove_dir_all(&again);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(
            bytes == &b[name],
            "{name} differs between two runs with the same seed"
        );
    }
}

#[test]
fn every_level_and_version_is_complete_and_nested() {
    let db = TestDb::synthetic();
    let mut conn = db.conn();
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = Text)]
        division: String,
        #[diesel(sql_type = BigInt)]
        with_geometry: i64,
    }
    let counts: BTreeMap<String, i64> = diesel::sql_query(
        "SELECT division, count(geojson_coarse) AS with_geometry FROM areas GROUP BY 1",
    )
    .load::<Count>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|c| (c.division, c.with_geometry))
    .collect();
    for (division, n) in [
        ("riket", 1),
        ("lan", 21),
        ("kommun", 290),
        ("regso-2020", 3363),
        ("deso-2018", 5984),
        ("regso-2025", 3363),
        ("deso-2025", 6160),
    ] {
        assert_eq!(counts[division], n, "{division}");
    }
    // DeSO tile their RegSO, and RegSO lie inside their kommun.
    #[derive(QueryableByName, Debug)]
    struct Fit {
        #[diesel(sql_type = Double)]
        worst_deso_sum: f64,
        #[diesel(sql_type = Double)]
        worst_outside_kommun: f64,
    }
    let fit = diesel::sql_query(
        "SELECT
           (SELECT max(abs(r.area_km2 - s.sum) / r.area_km2) FROM areas r
              JOIN (SELECT regso_code, sum(area_km2) AS sum FROM areas WHERE division = 'deso-2018' GROUP BY 1) s
                ON s.regso_code = r.code
            WHERE r.division = 'regso-2020') AS worst_deso_sum,
           (SELECT max(ST_Area(ST_Difference(r.geom, ST_Buffer(k.geom, 1))) / ST_Area(r.geom)) FROM areas r
              JOIN areas k ON k.division = 'kommun' AND k.code = r.municipality_code
            WHERE r.division = 'regso-2020' AND r.municipality_code IN ('0180', '1480', '2584')) AS worst_outside_kommun",
    )
    .get_result::<Fit>(&mut conn)
    .unwrap();
    assert!(fit.worst_deso_sum < 1e-3, "{fit:?}");
    assert!(fit.worst_outside_kommun < 1e-3, "{fit:?}");
}

#[test]
fn statistics_are_plausible_and_marked_synthetic() {
    let db = TestDb::synthetic();
    let mut conn = db.conn();
    let state = segstat::db::data_state::current(&mut conn).unwrap();
    assert!(state.synthetic);
    #[derive(QueryableByName)]
    struct Facts {
        #[diesel(sql_type = BigInt)]
        years: i64,
        #[diesel(sql_type = BigInt)]
        indicators: i64,
        #[diesel(sql_type = BigInt)]
        typed: i64,
        #[diesel(sql_type = BigInt)]
        official_types: i64,
        #[diesel(sql_type = BigInt)]
        breakdowns: i64,
        #[diesel(sql_type = BigInt)]
        real_datasets: i64,
        #[diesel(sql_type = BigInt)]
        municipalities_with_inequality: i64,
    }
    let f = diesel::sql_query(
        "SELECT (SELECT count(DISTINCT year) FROM area_types) AS years,
                (SELECT count(*) FROM indicators) AS indicators,
                (SELECT count(*) FROM area_types WHERE area_type IS NOT NULL AND area_type_origin = 'computed') AS typed,
                (SELECT count(*) FROM area_type_sources WHERE origin = 'official' AND area_type IS NOT NULL) AS official_types,
                (SELECT count(DISTINCT breakdown) FROM indicator_values) AS breakdowns,
                (SELECT count(*) FROM datasets WHERE NOT synthetic) AS real_datasets,
                (SELECT count(*) FROM area_type_summaries WHERE division = 'kommun' AND year = 2024
                    AND inequality_index IS NOT NULL) AS municipalities_with_inequality",
    )
    .get_result::<Facts>(&mut conn)
    .unwrap();
    assert_eq!(f.years, 14, "2011–2024");
    assert!(f.indicators >= 19, "{}", f.indicators);
    assert_eq!(
        f.typed,
        13 * 3363 + 3363,
        "every RegSO of every year has a computed type"
    );
    assert_eq!(f.official_types, 0, "synthetic data has no official types");
    assert!(f.breakdowns >= 3, "total, men, women");
    assert_eq!(f.real_datasets, 0, "every dataset record says synthetic");
    assert_eq!(f.municipalities_with_inequality, 290);

    // The index spreads into all five types, the most challenged the fewest, as in SCB's data.
    #[derive(QueryableByName)]
    struct Share {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let per_type: Vec<i64> = diesel::sql_query(
        "SELECT count(*) AS n FROM area_types WHERE year = 2022 GROUP BY area_type ORDER BY area_type",
    )
    .load::<Share>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|s| s.n)
    .collect();
    assert_eq!(per_type.len(), 5);
    assert!(
        per_type[0] < per_type[1] && per_type[1] < per_type[2] && per_type[2] < per_type[3],
        "{per_type:?}"
    );
}

#[actix_web::test]
async fn the_api_says_the_data_is_synthetic() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let meta = get(&app, "/v1/meta").await.json();
    assert_eq!(meta["synthetic"], true);
    assert!(meta["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["synthetic"] == true));
    assert!(meta["datasets"][0]["attribution"]
        .as_str()
        .unwrap()
        .contains("Synthetic"));
    assert_eq!(get(&app, "/ready").await.json()["synthetic"], true);
    assert_eq!(
        get(&app, "/v1/meta").await.header("data-synthetic"),
        Some("true")
    );
}

#[test]
fn official_area_types_win_and_computed_ones_are_kept_apart() {
    let db = TestDb::synthetic();
    let mut conn = db.conn();
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Served {
        #[diesel(sql_type = diesel::sql_types::SmallInt)]
        area_type: i16,
        #[diesel(sql_type = Text)]
        area_type_origin: String,
        #[diesel(sql_type = Text)]
        index_origin: String,
    }
    let served = |conn: &mut PgConnection| {
        diesel::sql_query(
            "SELECT area_type, area_type_origin, index_origin FROM area_types
             WHERE division = 'regso-2020' AND code = '0180R036' AND year = 2022",
        )
        .get_result::<Served>(conn)
        .unwrap()
    };
    let before = served(&mut conn);
    assert_eq!(
        (
            before.area_type_origin.as_str(),
            before.index_origin.as_str()
        ),
        ("computed", "computed")
    );
    let official = before.area_type % 5 + 1;
    let version_before = segstat::db::data_state::current(&mut conn)
        .unwrap()
        .data_version;
    // SCB's official type arrives (with a dataset of its own) beside the imported components.
    diesel::sql_query(format!(
        "WITH d AS (INSERT INTO datasets (kind, source, checksum, synthetic)
                    VALUES ('area-types', 'official.csv', repeat('c', 64), true) RETURNING id)
         UPDATE area_type_sources SET area_type = {official}, dataset_id = (SELECT id FROM d)
         WHERE division = 'regso-2020' AND code = '0180R036' AND year = 2022 AND origin = 'official'"
    ))
    .execute(&mut conn)
    .unwrap();
    let version = segstat::import::derive::recompute_statistics(&mut conn, true).unwrap();

    let after = served(&mut conn);
    assert_eq!(after.area_type, official);
    assert_eq!(after.area_type_origin, "official");
    assert_eq!(
        after.index_origin, "computed",
        "the index itself is still ours"
    );
    #[derive(QueryableByName)]
    struct Kept {
        #[diesel(sql_type = diesel::sql_types::SmallInt)]
        area_type: i16,
    }
    let computed = diesel::sql_query(
        "SELECT area_type FROM area_type_sources
         WHERE division = 'regso-2020' AND code = '0180R036' AND year = 2022 AND origin = 'computed'",
    )
    .get_result::<Kept>(&mut conn)
    .unwrap();
    assert_eq!(
        computed.area_type, before.area_type,
        "the computed type is kept beside the official one"
    );
    assert_ne!(version, version_before, "new data, new version");
}
