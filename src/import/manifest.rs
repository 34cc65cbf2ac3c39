//! A full load of a dataset described by a manifest: which file plays which role. The real
//! bundle (`bundled`) and the synthetic national dataset (`synthetic`) are two manifests over
//! the same readers and the same loader. Every file is read and checked before anything is
//! written; the writes run in one transaction, so an import lands whole or changes nothing.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Text};
use serde_json::json;

use super::catalogue::Catalogue;
use super::load::LoggedChange;
use super::values::{self, Observation};
use super::{area_types, boundaries, codes, derive, load, Source};
use crate::domain::crosswalk;
use crate::domain::geography::Division;
use crate::domain::geometry_source::{unchanged_regso, Change};
use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug)]
pub enum ValueFormat {
    JsonStat,
    PxWebV1,
}

/// What a file is for.
#[derive(Clone, Debug)]
pub enum Role {
    /// riket, län and kommun with names (`regioner.json`).
    Regions,
    /// A DeSO → RegSO mapping with RegSO names, for one division version.
    DesoRegso { regso: Division, deso: Division },
    /// SCB's DeSO change log: stored as imported, and the source of the division crosswalk and
    /// of RegSO 2020 geometry derived from RegSO 2025.
    ChangeLog,
    /// SCB's mapping export, whose labels the area-type exports use.
    Labels,
    /// Boundaries of one division; `code` is the property or column with the area code.
    Layer {
        code: &'static str,
        division: Division,
    },
    /// SCB's export of official area types.
    OfficialTypes,
    /// The indicator catalogue.
    Catalogue,
    /// An indicator table.
    Values(ValueFormat),
}

