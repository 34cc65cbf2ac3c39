//! OGC API – Features: collections, items, choropleth properties, and a real GIS client (GDAL).

use std::process::Command;

use actix_web::test::TestRequest;

use crate::support::*;

#[actix_web::test]
async fn collections_describe_every_level_and_version() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let doc = get(&app, "/v1/collections").await.json();
    let ids: Vec<&str> = doc["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "counties",
            "municipalities",
            "regso-2020",
            "regso-2025",
            "deso-2018",
            "deso-2025"
        ]
    );
    let regso = &doc["collections"][3];
    let bbox = regso["extent"]["spatial"]["bbox"][0].as_array().unwrap();
    assert!(
        bbox[0].as_f64().unwrap() > 10.0 && bbox[3].as_f64().unwrap() < 70.0,
        "{bbox:?}"
    );
    // The extent in the storage CRS is in EPSG:3006's axis order: northing, easting.
    let storage = regso["extent"]["spatial"]["storageCrsBbox"][0]
        .as_array()
        .unwrap();
    let n: Vec<f64> = storage.iter().map(|x| x.as_f64().unwrap()).collect();
    assert!(
        (6_000_000.0..7_800_000.0).contains(&n[0])
            && (150_000.0..1_050_000.0).contains(&n[1])
            && (6_000_000.0..7_800_000.0).contains(&n[2])
            && (150_000.0..1_050_000.0).contains(&n[3]),
        "{storage:?}"
    );
    assert_eq!(
        regso["storageCrs"],
        "http://www.opengis.net/def/crs/EPSG/0/3006"
    );
    assert_eq!(
        regso["extent"]["temporal"]["interval"][0][0],
        "2024-01-01T00:00:00Z"
    );
    assert!(regso["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "items"));
    let one = get(&app, "/v1/collections/municipalities").await.json();
    assert_eq!(one["id"], "municipalities");
    get(&app, "/v1/collections/roads").await.problem(404);
    let conformance = get(&app, "/v1/conformance").await.json();
    assert!(conformance["conformsTo"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!(
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
        )));
    let landing = get(&app, "/v1").await.json();
    assert!(landing["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "data"));
}

#[actix_web::test]
async fn items_page_filter_and_carry_choropleth_data() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let res = get(&app, "/v1/collections/regso-2025/items?municipality=1480&year=2024&indicator=population,employment_rate&geometry=simplified&limit=100").await;
    assert_eq!(res.header("content-type"), Some("application/geo+json"));
    assert_eq!(
        res.header("content-crs"),
        Some("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>")
    );
    let fc = res.json();
    assert_eq!(fc["type"], "FeatureCollection");
    assert_eq!(fc["numberMatched"], 147);
    assert_eq!(fc["numberReturned"], 100);
    assert!(fc["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "next"));
    let f = &fc["features"][0];
    assert_eq!(f["id"], f["properties"]["code"]);
    assert!(f["properties"]["area_type"].as_i64().is_some());
    assert!(f["properties"]["population"].as_f64().unwrap() > 0.0);
    assert!(f["properties"]["employment_rate"].is_number());
    assert!(matches!(
        f["geometry"]["type"].as_str(),
        Some("Polygon" | "MultiPolygon")
    ));

    // The choropleth agrees with /v1/data.
    let code = f["id"].as_str().unwrap();
    let data = get(
        &app,
        &format!("/v1/data?indicator=population&area={code}_RegSO2025&year=2024&breakdown=total"),
    )
    .await
    .json();
    assert_eq!(data["values"][0]["value"], f["properties"]["population"]);

    let slim = get(
        &app,
        "/v1/collections/regso-2025/items?limit=1&properties=code,name&geometry=none",
    )
    .await
    .json();
    let props = slim["features"][0]["properties"].as_object().unwrap();
    assert_eq!(props.keys().collect::<Vec<_>>(), ["code", "name"]);
    assert!(slim["features"][0]["geometry"].is_null());

    let typed = get(
        &app,
        "/v1/collections/regso-2020/items?area_type=1&year=2023&limit=10000&geometry=none",
    )
    .await
    .json();
    let n = typed["numberMatched"].as_i64().unwrap();
    let summary = get(&app, "/v1/counties/00/summary?year=2023").await.json();
    assert_eq!(n, summary["years"][0]["regso_by_type"][0].as_i64().unwrap());

    // bbox around central Stockholm, in WGS 84 and in SWEREF 99 TM.
    let wgs = get(
        &app,
        "/v1/collections/municipalities/items?bbox=18.0,59.3,18.1,59.35&geometry=none",
    )
    .await
    .json();
    assert!(wgs["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "0180"));
    // EPSG:3006 boxes are northing first (OGC API – Features Part 2); easting first is refused
    // with the order, not answered with an empty page.
    let sweref = get(&app, "/v1/collections/municipalities/items?bbox=6578000,672000,6582000,676000&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3006&geometry=none").await.json();
    assert!(sweref["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "0180"));
    let swapped = get(&app, "/v1/collections/municipalities/items?bbox=672000,6578000,676000,6582000&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3006&geometry=none").await;
    assert_eq!(swapped.bad_parameters(), ["bbox"]);
    assert!(
        swapped.text().contains("northing first"),
        "{}",
        swapped.text()
    );

    let in_3006 = get(&app, "/v1/collections/municipalities/items/0180?crs=http://www.opengis.net/def/crs/EPSG/0/3006&geometry=centroid").await;
    assert_eq!(
        in_3006.header("content-crs"),
        Some("<http://www.opengis.net/def/crs/EPSG/0/3006>")
    );
    // EPSG:3006 is northing, easting; the geometry has no `crs` member of its own.
    let centroid = in_3006.json()["geometry"].clone();
    let northing = centroid["coordinates"][0].as_f64().unwrap();
    let easting = centroid["coordinates"][1].as_f64().unwrap();
    assert!(
        northing > 6_500_000.0 && northing < 6_700_000.0,
        "northing {northing}"
    );
    assert!(
        easting > 600_000.0 && easting < 700_000.0,
        "easting {easting}"
    );
    assert!(centroid.get("crs").is_none(), "{centroid}");
    let polygon = get(&app, "/v1/collections/municipalities/items/0180?crs=http://www.opengis.net/def/crs/EPSG/0/3006&geometry=coarse").await.json();
    let text = polygon["geometry"].to_string();
    assert!(!text.contains("\"crs\""), "{text}");
    let corners: Vec<f64> = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|x| x.parse().ok())
        .collect();
    for pair in corners.chunks(2) {
        assert!(
            pair[0] > 6_000_000.0 && pair[1] < 1_050_000.0,
            "not northing, easting: {pair:?}"
        );
    }
    let precise = get(
        &app,
        "/v1/collections/municipalities/items/0180?geometry=centroid&precision=2",
    )
    .await
    .json();
    assert_eq!(
        precise["geometry"]["coordinates"][0]
            .to_string()
            .split('.')
            .nth(1)
            .map(str::len),
        Some(2)
    );
}

#[actix_web::test]
async fn item_errors_are_named() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    get(&app, "/v1/collections/regso-2025/items/0180R999")
        .await
        .problem(404);
    get(&app, "/v1/collections/rivers/items").await.problem(404);
    let mut bad = get(&app, "/v1/collections/regso-2025/items?bbox=1,2,NaN,4&geometry=round&precision=12&limit=0&crs=EPSG:4258").await.bad_parameters();
    bad.sort();
    assert_eq!(bad, ["bbox", "crs", "geometry", "limit", "precision"]);
    assert_eq!(
        get(&app, "/v1/collections/regso-2025/items?bbox=20,60,10,50")
            .await
            .bad_parameters(),
        ["bbox"]
    );
    assert_eq!(
        get(
            &app,
            "/v1/collections/regso-2025/items?indicator=population"
        )
        .await
        .bad_parameters(),
        ["year"]
    );
    assert_eq!(
        get(&app, "/v1/collections/regso-2025/items?properties=colour")
            .await
            .bad_parameters(),
        ["properties"]
    );
    let as_json = send(
        &app,
        TestRequest::get()
            .uri("/v1/collections/counties/items?limit=1")
            .insert_header(("Accept", "application/json")),
    )
    .await;
    assert_eq!(as_json.status, 200);
}

#[test]
fn gdal_reads_the_collections_and_copies_every_regso_into_a_geopackage() {
    let db = TestDb::synthetic();
    let server = Served::start(&db);
    let bind = &server.bind;
    let landing = format!("OAPIF:http://{bind}/v1");
    let gpkg = std::env::temp_dir().join(format!("segstat-gdal-{}.gpkg", std::process::id()));
    let _ = std::fs::remove_file(&gpkg);
    let info = Command::new("ogrinfo")
        .args(["-ro", "-so", &landing])
        .output();
    let copy = Command::new("ogr2ogr")
        .args([
            "-f",
            "GPKG",
            gpkg.to_str().unwrap(),
            &landing,
            "regso-2025",
            "-oo",
            "PAGE_SIZE=1000",
        ])
        .output();
    let check = Command::new("ogrinfo")
        .args([
            "-ro",
            gpkg.to_str().unwrap(),
            "-sql",
            "SELECT count(*) AS n, sum(ST_Area(geom) > 0) AS with_area FROM \"regso-2025\"",
            "-dialect",
            "SQLite",
        ])
        .output();
    let sample = Command::new("ogrinfo")
        .args([
            "-ro",
            gpkg.to_str().unwrap(),
            "-sql",
            "SELECT code, name FROM \"regso-2025\" WHERE code = '0180R036'",
            "-dialect",
            "SQLite",
        ])
        .output();
    drop(server);
    let _ = std::fs::remove_file(&gpkg);
    let text = |o| output_of(o, "GDAL's ogrinfo/ogr2ogr (Debian gdal-bin)");
    let info = text(info);
    for id in [
        "counties",
        "municipalities",
        "regso-2020",
        "regso-2025",
        "deso-2018",
        "deso-2025",
    ] {
        assert!(
            info.contains(&format!(": {id} (")),
            "{id} not listed by GDAL:\n{info}"
        );
    }
    let copy = text(copy);
    assert!(!copy.contains("ERROR"), "{copy}");
    let counted = text(check);
    assert!(
        counted.contains("n (Integer) = 3363") && counted.contains("with_area (Integer) = 3363"),
        "{counted}"
    );
    let husby = text(sample);
    assert!(
        husby.contains("code (String) = 0180R036") && husby.contains("name (String) = Husby"),
        "{husby}"
    );
}

#[actix_web::test]
async fn bbox_must_be_four_numbers_inside_its_crs() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let items = "/v1/collections/regso-2025/items?limit=1&bbox=";
    for bad in [
        "17,59,18,90.0001",
        "-1e308,-1e308,1e308,1e308",
        "17,foo,59.3,18,59.4",
        "17,59.3,18",
        "17,59.3,18,59.4,",
        "18,59.3,17,59.4",
        "NaN,59.3,18,59.4",
        "0,0,2e7,2e7&bbox-crs=EPSG:3006",
    ] {
        let res = get(&app, &format!("{items}{bad}")).await;
        assert!(
            res.bad_parameters().contains(&"bbox".to_owned()),
            "{bad}: {}",
            res.text()
        );
    }
    // The whole world, in either CRS, holds every area (and projecting it does not fail).
    for world in [
        "-180,-90,180,90",
        "-1e7,-1e7,2e7,1e7&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3006",
    ] {
        let all = get(&app, &format!("{items}{world}")).await;
        assert_eq!(all.status, 200, "{world}: {}", all.text());
        let unfiltered = get(&app, "/v1/collections/regso-2025/items?limit=1").await;
        assert_eq!(
            all.json()["numberMatched"],
            unfiltered.json()["numberMatched"],
            "{world}"
        );
    }
    let elsewhere = get(&app, &format!("{items}-120,30,-100,40")).await;
    assert_eq!(elsewhere.json()["numberMatched"], 0);
}

#[actix_web::test]
async fn one_item_refuses_the_list_parameters() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let item = "/v1/collections/regso-2025/items/0180R036";
    for p in [
        "limit=1",
        "offset=0",
        "bbox=17,59,18,60",
        "bbox-crs=EPSG:3006",
        "municipality=0180",
        "county=01",
        "area_type=1&year=2023",
    ] {
        let name = p.split('=').next().unwrap();
        assert_eq!(
            get(&app, &format!("{item}?{p}")).await.bad_parameters(),
            [name],
            "{p}"
        );
    }
    assert_eq!(
        get(&app, &format!("{item}?year=2023&geometry=none"))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn unknown_indicators_and_properties_are_refused() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    for (uri, parameter) in [
        (
            "/v1/collections/regso-2025/items?indicator=bogus&year=2023",
            "indicator",
        ),
        (
            "/v1/collections/regso-2025/items?indicator=bogus&properties=bogus&year=2023",
            "indicator",
        ),
        (
            "/v1/collections/regso-2025/items/0180R036?indicator=population,bogus&year=2023",
            "indicator",
        ),
        (
            "/v1/collections/regso-2025/items?properties=bogus",
            "properties",
        ),
        (
            "/v1/tiles/regso-2025?indicator=bogus&year=2023",
            "indicator",
        ),
        (
            "/v1/tiles/regso-2025/6/35/18.mvt?indicator=bogus&year=2023",
            "indicator",
        ),
    ] {
        let res = get(&app, uri).await;
        assert_eq!(res.bad_parameters(), [parameter], "{uri}");
        assert!(
            res.text().contains("known: "),
            "lists the known ones: {uri}"
        );
    }
    let ok = get(
        &app,
        "/v1/collections/regso-2025/items?indicator=population&year=2023&properties=code,population&limit=1",
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
}

/// Sweden's extent as (min x, min y, max x, max y), x = easting or longitude, with the
/// tolerance of a check: what a client must get after applying the CRS's axis order.
const SWEDEN_CRS84: ([f64; 4], f64) = ([10.9, 55.3, 24.2, 69.1], 0.3);
const SWEDEN_3006: ([f64; 4], f64) = ([265_000.0, 6_130_000.0, 925_000.0, 7_680_000.0], 15_000.0);

/// The numbers of ogrinfo's `Extent: (x0, y0) - (x1, y1)` line.
fn ogrinfo_extent(info: &str) -> Option<[f64; 4]> {
    let line = info.lines().find(|l| l.starts_with("Extent: "))?;
    let n: Vec<f64> = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter_map(|x| x.parse().ok())
        .collect();
    n.try_into().ok()
}

/// Copies kommuner and the RegSO around Husby (a bbox sent to the server) with `ogr2ogr`,
/// then asks GDAL where Husby lies. `None` as the CRS: GDAL's default.
fn gdal_reads_sweden_upright(landing: &str, crs: Option<&str>, expected_3006: bool) {
    let gpkg = std::env::temp_dir().join(format!(
        "segstat-axes-{}-{}.gpkg",
        std::process::id(),
        crs.map_or("default", |c| if c.contains("3006") {
            "3006"
        } else {
            "crs84"
        })
    ));
    let _ = std::fs::remove_file(&gpkg);
    let gpkg_path = gpkg.to_str().unwrap();
    let source = format!("OAPIF:{landing}");
    let mut open_options = vec!["-oo", "PAGE_SIZE=1000"];
    if let Some(crs) = crs {
        open_options.extend(["-oo", crs]);
    }
    let run = |args: &[&str]| {
        output_of(
            Command::new(args[0]).args(&args[1..]).output(),
            "GDAL (Debian gdal-bin)",
        )
    };
    let mut copy = vec![
        "ogr2ogr",
        "-f",
        "GPKG",
        gpkg_path,
        &source,
        "municipalities",
    ];
    copy.extend(&open_options);
    let copied = run(&copy);
    // Around the synthetic dataset's Husby, x first (GDAL's -spat is in the layer's x/y).
    let husby_box: [&str; 4] = if expected_3006 {
        ["672000", "6572000", "678000", "6578000"]
    } else {
        ["18.03", "59.26", "18.10", "59.30"]
    };
    let mut copy = vec![
        "ogr2ogr",
        "-update",
        gpkg_path,
        &source,
        "regso-2025",
        "-spat",
    ];
    copy.extend(husby_box);
    copy.extend(&open_options);
    let copied_regso = run(&copy);
    let info = run(&["ogrinfo", "-ro", "-so", gpkg_path, "municipalities"]);
    let husby = run(&[
        "ogrinfo",
        "-ro",
        gpkg_path,
        "-dialect",
        "SQLite",
        "-sql",
        "SELECT ST_Contains(m.geom, ST_PointOnSurface(r.geom)) AS inside, \
                ST_X(ST_PointOnSurface(r.geom)) AS x, ST_Y(ST_PointOnSurface(r.geom)) AS y \
         FROM municipalities m, \"regso-2025\" r WHERE m.code = '0180' AND r.code = '0180R036'",
    ]);
    let _ = std::fs::remove_file(&gpkg);
    let what = format!("GDAL OAPIF, CRS {}", crs.unwrap_or("default"));
    assert!(
        !copied.contains("ERROR") && !copied_regso.contains("ERROR"),
        "{what}:\n{copied}\n{copied_regso}"
    );
    if expected_3006 {
        assert!(
            info.contains("\"EPSG\",3006"),
            "{what}: not EPSG:3006\n{info}"
        );
    }
    let (want, tolerance) = if expected_3006 {
        SWEDEN_3006
    } else {
        SWEDEN_CRS84
    };
    let extent = ogrinfo_extent(&info).unwrap_or_else(|| panic!("{what}: no extent\n{info}"));
    assert!(
        extent
            .iter()
            .zip(want)
            .all(|(e, w)| (e - w).abs() <= tolerance),
        "{what}: Sweden's extent {extent:?}, expected about {want:?}"
    );
    assert!(
        husby.contains("inside (Integer) = 1"),
        "{what}: Husby not inside Stockholm\n{husby}"
    );
    let coordinate = |name: &str| -> f64 {
        let key = format!("{name} (Real) = ");
        husby
            .lines()
            .find_map(|l| l.trim().strip_prefix(&key))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{what}: no {name}\n{husby}"))
    };
    let (x, y) = (coordinate("x"), coordinate("y"));
    let [x0, y0, x1, y1] = husby_box.map(|v| v.parse::<f64>().unwrap());
    assert!(
        (x0..=x1).contains(&x) && (y0..=y1).contains(&y),
        "{what}: Husby at ({x}, {y}), outside {husby_box:?}: axes swapped?"
    );
}

#[test]
fn gdal_places_husby_inside_stockholm_with_sweden_upright() {
    let db = TestDb::synthetic();
    let server = Served::start(&db);
    let driver = output_of(
        Command::new("ogrinfo").args(["--format", "OAPIF"]).output(),
        "GDAL's ogrinfo (Debian gdal-bin)",
    );
    // GDAL reads OGC API – Features Part 2 (the CRS open option, storageCrs as the default)
    // from 3.7; Debian 12's gdal-bin is 3.6, which reads CRS84 only. The geopandas test below
    // runs GDAL 3.12 (in pyogrio's wheel) through both paths on every machine.
    if driver.contains("name=\"CRS\"") {
        gdal_reads_sweden_upright(&server.landing(), None, true);
        gdal_reads_sweden_upright(&server.landing(), Some("CRS=EPSG:3006"), true);
        gdal_reads_sweden_upright(&server.landing(), Some("CRS=OGC:CRS84"), false);
    } else {
        gdal_reads_sweden_upright(&server.landing(), None, false);
    }
}

#[test]
fn geopandas_reads_sweden_upright_in_crs84_and_in_the_storage_crs() {
    let python = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/geopandas_reads.py"
    );
    let db = TestDb::synthetic();
    let server = Served::start(&db);
    let run = Command::new(python)
        .arg(script)
        .arg(server.landing())
        .output();
    let out = output_of(
        run,
        ".venv with geopandas and pyogrio (scripts/test.sh creates it)",
    );
    drop(server);
    assert!(
        !out.contains("FAIL") && out.contains("Husby lies inside"),
        "{out}"
    );
}

#[test]
fn qgis_reads_the_features_and_draws_the_ogc_tiles() {
    // Debian's QGIS (python3-qgis, installed by scripts/test.sh), headless: the OAPIF provider
    // from the landing page, and the vector tile layer on the OGC API – Tiles template.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/qgis_reads.py");
    let runtime = std::env::temp_dir().join("segstat-qgis-runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    let db = TestDb::synthetic();
    let server = Served::start(&db);
    let run = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(server.landing())
        .env("QT_QPA_PLATFORM", "offscreen")
        .env("XDG_RUNTIME_DIR", &runtime)
        .output();
    let out = output_of(
        run,
        "QGIS for Python (apt-get install python3-qgis qgis-providers)",
    );
    drop(server);
    assert!(
        !out.contains("FAIL") && out.contains("Husby lies inside") && out.contains("draws RegSO"),
        "{out}"
    );
}
