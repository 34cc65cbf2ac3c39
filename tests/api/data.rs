//! `/v1/indicators` and `/v1/data` on the synthetic national dataset and the real bundle.

use actix_web::test::TestRequest;

use crate::support::*;

#[actix_web::test]
async fn the_catalogue_lists_definitions_with_their_coverage() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let all = get(&app, "/v1/indicators?lang=en").await.json();
    let list = all["indicators"].as_array().unwrap();
    assert!(list.len() >= 19);
    let emp = list.iter().find(|i| i["id"] == "employment_rate").unwrap();
    assert_eq!(emp["name"], "Share gainfully employed");
    assert_eq!(emp["unit"], "percent");
    let regso = emp["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["division"] == "regso-2020")
        .unwrap();
    assert_eq!(regso["years"].as_array().unwrap().len(), 13);
    assert_eq!(
        regso["breakdowns"],
        serde_json::json!(["men", "total", "women"])
    );

    let work = get(&app, "/v1/indicators?theme=work").await.json();
    assert!(work["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["theme"] == "work"));
    // Published and computed indicators part the catalogue between them.
    let origin = |o: &'static str| {
        let app = &app;
        async move {
            let list = get(app, &format!("/v1/indicators?origin={o}")).await.json();
            let list = list["indicators"].as_array().unwrap().clone();
            assert!(list.iter().all(|i| i["origin"] == o), "{o}: {list:?}");
            list.len()
        }
    };
    assert_eq!(
        origin("published").await + origin("computed").await,
        list.len()
    );
    assert_eq!(
        get(&app, "/v1/indicators?origin=official")
            .await
            .bad_parameters(),
        ["origin"]
    );
    let deso = get(&app, "/v1/indicators?level=deso").await.json();
    assert_eq!(
        deso["indicators"].as_array().unwrap().len(),
        1,
        "only population is published per DeSO"
    );

    let one = get(&app, "/v1/indicators/population").await.json();
    assert_eq!(one["id"], "population");
    assert!(one["levels"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("deso")));
    get(&app, "/v1/indicators/nope").await.problem(404);
}

#[actix_web::test]
async fn real_values_keep_their_status_and_unit() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let res = get(&app, "/v1/data?indicator=population&area=0180,1480")
        .await
        .json();
    assert_eq!(res["numberMatched"], 4);
    let v = &res["values"][0];
    assert_eq!(
        (v["code"].as_str(), v["year"].as_i64(), v["value"].as_f64()),
        (Some("0180"), Some(2023), Some(984_748.0))
    );
    assert_eq!(v["unit"], "count");
    assert_eq!(v["origin"], "published", "SCB's figure, served as SCB's");
    assert_eq!(res["citation"], "Källa: SCB");

    let sfi = get(
        &app,
        "/v1/data?indicator=sfi_passed_share&level=regso&municipality=1480&limit=500",
    )
    .await
    .json();
    let values = sfi["values"].as_array().unwrap();
    assert_eq!(values.len(), 147);
    let missing: Vec<_> = values.iter().filter(|v| v["status"] == "missing").collect();
    assert!(
        !missing.is_empty() && missing.iter().all(|v| v["value"].is_null()),
        "suppressed values are null, never 0"
    );
}

