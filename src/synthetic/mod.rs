//! The synthetic national dataset: every level, both division versions, 2011–2024, the three
//! index components, twenty indicators with breakdowns, income-quintile counts, and plausible
//! polygons for every RegSO and DeSO nested inside the real kommun boundaries.
//!
//! `generate` writes it as files in the formats SCB publishes (GeoJSON in EPSG:3006, PxWeb v1
//! JSON, JSON-stat 2.0, the code lists); `manifest` describes them so that the ordinary import
//! loads them, marked synthetic. Real codes and names are reused: only geometry and statistics
//! are made up.

pub mod geometry;
pub mod replay;
pub mod rng;
pub mod values;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::domain::geography::Division;
use crate::error::{Error, Result};
use crate::import::codes::{self, AreaRow};
use crate::import::manifest::{Entry, Manifest, Role, ValueFormat};
use crate::import::Source;
use crate::import::{boundaries, bundled};
use values::{Draw, Spec, Table, FIRST_YEAR, LAST_YEAR};

/// Files copied unchanged from the real bundle (codes and kommun/län boundaries).
const COPIED: &[&str] = &[
    "codes/regioner.json",
    "codes/deso_regso_2018.json",
    "codes/deso_regso_2025.json",
    "boundaries/kommun_scb_generalised_wgs84.geojson",
    "boundaries/lan_scb_generalised_wgs84.geojson",
    "codes/deso_forandringar.json",
];

/// The synthetic dataset's files, as the import reads them. The files copied from the real
/// bundle (`COPIED`) keep the roles the bundle gives them.
pub fn manifest() -> Manifest {
    let e = |kind, path: &str, role| Entry {
        kind,
        path: path.to_owned(),
        role,
        source: None,
    };
    let copied = |kind, path: &str| e(kind, path, bundled::role(path));
    let values = |path: &str, format| e("indicators", path, Role::Values(format));
    let layer = |path: &str, code, division| e("boundaries", path, Role::Layer { code, division });
    Manifest {
        entries: vec![
            copied("codes", "codes/regioner.json"),
            copied("codes", "codes/deso_regso_2018.json"),
            copied("codes", "codes/deso_regso_2025.json"),
            // SCB's real change log: the synthetic areas are SCB's, so is their crosswalk.
            copied("codes", "codes/deso_forandringar.json"),
            e("catalogue", "catalogue.json", Role::Catalogue),
            values("tables/components_regso2020.json", ValueFormat::JsonStat),
            values("tables/components_regso2025.json", ValueFormat::JsonStat),
            values("tables/population_deso2018.json", ValueFormat::JsonStat),
            values("tables/population_deso2025.json", ValueFormat::JsonStat),
            values("tables/indicators.json", ValueFormat::PxWebV1),
            values("tables/indicators_by_sex.json", ValueFormat::PxWebV1),
            copied(
                "boundaries",
                "boundaries/kommun_scb_generalised_wgs84.geojson",
            ),
            copied("boundaries", "boundaries/lan_scb_generalised_wgs84.geojson"),
            layer(
                "boundaries/regso_2020.geojson",
                "regsokod",
                Division::Regso2020,
            ),
            layer(
                "boundaries/deso_2018.geojson",
                "desokod",
                Division::Deso2018,
            ),
            layer(
                "boundaries/regso_2025.geojson",
                "regsokod",
                Division::Regso2025,
            ),
            layer(
                "boundaries/deso_2025.geojson",
                "desokod",
                Division::Deso2025,
            ),
        ],
        synthetic: true,
    }
}

fn write(out: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = out.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, bytes)
        .map_err(|e| Error::Internal(format!("cannot write {}: {e}", path.display())))
}

fn read(data_dir: &Path, rel: &str) -> Result<Source> {
    Source::read(&data_dir.join(rel), rel)
}

/// RegSO code → its DeSO codes, sorted.
fn members(deso: &[AreaRow]) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in deso {
        m.entry(d.regso.clone().unwrap_or_default())
            .or_default()
            .push(d.code.clone());
    }
    m
}

/// kommun code → its RegSO codes, sorted.
fn by_municipality(regso: &[AreaRow]) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in regso {
        m.entry(r.code[..4].to_owned())
            .or_default()
            .push(r.code.clone());
    }
    m
}

/// What `generate` wrote.
#[derive(Debug)]
pub struct Report {
    pub files: usize,
    pub polygons: usize,
    pub values: usize,
}

