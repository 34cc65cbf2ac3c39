//! `import bundled` on the real SCB files: what lands, that it matches SCB's published counts,
//! that it is idempotent, and that a bad file changes nothing and says where it is bad.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Integer, SmallInt, Text};

use segstat::import::bundled;
use segstat::import::manifest::Outcome;
use segstat::import::{codes, Source};

use crate::support::*;

#[derive(QueryableByName, Debug)]
struct TypeCount {
    #[diesel(sql_type = SmallInt)]
    year: i16,
    #[diesel(sql_type = SmallInt)]
    area_type: i16,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn type_counts(conn: &mut PgConnection) -> BTreeMap<i16, Vec<i64>> {
    let rows = diesel::sql_query(
        "SELECT year, area_type, count(*) AS n FROM area_types
         WHERE division = 'regso-2020' GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .load::<TypeCount>(conn)
    .unwrap();
    let mut out: BTreeMap<i16, Vec<i64>> = BTreeMap::new();
    for r in rows {
        out.entry(r.year).or_default().push(r.n);
        assert_eq!(
            out[&r.year].len(),
            r.area_type as usize,
            "types are 1..5 in order"
        );
    }
    out
}

#[test]
fn area_types_per_type_match_scb() {
    let db = TestDb::bundled();
    let mut conn = db.conn();
    // SCB's published national counts of RegSO per area type 1–5.
    let counts = type_counts(&mut conn);
    assert_eq!(counts[&2022], [160, 289, 855, 1770, 289]);
    assert_eq!(counts[&2023], [162, 293, 835, 1781, 292]);

    #[derive(QueryableByName)]
    struct Summary {
        #[diesel(sql_type = Text)]
        code: String,
        #[diesel(sql_type = SmallInt)]
        year: i16,
        #[diesel(sql_type = diesel::sql_types::Array<Integer>)]
        regso_by_type: Vec<i32>,
    }
    let summaries: BTreeMap<(String, i16), Vec<i32>> = diesel::sql_query(
        "SELECT code, year, regso_by_type FROM area_type_summaries WHERE code IN ('00', '0180', '1480', '1885')",
    )
    .load::<Summary>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|s| ((s.code, s.year), s.regso_by_type))
    .collect();
    assert_eq!(summaries[&("00".into(), 2022)], [160, 289, 855, 1770, 289]);
    assert_eq!(summaries[&("0180".into(), 2023)], [3, 8, 19, 76, 21]);
    assert_eq!(summaries[&("1480".into(), 2022)], [15, 19, 19, 73, 21]);
    assert_eq!(summaries[&("1885".into(), 2023)], [1, 0, 7, 4, 0]);
}

#[derive(QueryableByName)]
struct CodeSource {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    geometry_source: Option<String>,
}

#[test]
fn every_area_is_there_and_regso_2020_geometry_says_how_it_was_made() {
    let db = TestDb::bundled();
    let mut conn = db.conn();
    #[derive(QueryableByName)]
    struct DivisionCount {
        #[diesel(sql_type = Text)]
        division: String,
        #[diesel(sql_type = BigInt)]
        areas: i64,
        #[diesel(sql_type = BigInt)]
        with_geometry: i64,
    }
    let counts: BTreeMap<String, (i64, i64)> = diesel::sql_query(
        "SELECT division, count(*) AS areas, count(geom) AS with_geometry FROM areas GROUP BY 1",
    )
    .load::<DivisionCount>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|d| (d.division, (d.areas, d.with_geometry)))
    .collect();
    assert_eq!(counts["riket"], (1, 1));
    assert_eq!(counts["lan"], (21, 21));
    assert_eq!(counts["kommun"], (290, 290));
    assert_eq!(counts["regso-2025"], (3363, 3363));
    assert_eq!(counts["deso-2018"].0, 5984);
    assert_eq!(
        counts["deso-2018"].1, 238,
        "DeSO 2018 polygons exist for Uppsala län only"
    );
    assert_eq!(counts["deso-2025"].0, 6160);