#[derive(Clone, Debug)]
pub struct Entry {
    /// The dataset kind recorded in `datasets`.
    pub kind: &'static str,
    /// Path under the dataset's folder (or absolute); also the name in messages and records
    /// unless `source` says otherwise.
    pub path: String,
    pub role: Role,
    /// Where the file came from, when it was fetched: the URL, recorded as the source.
    pub source: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Manifest {
    pub entries: Vec<Entry>,
    pub synthetic: bool,
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

/// True when the database already serves exactly these files, derived by this version of the
/// code: then importing them again would change nothing.
fn already_imported(
    conn: &mut PgConnection,
    sources: &[(&Entry, Source)],
    synthetic: bool,
) -> Result<bool> {
    let want: Vec<(String, String, String)> = sources
        .iter()
        .map(|(e, s)| (e.kind.to_owned(), s.name.clone(), s.checksum.clone()))
        .collect();
    let state = crate::db::data_state::current(conn)?;
    Ok(state.data_version == derive::data_version_of(&want) && state.synthetic == synthetic)
}

/// Loads the dataset in `dir` described by `manifest`, replacing whatever was served.
pub fn import(conn: &mut PgConnection, dir: &Path, manifest: &Manifest) -> Result<Outcome> {
    let sources: Vec<(&Entry, Source)> = manifest
        .entries
        .iter()
        .map(|e| {
            Ok((
                e,
                Source::read(&dir.join(&e.path), e.source.as_deref().unwrap_or(&e.path))?,
            ))
        })
        .collect::<Result<_>>()?;
    if already_imported(conn, &sources, manifest.synthetic)? {
        return Ok(Outcome::Unchanged {
            data_version: crate::db::data_state::current(conn)?.data_version,
        });
    }
    let started = std::time::Instant::now();
    let parsed = parse(&sources)?;
    log::info!(
        "read and checked {} files in {:.1?}",
        sources.len(),
        started.elapsed()
    );
    conn.transaction(|conn| write(conn, &sources, &parsed, manifest.synthetic))
}

/// Everything read from the files, checked, before anything is written.
#[derive(Default)]
struct Parsed {
    /// (entry index, rows) of every code list.
    areas: Vec<(usize, Vec<codes::AreaRow>)>,
    /// RegSO → DeSO members per division version, for the derivation of RegSO 2020 geometry.
    members: BTreeMap<Division, BTreeMap<String, BTreeSet<String>>>,
    changes: Option<(usize, Vec<LoggedChange>)>,
    labels: Option<(usize, usize)>,
    layers: Vec<(usize, Division, boundaries::Layer)>,
    types: Vec<(usize, Vec<area_types::OfficialType>)>,
    catalogue: Option<(usize, Catalogue)>,
    values: Vec<(usize, Vec<Observation>)>,
}

fn parse(sources: &[(&Entry, Source)]) -> Result<Parsed> {
    let mut p = Parsed::default();
    let missing = |what: &str| Error::Internal(format!("the manifest lacks {what}"));
    let regions_at = sources
        .iter()
        .position(|(e, _)| matches!(e.role, Role::Regions))
        .ok_or_else(|| missing("a Regions file"))?;
    let regions = codes::read_regions(&sources[regions_at].1)?;
    let municipalities: HashSet<String> = regions
        .iter()
        .filter(|r| r.division == Division::Kommun)
        .map(|r| r.code.clone())
        .collect();
    p.areas.push((regions_at, regions));
    let mut labels = None;
    for (i, (entry, src)) in sources.iter().enumerate() {
        match &entry.role {
            Role::DesoRegso { regso, deso } => {
                let (r, d) = codes::read_deso_regso(src, *regso, *deso, &municipalities)?;
                let m = p.members.entry(*regso).or_default();
                for row in &d {
                    m.entry(row.regso.clone().unwrap_or_default())
                        .or_default()
                        .insert(row.code.clone());
                }
                p.areas.push((i, r.into_iter().chain(d).collect()));
            }
            Role::ChangeLog => p.changes = Some((i, read_change_log(src)?)),
            Role::Labels => {
                let l = codes::read_labels(src)?;
                p.labels = Some((i, l.len()));
                labels = Some(l);
            }
            Role::Catalogue => p.catalogue = Some((i, Catalogue::parse(src)?)),
            _ => {}
        }
    }
    // Small files first: a broken one is reported before the big layers are read.
    for (i, (entry, src)) in sources.iter().enumerate() {
        match &entry.role {
            Role::OfficialTypes => {
                let labels = labels
                    .as_ref()
                    .ok_or_else(|| missing("the Labels file that official area types need"))?;
                p.types.push((i, area_types::read_official(src, labels)?));
            }
            Role::Values(format) => {
                let (_, catalogue) = p
                    .catalogue
                    .as_ref()
                    .ok_or_else(|| missing("the Catalogue that values need"))?;
                let read = match format {
                    ValueFormat::JsonStat => values::read_jsonstat(src, catalogue, None)?,
                    ValueFormat::PxWebV1 => values::read_pxweb_v1(src, catalogue, None)?,
                };
                values::check_unique(src, &read.observations)?;
                report_outside_version(src, &read);
                p.values.push((i, read.observations));
            }
            _ => {}
        }
    }
    for (i, (entry, src)) in sources.iter().enumerate() {
        if let Role::Layer { code, division } = entry.role {
            let layer = if entry.path.contains(".gpkg") {
                boundaries::read_gpkg(src, code)?
            } else {
                boundaries::read_geojson(src, &[code])?
            };
            p.layers.push((i, division, layer));
        }
    }
    Ok(p)
}

fn write(
    conn: &mut PgConnection,
    sources: &[(&Entry, Source)],
    p: &Parsed,
    synthetic: bool,
) -> Result<Outcome> {
    let mut rows: BTreeMap<String, usize> = BTreeMap::new();
    load::clear_all(conn)?;
    load::create_staging(conn)?;
    let mut dataset = |conn: &mut PgConnection, i: usize, count: usize| -> Result<i32> {
        let (entry, src) = &sources[i];
        rows.insert(entry.path.clone(), count);
        load::record_dataset(conn, entry.kind, src, json!({ "rows": count }), synthetic)
    };

    for (i, areas) in &p.areas {
        let id = dataset(conn, *i, areas.len())?;
        load::insert_areas(conn, areas, id)?;
    }
    let log: Vec<Change> = p
        .changes
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|r| r.change.clone()))
        .collect();
    if let Some((i, changes)) = &p.changes {
        let id = dataset(conn, *i, changes.len())?;
        load::insert_deso_changes(conn, changes, id)?;
        if let (Some(m2020), Some(m2025)) = (
            p.members.get(&Division::Regso2020),
            p.members.get(&Division::Regso2025),
        ) {
            load::insert_crosswalk(conn, &crosswalk::derive(m2020, m2025, &log), id)?;
        }
    }
    if let Some((i, n)) = p.labels {
        dataset(conn, i, n)?;
    }

    // Boundaries as published, then the derived ones.
    for (i, division, layer) in &p.layers {
        let n = load::stage_layer(conn, &sources[*i].1, layer, *division, "source")?;
        dataset(conn, *i, n)?;
    }
    let unchanged = match (
        &p.changes,
        p.members.get(&Division::Regso2020),
        p.members.get(&Division::Regso2025),
    ) {
        (Some(_), Some(m2020), Some(m2025)) => unchanged_regso(m2020, m2025, &log),
        _ => BTreeSet::new(),
    };
    derive_geometry(conn, &unchanged, p.changes.is_some())?;

    for (i, types) in &p.types {
        let id = dataset(conn, *i, types.len())?;
        load::insert_official_types(conn, Division::Regso2020, types, id)?;
    }

    // The whole catalogue (an indicator without values shows empty coverage), and the values.
    if let Some((i, catalogue)) = &p.catalogue {
        let id = dataset(conn, *i, catalogue.indicators.len())?;
        load::insert_indicators(conn, catalogue, id)?;
    }
    let started = std::time::Instant::now();
    for (i, obs) in &p.values {
        let id = dataset(conn, *i, obs.len())?;
        load::insert_values(conn, &sources[*i].1, obs, id)?;
    }
    log::info!(
        "wrote {} indicator values in {:.1?}",
        p.values.iter().map(|(_, o)| o.len()).sum::<usize>(),
        started.elapsed()
    );