/// Writes the synthetic dataset for `seed` into `out`. PostGIS (through `conn`) cuts the
/// polygons; nothing is stored in the database. `vertices` is the number of border vertices to
/// aim for per RegSO and DeSO (0: straight Voronoi edges, quick to cut and to load).
pub fn generate(
    conn: &mut PgConnection,
    data_dir: &Path,
    out: &Path,
    seed: u64,
    vertices: u32,
) -> Result<Report> {
    std::fs::create_dir_all(out)?;
    let regions = codes::read_regions(&read(data_dir, COPIED[0])?)?;
    let municipalities: HashSet<String> = regions
        .iter()
        .filter(|r| r.division == Division::Kommun)
        .map(|r| r.code.clone())
        .collect();
    let (regso2020, deso2018) = codes::read_deso_regso(
        &read(data_dir, COPIED[1])?,
        Division::Regso2020,
        Division::Deso2018,
        &municipalities,
    )?;
    let (regso2025, deso2025) = codes::read_deso_regso(
        &read(data_dir, COPIED[2])?,
        Division::Regso2025,
        Division::Deso2025,
        &municipalities,
    )?;
    let kommun_layer = boundaries::read_geojson(&read(data_dir, COPIED[3])?, &["KnKod"])?;

    let mut files = 0;
    for rel in COPIED {
        write(out, rel, &read(data_dir, rel)?.bytes)?;
        files += 1;
    }

    // Polygons.
    let polygons = conn.transaction(|conn| -> Result<usize> {
        geometry::prepare(conn)?;
        let r2020 = by_municipality(&regso2020);
        let r2025 = by_municipality(&regso2025);
        let containers: Vec<(Vec<String>, &crate::geo::MultiPolygon)> = kommun_layer
            .features
            .iter()
            .filter_map(|f| r2020.get(&f.code).map(|codes| (codes.clone(), &f.geometry)))
            .collect();
        geometry::add_containers(conn, Division::Regso2020, kommun_layer.srid, &containers)?;
        geometry::partition(conn, Division::Regso2020, seed, vertices)?;
        geometry::add_cell_containers(
            conn,
            Division::Regso2020,
            Division::Deso2018,
            &members(&deso2018),
        )?;
        geometry::partition(conn, Division::Deso2018, seed, vertices)?;
        // RegSO 2025: kommuner whose RegSO codes did not change keep their cells.
        let (same, changed): (Vec<_>, Vec<_>) = r2025
            .iter()
            .partition(|(k, codes)| r2020.get(*k) == Some(codes));
        let kept: Vec<String> = same.iter().flat_map(|(_, c)| c.iter().cloned()).collect();
        geometry::copy_cells(conn, Division::Regso2020, Division::Regso2025, &kept)?;
        let changed: HashSet<&String> = changed.iter().map(|(k, _)| *k).collect();
        let redo: Vec<(Vec<String>, &crate::geo::MultiPolygon)> = kommun_layer
            .features
            .iter()
            .filter(|f| changed.contains(&f.code))
            .filter_map(|f| r2025.get(&f.code).map(|codes| (codes.clone(), &f.geometry)))
            .collect();
        geometry::add_containers(conn, Division::Regso2025, kommun_layer.srid, &redo)?;
        geometry::partition(conn, Division::Regso2025, seed, vertices)?;
        geometry::add_cell_containers(
            conn,
            Division::Regso2025,
            Division::Deso2025,
            &members(&deso2025),
        )?;
        geometry::partition(conn, Division::Deso2025, seed, vertices)?;
        let mut n = 0;
        for (division, property, rel) in [
            (
                Division::Regso2020,
                "regsokod",
                "boundaries/regso_2020.geojson",
            ),
            (
                Division::Deso2018,
                "desokod",
                "boundaries/deso_2018.geojson",
            ),
            (
                Division::Regso2025,
                "regsokod",
                "boundaries/regso_2025.geojson",
            ),
            (
                Division::Deso2025,
                "desokod",
                "boundaries/deso_2025.geojson",
            ),
        ] {
            let (text, count) = geometry::feature_collection(conn, division, property)?;
            write(out, rel, text.as_bytes())?;
            n += count;
        }
        Ok(n)
    })?;
    files += 4;

    // Statistics.
    let specs = values::specs();
    write(
        out,
        "catalogue.json",
        &serde_json::to_vec_pretty(&catalogue(&specs))?,
    )?;
    let mut written = 0;
    let regso_for = |year: i16| if year >= 2024 { &regso2025 } else { &regso2020 };
    let components: Vec<&Spec> = specs
        .iter()
        .filter(|s| s.table == Table::Components)
        .collect();
    for (rel, list, years, suffix) in [
        (
            "tables/components_regso2020.json",
            &regso2020,
            FIRST_YEAR..=2023,
            "",
        ),
        (
            "tables/components_regso2025.json",
            &regso2025,
            2024..=LAST_YEAR,
            "_RegSO2025",
        ),
    ] {
        let (doc, n) = components_jsonstat(seed, &components, list, years, suffix);
        write(out, rel, &serde_json::to_vec(&doc)?)?;
        written += n;
    }
    for (rel, regso, deso, years, suffix) in [
        (
            "tables/population_deso2018.json",
            &regso2020,
            &deso2018,
            FIRST_YEAR..=2023,
            "_DeSO2018",
        ),
        (
            "tables/population_deso2025.json",
            &regso2025,
            &deso2025,
            2024..=LAST_YEAR,
            "_DeSO2025",
        ),
    ] {
        let (doc, n) = deso_population(seed, regso, deso, years, suffix);
        write(out, rel, &serde_json::to_vec(&doc)?)?;
        written += n;
    }
    for (rel, table) in [
        ("tables/indicators.json", Table::Total),
        ("tables/indicators_by_sex.json", Table::BySex),
    ] {
        let chosen: Vec<&Spec> = specs.iter().filter(|s| s.table == table).collect();
        let (doc, n) = pxweb_table(seed, &chosen, table == Table::BySex, &regso_for);
        write(out, rel, &serde_json::to_vec(&doc)?)?;
        written += n;
    }
    write(out, "SYNTHETIC.md", readme(seed, vertices).as_bytes())?;
    Ok(Report {
        files: files + 8,
        polygons,
        values: written,
    })
}