    // The rule on SCB's own files: same DeSO members and no boundary change in the log.
    let read = |p: &str| Source::read(&data_dir().join(p), p).unwrap();
    let municipalities: HashSet<String> = codes::read_regions(&read("codes/regioner.json"))
        .unwrap()
        .into_iter()
        .map(|r| r.code)
        .collect();
    let members = |file: &str, r: &str, d: &str| {
        use segstat::domain::geography::Division;
        let (r, d) = (Division::parse(r).unwrap(), Division::parse(d).unwrap());
        let (_, deso) = codes::read_deso_regso(&read(file), r, d, &municipalities).unwrap();
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for row in deso {
            m.entry(row.regso.unwrap()).or_default().insert(row.code);
        }
        m
    };
    let log: serde_json::Value =
        serde_json::from_slice(&read("codes/deso_forandringar.json").bytes).unwrap();
    let changes: Vec<(String, String, String)> = log["forandringar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().into(),
                r[1].as_str().unwrap().into(),
                r[2].as_str().unwrap().into(),
            )
        })
        .collect();
    let unchanged = segstat::domain::geometry_source::unchanged_regso(
        &members("codes/deso_regso_2018.json", "regso-2020", "deso-2018"),
        &members("codes/deso_regso_2025.json", "regso-2025", "deso-2025"),
        &changes,
    );
    assert_eq!(
        unchanged.len(),
        2847,
        "DESIGN.md §2 counts 2,847 unchanged RegSO"
    );

    let sources: BTreeMap<String, Option<String>> =
        diesel::sql_query("SELECT code, geometry_source FROM areas WHERE division = 'regso-2020'")
            .load::<CodeSource>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|r| (r.code, r.geometry_source))
            .collect();
    for (code, source) in &sources {
        let expected = if code.starts_with("03") {
            Some("exact") // Uppsala län: dissolved from the real DeSO 2018 polygons
        } else if code == "2584R001" {
            None // Kiruna's "Bolaget" has no 2025 counterpart
        } else if unchanged.contains(code) {
            Some("unchanged-2025")
        } else {
            Some("approximate-2025")
        };
        assert_eq!(source.as_deref(), expected, "{code}");
    }
}

#[test]
fn simplified_neighbours_neither_overlap_nor_leave_gaps() {
    let db = TestDb::bundled();
    let mut conn = db.conn();
    #[derive(QueryableByName, Debug)]
    struct Fit {
        #[diesel(sql_type = Double)]
        overlap: f64,
        #[diesel(sql_type = Double)]
        full: f64,
        #[diesel(sql_type = Double)]
        simplified: f64,
        #[diesel(sql_type = Double)]
        coarse: f64,
        #[diesel(sql_type = BigInt)]
        empty: i64,
    }
    for municipality in ["0180", "1480", "2584"] {
        let fit = diesel::sql_query(
            "WITH r AS (SELECT * FROM areas WHERE division = 'regso-2025' AND municipality_code = $1)
             SELECT
               (SELECT COALESCE(sum(ST_Area(ST_Intersection(a.geom_simplified, b.geom_simplified))), 0)
                  FROM r a JOIN r b ON a.code < b.code AND ST_Intersects(a.geom_simplified, b.geom_simplified)) AS overlap,
               (SELECT ST_Area(ST_Union(geom)) FROM r) AS full,
               (SELECT ST_Area(ST_Union(geom_simplified)) FROM r) AS simplified,
               (SELECT ST_Area(ST_Union(geom_coarse)) FROM r) AS coarse,
               (SELECT count(*) FROM r WHERE ST_IsEmpty(geom_simplified) OR ST_IsEmpty(geom_coarse)
                   OR geojson_coarse IS NULL) AS empty",
        )
        .bind::<Text, _>(municipality)
        .get_result::<Fit>(&mut conn)
        .unwrap();
        assert_eq!(fit.empty, 0, "{municipality}: an area vanished");
        // Overlaps between neighbours: under 0.01 % of the municipality's area.
        assert!(fit.overlap < fit.full * 1e-4, "{municipality}: {fit:?}");
        // Gaps show as a smaller union: the simplified cover loses under 0.5 % of the area.
        assert!(
            (fit.full - fit.simplified).abs() < fit.full * 5e-3,
            "{municipality}: {fit:?}"
        );
        assert!(
            (fit.full - fit.coarse).abs() < fit.full * 2e-2,
            "{municipality}: {fit:?}"
        );
    }
    #[derive(QueryableByName)]
    struct Sizes {
        #[diesel(sql_type = BigInt)]
        full: i64,
        #[diesel(sql_type = BigInt)]
        coarse: i64,
    }
    let sizes = diesel::sql_query(
        "SELECT sum(length(geojson_full))::bigint AS full, sum(length(geojson_coarse))::bigint AS coarse
         FROM areas WHERE division = 'regso-2025'",
    )
    .get_result::<Sizes>(&mut conn)
    .unwrap();
    assert!(
        sizes.coarse * 10 < sizes.full,
        "coarse GeoJSON should be an order of magnitude smaller"
    );
}