    // Fresh statistics, so the derivation's joins are planned for the rows just loaded.
    conn.batch_execute("ANALYZE areas; ANALYZE indicator_values; ANALYZE area_type_sources;")?;
    let started = std::time::Instant::now();
    let areas = derive::publish_geometry(conn)?;
    log::info!(
        "simplified and published {areas} geometries in {:.1?}",
        started.elapsed()
    );
    let data_version = derive::recompute_statistics(conn, synthetic)?;
    Ok(Outcome::Imported { data_version, rows })
}

/// Says how many cells of a table were left out because their code's division version does
/// not serve their year, and names those that carried a value (SCB's dense cubes hold both code
/// lists over all years, the cells that do not apply being `..`).
fn report_outside_version(src: &Source, read: &values::Read) {
    if read.outside_version_missing > 0 {
        log::debug!(
            "{}: {} cells outside their division version's years, all missing, left out",
            src.name,
            read.outside_version_missing
        );
    }
    if let Some(first) = read.outside_version_with_value.first() {
        log::warn!(
            "{}: {} cells with a value outside their division version's years were not stored \
             (a 2025-version code before 2024, or a plain code from 2024), e.g. {first}",
            src.name,
            read.outside_version_with_value.len()
        );
    }
}

fn read_change_log(s: &Source) -> Result<Vec<LoggedChange>> {
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
            // The date is optional; when given it must be one.
            let date = match row.get(3).and_then(|v| v.as_str()) {
                None => None,
                Some(d) => Some(chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(
                    |_| {
                        s.error_at(
                            Some(format!("/forandringar/{i}/3")),
                            None,
                            format!("{d:?} is not a date (YYYY-MM-DD)"),
                        )
                    },
                )?),
            };
            Ok(LoggedChange {
                change: (cell(0)?, cell(1)?, cell(2)?),
                date,
            })
        })
        .collect()
}

/// Geometry not published as such: riket as the union of its län; RegSO 2020 dissolved from
/// DeSO 2018 polygons where all members are there (`exact`); and, given SCB's change log, the
/// RegSO 2025 polygon of the same code where no RegSO 2020 polygon was published or dissolved,
/// marked `unchanged-2025` where the log shows no boundary change and `approximate-2025`
/// otherwise.
fn derive_geometry(
    conn: &mut PgConnection,
    unchanged: &BTreeSet<String>,
    borrow_2025: bool,
) -> Result<()> {
    // Riket from its län: $1 riket, $2 län.
    diesel::sql_query(
        "INSERT INTO staged_geometry (division, code, geom, geometry_source)
         SELECT $1, '00', ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(geom)), 3)), 'exact'
         FROM staged_geometry WHERE division = $2
         HAVING count(*) > 0 AND NOT EXISTS (SELECT 1 FROM staged_geometry WHERE division = $1)",
    )
    .bind::<Text, _>(Division::Riket.id())
    .bind::<Text, _>(Division::Lan.id())
    .execute(conn)?;
    // RegSO 2020 dissolved from its DeSO 2018: $1 the RegSO division, $2 its DeSO division.
    let regso = Division::Regso2020;
    let deso = regso
        .child()
        .ok_or_else(|| Error::Internal(format!("{regso} has no DeSO division")))?;
    diesel::sql_query(
        "INSERT INTO staged_geometry (division, code, geom, geometry_source)
         SELECT $1, a.regso_code,
                ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(s.geom)), 3)), 'exact'
         FROM staged_geometry s
         JOIN areas a ON a.division = $2 AND a.code = s.code
         WHERE s.division = $2
           AND NOT EXISTS (SELECT 1 FROM staged_geometry e WHERE e.division = $1 AND e.code = a.regso_code)
         GROUP BY a.regso_code
         HAVING count(*) = (SELECT count(*) FROM areas m WHERE m.division = $2 AND m.regso_code = a.regso_code)",
    )
    .bind::<Text, _>(regso.id())
    .bind::<Text, _>(deso.id())
    .execute(conn)?;
    if !borrow_2025 {
        return Ok(());
    }
    // RegSO 2020 ($2) borrowed from RegSO 2025 ($3) of the same code.
    let unchanged: Vec<&str> = unchanged.iter().map(String::as_str).collect();
    diesel::sql_query(
        "INSERT INTO staged_geometry (division, code, geom, geometry_source)
         SELECT $2, s.code, s.geom,
                CASE WHEN s.code = ANY($1::text[]) THEN 'unchanged-2025' ELSE 'approximate-2025' END
         FROM staged_geometry s
         JOIN areas a ON a.division = $2 AND a.code = s.code
         WHERE s.division = $3
           AND NOT EXISTS (SELECT 1 FROM staged_geometry e WHERE e.division = $2 AND e.code = s.code)",
    )
    .bind::<Array<Text>, _>(unchanged)
    .bind::<Text, _>(Division::Regso2020.id())
    .bind::<Text, _>(Division::Regso2025.id())
    .execute(conn)?;
    Ok(())
}
