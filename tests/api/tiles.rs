//! Vector tiles and TileJSON, read back with GDAL's MVT driver as a map client would.

use std::process::Command;

use crate::support::*;

#[actix_web::test]
async fn tilejson_describes_the_tiles_a_maplibre_source_needs() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let doc = get(&app, "/v1/tiles/regso-2025?year=2024&indicator=population")
        .await
        .json();
    assert_eq!(doc["tilejson"], "3.0.0");
    let tiles = doc["tiles"][0].as_str().unwrap();
    // Bound to the data version the document names (immutable tiles).
    let version = doc["version"].as_str().unwrap();
    assert!(
        tiles.ends_with(&format!(
            "/v1/tiles/regso-2025/{{z}}/{{x}}/{{y}}.mvt?year=2024&indicator=population&v={version}"
        )),
        "{tiles}"
    );
    assert_eq!(doc["maxzoom"], 16);
    let layer = &doc["vector_layers"][0];
    assert_eq!(layer["id"], "regso-2025");
    for field in ["code", "name", "area_type", "population"] {
        assert!(
            layer["fields"][field].is_string(),
            "{field} missing from {layer}"
        );
    }
    assert_eq!(doc["promoteId"]["regso-2025"], "code");
    let b: Vec<f64> = doc["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        b[0] > 10.0 && b[2] < 25.0 && b[1] > 55.0 && b[3] < 70.0,
        "{b:?}"
    );
    get(&app, "/v1/tiles/roads").await.problem(404);
}

/// Decodes a tile with GDAL's MVT driver and returns its report.
fn ogrinfo(bytes: &[u8], z: u8, x: u32, y: u32) -> String {
    let path = std::env::temp_dir().join(format!(
        "segstat-tile-{}-{z}-{x}-{y}.mvt",
        std::process::id()
    ));
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("ogrinfo")
        .args([
            "-ro",
            "-al",
            "-oo",
            &format!("Z={z}"),
            "-oo",
            &format!("X={x}"),
            "-oo",
            &format!("Y={y}"),
        ])
        .arg(&path)
        .output()
        .expect("GDAL's ogrinfo (Debian gdal-bin; scripts/test.sh installs it)");
    let _ = std::fs::remove_file(&path);
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[actix_web::test]
async fn tiles_decode_with_the_expected_features_and_attributes() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    // Stockholm at zoom 6 and 10.
    let z6 = get(
        &app,
        "/v1/tiles/regso-2025/6/35/18.mvt?year=2024&indicator=population",
    )
    .await;
    assert_eq!(z6.status, 200);
    assert_eq!(
        z6.header("content-type"),
        Some("application/vnd.mapbox-vector-tile")
    );
    assert!(z6.header("etag").is_some());
    let report = ogrinfo(&z6.body, 6, 35, 18);
    assert!(report.contains("regso-2025"), "{report}");
    assert!(
        report.contains("code (String) = 0180R036"),
        "Husby is in Stockholm's tile:\n{report}"
    );
    assert!(report.contains("area_type (Integer) ="), "{report}");
    assert!(report.contains("population (Real) ="), "{report}");
    let count = |r: &str| {
        r.lines()
            .find_map(|l| l.strip_prefix("Feature Count: "))
            .and_then(|n| n.trim().parse::<u32>().ok())
            .unwrap_or(0)
    };
    let z10 = get(&app, "/v1/tiles/regso-2025/10/563/301.mvt").await;
    let report10 = ogrinfo(&z10.body, 10, 563, 301);
    assert!(
        count(&report10) > 0 && count(&report10) < count(&report),
        "a z10 tile holds fewer areas than a z6 tile"
    );

    // Open sea: an empty 200.
    let empty = get(&app, "/v1/tiles/regso-2025/6/0/0.mvt").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.is_empty());

    let mut bad = get(&app, "/v1/tiles/regso-2025/3/8/-1.mvt")
        .await
        .bad_parameters();
    bad.sort();
    assert_eq!(bad, ["x", "y"]);
    assert_eq!(
        get(&app, "/v1/tiles/regso-2025/17/0/0.mvt")
            .await
            .bad_parameters(),
        ["z"]
    );
    assert_eq!(
        get(
            &app,
            "/v1/tiles/regso-2025/6/35/18.mvt?indicator=population"
        )
        .await
        .bad_parameters(),
        ["year"]
    );
    assert_eq!(
        get(
            &app,
            "/v1/tiles/regso-2025/6/35/18.mvt?indicator=a%22b&year=2024"
        )
        .await
        .bad_parameters(),
        ["indicator"]
    );
}

