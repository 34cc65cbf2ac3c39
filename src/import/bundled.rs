//! `import bundled`: the real SCB dataset shipped in `data/`, loaded in one transaction.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Text};
use serde_json::json;

use super::catalogue::Catalogue;
use super::values::{self, Observation};
use super::{area_types, boundaries, codes, derive, load, Source};
use crate::domain::geometry_source::unchanged_regso;
use crate::error::{Error, Result};

/// (dataset kind, path under the data folder).
pub const FILES: &[(&str, &str)] = &[
    ("codes", "codes/regioner.json"),
    ("codes", "codes/deso_regso_2018.json"),
    ("codes", "codes/deso_regso_2025.json"),
    ("codes", "codes/deso_forandringar.json"),
    ("codes", "scb/koppling-deso2018-regso2020.csv"),
    (
        "boundaries",
        "boundaries/kommun_scb_generalised_wgs84.geojson",
    ),
    ("boundaries", "boundaries/lan_scb_generalised_wgs84.geojson"),
    (
        "boundaries",
        "boundaries/RegSO_2025_sverige_sweref99tm.gpkg.gz",
    ),
    (
        "boundaries",
        "boundaries/deso2018_uppsala_lan_sweref99tm.geojson",
    ),
    ("area-types", "scb/regso_omradestyp_2022.csv"),
    ("area-types", "scb/regso_omradestyp_2023.csv"),
    ("catalogue", "catalogue/indicators.json"),
    ("indicators", "fixtures/scb_pxwebapi2_tab638_jsonstat2.json"),
    (
        "indicators",
        "fixtures/scb_pxweb_v1_IntGr8RegSOKON3_goteborg_2023.json",
    ),
];

/// Real indicator tables: (file, format).
const VALUE_FILES: &[(&str, ValueFormat)] = &[
    (
        "fixtures/scb_pxwebapi2_tab638_jsonstat2.json",
        ValueFormat::JsonStat,
    ),
    (
        "fixtures/scb_pxweb_v1_IntGr8RegSOKON3_goteborg_2023.json",
        ValueFormat::PxWebV1,
    ),
];

#[derive(Clone, Copy)]
pub enum ValueFormat {
    JsonStat,
    PxWebV1,
}

/// What an import did.
#[derive(Debug)]
pub enum Outcome {
    /// The same files were imported before; nothing changed.
    Unchanged { data_version: String },
    Imported {
        data_version: String,
        rows: BTreeMap<String, usize>,
    },
}

#[derive(QueryableByName)]
struct DatasetKey {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Text)]
    checksum: String,
}

fn already_imported(
    conn: &mut PgConnection,
    sources: &[(&str, Source)],
    synthetic: bool,
) -> Result<bool> {
    let have: BTreeSet<(String, String, String)> =
        diesel::sql_query("SELECT kind, source, checksum FROM datasets")
            .load::<DatasetKey>(conn)?
            .into_iter()
            .map(|d| (d.kind, d.source, d.checksum))
            .collect();
    let want: BTreeSet<(String, String, String)> = sources
        .iter()
        .map(|(kind, s)| (kind.to_string(), s.name.clone(), s.checksum.clone()))
        .collect();
    let state = crate::db::data_state::current(conn)?;
    Ok(have == want && state.synthetic == synthetic && state.data_version != "empty")
}

pub fn import(conn: &mut PgConnection, data_dir: &Path) -> Result<Outcome> {
    let sources: Vec<(&str, Source)> = FILES
        .iter()
        .map(|(kind, rel)| Ok((*kind, Source::read(&data_dir.join(rel), rel)?)))
        .collect::<Result<_>>()?;
    if already_imported(conn, &sources, false)? {
        return Ok(Outcome::Unchanged {
            data_version: crate::db::data_state::current(conn)?.data_version,
        });
    }
    conn.transaction(|conn| load_all(conn, &sources))
}

fn src<'a>(sources: &'a [(&str, Source)], name: &str) -> &'a Source {
    &sources
        .iter()
        .find(|(_, s)| s.name == name)
        .expect("a bundled file")
        .1
}

