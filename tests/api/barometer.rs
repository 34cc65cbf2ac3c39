//! The whole barometer in one command, end to end and offline: `segstat import scb --all`
//! against the replay of SCB's PxWebApi 2 (the real table metadata, synthetic values), on a
//! reduced set of kommuner. After it the API must answer, for every year 2011–2024, the index
//! and its components, official area types, population shares per type and an inequality
//! index for every kommun.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, SmallInt, Text};

use segstat::synthetic::replay::{self, ReplayOptions};

use serde_json::json;

use crate::support::*;

/// Stockholm (many RegSO), Upplands Väsby, Gällivare (a RegSO new in 2025) and Uppsala.
const KOMMUNER: &str = "0114,0180,0380,2523";

fn import_all(db: &TestDb, base: &str, keep: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_segstat"))
        .args(["import", "scb", "--all", "--municipalities", KOMMUNER])
        .arg("--pxweb-url")
        .arg(base)
        .arg("--data-dir")
        .arg(data_dir())
        .arg("--keep")
        .arg(keep)
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "info")
        .output()
        .unwrap()
}

fn keep_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("segstat-barometer-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<N>(conn).unwrap().n
}

#[test]
fn the_whole_barometer_in_one_command_against_the_replayed_scb() {
    // SCB's limits, tightened: 20 calls a second, shared with a second client that keeps
    // calling about 15 times a second, so the two together go over the limit and the import
    // must wait out 429s for their Retry-After. (A neighbour that alone used the whole limit
    // would starve any client, however well it behaved: that is not SCB's situation.)
    let served = replay::load(ReplayOptions {
        data_dir: Some(data_dir()),
        municipalities: KOMMUNER.split(',').map(str::to_owned).collect(),
        max_cells: 20_000,
        calls: 20,
        window: Duration::from_secs(1),
        ..ReplayOptions::default()
    })
    .unwrap();
    let (addr, handle) = replay::spawn(served, "127.0.0.1:0").unwrap();
    let base = format!("http://{addr}/api/v2");
    let stop = Arc::new(AtomicBool::new(false));
    let neighbour = {
        let (stop, url) = (stop.clone(), format!("{base}/config"));
        std::thread::spawn(move || {
            // Bounded: at most 2,000 calls, about 15 a second.
            for _ in 0..2_000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let _ = ureq::get(&url).call();
                std::thread::sleep(Duration::from_millis(60));
            }
        })
    };

    let db = TestDb::migrated();
    let keep = keep_dir("all");
    let out = import_all(&db, &base, &keep);
    stop.store(true, Ordering::Relaxed);
    neighbour.join().unwrap();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{log}");
    let stats = handle.stats();
    assert!(
        stats.too_many_requests > 0,
        "the neighbour should have exhausted the window: {stats:?}"
    );
    assert_eq!(
        stats.bad_requests, 0,
        "no call went over the cell limit: {stats:?}"
    );
    assert!(
        log.contains("synthetic"),
        "the replay's values are marked synthetic: {log}"
    );

    let mut conn = db.conn();
    let state = segstat::db::data_state::current(&mut conn).unwrap();
    assert!(
        state.synthetic,
        "data from the replay is never served as SCB's"
    );

    // Every year 2011–2024: SCB's index, three components and area type for every RegSO of
    // the kommuner, official.
    #[derive(QueryableByName)]
    struct Year {
        #[diesel(sql_type = SmallInt)]
        year: i16,
        #[diesel(sql_type = BigInt)]
        regso: i64,
        #[diesel(sql_type = BigInt)]
        complete: i64,
    }
    let years: Vec<Year> = diesel::sql_query(
        "SELECT y.year::smallint AS year, count(a.code) AS regso,
                count(*) FILTER (WHERE t.area_type_origin = 'official' AND t.index_origin = 'official'
                                 AND t.low_economic_standard IS NOT NULL AND t.low_education IS NOT NULL
                                 AND t.long_term_dependency IS NOT NULL) AS complete
         FROM generate_series(2011, 2024) y(year)
         JOIN areas a ON a.division = CASE WHEN y.year >= 2024 THEN 'regso-2025' ELSE 'regso-2020' END
                      AND a.municipality_code = ANY(string_to_array($1, ','))
         LEFT JOIN area_types t ON (t.division, t.code, t.year) = (a.division, a.code, y.year)
         GROUP BY y.year ORDER BY y.year",
    )
    .bind::<Text, _>(KOMMUNER)
    .load(&mut conn)
    .unwrap();
    assert_eq!(years.len(), 14);
    for y in &years {
        assert!(y.regso > 200, "{}: {} RegSO", y.year, y.regso);
        assert_eq!(
            y.complete, y.regso,
            "{}: every RegSO has SCB's index, components and type",
            y.year
        );
    }

    // Every kommun, every year: population shares per type and an inequality index, labelled.
    // (The bundle's area-type exports type every RegSO of the country in 2022 and 2023, so
    // other kommuner have summaries for those years too, without population.)
    #[derive(QueryableByName)]
    struct Summary {
        #[diesel(sql_type = Text)]
        code: String,
        #[diesel(sql_type = SmallInt)]
        year: i16,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Array<diesel::sql_types::Nullable<diesel::sql_types::Double>>>)]
        population_share_by_type: Option<Vec<Option<f64>>>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
        inequality_index: Option<f64>,
        #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
        population: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
        population_untyped: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        inequality_method: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        area_type_origin: Option<String>,
    }
    let summaries: Vec<Summary> = diesel::sql_query(
        "SELECT code, year, population_share_by_type, inequality_index, inequality_method, area_type_origin,
                population, population_untyped
         FROM area_type_summaries WHERE division = 'kommun' AND code = ANY(string_to_array($1, ','))
         ORDER BY code, year",
    )
    .bind::<Text, _>(KOMMUNER)
    .load(&mut conn)
    .unwrap();
    let kommuner: BTreeSet<&str> = KOMMUNER.split(',').collect();
    assert_eq!(
        summaries
            .iter()
            .map(|s| s.code.as_str())
            .collect::<BTreeSet<_>>(),
        kommuner
    );
    assert_eq!(summaries.len(), 4 * 14);
    for s in &summaries {
        let shares: Vec<f64> = s
            .population_share_by_type
            .clone()
            .unwrap_or_else(|| panic!("{} {}: no population shares", s.code, s.year))
            .into_iter()
            .flatten()
            .collect();
        // The shares divide by the kommun's whole population (SCB's kommun figure); what no
        // type covers (here: RegSO whose population the replay suppressed) is its own figure.
        let whole = s.population.unwrap() as f64;
        let untyped = 100.0 * s.population_untyped.unwrap() as f64 / whole;
        let total: f64 = shares.iter().sum::<f64>() + untyped;
        assert!(
            (total - 100.0).abs() < 0.01,
            "{} {}: shares and untyped sum to {total}",
            s.code,
            s.year
        );
        assert!(untyped < 25.0, "{} {}: {untyped} % untyped", s.code, s.year);
        let d = s
            .inequality_index
            .unwrap_or_else(|| panic!("{} {}: no inequality index", s.code, s.year));
        assert!((0.0..=100.0).contains(&d));
        assert_eq!(s.inequality_method.as_deref(), Some("economic_standard"));
        assert_eq!(s.area_type_origin.as_deref(), Some("official"));
    }

    // The computed indicators are there, from their tables, and say how they were computed.
    let employment = count(
        &mut conn,
        "SELECT count(*) AS n FROM indicator_values v JOIN indicators i ON i.id = v.indicator
         WHERE v.indicator = 'employment_rate' AND v.status = 'ok' AND v.value BETWEEN 0 AND 100
           AND i.origin = 'computed' AND i.formula LIKE '%0000089X%' AND v.division = 'regso-2025'",
    );
    assert!(employment > 100, "{employment}");
    let levels = count(
        &mut conn,
        "SELECT count(DISTINCT division) AS n FROM indicator_values WHERE indicator = 'population'",
    );
    assert_eq!(
        levels, 7,
        "riket, län, kommun and both versions of RegSO and DeSO"
    );

    // The API serves it: the ranking says what it is, and a CSV says it is synthetic.
    let (ranking, csv) = actix_web::rt::System::new().block_on(async {
        let app = app_for(&db.url()).await;
        (
            get(&app, "/v1/inequality?year=2015").await.json(),
            get(
                &app,
                "/v1/data?indicator=employment_rate&area=0180&latest=1&f=csv",
            )
            .await
            .text(),
        )
    });
    let entries = ranking["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    assert!(entries.iter().all(|e| e["origin"] == "computed"
        && e["method"] == "economic_standard"
        && e["spatial_unit"] == "regso"));
    assert!(csv.lines().next().unwrap().ends_with(",synthetic"), "{csv}");

    // Resumable: a rerun fetches nothing; with two files gone, it fetches exactly those two.
    let before = handle.stats().data_calls;
    let again = import_all(&db, &base, &keep);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        handle.stats().data_calls,
        before,
        "nothing is fetched twice"
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&keep)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("TAB") && name.ends_with(".json") && !name.contains("metadata")
        })
        .collect();
    files.sort();
    std::fs::remove_file(&files[0]).unwrap();
    std::fs::remove_file(&files[files.len() - 1]).unwrap();
    let third = import_all(&db, &base, &keep);
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    assert_eq!(handle.stats().data_calls, before + 2);
    // Files kept from one server are never taken for another's answers.
    let other = import_all(&db, &format!("http://{addr}/api/v2/"), &keep);
    assert!(!other.status.success());
    assert!(
        String::from_utf8_lossy(&other.stderr).contains("holds files fetched from"),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
    let _ = std::fs::remove_dir_all(&keep);
}

