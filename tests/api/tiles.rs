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
    assert!(
        tiles.ends_with("/v1/tiles/regso-2025/{z}/{x}/{y}.mvt?year=2024&indicator=population"),
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