fn contents_code(id: &str) -> String {
    format!("SYN_{}", id.to_ascii_uppercase())
}

fn catalogue(specs: &[Spec]) -> Value {
    let list: Vec<Value> = specs
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "theme": s.theme,
                "name_sv": s.name_sv, "name_en": s.name_en,
                "description_sv": format!("{} (syntetiska värden, inte SCB:s statistik).", s.name_sv),
                "description_en": format!("{} (synthetic values, not SCB statistics).", s.name_en),
                "unit": s.unit, "age_band": s.age_band,
                "source_table": "synthetic (segstat generate-synthetic)",
                "contents_code": contents_code(s.id), "decimals": s.decimals,
            })
        })
        .collect();
    json!({ "indicators": list })
}

fn format_value(v: Option<f64>, decimals: i16) -> Value {
    match v {
        Some(v) => Value::String(format!("{v:.*}", usize::try_from(decimals).unwrap_or(0))),
        None => Value::String("..".into()),
    }
}

/// SCB's TAB6586 shape: Region × ContentsCode (the three components) × Tid, as JSON-stat 2.0.
fn components_jsonstat(
    seed: u64,
    specs: &[&Spec],
    regso: &[AreaRow],
    years: std::ops::RangeInclusive<i16>,
    suffix: &str,
) -> (Value, usize) {
    let years: Vec<i16> = years.collect();
    let mut value = Vec::with_capacity(regso.len() * specs.len() * years.len());
    for r in regso {
        for s in specs {
            for &y in &years {
                let v = values::value(seed, s, &r.code, y, 0, values::draw(seed, &r.code, y));
                value.push(v.map_or(Value::Null, |v| json!(v)));
            }
        }
    }
    let n = value.len();
    let doc = jsonstat(
        "Socioekonomiskt index: komponenter per RegSO och år (syntetiska)",
        regso
            .iter()
            .map(|r| format!("{}{suffix}", r.code))
            .collect(),
        specs.iter().map(|s| contents_code(s.id)).collect(),
        years,
        value,
    );
    (doc, n)
}

/// Population per DeSO: each RegSO's population shared among its DeSO by random weights.
fn deso_population(
    seed: u64,
    regso: &[AreaRow],
    deso: &[AreaRow],
    years: std::ops::RangeInclusive<i16>,
    suffix: &str,
) -> (Value, usize) {
    let years: Vec<i16> = years.collect();
    let groups = members(deso);
    let mut regions = Vec::new();
    let mut value = Vec::new();
    for r in regso {
        let Some(list) = groups.get(&r.code) else {
            continue;
        };
        let weights: Vec<f64> = list
            .iter()
            .map(|d| 0.5 + rng::Rng::for_key(seed, d).uniform())
            .collect();
        let total: f64 = weights.iter().sum();
        for (d, w) in list.iter().zip(&weights) {
            regions.push(format!("{d}{suffix}"));
            for &y in &years {
                let pop = values::draw(seed, &r.code, y).population;
                value.push(json!((pop * w / total).round()));
            }
        }
    }
    let n = value.len();
    (
        jsonstat(
            "Folkmängd per DeSO (syntetisk)",
            regions,
            vec![contents_code("population")],
            years,
            value,
        ),
        n,
    )
}