#[test]
fn importing_the_same_files_again_changes_nothing() {
    let db = TestDb::bundled();
    let mut conn = db.conn();
    let before = segstat::db::data_state::current(&mut conn).unwrap();
    assert_ne!(before.data_version, "empty");
    assert!(!before.synthetic);
    match bundled::import(&mut conn, &data_dir()).unwrap() {
        Outcome::Unchanged { data_version } => assert_eq!(data_version, before.data_version),
        other => panic!("expected no change, got {other:?}"),
    }
    assert_eq!(segstat::db::data_state::current(&mut conn).unwrap(), before);
}

/// A copy of the data folder (as links) with one file replaced.
pub(crate) fn broken_data(file: &str, content: Vec<u8>) -> (tempdir::Dir, PathBuf) {
    let dir = tempdir::Dir::new();
    for (_, rel) in bundled::FILES {
        let target = dir.path.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        if *rel == file {
            std::fs::write(&target, &content).unwrap();
        } else {
            std::os::unix::fs::symlink(data_dir().join(rel), &target).unwrap();
        }
    }
    let path = dir.path.clone();
    (dir, path)
}

pub(crate) mod tempdir {
    pub struct Dir {
        pub path: std::path::PathBuf,
    }
    impl Dir {
        pub fn new() -> Dir {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "segstat-test-data-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir { path }
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

pub(crate) fn real(file: &str) -> Vec<u8> {
    std::fs::read(data_dir().join(file)).unwrap()
}

pub(crate) fn replace_once(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.contains(from), "{from} not in the file");
    text.replacen(from, to, 1).into_bytes()
}

#[test]
fn bad_files_are_located_and_leave_the_database_as_it_was() {
    let db = TestDb::bundled();
    let mut conn = db.conn();
    let before = segstat::db::data_state::current(&mut conn).unwrap();
    let counts_before = type_counts(&mut conn);

    let types = "scb/regso_omradestyp_2022.csv";
    let deso = "boundaries/deso2018_uppsala_lan_sweref99tm.geojson";
    let latin1: Vec<u8> = String::from_utf8(real(types))
        .unwrap()
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    let first_row = "Upplands Väsby (Bollstanäs),4\r\n";
    let first_deso = "\"desokod\": \"0305A0010\"";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (types, latin1, "scb/regso_omradestyp_2022.csv:2: not UTF-8"),
        (types, replace_once(&real(types), first_row, "Upplands Väsby (Bollstanäs),7\r\n"), "scb/regso_omradestyp_2022.csv:2: 2022: \"7\" is not an area type"),
        (types, replace_once(&real(types), first_row, &first_row.repeat(2)), "scb/regso_omradestyp_2022.csv:3: Område:"),
        (types, replace_once(&real(types), first_row, "Upplands Väsby (Atlantis),4\r\n"), "scb/regso_omradestyp_2022.csv:2: Område: \"Upplands Väsby (Atlantis)\""),
        (deso, replace_once(&real(deso), "\"name\": \"urn:ogc:def:crs:EPSG::3006\"", "\"name\": \"urn:ogc:def:crs:OGC:1.3:CRS84\""), "boundaries/deso2018_uppsala_lan_sweref99tm.geojson:feature 1: geometry:"),
        (deso, real(deso)[..real(deso).len() / 2].to_vec(), "boundaries/deso2018_uppsala_lan_sweref99tm.geojson: not valid GeoJSON"),
        ("boundaries/RegSO_2025_sverige_sweref99tm.gpkg.gz", real("boundaries/RegSO_2025_sverige_sweref99tm.gpkg.gz")[..4096].to_vec(), "boundaries/RegSO_2025_sverige_sweref99tm.gpkg.gz: not a valid gzip file"),
        // Found only while writing, after other tables were already changed in the transaction.
        (deso, replace_once(&real(deso), first_deso, "\"desokod\": \"0305A0019\""), "boundaries/deso2018_uppsala_lan_sweref99tm.geojson:feature 1: code: 0305A0019 is not an area of deso-2018"),
    ];
    for (file, content, expected) in cases {
        let (_dir, path) = broken_data(file, content);
        let err = bundled::import(&mut conn, &path)
            .expect_err(expected)
            .to_string();
        assert!(
            err.starts_with(expected),
            "expected {expected:?}\n     got {err:?}"
        );
        assert_eq!(
            segstat::db::data_state::current(&mut conn).unwrap(),
            before,
            "after {expected}"
        );
        assert_eq!(type_counts(&mut conn), counts_before, "after {expected}");
    }
}

#[test]
fn the_import_command_exits_non_zero_naming_the_bad_file() {
    let db = TestDb::migrated();
    let (_dir, path) = broken_data(
        "scb/regso_omradestyp_2023.csv",
        replace_once(
            &real("scb/regso_omradestyp_2023.csv"),
            "Område,2023",
            "Område,20x3",
        ),
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_segstat"))
        .args(["import", "bundled", "--data-dir", path.to_str().unwrap()])
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("scb/regso_omradestyp_2023.csv:1: year: \"20x3\" is not a year"),
        "{err}"
    );
    assert_eq!(
        segstat::db::data_state::current(&mut db.conn())
            .unwrap()
            .data_version,
        "empty"
    );
}

#[test]
fn bundled_files_match_their_checksums() {
    let sums = std::fs::read_to_string(data_dir().join("SHA256SUMS")).unwrap();
    let mut checked = 0;
    for line in sums.lines() {
        let (sum, file) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(data_dir().join(file.trim_start_matches("./"))).unwrap();
        assert_eq!(segstat::import::sha256_hex(&bytes), sum, "{file}");
        checked += 1;
    }
    assert!(checked >= bundled::FILES.len());
    for (_, rel) in bundled::FILES {
        assert!(sums.contains(rel), "{rel} is not in SHA256SUMS");
    }
}

#[test]
fn real_indicator_values_keep_scb_missing_markers_as_missing() {
    let db = TestDb::bundled();
    let mut conn = db.conn();
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
        #[diesel(sql_type = BigInt)]
        zeros: i64,
    }
    let rows: BTreeMap<String, (i64, i64)> = diesel::sql_query(
        "SELECT status, count(*) AS n, count(*) FILTER (WHERE value = 0) AS zeros
         FROM indicator_values WHERE indicator IN ('sfi_passed_share', 'sfi_days_to_pass') GROUP BY 1",
    )
    .load::<Row>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|r| (r.status, (r.n, r.zeros)))
    .collect();
    // 147 Göteborg RegSO × 2 indicators; SCB suppressed 193 of the 294 values.
    assert_eq!(rows["missing"], (193, 0));
    assert_eq!(rows["ok"].0, 101);
    #[derive(QueryableByName)]
    struct Value {
        #[diesel(sql_type = Double)]
        value: f64,
    }
    let stockholm = diesel::sql_query(
        "SELECT value FROM indicator_values WHERE indicator = 'population' AND code = '0180' AND year = 2024",
    )
    .get_result::<Value>(&mut conn)
    .unwrap();
    assert_eq!(stockholm.value, 988_943.0);
}