#[actix_web::test]
async fn tiles_negotiate_accept_like_every_other_resource() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let tile = "/v1/tiles/regso-2025/6/35/18.mvt";
    let with_accept = |accept: Option<&'static str>| {
        let mut req = actix_web::test::TestRequest::get().uri(tile);
        if let Some(a) = accept {
            req = req.insert_header(("Accept", a));
        }
        req
    };
    for ok in [
        None,
        Some("*/*"),
        Some("application/vnd.mapbox-vector-tile"),
        Some("application/x-protobuf"),
    ] {
        let res = send(&app, with_accept(ok)).await;
        assert_eq!(res.status, 200, "{ok:?}");
        assert_eq!(
            res.header("content-type"),
            Some("application/vnd.mapbox-vector-tile")
        );
    }
    send(&app, with_accept(Some("application/json")))
        .await
        .problem(406);
}

/// `ogrinfo -ro -al -so` over a tile: the summary GDAL's MVT driver gives of it.
fn ogrinfo_summary(bytes: &[u8], z: u8, x: u32, y: u32) -> String {
    let path = std::env::temp_dir().join(format!(
        "segstat-ogc-tile-{}-{z}-{x}-{y}.mvt",
        std::process::id()
    ));
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .args(["-oo", &format!("Z={z}"), "-oo", &format!("X={x}")])
        .args(["-oo", &format!("Y={y}")])
        .arg(&path)
        .output()
        .expect("GDAL's ogrinfo (Debian gdal-bin; scripts/test.sh installs it)");
    let _ = std::fs::remove_file(&path);
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[actix_web::test]
async fn ogc_api_tiles_describes_web_mercator_quad_and_the_tilesets() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;

    let list = get(&app, "/v1/tileMatrixSets").await.json();
    assert_eq!(list["tileMatrixSets"][0]["id"], "WebMercatorQuad");
    let tms_href = list["tileMatrixSets"][0]["links"][0]["href"]
        .as_str()
        .unwrap();
    assert!(
        tms_href.ends_with("/v1/tileMatrixSets/WebMercatorQuad"),
        "{tms_href}"
    );
    let tms = get(&app, "/v1/tileMatrixSets/WebMercatorQuad").await.json();
    assert_eq!(
        tms["uri"],
        "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
    );
    assert_eq!(tms["crs"], "http://www.opengis.net/def/crs/EPSG/0/3857");
    let matrices = tms["tileMatrices"].as_array().unwrap();
    assert_eq!(matrices.len(), 17, "tile matrices 0–16, the zooms served");
    let z0 = &matrices[0];
    assert_eq!(z0["id"], "0");
    assert_eq!(z0["scaleDenominator"], 559082264.0287178);
    assert_eq!(z0["cellSize"], 156543.03392804097);
    assert_eq!(z0["pointOfOrigin"][0], -20037508.342789244);
    assert_eq!(z0["pointOfOrigin"][1], 20037508.342789244);
    assert_eq!(
        (z0["tileWidth"].as_u64(), z0["tileHeight"].as_u64()),
        (Some(256), Some(256))
    );
    assert_eq!(matrices[6]["matrixWidth"], 64);
    assert_eq!(matrices[6]["matrixHeight"], 64);
    get(&app, "/v1/tileMatrixSets/WorldCRS84Quad")
        .await
        .problem(404);

    // Discovery: landing page → tile matrix sets; collection → its tilesets.
    let landing = get(&app, "/v1").await.json();
    let rels: Vec<&str> = landing["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["rel"].as_str())
        .collect();
    assert!(rels.contains(&"http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"));
    let collection = get(&app, "/v1/collections/regso-2025").await.json();
    let tilesets_link = collection["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector")
        .expect("a collection links its vector tilesets");
    assert!(tilesets_link["href"]
        .as_str()
        .unwrap()
        .ends_with("/v1/collections/regso-2025/tiles"));
    let conformance = get(&app, "/v1/conformance").await.json();
    let classes = conformance["conformsTo"].as_array().unwrap();
    for class in [
        "core",
        "tileset",
        "tilesets-list",
        "geodata-tilesets",
        "mvt",
    ] {
        let uri = format!("http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{class}");
        assert!(classes.iter().any(|c| c == &uri), "{uri} not declared");
    }
    assert!(
        !classes
            .iter()
            .any(|c| c == "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30"),
        "the document is OpenAPI 3.1, not 3.0"
    );

    let tilesets = get(&app, "/v1/collections/regso-2025/tiles").await.json();
    let one = &tilesets["tilesets"][0];
    assert_eq!(one["dataType"], "vector");
    assert_eq!(
        one["tileMatrixSetURI"],
        "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
    );
    assert!(one["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/v1/collections/regso-2025/tiles/WebMercatorQuad"));

    let answer = get(
        &app,
        "/v1/collections/regso-2025/tiles/WebMercatorQuad?year=2024&indicator=population",
    )
    .await;
    let version = answer.header("data-version").unwrap().to_owned();
    let tileset = answer.json();
    assert_eq!(tileset["dataType"], "vector");
    assert_eq!(tileset["crs"], "http://www.opengis.net/def/crs/EPSG/0/3857");
    assert_eq!(tileset["tileMatrixSetURI"], one["tileMatrixSetURI"]);
    let links = tileset["links"].as_array().unwrap();
    let item = links
        .iter()
        .find(|l| l["rel"] == "item")
        .expect("a tile URL template");
    assert_eq!(item["type"], "application/vnd.mapbox-vector-tile");
    assert_eq!(item["templated"], true);
    let template = item["href"].as_str().unwrap();
    assert!(
        template.ends_with(&format!(
            "/v1/collections/regso-2025/tiles/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}?f=mvt&year=2024&indicator=population&v={version}"
        )),
        "{template}"
    );
    assert!(links
        .iter()
        .any(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"));
    // The alternate is the same tileset as TileJSON, with the same year and indicator.
    let alternate = links
        .iter()
        .find(|l| l["rel"] == "alternate")
        .expect("the TileJSON alternate");
    let href = alternate["href"].as_str().unwrap();
    let local = format!("/v1/{}", href.split_once("/v1/").unwrap().1);
    let tilejson = get(&app, &local).await.json();
    let tiles = tilejson["tiles"][0].as_str().unwrap();
    assert!(
        tiles.contains("/v1/tiles/regso-2025/")
            && tiles.contains("year=2024")
            && tiles.contains("indicator=population"),
        "{tiles}"
    );
    let layer = &tileset["layers"][0];
    assert_eq!(layer["id"], "regso-2025");
    assert_eq!(layer["maxTileMatrix"], "16");
    assert_eq!(
        layer["propertiesSchema"]["properties"]["population"]["type"],
        "number"
    );
    // Sweden at zoom 6: the limits hold Stockholm's tile (row 18, column 35).
    let z6 = &tileset["tileMatrixSetLimits"][6];
    assert_eq!(z6["tileMatrix"], "6");
    assert!(z6["minTileRow"].as_u64() <= Some(18) && z6["maxTileRow"].as_u64() >= Some(18));
    assert!(z6["minTileCol"].as_u64() <= Some(35) && z6["maxTileCol"].as_u64() >= Some(35));

    get(&app, "/v1/collections/roads/tiles").await.problem(404);
    get(&app, "/v1/collections/regso-2025/tiles/WorldCRS84Quad")
        .await
        .problem(404);
}

#[actix_web::test]
async fn an_ogc_tile_is_the_xyz_tile_and_gdal_reads_it() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    // Stockholm at zoom 6: OGC row 18 = y, column 35 = x.
    let ogc = get(
        &app,
        "/v1/collections/regso-2025/tiles/WebMercatorQuad/6/18/35?f=mvt&year=2024",
    )
    .await;
    assert_eq!(ogc.status, 200);
    assert_eq!(
        ogc.header("content-type"),
        Some("application/vnd.mapbox-vector-tile")
    );
    let xyz = get(&app, "/v1/tiles/regso-2025/6/35/18.mvt?year=2024").await;
    assert!(!ogc.body.is_empty());
    assert_eq!(ogc.body, xyz.body, "the same tile under both addresses");

    // Cached and revalidated like every other resource.
    let etag = ogc.header("etag").expect("an ETag").to_owned();
    let again = send(
        &app,
        actix_web::test::TestRequest::get()
            .uri("/v1/collections/regso-2025/tiles/WebMercatorQuad/6/18/35?f=mvt&year=2024")
            .insert_header(("If-None-Match", etag)),
    )
    .await;
    assert_eq!(again.status, 304);

    let report = ogrinfo_summary(&ogc.body, 6, 35, 18);
    assert!(report.contains("Layer name: regso-2025"), "{report}");
    let count = report
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .and_then(|n| n.trim().parse::<u32>().ok())
        .unwrap_or(0);
    assert!(count > 0, "{report}");

    // An address outside WebMercatorQuad's served matrices names its part.
    let base = "/v1/collections/regso-2025/tiles/WebMercatorQuad";
    for (path, parameter) in [
        ("17/0/0", "tileMatrix"),
        ("x/0/0", "tileMatrix"),
        ("6/64/35", "tileRow"),
        ("6/18/64", "tileCol"),
        ("6/-1/35", "tileRow"),
    ] {
        assert_eq!(
            get(&app, &format!("{base}/{path}")).await.bad_parameters(),
            [parameter],
            "{path}"
        );
    }
    assert_eq!(
        get(&app, &format!("{base}/6/18/35?f=json"))
            .await
            .bad_parameters(),
        ["f"]
    );
    get(
        &app,
        "/v1/collections/regso-2025/tiles/WorldCRS84Quad/6/18/35",
    )
    .await
    .problem(404);
    get(&app, "/v1/collections/roads/tiles/WebMercatorQuad/6/18/35")
        .await
        .problem(404);
}