#[actix_web::test]
async fn the_catalogue_is_served_with_its_sources_and_types_say_their_origin() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let list = get(&app, "/v1/indicators?lang=en").await.json();
    let indicators = list["indicators"].as_array().unwrap();
    let shipped: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data_dir().join("catalogue/indicators.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        indicators.len(),
        shipped["indicators"].as_array().unwrap().len(),
        "the whole catalogue, with or without values"
    );
    let by_id = |id: &str| indicators.iter().find(|i| i["id"] == id).unwrap().clone();
    let index = by_id("socioeconomic_index");
    assert_eq!(
        (
            &index["source_table"],
            &index["contents_code"],
            &index["origin"]
        ),
        (&json!("TAB6586"), &json!("000008IT"), &json!("published"))
    );
    let rate = by_id("employment_rate");
    assert_eq!(rate["origin"], "computed");
    assert_eq!(rate["contents_code"], serde_json::Value::Null);
    assert_eq!(rate["selection"], json!({"Alder": "20-64"}));
    assert_eq!(rate["inputs"]["numerator"][0]["contents_code"], "0000089X");
    assert!(rate["formula"].as_str().unwrap().contains("0000089Y"));
    // The real 2024 population of six kommuner: RegSO 2025, by sex.
    let pop = by_id("population");
    let regso = pop["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["division"] == "regso-2025")
        .unwrap();
    assert_eq!(regso["years"], json!([2024]));
    assert_eq!(regso["breakdowns"], json!(["men", "total", "women"]));

    // Features and tiles say which origin their area type has.
    let items = get(
        &app,
        "/v1/collections/regso-2020/items?municipality=0180&year=2023&geometry=none&limit=200",
    )
    .await
    .json();
    let features = items["features"].as_array().unwrap();
    assert_eq!(features.len(), 127);
    assert!(features
        .iter()
        .all(|f| f["properties"]["area_type_origin"] == "official"));
    let tilejson = get(&app, "/v1/tiles/regso-2020?year=2023").await.json();
    assert!(tilejson["vector_layers"][0]["fields"]["area_type_origin"].is_string());
}