/// Everything read from the bundle, checked, before anything is written: a bad file is
/// reported before the database is touched.
struct Parsed {
    regions: Vec<codes::AreaRow>,
    regso2020: Vec<codes::AreaRow>,
    deso2018: Vec<codes::AreaRow>,
    regso2025: Vec<codes::AreaRow>,
    deso2025: Vec<codes::AreaRow>,
    changes: Vec<(String, String, String)>,
    labels: usize,
    layers: Vec<(&'static str, &'static str, boundaries::Layer)>,
    types: Vec<(&'static str, Vec<area_types::OfficialType>)>,
    catalogue: Catalogue,
    values: Vec<(&'static str, Vec<Observation>)>,
}

/// (file, code property, division) of each published boundary layer.
/// The large national layer comes last, so a broken small file is reported quickly.
const LAYERS: &[(&str, &str, &str)] = &[
    (
        "boundaries/kommun_scb_generalised_wgs84.geojson",
        "KnKod",
        "kommun",
    ),
    (
        "boundaries/lan_scb_generalised_wgs84.geojson",
        "LnKod",
        "lan",
    ),
    (
        "boundaries/deso2018_uppsala_lan_sweref99tm.geojson",
        "desokod",
        "deso-2018",
    ),
    (
        "boundaries/RegSO_2025_sverige_sweref99tm.gpkg.gz",
        "regsokod",
        "regso-2025",
    ),
];

const AREA_TYPES: &[&str] = &[
    "scb/regso_omradestyp_2022.csv",
    "scb/regso_omradestyp_2023.csv",
];

fn parse(sources: &[(&str, Source)]) -> Result<Parsed> {
    let regions = codes::read_regions(src(sources, "codes/regioner.json"))?;
    let municipalities: HashSet<String> = regions
        .iter()
        .filter(|r| r.division == "kommun")
        .map(|r| r.code.clone())
        .collect();
    let (regso2020, deso2018) = codes::read_deso_regso(
        src(sources, "codes/deso_regso_2018.json"),
        "regso-2020",
        "deso-2018",
        &municipalities,
    )?;
    let (regso2025, deso2025) = codes::read_deso_regso(
        src(sources, "codes/deso_regso_2025.json"),
        "regso-2025",
        "deso-2025",
        &municipalities,
    )?;
    let labels = codes::read_labels(src(sources, "scb/koppling-deso2018-regso2020.csv"))?;
    let changes = read_change_log(src(sources, "codes/deso_forandringar.json"))?;
    let types = AREA_TYPES
        .iter()
        .map(|&name| {
            Ok((
                name,
                area_types::read_official(src(sources, name), &labels)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let layers = LAYERS
        .iter()
        .map(|&(name, code, division)| {
            let s = src(sources, name);
            let layer = if name.contains(".gpkg") {
                boundaries::read_gpkg(s, code)?
            } else {
                boundaries::read_geojson(s, &[code])?
            };
            Ok((name, division, layer))
        })
        .collect::<Result<Vec<_>>>()?;
    let catalogue = Catalogue::parse(src(sources, "catalogue/indicators.json"))?;
    let values = VALUE_FILES
        .iter()
        .map(|&(name, format)| {
            let s = src(sources, name);
            let obs = match format {
                ValueFormat::JsonStat => values::read_jsonstat(s, &catalogue)?,
                ValueFormat::PxWebV1 => values::read_pxweb_v1(s, &catalogue)?,
            };
            values::check_unique(s, &obs)?;
            Ok((name, obs))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Parsed {
        regions,
        regso2020,
        deso2018,
        regso2025,
        deso2025,
        changes,
        labels: labels.len(),
        layers,
        types,
        catalogue,
        values,
    })
}

fn load_all(conn: &mut PgConnection, sources: &[(&str, Source)]) -> Result<Outcome> {
    let p = parse(sources)?;
    let mut rows: BTreeMap<String, usize> = BTreeMap::new();
    load::clear_all(conn)?;
    load::create_staging(conn)?;
    let mut dataset = |conn: &mut PgConnection, name: &str, count: usize| -> Result<i32> {
        let (kind, s) = sources
            .iter()
            .find(|(_, s)| s.name == name)
            .expect("a bundled file");
        rows.insert(name.to_owned(), count);
        load::record_dataset(conn, kind, s, json!({ "rows": count }), false)
    };

    // Codes of every level and both division versions.
    let id = dataset(conn, "codes/regioner.json", p.regions.len())?;
    load::insert_areas(conn, &p.regions, id)?;
    let id = dataset(
        conn,
        "codes/deso_regso_2018.json",
        p.regso2020.len() + p.deso2018.len(),
    )?;
    load::insert_areas(conn, &p.regso2020, id)?;
    load::insert_areas(conn, &p.deso2018, id)?;
    let id = dataset(
        conn,
        "codes/deso_regso_2025.json",
        p.regso2025.len() + p.deso2025.len(),
    )?;
    load::insert_areas(conn, &p.regso2025, id)?;
    load::insert_areas(conn, &p.deso2025, id)?;
    dataset(conn, "codes/deso_forandringar.json", p.changes.len())?;
    dataset(conn, "scb/koppling-deso2018-regso2020.csv", p.labels)?;

    // Boundaries as published, then the derived ones.
    for (name, division, layer) in &p.layers {
        let n = load::stage_layer(conn, src(sources, name), layer, division, "source")?;
        dataset(conn, name, n)?;
    }
    let members = |deso: &[codes::AreaRow]| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for d in deso {
            m.entry(d.regso.clone().unwrap_or_default())
                .or_default()
                .insert(d.code.clone());
        }
        m
    };
    let unchanged = unchanged_regso(&members(&p.deso2018), &members(&p.deso2025), &p.changes);
    derive_national_geometry(conn, &unchanged)?;

    // Official area types, joined to codes through the mapping export's labels.
    for (name, types) in &p.types {
        let id = dataset(conn, name, types.len())?;
        load::insert_official_types(conn, "regso-2020", types, id)?;
    }

    // The indicator catalogue (entries with values) and the real indicator tables.
    let used: BTreeSet<String> = p
        .values
        .iter()
        .flat_map(|(_, obs)| obs.iter().map(|o| o.indicator.clone()))
        .collect();
    let id = dataset(conn, "catalogue/indicators.json", used.len())?;
    load::insert_indicators(conn, &p.catalogue, &used, id)?;
    for (name, obs) in &p.values {
        let id = dataset(conn, name, obs.len())?;
        load::insert_values(conn, src(sources, name), obs, id)?;
    }

    let data_version = derive::recompute(conn, false)?;
    Ok(Outcome::Imported { data_version, rows })
}

fn read_change_log(s: &Source) -> Result<Vec<(String, String, String)>> {
    let doc = s.json()?;
    let list = doc
        .get("forandringar")
        .and_then(|v| v.as_array())
        .ok_or_else(|| s.error_at(Some("/forandringar".into()), None, "missing or not a list"))?;
    list.iter()
        .enumerate()
        .map(|(i, row)| {
            let cell = |j: usize| {
                row.get(j)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        s.error_at(
                            Some(format!("/forandringar/{i}/{j}")),
                            None,
                            "missing or not a string",
                        )
                    })
            };
            Ok((cell(0)?, cell(1)?, cell(2)?))
        })
        .collect()
}

/// Riket as the union of its län; RegSO 2020 from real DeSO 2018 polygons where all members
/// are there (`exact`), else the RegSO 2025 polygon of the same code, marked
/// `unchanged-2025` where SCB's log shows no boundary change and `approximate-2025` otherwise.
fn derive_national_geometry(conn: &mut PgConnection, unchanged: &BTreeSet<String>) -> Result<()> {
    conn.batch_execute(
        "INSERT INTO staged_geometry (division, code, geom, geometry_source)
         SELECT 'riket', '00', ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(geom)), 3)), 'exact'
         FROM staged_geometry WHERE division = 'lan' HAVING count(*) > 0;

         INSERT INTO staged_geometry (division, code, geom, geometry_source)
         SELECT 'regso-2020', a.regso_code,
                ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(s.geom)), 3)), 'exact'
         FROM staged_geometry s
         JOIN areas a ON a.division = 'deso-2018' AND a.code = s.code
         WHERE s.division = 'deso-2018'
         GROUP BY a.regso_code
         HAVING count(*) = (SELECT count(*) FROM areas m WHERE m.division = 'deso-2018' AND m.regso_code = a.regso_code);",
    )?;
    let unchanged: Vec<&str> = unchanged.iter().map(String::as_str).collect();
    diesel::sql_query(
        "INSERT INTO staged_geometry (division, code, geom, geometry_source)
         SELECT 'regso-2020', s.code, s.geom,
                CASE WHEN s.code = ANY($1::text[]) THEN 'unchanged-2025' ELSE 'approximate-2025' END
         FROM staged_geometry s
         JOIN areas a ON a.division = 'regso-2020' AND a.code = s.code
         WHERE s.division = 'regso-2025'
           AND NOT EXISTS (SELECT 1 FROM staged_geometry e WHERE e.division = 'regso-2020' AND e.code = s.code)",
    )
    .bind::<Array<Text>, _>(unchanged)
    .execute(conn)?;
    Ok(())
}

impl From<&Outcome> for String {
    fn from(o: &Outcome) -> String {
        match o {
            Outcome::Unchanged { data_version } => {
                format!("already imported; nothing changed (data version {data_version})")
            }
            Outcome::Imported { data_version, rows } => {
                let total: usize = rows.values().sum();
                format!(
                    "imported {} files, {total} rows; data version {data_version}",
                    rows.len()
                )
            }
        }
    }
}

/// The bundled data folder: `SEGSTAT_DATA_DIR`, else `data/` here, else the installed copy.
pub fn default_data_dir() -> Result<std::path::PathBuf> {
    let candidates = [
        std::env::var("SEGSTAT_DATA_DIR").ok().map(Into::into),
        Some("data".into()),
        Some("/usr/share/segstat/data".into()),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p: &std::path::PathBuf| p.join(FILES[0].1).exists())
        .ok_or_else(|| {
            Error::Internal(
                "the bundled data folder was not found; pass --data-dir or set SEGSTAT_DATA_DIR"
                    .into(),
            )
        })
}