#[actix_web::test]
async fn filters_by_level_place_year_and_breakdown() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let by_kommun = get(
        &app,
        "/v1/data?indicator=employment_rate&level=kommun&year=2024&breakdown=total",
    )
    .await
    .json();
    assert_eq!(by_kommun["numberMatched"], 290);
    let stockholm = get(&app, "/v1/data?indicator=employment_rate&level=regso&municipality=0180&year=2023&breakdown=women").await.json();
    assert_eq!(stockholm["numberMatched"], 127);
    assert!(stockholm["values"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["breakdown"] == "women" && v["division"] == "regso-2020"));
    let range = get(
        &app,
        "/v1/data?indicator=population&area=00&from_year=2015&to_year=2017&breakdown=total",
    )
    .await
    .json();
    let years: Vec<i64> = range["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2015, 2016, 2017]);
    let latest = get(
        &app,
        "/v1/data?indicator=population&area=00&latest=3&breakdown=total",
    )
    .await
    .json();
    let years: Vec<i64> = latest["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2022, 2023, 2024]);
    // A 2025-version code by its suffix.
    let v2025 = get(
        &app,
        "/v1/data?indicator=population&area=0114R001_RegSO2025&breakdown=total",
    )
    .await
    .json();
    assert!(v2025["values"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["division"] == "regso-2025" && v["year"] == 2024));
    // Paging over a large answer.
    let page = get(
        &app,
        "/v1/data?indicator=population&level=regso&year=2023&breakdown=total&limit=1000",
    )
    .await
    .json();
    assert_eq!(page["numberMatched"], 3363);
    assert_eq!(page["numberReturned"], 1000);
    assert!(page["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "next"));
}

#[actix_web::test]
async fn csv_opens_in_swedish_excel() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let res = get(&app, "/v1/data?indicator=employment_rate&area=0180&year=2024&breakdown=total&f=csv&sep=;&decimal=comma").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(res
        .header("content-disposition")
        .unwrap()
        .contains("filename=\"segstat-data-"));
    let text = res.text();
    assert!(
        text.starts_with(
            "\u{feff}indikator;indikatornamn;indelning;kod;namn;år;uppdelning;värde;status;enhet;ursprung;synthetic\r\n"
        ),
        "synthetic data says so in the file itself: {text}"
    );
    assert!(text.lines().skip(1).all(|l| l.ends_with(";true")), "{text}");
    let row = text.lines().nth(1).unwrap();
    let cells: Vec<&str> = row.split(';').collect();
    assert_eq!(cells[..2], ["employment_rate", "Andel förvärvsarbetande"]);
    assert_eq!(cells[3], "0180");
    assert!(cells[7].contains(','), "decimal comma in {row}");
    let plain = get(
        &app,
        "/v1/data?indicator=employment_rate&area=0180&year=2024&breakdown=total",
    )
    .await;
    assert!(plain
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let by_accept = send(
        &app,
        TestRequest::get()
            .uri("/v1/data?indicator=population&area=0180&year=2024")
            .insert_header(("Accept", "text/csv")),
    )
    .await;
    assert!(
        by_accept
            .text()
            .starts_with("indikator,indikatornamn,indelning"),
        "plain CSV by Accept, no BOM, Swedish by default"
    );
    let english = get(
        &app,
        "/v1/data?indicator=population&area=0180&year=2024&breakdown=total&f=csv&lang=en",
    )
    .await
    .text();
    let mut lines = english.lines();
    assert_eq!(
        lines.next(),
        Some("indicator,indicator_name,division,code,name,year,breakdown,value,status,unit,origin,synthetic")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("population,Population,kommun,0180,"),
        "{english}"
    );
}

#[actix_web::test]
async fn wide_csv_has_a_column_per_year_or_per_indicator() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let long = get(
        &app,
        "/v1/data?indicator=population,employment_rate&area=0180,1480&year=2023,2024&breakdown=total",
    )
    .await
    .json();
    let value = |indicator: &str, code: &str, year: i64| {
        long["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["indicator"] == indicator && v["code"] == code && v["year"] == year)
            .map(|v| v["value"].as_f64().unwrap().to_string())
            .unwrap()
    };
    let by_year = get(
        &app,
        "/v1/data?indicator=population,employment_rate&area=0180,1480&year=2023,2024&breakdown=total&f=csv&layout=wide&lang=en",
    )
    .await
    .text();
    let lines: Vec<&str> = by_year.lines().collect();
    assert_eq!(
        lines[0],
        "indicator,indicator_name,division,code,name,breakdown,unit,2023,2024,synthetic"
    );
    assert_eq!(
        lines.len(),
        5,
        "one row per indicator, area and breakdown: {by_year}"
    );
    let row = lines
        .iter()
        .find(|l| l.starts_with("population,Population,kommun,1480,"))
        .unwrap();
    assert!(
        row.ends_with(&format!(
            ",total,count,{},{},true",
            value("population", "1480", 2023),
            value("population", "1480", 2024)
        )),
        "{row}"
    );

    let by_indicator = get(
        &app,
        "/v1/data?indicator=population,employment_rate&area=0180,1480&year=2023,2024&breakdown=total&f=csv&layout=wide&wide_by=indicator",
    )
    .await
    .text();
    let lines: Vec<&str> = by_indicator.lines().collect();
    assert_eq!(
        lines[0],
        "indelning,kod,namn,år,uppdelning,employment_rate,population,synthetic"
    );
    assert_eq!(
        lines.len(),
        5,
        "one row per area, year and breakdown: {by_indicator}"
    );
    let row = lines
        .iter()
        .find(|l| l.starts_with("kommun,0180,") && l.contains(",2024,total,"))
        .unwrap();
    assert!(
        row.ends_with(&format!(
            ",{},{},true",
            value("employment_rate", "0180", 2024),
            value("population", "0180", 2024)
        )),
        "{row}"
    );

    // Every cell is the long form's value, and a cell without one is empty, never 0.
    let query = "indicator=population&area=0180,0114R001_RegSO2025&breakdown=total&year=2018,2024";
    let long = get(&app, &format!("/v1/data?{query}")).await.json();
    let wide = get(
        &app,
        &format!("/v1/data?{query}&f=csv&layout=wide&sep=tab&lang=en"),
    )
    .await
    .text();
    let mut lines = wide.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(header[7..], ["2018", "2024", "synthetic"], "{wide}");
    let mut cells = 0;
    for line in lines {
        let row: Vec<&str> = line.split('\t').collect();
        for (column, year) in [(7, 2018), (8, 2024)] {
            let expected = long["values"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["code"] == row[3] && v["division"] == row[2] && v["year"] == year)
                .and_then(|v| v["value"].as_f64())
                .map(|v| v.to_string())
                .unwrap_or_default();
            assert_eq!(row[column], expected, "{year} of {line}");
            cells += 1;
        }
    }
    assert!(cells >= 4, "{wide}");

    for (query, parameter) in [
        ("layout=tall&f=csv", "layout"),
        ("layout=wide", "layout"),
        ("layout=wide&f=csv&wide_by=area", "wide_by"),
        ("wide_by=year&f=csv", "wide_by"),
    ] {
        let res = get(
            &app,
            &format!("/v1/data?indicator=population&area=0180&{query}"),
        )
        .await;
        assert_eq!(res.bad_parameters(), [parameter], "{query}");
    }
}

#[actix_web::test]
async fn jsonstat_is_a_complete_cube() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let doc = get(&app, "/v1/data?indicator=population,employment_rate&area=0180,1480&year=2023,2024&breakdown=total&f=jsonstat").await.json();
    assert_eq!(doc["version"], "2.0");
    assert_eq!(doc["class"], "dataset");
    assert_eq!(
        doc["source"],
        segstat::render::jsonstat::SYNTHETIC_SOURCE,
        "a downloaded file says by itself that it is synthetic"
    );
    let size: Vec<u64> = doc["size"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    assert_eq!(size, [2, 2, 2, 1]);
    assert_eq!(doc["value"].as_array().unwrap().len(), 8);
    // The JSON-stat cube and the long form agree on one cell.
    let long = get(
        &app,
        "/v1/data?indicator=population&area=1480&year=2024&breakdown=total",
    )
    .await
    .json();
    let idx = |dim: &str, cat: &str| {
        doc["dimension"][dim]["category"]["index"][cat]
            .as_u64()
            .unwrap() as usize
    };
    let i =
        // One breakdown, so the last dimension adds nothing to the position.
        (idx("indicator", "population") * 2 + idx("Region", "1480")) * 2 + idx("Tid", "2024");
    assert_eq!(doc["value"][i], long["values"][0]["value"]);

    // Clients label and round what they read from the document itself.
    let updated = doc["updated"].as_str().expect("updated is never null");
    assert!(
        chrono::DateTime::parse_from_rfc3339(updated).is_ok(),
        "ISO 8601: {updated}"
    );
    let meta = get(&app, "/v1/meta").await.json();
    let imported =
        chrono::DateTime::parse_from_rfc3339(meta["data_updated_at"].as_str().unwrap()).unwrap();
    let served = chrono::DateTime::parse_from_rfc3339(updated).unwrap();
    assert!(
        (imported - served).num_milliseconds().abs() < 1000,
        "the data version's import time, to the second: {updated} vs {imported}"
    );
    let indicator = &doc["dimension"]["indicator"]["category"];
    assert_eq!(indicator["label"]["population"], "Folkmängd");
    assert_eq!(
        indicator["label"]["employment_rate"],
        "Andel förvärvsarbetande"
    );
    assert_eq!(
        indicator["unit"]["employment_rate"],
        serde_json::json!({"label": "percent", "decimals": 1})
    );
    assert_eq!(indicator["unit"]["population"]["decimals"], 0);
    assert_eq!(
        doc["dimension"]["breakdown"]["category"]["label"]["total"],
        "totalt"
    );
    let english = get(
        &app,
        "/v1/data?indicator=employment_rate&area=0180&year=2024&breakdown=total&f=jsonstat&lang=en",
    )
    .await
    .json();
    assert_eq!(
        english["dimension"]["indicator"]["category"]["label"]["employment_rate"],
        "Share gainfully employed"
    );
    assert_eq!(
        english["dimension"]["breakdown"]["category"]["label"]["total"],
        "total"
    );
}

/// The JSON-stat document of two indicators, two areas and two years, written to a file for a
/// client program, with the value of one cell from the long form.
async fn jsonstat_for_clients(db: &TestDb, client: &str) -> (std::path::PathBuf, f64) {
    let app = app_for(&db.url()).await;
    let doc = get(&app, "/v1/data?indicator=population,employment_rate&area=0180,1480&year=2023,2024&breakdown=total&f=jsonstat&lang=en").await;
    assert_eq!(doc.status, 200);
    let long = get(
        &app,
        "/v1/data?indicator=employment_rate&area=1480&year=2024&breakdown=total",
    )
    .await
    .json();
    let path = std::env::temp_dir().join(format!(
        "segstat-jsonstat-{client}-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, &doc.body).unwrap();
    (path, long["values"][0]["value"].as_f64().unwrap())
}

fn client_output(program: &str, args: &[&str], client: &str) -> serde_json::Value {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{client} could not run ({e}); scripts/test.sh installs it"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{client}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("{client} printed no JSON ({e}): {text}"))
}

#[actix_web::test]
async fn pyjstat_reads_the_jsonstat_into_a_dataframe() {
    let db = TestDb::synthetic();
    let (path, expected) = jsonstat_for_clients(&db, "pyjstat").await;
    let out = client_output(
        concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python"),
        &[
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/clients/jsonstat_pyjstat.py"
            ),
            path.to_str().unwrap(),
        ],
        "pyjstat in .venv",
    );
    std::fs::remove_file(&path).ok();
    assert_eq!(
        out["columns"],
        serde_json::json!(["indicator", "region", "year", "breakdown", "value"])
    );
    let rows = out["by_label"].as_array().unwrap();
    assert_eq!(rows.len(), 8, "2 indicators × 2 areas × 2 years: {out}");
    let row = rows
        .iter()
        .find(|r| {
            r["indicator"] == "Share gainfully employed"
                && r["region"] == "Göteborg"
                && r["year"] == "2024"
        })
        .unwrap_or_else(|| panic!("labels, not ids: {out}"));
    assert_eq!(row["breakdown"], "total");
    assert_eq!(row["value"].as_f64(), Some(expected));
    let ids = out["by_id"].as_array().unwrap();
    assert!(ids.iter().any(|r| r["indicator"] == "employment_rate"
        && r["Region"] == "1480"
        && r["value"].as_f64() == Some(expected)));
}

#[actix_web::test]
async fn the_jsonstat_toolkit_reads_values_labels_and_units() {
    let db = TestDb::synthetic();
    let (path, expected) = jsonstat_for_clients(&db, "toolkit").await;
    let coords =
        r#"{"indicator":"employment_rate","Region":"1480","Tid":"2024","breakdown":"total"}"#;
    let out = client_output(
        "node",
        &[
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/clients/js/jsonstat_toolkit.cjs"
            ),
            path.to_str().unwrap(),
            coords,
        ],
        "node with tests/clients/js/node_modules (npm ci)",
    );
    std::fs::remove_file(&path).ok();
    assert_eq!(out["n"], 8);
    assert_eq!(out["cell"]["value"].as_f64(), Some(expected), "{out}");
    assert_eq!(
        out["indicator"]["employment_rate"],
        "Share gainfully employed"
    );
    assert_eq!(out["indicator"]["population"], "Population");
    assert_eq!(out["region"]["1480"], "Göteborg");
    assert_eq!(out["breakdown"]["total"], "total");
    assert_eq!(
        out["units"]["employment_rate"],
        serde_json::json!({"label": "percent", "decimals": 1})
    );
    assert!(
        out["updated"].as_str().is_some_and(|u| u.ends_with('Z')),
        "{out}"
    );
}

#[actix_web::test]
async fn data_errors_name_every_bad_parameter() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let mut named = get(
        &app,
        "/v1/data?indicator=population&area=0180&level=kommun&from_year=2020&to_year=2019&f=xml",
    )
    .await
    .bad_parameters();
    named.sort();
    assert_eq!(named, ["f", "from_year", "level"]);
    assert_eq!(
        get(&app, "/v1/data?area=0180").await.bad_parameters(),
        ["indicator"]
    );
    assert_eq!(
        get(&app, "/v1/data?indicator=population")
            .await
            .bad_parameters(),
        ["area"]
    );
    assert_eq!(
        get(&app, "/v1/data?indicator=population&area=01X0")
            .await
            .bad_parameters(),
        ["area"]
    );
    let mut semantic = get(
        &app,
        "/v1/data?indicator=nope,population&area=0180&year=1999",
    )
    .await
    .bad_parameters();
    semantic.sort();
    assert_eq!(semantic, ["indicator", "year"]);
    let codes = (0..=segstat::limits::MAX_LIST_ITEMS)
        .map(|i| format!("{:04}", i % 10000))
        .collect::<Vec<_>>()
        .join(",");
    let doc = get(&app, &format!("/v1/data?indicator=population&area={codes}"))
        .await
        .problem(400);
    assert!(doc["detail"].as_str().unwrap().contains("limit"), "{doc}");
    let unknown = get(&app, "/v1/data?indicator=population&area=0180R999")
        .await
        .problem(404);
    assert!(unknown["detail"].as_str().unwrap().contains("0180R999"));
    assert_eq!(
        get(
            &app,
            "/v1/data?indicator=population&area=0180&limit=1000000"
        )
        .await
        .bad_parameters(),
        ["limit"]
    );
}

#[actix_web::test]
async fn each_code_keeps_its_own_version_and_csv_pages_link_onwards() {
    let db = TestDb::synthetic();
    let app = app_for(&db.url()).await;
    let mixed = get(
        &app,
        "/v1/data?indicator=population&area=0180,0114R001_RegSO2025&breakdown=total&latest=2",
    )
    .await
    .json();
    let values = mixed["values"].as_array().unwrap();
    assert!(values
        .iter()
        .any(|v| v["code"] == "0180" && v["division"] == "kommun"));
    assert!(values
        .iter()
        .any(|v| v["code"] == "0114R001" && v["division"] == "regso-2025"));
    assert!(values
        .iter()
        .all(|v| v["code"] != "0114R001" || v["division"] == "regso-2025"));

    let page = get(
        &app,
        "/v1/data?indicator=population&level=regso&year=2023&breakdown=total&f=csv&limit=100",
    )
    .await;
    let link = page
        .header("link")
        .expect("a truncated CSV says where the rest is");
    assert!(
        link.contains("offset=100") && link.ends_with("rel=\"next\""),
        "{link}"
    );
    let whole = get(
        &app,
        "/v1/data?indicator=population&area=0180&year=2024&f=csv",
    )
    .await;
    assert!(whole.header("link").is_none());
    assert_eq!(
        get(&app, "/v1/data?indicator=population&area=0180&offset=-1")
            .await
            .bad_parameters(),
        ["offset"]
    );
}

#[actix_web::test]
async fn unknown_breakdowns_and_themes_are_refused_with_what_is_allowed() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let res = get(
        &app,
        "/v1/data?indicator=population&area=0180&breakdown=total,bogus",
    )
    .await;
    assert_eq!(res.bad_parameters(), ["breakdown"]);
    assert!(res.text().contains("total"), "{}", res.text());
    let res = get(&app, "/v1/indicators?theme=bogus").await;
    assert_eq!(res.bad_parameters(), ["theme"]);
    assert!(res.text().contains("population"), "{}", res.text());
    // A theme no indicator of the served data has is an empty list, not an error.
    assert_eq!(get(&app, "/v1/indicators?theme=work").await.status, 200);
}
