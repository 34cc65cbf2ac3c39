//! The GeoParquet and PMTiles downloads of the real bundled RegSO 2020 layer, written by the
//! export's writers and opened by real readers (pyarrow + geopandas, protomaps' `pmtiles`
//! package), checked against facts read from the database and against the served tiles.

use std::path::PathBuf;
use std::process::Command;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, SmallInt, Text};
use serde_json::json;

use segstat::export::{geoparquet, pmtiles, ExportCollection};

use crate::support::*;

const PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/export_reads.py");

fn regso_2020() -> ExportCollection {
    ExportCollection {
        id: "regso-2020",
        division: segstat::domain::geography::Division::Regso2020,
        title: "RegSO 2020".into(),
    }
}

/// A folder of the test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("segstat-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the database says about the layer and about Husby (0180R036), independently of the
/// writers' queries.
#[derive(QueryableByName)]
struct Facts {
    #[diesel(sql_type = BigInt)]
    rows: i64,
    #[diesel(sql_type = Double)]
    xmin: f64,
    #[diesel(sql_type = Double)]
    ymin: f64,
    #[diesel(sql_type = Double)]
    xmax: f64,
    #[diesel(sql_type = Double)]
    ymax: f64,
    #[diesel(sql_type = Double)]
    west: f64,
    #[diesel(sql_type = Double)]
    south: f64,
    #[diesel(sql_type = Double)]
    east: f64,
    #[diesel(sql_type = Double)]
    north: f64,
    #[diesel(sql_type = Text)]
    husby_name: String,
    #[diesel(sql_type = Double)]
    husby_x: f64,
    #[diesel(sql_type = Double)]
    husby_y: f64,
    #[diesel(sql_type = Double)]
    husby_lon: f64,
    #[diesel(sql_type = Double)]
    husby_lat: f64,
    #[diesel(sql_type = Nullable<SmallInt>)]
    year: Option<i16>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    husby_type: Option<i16>,
    #[diesel(sql_type = Text)]
    data_version: String,
}

fn facts(db: &TestDb) -> Facts {
    diesel::sql_query(
        "WITH e AS (SELECT count(*) AS rows, ST_Extent(geom) AS box,
                           min(bbox_wgs84[1]) AS west, min(bbox_wgs84[2]) AS south,
                           max(bbox_wgs84[3]) AS east, max(bbox_wgs84[4]) AS north
                    FROM areas WHERE division = 'regso-2020'),
              y AS (SELECT max(year) AS year FROM area_types
                    WHERE division = 'regso-2020' AND area_type IS NOT NULL)
         SELECT e.rows, ST_XMin(e.box) AS xmin, ST_YMin(e.box) AS ymin,
                ST_XMax(e.box) AS xmax, ST_YMax(e.box) AS ymax, e.west, e.south, e.east, e.north,
                a.name AS husby_name, ST_X(a.label_point) AS husby_x, ST_Y(a.label_point) AS husby_y,
                ST_X(ST_Transform(a.label_point, 4326)) AS husby_lon,
                ST_Y(ST_Transform(a.label_point, 4326)) AS husby_lat,
                y.year, t.area_type AS husby_type, (SELECT data_version FROM data_state) AS data_version
         FROM e CROSS JOIN y
         JOIN areas a ON a.division = 'regso-2020' AND a.code = '0180R036'
         LEFT JOIN area_types t ON t.division = a.division AND t.code = a.code AND t.year = y.year",
    )
    .get_result(&mut db.conn())
    .expect("facts about regso-2020")
}

fn read_with_python(args: &[&str]) -> String {
    let out = output_of(
        Command::new(PYTHON).arg(SCRIPT).args(args).output(),
        ".venv with pyarrow, geopandas and pmtiles (scripts/test.sh creates it)",
    );
    assert!(!out.contains("FAIL"), "{out}");
    out
}

#[test]
fn geoparquet_of_regso_opens_in_pyarrow_and_geopandas() {
    let db = TestDb::bundled();
    let facts = facts(&db);
    let year = facts.year.expect("the bundled data has area types");
    let scratch = Scratch::new("geoparquet");
    let file = scratch.0.join("regso-2020.parquet");
    geoparquet::write(&mut db.conn(), &regso_2020(), &file).unwrap();
    assert!(!scratch.0.join("regso-2020.parquet.part").exists());

    let expect = json!({
        "rows": facts.rows,
        "bbox": [facts.xmin, facts.ymin, facts.xmax, facts.ymax],
        "columns": ["code", "name", "division", "county_code", "municipality_code",
                    "regso_code", "geometry_source", format!("area_type_{year}")],
        "code": "0180R036",
        "name": facts.husby_name,
        "point": [facts.husby_x, facts.husby_y],
        "year": year,
        "area_type": facts.husby_type,
    });
    let out = read_with_python(&["geoparquet", file.to_str().unwrap(), &expect.to_string()]);
    assert!(out.contains("ok: geopandas reads every row"), "{out}");
}

/// The column and row of the WebMercatorQuad tile holding a CRS84 point.
fn tile_of(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let lat = lat.to_radians();
    let x = (lon + 180.0) / 360.0 * n;
    let y = (1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * n;
    (x as u32, y as u32)
}

#[actix_web::test]
async fn pmtiles_of_regso_opens_in_the_pmtiles_reader_with_the_served_tiles() {
    let db = TestDb::bundled();
    let facts = facts(&db);
    let year = facts.year.expect("the bundled data has area types");
    let scratch = Scratch::new("pmtiles");
    let file = scratch.0.join("regso-2020.pmtiles");
    // z0–8 reads the coarse and the simplified borders in about half a minute; z12 of the
    // national layer takes far longer (numbers in the `export::pmtiles` docs).
    let zooms = 0..=8u8;
    pmtiles::write_zooms(&mut db.conn(), &regso_2020(), &file, zooms.clone()).unwrap();

    let mut tiles = vec![(0u8, 0u32, 0u32)];
    for z in [5u8, 8] {
        let (x, y) = tile_of(facts.husby_lon, facts.husby_lat, z);
        tiles.push((z, x, y));
    }
    let expect = json!({
        "zooms": [zooms.start(), zooms.end()],
        "bounds": [facts.west, facts.south, facts.east, facts.north],
        "layer": "regso-2020",
        "year": year,
        "data_version": facts.data_version,
        "tiles": tiles,
        // The Atlantic off Africa, and the North Sea west of Sweden.
        "absent": [[5, 0, 0], [8, 120, 60]],
    });
    let out_dir = scratch.0.join("tiles");
    std::fs::create_dir_all(&out_dir).unwrap();
    read_with_python(&[
        "pmtiles",
        file.to_str().unwrap(),
        &expect.to_string(),
        out_dir.to_str().unwrap(),
    ]);

    // Byte for byte what the server answers for the latest year.
    let app = app_for(&db.url()).await;
    for (z, x, y) in tiles {
        let served = get(
            &app,
            &format!("/v1/tiles/regso-2020/{z}/{x}/{y}.mvt?year={year}"),
        )
        .await;
        assert_eq!(served.status, 200);
        assert!(
            !served.body.is_empty(),
            "{z}/{x}/{y} is empty on the server"
        );
        let archived = std::fs::read(out_dir.join(format!("{z}-{x}-{y}.mvt"))).unwrap();
        assert!(
            archived == served.body,
            "{z}/{x}/{y}: {} bytes archived, {} served",
            archived.len(),
            served.body.len()
        );
    }
}
