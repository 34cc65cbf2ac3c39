//! Bulk downloads: `segstat export` on the bundled data, every file opened with its real reader
//! (GDAL's ogrinfo for GeoPackage and FlatGeobuf, pandas for the zipped CSV), and
//! `/v1/downloads` serving exactly those files.

use std::path::{Path, PathBuf};
use std::process::Command;

use actix_web::test::TestRequest;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};

use crate::support::{app_with, config_with, get, output_of, send, TestDb};
use segstat::export::{self, Format, Index, Writer, FORMATS};

fn scratch(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("segstat-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn number(db: &TestDb, sql: &str) -> i64 {
    diesel::select(diesel::dsl::sql::<BigInt>(sql))
        .get_result(&mut db.conn())
        .unwrap()
}

fn real(db: &TestDb, sql: &str) -> f64 {
    diesel::select(diesel::dsl::sql::<Double>(sql))
        .get_result(&mut db.conn())
        .unwrap()
}

fn text(db: &TestDb, sql: &str) -> String {
    diesel::select(diesel::dsl::sql::<Text>(sql))
        .get_result(&mut db.conn())
        .unwrap()
}

fn ogrinfo(args: &[&str]) -> String {
    output_of(
        Command::new("ogrinfo").args(args).output(),
        "ogrinfo (Debian gdal-bin)",
    )
}

fn feature_count(file: &Path) -> i64 {
    let out = ogrinfo(&["-ro", "-so", "-al", file.to_str().unwrap()]);
    out.lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .unwrap_or_else(|| panic!("no feature count: {out}"))
        .trim()
        .parse()
        .unwrap()
}

/// Husby's feature as ogrinfo prints it: attributes and geometry.
fn husby(file: &Path) -> String {
    let out = ogrinfo(&[
        "-ro",
        "-al",
        "-q",
        file.to_str().unwrap(),
        "-where",
        "code = '0180R036'",
    ]);
    assert!(!out.contains("ERROR"), "{out}");
    out
}

/// The first coordinate pair of the WKT ogrinfo printed.
fn first_point(out: &str) -> (f64, f64) {
    let wkt = &out[out.find("MULTIPOLYGON (((").expect("a multipolygon") + 16..];
    let pair: Vec<f64> = wkt
        .split(',')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    (pair[0], pair[1])
}

const FORMATS_BUT_PMTILES: &str = "gpkg,fgb,geoparquet,csv,area-types,summaries";

/// Runs `segstat export` of `formats` into `root`, as an operator would.
fn export_to(db: &TestDb, root: &Path, formats: &str) {
    let run = Command::new(env!("CARGO_BIN_EXE_segstat"))
        .args([
            "export",
            "--out",
            root.to_str().unwrap(),
            "--formats",
            formats,
        ])
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", output_of(Ok(run), "segstat"));
}

#[actix_web::test]
async fn every_download_opens_in_its_real_reader_and_is_served_as_listed() {
    let db = TestDb::bundled();
    let root = scratch("downloads");
    // Every format but the PMTiles archives (minutes at z12 for the national RegSO; their own
    // test, tests/api/export.rs, writes low zooms and reads them back).
    export_to(&db, &root, FORMATS_BUT_PMTILES);
    let version = text(&db, "(SELECT data_version FROM data_state)");
    let dir = root.join(&version);
    let index: Index =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index.data_version, version);
    assert!(!index.synthetic);

    // Every listed file is there with its size and checksum, and SHA256SUMS says the same.
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    for f in &index.files {
        let (bytes, sha256) = export::index::digest(&dir.join(&f.name)).unwrap();
        assert_eq!((bytes, &sha256), (f.bytes, &f.sha256), "{}", f.name);
        assert!(sums.contains(&format!("{sha256}  {}\n", f.name)), "{sums}");
    }
    // A data version exported again (by another replica, say) is the same files, byte for
    // byte: nothing in them says when they were written.
    let again = scratch("downloads-again");
    export_to(&db, &again, "gpkg");
    let gpkgs: Vec<_> = index
        .files
        .iter()
        .filter(|f| f.name.ends_with(".gpkg"))
        .collect();
    assert!(!gpkgs.is_empty());
    for f in gpkgs {
        let (_, sha256) = export::index::digest(&again.join(&version).join(&f.name)).unwrap();
        assert_eq!(sha256, f.sha256, "{} differs when exported again", f.name);
    }
    std::fs::remove_dir_all(&again).unwrap();

    let names: Vec<&str> = index.files.iter().map(|f| f.name.as_str()).collect();
    for name in [
        "counties.gpkg",
        "regso-2025.gpkg",
        "regso-2020.fgb",
        "regso-2025.parquet",
        "values.csv.zip",
        "area-types.csv",
        "summaries.csv",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    // DeSO 2025 has no boundaries in the bundled data: no boundary file for it.
    assert!(!names.iter().any(|n| n.starts_with("deso-2025")));

    // GeoPackage and FlatGeobuf, read by GDAL: one feature per area with a boundary, in
    // EPSG:3006 with x = easting (about 200–950 km) and y = northing (6,100–7,700 km).
    for f in index
        .files
        .iter()
        .filter(|f| ["gpkg", "flatgeobuf"].contains(&f.format.as_str()))
    {
        let collection = f.collection.as_deref().unwrap();
        let division = segstat::api::features::division_of(collection).unwrap();
        let areas = number(
            &db,
            &format!(
                "(SELECT count(*) FROM areas WHERE division = '{division}' AND geom IS NOT NULL)"
            ),
        );
        assert_eq!(feature_count(&dir.join(&f.name)), areas, "{}", f.name);
    }
    for file in ["regso-2020.gpkg", "regso-2020.fgb"] {
        let out = husby(&dir.join(file));
        assert!(out.contains("name (String) = Husby"), "{file}: {out}");
        let info = ogrinfo(&["-ro", "-so", "-al", dir.join(file).to_str().unwrap()]);
        assert!(info.contains("ID[\"EPSG\",3006]"), "{file}: {info}");
        let (x, y) = first_point(&out);
        assert!((600_000.0..700_000.0).contains(&x), "{file}: easting {x}");
        assert!(
            (6_550_000.0..6_620_000.0).contains(&y),
            "{file}: northing {y}"
        );
        // The area type per year, as the database has it.
        let area_type = number(
            &db,
            "(SELECT area_type::bigint FROM area_types WHERE division = 'regso-2020' AND code = '0180R036' AND year = 2022)",
        );
        assert!(
            out.contains(&format!("area_type_2022 (Integer64) = {area_type}"))
                || out.contains(&format!("area_type_2022 (Real) = {area_type}")),
            "{file}: {out}"
        );
        assert!(
            out.contains("area_type_origin_2022 (String) = official"),
            "{file}"
        );
    }

    // The values, read by pandas as Swedish Excel writes them: every value, decimal commas
    // parsed, with the catalogue and README inside.
    let python = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python");
    let script = "import sys, json, zipfile, pandas as pd
z = zipfile.ZipFile(sys.argv[1])
df = pd.read_csv(z.open('values.csv'), sep=';', decimal=',', encoding='utf-8-sig', dtype={'code': str})
catalogue = json.load(z.open('catalogue/indicators.json'))
readme = z.open('README.txt').read().decode('utf-8')
print('rows', len(df))
print('sum', repr(float(df['value'].sum())))
print('dtype', df['value'].dtype)
print('indicators', len(catalogue['indicators']))
print('credit', 'Källa: SCB' in readme, 'computed' in readme)
print('columns', ','.join(df.columns))";
    let out = output_of(
        Command::new(python)
            .args(["-c", script])
            .arg(dir.join("values.csv.zip"))
            .output(),
        ".venv with pandas (scripts/test.sh creates it)",
    );
    let line = |key: &str| -> String {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{key} ")))
            .unwrap_or_else(|| panic!("pandas printed no {key}: {out}"))
            .to_owned()
    };
    let values = number(&db, "(SELECT count(*) FROM indicator_values)");
    assert_eq!(line("rows"), values.to_string(), "{out}");
    assert_eq!(line("dtype"), "float64", "{out}");
    let sum: f64 = line("sum").parse().unwrap();
    let db_sum = real(
        &db,
        "(SELECT coalesce(sum(value), 0) FROM indicator_values)",
    );
    assert!(
        (sum - db_sum).abs() <= 1e-6 * db_sum.abs().max(1.0),
        "{sum} vs {db_sum}"
    );
    let indicators = number(&db, "(SELECT count(*) FROM indicators)");
    assert_eq!(line("indicators"), indicators.to_string());
    assert_eq!(line("credit"), "True True");
    assert_eq!(
        line("columns"),
        "indicator,indicator_name,division,code,name,year,breakdown,value,status,unit,origin,synthetic"
    );
    let area_types = std::fs::read_to_string(dir.join("area-types.csv")).unwrap();
    assert!(area_types.starts_with("\u{feff}division;code;name;"));
    assert_eq!(
        area_types.lines().count() as i64 - 1,
        number(&db, "(SELECT count(*) FROM area_types)")
    );

    // Served: the listing matches the files, with versioned links.
    let config = config_with(
        &db.url(),
        &[("SEGSTAT_DOWNLOADS_DIR", root.to_str().unwrap())],
    );
    let app = app_with(config).await;
    let list = get(&app, "/v1/downloads").await;
    assert_eq!(list.status, 200, "{}", list.text());
    let list = list.json();
    assert_eq!(list["data_version"], version);
    let served = list["downloads"].as_array().unwrap();
    assert_eq!(served.len(), index.files.len());
    for (s, f) in served.iter().zip(&index.files) {
        assert_eq!(s["name"], f.name.as_str());
        assert_eq!(s["bytes"], f.bytes);
        assert_eq!(s["sha256"], f.sha256.as_str());
        assert!(s["href"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/v1/downloads/{}?v={version}", f.name)));
    }

    // A range of a file: 206 with exactly those bytes.
    let gpkg = std::fs::read(dir.join("regso-2025.gpkg")).unwrap();
    let uri = format!("/v1/downloads/regso-2025.gpkg?v={version}");
    let part = send(
        &app,
        TestRequest::get()
            .uri(&uri)
            .insert_header(("Range", "bytes=1000-1999"))
            .insert_header(("Accept-Encoding", "gzip")),
    )
    .await;
    assert_eq!(part.status, 206);
    assert_eq!(&part.body[..], &gpkg[1000..2000]);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 1000-1999/{}", gpkg.len()).as_str())
    );

    // The whole file, as stored even when the client accepts gzip, immutable under its version.
    let zip = std::fs::read(dir.join("values.csv.zip")).unwrap();
    let whole = send(
        &app,
        TestRequest::get()
            .uri(&format!("/v1/downloads/values.csv.zip?v={version}"))
            .insert_header(("Accept-Encoding", "gzip, br")),
    )
    .await;
    assert_eq!(whole.status, 200);
    assert_eq!(&whole.body[..], &zip[..]);
    assert_eq!(
        whole.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(whole.header("content-type"), Some("application/zip"));
    assert!(whole
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment") && d.contains(&version)));
    // Validators of the content, the same wherever the version was exported: the SHA-256 as
    // listed and the data version's time.
    let listed = &index
        .files
        .iter()
        .find(|f| f.name == "values.csv.zip")
        .unwrap();
    let tag = format!("\"{}\"", listed.sha256);
    assert_eq!(whole.header("etag"), Some(tag.as_str()));
    let modified = whole.header("last-modified").unwrap().to_owned();
    let ask = |headers: Vec<(&'static str, String)>| {
        let mut req = TestRequest::get().uri(&format!("/v1/downloads/values.csv.zip?v={version}"));
        for h in headers {
            req = req.insert_header(h);
        }
        send(&app, req)
    };
    let current = ask(vec![("If-None-Match", tag.clone())]).await;
    assert_eq!(current.status, 304);
    assert!(current.body.is_empty());
    assert_eq!(current.header("etag"), Some(tag.as_str()));
    assert_eq!(
        ask(vec![("If-Modified-Since", modified.clone())])
            .await
            .status,
        304
    );
    assert_eq!(
        ask(vec![("If-None-Match", "\"other\"".into())])
            .await
            .status,
        200
    );
    assert_eq!(
        ask(vec![("If-Match", "\"other\"".into())]).await.status,
        412
    );
    assert_eq!(ask(vec![("If-Match", tag.clone())]).await.status, 200);
    // A part of this file is resumed; a part of another copy gets the whole file.
    let resumed = ask(vec![
        ("Range", "bytes=10-19".into()),
        ("If-Range", tag.clone()),
    ])
    .await;
    assert_eq!(resumed.status, 206);
    assert_eq!(&resumed.body[..], &zip[10..20]);
    let restarted = ask(vec![
        ("Range", "bytes=10-19".into()),
        ("If-Range", "\"other\"".into()),
    ])
    .await;
    assert_eq!(restarted.status, 200);
    assert_eq!(&restarted.body[..], &zip[..]);
    // HEAD: the length, no body, no range.
    let head = send(
        &app,
        TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri(&format!("/v1/downloads/values.csv.zip?v={version}"))
            .insert_header(("Range", "bytes=10-19")),
    )
    .await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag"), Some(tag.as_str()));
    let outside = ask(vec![("Range", format!("bytes={}-", zip.len() + 10))]).await;
    assert_eq!(outside.status, 416);
    assert_eq!(
        outside.header("content-range"),
        Some(format!("bytes */{}", zip.len()).as_str())
    );

    // Without the version the file may change: no immutable.
    let plain = get(&app, "/v1/downloads/summaries.csv").await;
    assert_eq!(plain.status, 200);
    assert!(!plain.header("cache-control").unwrap().contains("immutable"));

    // Another version, an unknown file: 404 problems.
    get(&app, "/v1/downloads/summaries.csv?v=0ld")
        .await
        .problem(404);
    get(&app, "/v1/downloads?v=0ld").await.problem(404);
    get(&app, "/v1/downloads/nothing.gpkg").await.problem(404);
    get(&app, "/v1/downloads/..%2Findex.json")
        .await
        .problem(404);

    // The landing page and /v1/meta link the downloads.
    assert!(get(&app, "/v1").await.text().contains("/v1/downloads"));
    assert!(get(&app, "/v1/meta")
        .await
        .text()
        .contains(&format!("/v1/downloads?v={version}")));

    // Exporting the same version again changes nothing.
    export_to(&db, &root, FORMATS_BUT_PMTILES);
    let unchanged: Index =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(unchanged, index);
    std::fs::remove_dir_all(&root).unwrap();
}

#[actix_web::test]
async fn without_an_export_the_listing_is_empty_and_says_why() {
    let db = TestDb::migrated();
    let root = scratch("downloads-none");
    let app = app_with(config_with(
        &db.url(),
        &[("SEGSTAT_DOWNLOADS_DIR", root.to_str().unwrap())],
    ))
    .await;
    let list = get(&app, "/v1/downloads").await;
    assert_eq!(list.status, 200, "{}", list.text());
    let list = list.json();
    assert_eq!(list["downloads"], serde_json::json!([]));
    assert!(list["detail"].as_str().unwrap().contains("segstat export"));
    get(&app, "/v1/downloads/values.csv.zip").await.problem(404);
}

fn broken(_: &mut PgConnection, _: &Path) -> segstat::Result<()> {
    Err(segstat::Error::Internal("the disk is full".into()))
}

static BROKEN: Format = Format {
    name: "broken",
    format: "csv",
    extension: "csv",
    media_type: "text/csv",
    writer: Writer::Dataset {
        stem: "broken",
        write: broken,
    },
};

#[test]
fn an_export_that_fails_midway_leaves_no_version_folder() {
    let db = TestDb::bundled();
    let root = scratch("downloads-failed");
    let area_types = FORMATS.iter().find(|f| f.name == "area-types").unwrap();
    let err = export::export(&mut db.conn(), &root, &[area_types, &BROKEN], false).unwrap_err();
    assert!(err.to_string().contains("disk is full"), "{err}");
    let left: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");

    // The same export without the broken writer lands whole.
    let done = export::export(&mut db.conn(), &root, &[area_types], false).unwrap();
    assert!(done.written && done.dir.join("area-types.csv").is_file());
    std::fs::remove_dir_all(&root).unwrap();
}