fn jsonstat(
    label: &str,
    regions: Vec<String>,
    contents: Vec<String>,
    years: Vec<i16>,
    value: Vec<Value>,
) -> Value {
    let index = |list: &[String]| -> Value {
        Value::Object(
            list.iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), json!(i)))
                .collect(),
        )
    };
    let year_names: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    json!({
        "version": "2.0", "class": "dataset", "label": label,
        "source": "segstat generate-synthetic (synthetic, not SCB data)",
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "id": ["Region", "ContentsCode", "Tid"],
        "size": [regions.len(), contents.len(), years.len()],
        "dimension": {
            "Region": {"label": "region", "category": {"index": index(&regions)}},
            "ContentsCode": {"label": "tabellinnehåll", "category": {"index": index(&contents)}},
            "Tid": {"label": "år", "category": {"index": index(&year_names)}}
        },
        "value": value
    })
}

/// A PxWeb v1 table over riket, län, kommun and RegSO for every year, optionally by sex.
fn pxweb_table<'a>(
    seed: u64,
    specs: &[&Spec],
    by_sex: bool,
    regso_for: &dyn Fn(i16) -> &'a Vec<AreaRow>,
) -> (Value, usize) {
    let sexes: &[(u8, &str)] = if by_sex {
        &[(1, "1"), (2, "2"), (0, "1+2")]
    } else {
        &[(0, "")]
    };
    let mut rows: Vec<Value> = Vec::new();
    let mut count = 0;
    for year in FIRST_YEAR..=LAST_YEAR {
        let regso = regso_for(year);
        let suffix = if year >= 2024 { "_RegSO2025" } else { "" };
        for &(sex, kon) in sexes {
            // Values per RegSO, then aggregated to kommun, län and riket.
            let per_regso: Vec<(Draw, Vec<Option<f64>>)> = regso
                .iter()
                .map(|r| {
                    let d = values::draw(seed, &r.code, year);
                    (
                        d,
                        specs
                            .iter()
                            .map(|s| values::value(seed, s, &r.code, year, sex, d))
                            .collect(),
                    )
                })
                .collect();
            let aggregates: Vec<BTreeMap<String, f64>> = specs
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    let rows: Vec<(&str, f64, Option<f64>)> = regso
                        .iter()
                        .zip(&per_regso)
                        .map(|(r, (d, v))| (r.code.as_str(), d.population, v[j]))
                        .collect();
                    values::aggregate(s.unit, &rows)
                })
                .collect();
            let mut push = |region: String, vals: Vec<Option<f64>>| {
                let mut key = vec![json!(region)];
                if by_sex {
                    key.push(json!(kon));
                }
                key.push(json!(year.to_string()));
                let values: Vec<Value> = vals
                    .iter()
                    .zip(specs)
                    .map(|(v, s)| format_value(*v, s.decimals))
                    .collect();
                count += values.len();
                rows.push(json!({"key": key, "values": values}));
            };
            for code in aggregates[0].keys() {
                let vals = aggregates.iter().zip(specs).map(|(a, s)| {
                    if s.elections_only && ![2014, 2018, 2022].contains(&year) {
                        None
                    } else {
                        a.get(code).copied()
                    }
                });
                push(code.clone(), vals.collect());
            }
            for (r, (_, v)) in regso.iter().zip(&per_regso) {
                push(format!("{}{suffix}", r.code), v.clone());
            }
        }
    }
    let mut columns = vec![json!({"code": "Region", "text": "region", "type": "d"})];
    if by_sex {
        columns.push(json!({"code": "Kon", "text": "kön", "type": "d"}));
    }
    columns.push(json!({"code": "Tid", "text": "år", "type": "t"}));
    for s in specs {
        columns.push(json!({"code": contents_code(s.id), "text": s.name_sv, "type": "c"}));
    }
    let doc = json!({
        "columns": columns, "comments": [], "data": rows,
        "metadata": [{"label": "Syntetiska indikatorer", "source": "segstat generate-synthetic (synthetic, not SCB data)"}]
    });
    (doc, count)
}

fn readme(seed: u64, vertices: u32) -> String {
    format!(
        "# Synthetic national dataset (seed {seed})\n\n\
         Generated by `segstat generate-synthetic --seed {seed} --vertices {vertices}`. **Synthetic: not statistics.**\n\
         Codes, names and kommun/län boundaries are SCB's (copied from data/); every RegSO and DeSO\n\
         polygon and every value is made up. Load it with `segstat import synthetic --dir <this folder>`;\n\
         the API then marks every response as synthetic.\n"
    )
}

/// Where `generate-synthetic` writes by default.
pub fn default_dir(seed: u64) -> PathBuf {
    PathBuf::from(format!("target/synthetic-{seed}"))
}