#[test]
fn real_regso_population_of_six_kommuner_comes_out_exactly_as_scb_gives_it() {
    let db = TestDb::bundled();
    let mut conn = db.conn();
    #[derive(QueryableByName)]
    struct Pop {
        #[diesel(sql_type = Text)]
        code: String,
        #[diesel(sql_type = Text)]
        breakdown: String,
        #[diesel(sql_type = Double)]
        value: f64,
    }
    let stored: BTreeMap<(String, String), f64> = diesel::sql_query(
        "SELECT code, breakdown, value FROM indicator_values
         WHERE indicator = 'population' AND division = 'regso-2025' AND year = 2024",
    )
    .load::<Pop>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|p| ((p.code, p.breakdown), p.value))
    .collect();
    let files = [
        ("stockholm_age_gender.json", "0180", 995_574.0),
        ("goteborg_age_gender.json", "1480", 608_993.0),
        ("malmo_age_gender.json", "1280", 365_644.0),
        ("uppsala_age_gender.json", "0380", 248_016.0),
        ("norrkoping_age_gender.json", "0581", 144_980.0),
        ("kalmar_age_gender_population.json", "0880", 72_704.0),
    ];
    let mut compared = 0;
    for (file, kommun, total) in files {
        let doc: serde_json::Value = serde_json::from_slice(
            &std::fs::read(data_dir().join("regso-population").join(file)).unwrap(),
        )
        .unwrap();
        let mut sum = 0.0;
        for row in doc["data"].as_array().unwrap() {
            let key: Vec<&str> = row["key"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap())
                .collect();
            if key[1] != "totalt" {
                continue;
            }
            let code = key[0].trim_end_matches("_RegSO2025");
            let breakdown = match key[2] {
                "1" => "men",
                "2" => "women",
                _ => "total",
            };
            let want: f64 = row["values"][0].as_str().unwrap().parse().unwrap();
            assert_eq!(
                stored.get(&(code.to_owned(), breakdown.to_owned())),
                Some(&want),
                "{file}: {code} {breakdown}"
            );
            if breakdown == "total" {
                sum += want;
            }
            compared += 1;
        }
        assert_eq!(sum, total, "{kommun}: the RegSO sum PROVENANCE.md gives");
        let in_db: f64 = stored
            .iter()
            .filter(|((c, b), _)| c.starts_with(kommun) && b == "total")
            .map(|(_, v)| v)
            .sum();
        assert_eq!(in_db, total, "{kommun} in the database");
    }
    // 483 RegSO × (total, men, women).
    assert_eq!(compared, 483 * 3);
}

#[derive(QueryableByName)]
struct Analyzed {
    #[diesel(sql_type = Text)]
    table: String,
}

/// The import publishes planner statistics with its rows: a reader (or a database cloned from
/// this one) must not plan with a guess of one row per table before autovacuum comes by.
#[test]
fn an_import_leaves_planner_statistics_for_every_table_it_wrote() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    assert!(matches!(
        bundled::import(&mut conn, &data_dir()).unwrap(),
        Outcome::Imported { .. }
    ));
    let written: Vec<String> = diesel::sql_query(
        "SELECT relname::text AS table FROM pg_stat_user_tables
         WHERE n_live_tup > 0 AND relname <> '__diesel_schema_migrations' ORDER BY 1",
    )
    .load::<Analyzed>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|r| r.table)
    .collect();
    assert!(written.iter().any(|t| t == "area_types"), "{written:?}");
    let analyzed: Vec<String> = diesel::sql_query(
        "SELECT DISTINCT c.relname::text AS table FROM pg_statistic s
         JOIN pg_class c ON c.oid = s.starelid
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         ORDER BY 1",
    )
    .load::<Analyzed>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|r| r.table)
    .collect();
    let missing: Vec<&String> = written.iter().filter(|t| !analyzed.contains(t)).collect();
    assert!(missing.is_empty(), "no statistics for {missing:?}");
}
