//! The whole barometer from SCB in one command: for every table the indicator catalogue reads,
//! read the table's metadata from PxWebApi 2, plan the calls (every year, every level from
//! riket to DeSO, both division versions), split them under SCB's cell limit, and fetch what
//! is not fetched yet. The fetched files are then imported in one transaction.
//!
//! Planning is pure ([`plan_table`]); fetching is [`fetch_all`]: resumable (each call's file
//! is named after what it asks for, written whole or not at all, and skipped when present),
//! within SCB's calls per time window, waiting out a `429` for its `Retry-After`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::catalogue::{Catalogue, Indicator};
use crate::convert::u64_from_usize;
use crate::domain::codes::{self, Level};
use crate::error::{Error, Result};

/// SCB's documented limit of cells in one response (`maxDataCells` in `/config`).
pub const MAX_DATA_CELLS: usize = 150_000;

/// One dimension of a table, with its codes in the table's order.
#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    pub id: String,
    pub codes: Vec<String>,
}

/// What planning needs of a table's metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct TableMeta {
    pub table: String,
    /// In the table's order; `Region`, `ContentsCode` and the time dimension among them.
    pub dimensions: Vec<Dimension>,
    pub time: String,
}

impl TableMeta {
    /// Reads a PxWebApi 2 metadata response (JSON-stat 2.0).
    pub fn parse(table: &str, doc: &Value) -> std::result::Result<TableMeta, String> {
        let ids: Vec<String> = doc
            .get("id")
            .and_then(Value::as_array)
            .ok_or("no `id` list: not a JSON-stat 2.0 metadata response")?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let mut dimensions = Vec::new();
        for id in &ids {
            let index = doc
                .pointer(&format!("/dimension/{id}/category/index"))
                .ok_or_else(|| format!("dimension {id} has no category index"))?;
            let codes: Vec<String> = match index {
                Value::Object(o) => {
                    let mut v: Vec<(u64, &String)> = o
                        .iter()
                        .map(|(k, i)| (i.as_u64().unwrap_or(u64::MAX), k))
                        .collect();
                    v.sort();
                    v.into_iter().map(|(_, k)| k.clone()).collect()
                }
                Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => return Err(format!("dimension {id}: the category index is not a list")),
            };
            dimensions.push(Dimension {
                id: id.clone(),
                codes,
            });
        }
        let time = doc
            .pointer("/role/time/0")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| ids.iter().find(|i| *i == "Tid").cloned())
            .ok_or("no time dimension")?;
        for needed in ["Region", "ContentsCode"] {
            if !ids.iter().any(|i| i == needed) {
                return Err(format!("no {needed} dimension"));
            }
        }
        Ok(TableMeta {
            table: table.to_owned(),
            dimensions,
            time,
        })
    }

    fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.id == id)
    }
}

/// One call: a selection of codes for every dimension of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub table: String,
    pub selection: Vec<(String, Vec<String>)>,
}

impl Call {
    pub fn cells(&self) -> usize {
        self.selection.iter().map(|(_, c)| c.len()).product()
    }

    /// The body of a `POST /tables/{id}/data`.
    pub fn body(&self) -> Value {
        json!({
            "selection": self.selection.iter().map(|(dim, codes)| json!({
                "variableCode": dim,
                "valueCodes": codes,
            })).collect::<Vec<_>>()
        })
    }

    /// The file the response is kept in: named after the table and a digest of the selection,
    /// so a rerun finds what an interrupted run already fetched.
    pub fn file_name(&self) -> String {
        let digest = super::sha256_hex(self.body().to_string().as_bytes());
        format!("{}-{}.json", self.table, &digest[..16])
    }
}

/// Which years a region code's division version serves, as a group of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    /// riket, län, kommun: every year.
    Administrative,
    /// Plain RegSO and DeSO codes: the 2018/2020 versions, years up to 2023.
    Version2020,
    /// Suffixed codes of the 2025 versions: from 2024.
    Version2025,
}

fn group_of(code: &codes::AreaCode) -> Option<Group> {
    match (code.level, code.version) {
        (Level::Riket | Level::Lan | Level::Kommun, _) => Some(Group::Administrative),
        (_, None) => Some(Group::Version2020),
        (_, Some(2025)) => Some(Group::Version2025),
        (_, Some(_)) => Some(Group::Version2020),
    }
}

/// Whether a region code is among the municipalities asked for (all when none are).
fn wanted(code: &codes::AreaCode, municipalities: &[String]) -> bool {
    municipalities.is_empty()
        || match code.level {
            Level::Riket => true,
            Level::Lan => municipalities.iter().any(|m| m.starts_with(&code.code)),
            _ => municipalities
                .iter()
                .any(|m| code.code.starts_with(m.as_str())),
        }
}

/// Plans the calls for one table: the contents codes and codes of other dimensions the
/// catalogue reads, every year, and every region of the table (or of `municipalities`), each
/// code only with the years its division version serves. Calls are split by region (and by
/// year where one region alone exceeds the limit) so that none exceeds `max_cells`.
pub fn plan_table(
    meta: &TableMeta,
    indicators: &[&Indicator],
    municipalities: &[String],
    max_cells: usize,
) -> std::result::Result<Vec<Call>, String> {
    let missing = |dim: &str, code: &str| {
        format!(
            "{}: the catalogue reads {dim}={code}, which the table does not have",
            meta.table
        )
    };
    // Codes of each non-region, non-time dimension.
    let mut chosen: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut free: BTreeSet<&str> = BTreeSet::new();
    for ind in indicators {
        let fixed = ind.fixed_dimensions();
        for d in &meta.dimensions {
            if d.id != "Region"
                && d.id != "ContentsCode"
                && d.id != meta.time
                && !fixed.contains(&d.id.as_str())
            {
                free.insert(&d.id);
            }
        }
        for (contents, select) in ind.cells() {
            let known = meta
                .dimension("ContentsCode")
                .is_some_and(|d| d.codes.contains(&contents));
            if !known {
                // An `also` source names another table's contents; only this table's count.
                if ind.contents_code.as_deref() == Some(contents.as_str()) || ind.is_computed() {
                    return Err(missing("ContentsCode", &contents));
                }
                continue;
            }
            let contents = meta
                .dimension("ContentsCode")
                .and_then(|d| d.codes.iter().find(|c| **c == contents))
                .map(String::as_str)
                .unwrap_or_default();
            chosen.entry("ContentsCode").or_default().insert(contents);
            for (dim, code) in &select {
                let d = meta.dimension(dim).ok_or_else(|| missing(dim, code))?;
                let c = d
                    .codes
                    .iter()
                    .find(|c| *c == code)
                    .ok_or_else(|| missing(dim, code))?;
                chosen.entry(d.id.as_str()).or_default().insert(c.as_str());
            }
        }
    }
    // Regions by the years their version serves.
    let mut groups: BTreeMap<Group, Vec<String>> = BTreeMap::new();
    let mut unknown = 0;
    for raw in &meta.dimension("Region").ok_or("no Region dimension")?.codes {
        let Ok(code) = codes::parse(raw) else {
            unknown += 1;
            continue;
        };
        if let Some(g) = group_of(&code).filter(|_| wanted(&code, municipalities)) {
            groups.entry(g).or_default().push(raw.clone());
        }
    }
    if unknown > 0 {
        log::warn!(
            "{}: {unknown} region codes are no SCB area code we know; not fetched",
            meta.table
        );
    }
    let years = &meta.dimension(&meta.time).ok_or("no time dimension")?.codes;
    let mut calls = Vec::new();
    for (group, regions) in groups {
        let years: Vec<String> = years
            .iter()
            .filter(|y| {
                let y: i32 = y.parse().unwrap_or(0);
                match group {
                    Group::Administrative => true,
                    Group::Version2020 => y <= 2023,
                    Group::Version2025 => y >= 2024,
                }
            })
            .cloned()
            .collect();
        if years.is_empty() {
            continue;
        }
        let others: Vec<(String, Vec<String>)> = meta
            .dimensions
            .iter()
            .filter(|d| d.id != "Region" && d.id != meta.time)
            .map(|d| {
                let codes = if d.id != "ContentsCode" && free.contains(d.id.as_str()) {
                    d.codes.clone()
                } else {
                    // In the table's order, as a client would list them.
                    let want = chosen.get(d.id.as_str());
                    d.codes
                        .iter()
                        .filter(|c| want.is_some_and(|w| w.contains(c.as_str())))
                        .cloned()
                        .collect()
                };
                (d.id.clone(), codes)
            })
            .collect();
        if others.iter().any(|(_, c)| c.is_empty()) {
            // A dimension with nothing to select: the catalogue reads nothing here.
            return Err(format!(
                "{}: the catalogue selects no code of {}",
                meta.table,
                others
                    .iter()
                    .find(|(_, c)| c.is_empty())
                    .map(|(d, _)| d.as_str())
                    .unwrap_or("")
            ));
        }
        let per_region_year: usize = others.iter().map(|(_, c)| c.len()).product();
        if per_region_year > max_cells {
            return Err(format!(
                "{}: one region and year alone has {per_region_year} cells, over the limit of {max_cells}",
                meta.table
            ));
        }
        let years_per_call = (max_cells / per_region_year).min(years.len()).max(1);
        for year_chunk in years.chunks(years_per_call) {
            let per_region = per_region_year * year_chunk.len();
            let regions_per_call = (max_cells / per_region).max(1);
            for region_chunk in regions.chunks(regions_per_call) {
                let selection = meta
                    .dimensions
                    .iter()
                    .map(|d| {
                        let codes = if d.id == "Region" {
                            region_chunk.to_vec()
                        } else if d.id == meta.time {
                            year_chunk.to_vec()
                        } else {
                            others
                                .iter()
                                .find(|(id, _)| *id == d.id)
                                .map(|(_, c)| c.clone())
                                .unwrap_or_default()
                        };
                        (d.id.clone(), codes)
                    })
                    .collect();
                calls.push(Call {
                    table: meta.table.clone(),
                    selection,
                });
            }
        }
    }
    Ok(calls)
}

/// What `fetch_all` brought: the data files with the URL each came from, the metadata files,
/// and whether the server said its values are synthetic (a replay, never SCB).
pub struct Fetched {
    pub data: Vec<super::online::Fetched>,
    pub synthetic: bool,
    pub calls_made: usize,
    pub calls_skipped: usize,
}

/// Reads SCB's `/config` for its limits; SCB's documented ones when it does not answer.
fn limits(fetcher: &mut super::online::Fetcher, base: &str) -> (usize, usize, u64) {
    match fetcher.get_json(&format!("{}/config", base.trim_end_matches('/'))) {
        Ok(doc) => (
            doc.get("maxDataCells")
                .and_then(Value::as_u64)
                .map_or(MAX_DATA_CELLS, |n| usize::try_from(n).unwrap_or(usize::MAX)),
            doc.get("maxCallsPerTimeWindow")
                .and_then(Value::as_u64)
                .map_or(30, |n| usize::try_from(n).unwrap_or(usize::MAX)),
            doc.get("timeWindow").and_then(Value::as_u64).unwrap_or(10),
        ),
        Err(e) => {
            log::warn!("{base}/config: {e}; using SCB's documented limits");
            (MAX_DATA_CELLS, 30, 10)
        }
    }
}

fn marks_synthetic(doc: &Value) -> bool {
    doc.pointer("/extension/synthetic").and_then(Value::as_bool) == Some(true)
}

/// The files in `keep` came from one server: a folder filled from a replay is never taken for
/// SCB's answers, or the other way round.
fn check_source(keep: &Path, base: &str) -> Result<()> {
    let path = keep.join("source.json");
    match std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    {
        Some(doc) if doc.get("base").and_then(Value::as_str) != Some(base) => Err(Error::Import {
            file: path.display().to_string(),
            location: None,
            field: Some("base".into()),
            message: format!(
                "{} holds files fetched from {}, not {base}: give another --keep, or delete it",
                keep.display(),
                doc.get("base").and_then(Value::as_str).unwrap_or("?")
            ),
        }),
        Some(_) => Ok(()),
        None => super::online::write_whole(&path, json!({ "base": base }).to_string().as_bytes()),
    }
}

/// Deletes the kept data files of a table; returns how many there were.
fn forget_table(keep: &Path, table: &str) -> Result<usize> {
    let prefix = format!("{table}-");
    let mut n = 0;
    for entry in std::fs::read_dir(keep)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with(&prefix) && name.ends_with(".json") {
            std::fs::remove_file(&path)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Fetches every table the catalogue reads into `keep`, skipping the calls whose files are
/// already there.
pub fn fetch_all(
    base: &str,
    catalogue: &Catalogue,
    municipalities: &[String],
    keep: &Path,
) -> Result<Fetched> {
    std::fs::create_dir_all(keep)?;
    check_source(keep, base)?;
    let tables = catalogue.tables();
    let mut fetcher = super::online::Fetcher::new(
        keep,
        u64_from_usize(tables.len()) + 1,
        super::online::RateLimiter::scb(),
    )?;
    let (max_cells, calls, window) = limits(&mut fetcher, base);
    fetcher.set_limits(calls, std::time::Duration::from_secs(window.max(1)));
    let mut synthetic = false;
    let mut plan: Vec<(Call, PathBuf)> = Vec::new();
    for (table, indicators) in &tables {
        // Tables read only through an older API (PxWeb v1 files) have no PxWebApi 2 id.
        if !table.starts_with("TAB") {
            continue;
        }
        // The metadata is always read anew (one call a table): when SCB has updated a table
        // since the kept files were fetched, they are fetched again.
        let meta_path = keep.join(format!("{table}.metadata.json"));
        let url = format!(
            "{}/tables/{table}/metadata?lang=en&outputFormat=json-stat2",
            base.trim_end_matches('/')
        );
        let doc = fetcher.get_json(&url)?;
        let kept: Option<Value> = std::fs::read(&meta_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        if kept.is_some_and(|k| k.get("updated") != doc.get("updated")) {
            let stale = forget_table(keep, table)?;
            log::info!(
                "{table} was updated at SCB since it was fetched: fetching its {stale} files again"
            );
        }
        super::online::write_whole(&meta_path, &serde_json::to_vec(&doc)?)?;
        synthetic |= marks_synthetic(&doc);
        let meta = TableMeta::parse(table, &doc).map_err(|m| Error::Import {
            file: meta_path.display().to_string(),
            location: None,
            field: None,
            message: m,
        })?;
        let calls = plan_table(&meta, indicators, municipalities, max_cells).map_err(|m| {
            Error::Import {
                file: meta_path.display().to_string(),
                location: None,
                field: None,
                message: m,
            }
        })?;
        plan.extend(calls.into_iter().map(|c| {
            let path = keep.join(c.file_name());
            (c, path)
        }));
    }
    let todo: Vec<&(Call, PathBuf)> = plan.iter().filter(|(_, p)| !p.exists()).collect();
    let cells: usize = plan.iter().map(|(c, _)| c.cells()).sum();
    log::info!(
        "{} tables, {} calls ({} already fetched), {cells} cells; at most {calls} calls per {window} s",
        tables.keys().filter(|t| t.starts_with("TAB")).count(),
        plan.len(),
        plan.len() - todo.len(),
    );
    fetcher.start_calls(u64_from_usize(todo.len()));
    for (call, path) in &todo {
        let url = format!(
            "{}/tables/{}/data?lang=en&outputFormat=json-stat2",
            base.trim_end_matches('/'),
            call.table
        );
        let bytes = fetcher.post_json(&url, &call.body())?;
        // Only a whole JSON-stat dataset is kept: anything else would pass for fetched.
        let whole = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .is_some_and(|d| d.get("class").and_then(Value::as_str) == Some("dataset"));
        if !whole {
            return Err(Error::Import {
                file: url,
                location: None,
                field: None,
                message: format!(
                    "the answer is not a JSON-stat 2.0 dataset: {}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                ),
            });
        }
        super::online::write_whole(path, &bytes)?;
    }
    fetcher.finish();
    let mut data = Vec::new();
    for (call, path) in &plan {
        if !synthetic {
            // A replay marks its data too; a real SCB response never does.
            let head = std::fs::read(path)?;
            synthetic |= serde_json::from_slice::<Value>(&head)
                .map(|d| marks_synthetic(&d))
                .unwrap_or(false);
        }
        data.push(super::online::Fetched {
            path: path.clone(),
            // One POST URL serves many calls: the selection's digest tells them apart.
            url: format!(
                "{}/tables/{}/data (POST {}, {} cells)",
                base.trim_end_matches('/'),
                call.table,
                call.file_name().trim_end_matches(".json"),
                call.cells()
            ),
        });
    }
    Ok(Fetched {
        data,
        synthetic,
        calls_made: todo.len(),
        calls_skipped: plan.len() - todo.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Source;

    /// The real metadata of a table from `data/scb-metadata`, with a Region list made of
    /// `regions`.
    fn meta(table: &str, regions: &[&str]) -> TableMeta {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/scb-metadata/");
        let tail = std::fs::read_to_string(format!("{dir}{table}.tail.txt")).unwrap();
        let mut doc: Value =
            serde_json::from_str(&format!("{{\"dimension\": {{\"Region\": {{{tail}")).unwrap();
        let mut ids = vec!["Region".to_owned()];
        ids.extend(
            doc["dimension"]
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| *k != "Region")
                .cloned(),
        );
        let index: serde_json::Map<String, Value> = regions
            .iter()
            .enumerate()
            .map(|(i, r)| ((*r).to_owned(), json!(i)))
            .collect();
        doc["dimension"]["Region"]["category"] = json!({ "index": index });
        doc["id"] = json!(ids);
        doc["role"] = json!({"time": ["Tid"]});
        TableMeta::parse(table, &doc).unwrap()
    }

    /// Every code of a dimension over a plan's calls, in call order.
    fn all_codes(calls: &[Call], dim: &str) -> Vec<String> {
        calls
            .iter()
            .flat_map(|c| {
                c.selection
                    .iter()
                    .find(|(d, _)| d == dim)
                    .unwrap()
                    .1
                    .clone()
            })
            .collect()
    }

    fn catalogue() -> Catalogue {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/catalogue/indicators.json"
        );
        Catalogue::parse(&Source::read(Path::new(path), "indicators.json").unwrap()).unwrap()
    }

    #[test]
    fn each_code_is_asked_only_for_the_years_its_version_serves() {
        let cat = catalogue();
        let tables = cat.tables();
        let m = meta(
            "TAB6586",
            &[
                "0114R001",
                "0114R001_RegSO2025",
                "0114R002",
                "0114R002_RegSO2025",
            ],
        );
        let calls = plan_table(&m, &tables["TAB6586"], &[], MAX_DATA_CELLS).unwrap();
        assert_eq!(calls.len(), 2);
        let sel = |c: &Call, d: &str| {
            c.selection
                .iter()
                .find(|(id, _)| id == d)
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(sel(&calls[0], "Region"), ["0114R001", "0114R002"]);
        assert_eq!(sel(&calls[0], "Tid").len(), 13, "2011–2023");
        assert_eq!(
            sel(&calls[1], "Region"),
            ["0114R001_RegSO2025", "0114R002_RegSO2025"]
        );
        assert_eq!(sel(&calls[1], "Tid"), ["2024"]);
        assert_eq!(sel(&calls[0], "ContentsCode").len(), 5);
    }

    #[test]
    fn calls_stay_under_the_cell_limit_and_cover_every_region() {
        let cat = catalogue();
        let tables = cat.tables();
        let regions: Vec<String> = (1..=400).map(|i| format!("0180R{i:03}")).collect();
        let refs: Vec<&str> = regions.iter().map(String::as_str).collect();
        let m = meta("TAB6574", &refs);
        let calls = plan_table(&m, &tables["TAB6574"], &[], 1_000).unwrap();
        assert!(calls.iter().all(|c| c.cells() <= 1_000));
        let covered: BTreeSet<String> = all_codes(&calls, "Region").into_iter().collect();
        assert_eq!(covered.len(), 400);
        // Population reads Alder=totalt and the age bands of its computed shares; Kon is free.
        let alder = &calls[0]
            .selection
            .iter()
            .find(|(d, _)| d == "Alder")
            .unwrap()
            .1;
        assert!(alder.contains(&"totalt".to_owned()) && alder.contains(&"80-".to_owned()));
        assert!(
            !alder.contains(&"20-24".to_owned()),
            "bands no indicator reads are not asked for"
        );
        let kon = &calls[0]
            .selection
            .iter()
            .find(|(d, _)| d == "Kon")
            .unwrap()
            .1;
        assert_eq!(kon.len(), 3);
    }

    #[test]
    fn municipalities_restrict_the_regions_and_names_are_stable() {
        let cat = catalogue();
        let tables = cat.tables();
        let m = meta(
            "TAB6685",
            &[
                "00",
                "01",
                "03",
                "0180",
                "0380",
                "0180R001",
                "0380R001_RegSO2025",
            ],
        );
        let calls =
            plan_table(&m, &tables["TAB6685"], &["0180".to_owned()], MAX_DATA_CELLS).unwrap();
        let regions = all_codes(&calls, "Region");
        assert_eq!(regions, ["00", "01", "0180", "0180R001"]);
        assert_eq!(calls[0].file_name(), calls[0].clone().file_name());
        assert_ne!(calls[0].file_name(), calls[1].file_name());
    }

    #[test]
    fn a_code_the_table_lacks_is_a_catalogue_error() {
        let cat = catalogue();
        let mut ind = cat.get("population").unwrap().clone();
        ind.select.insert("Alder".into(), "999".into());
        let m = meta("TAB6574", &["0180"]);
        let err = plan_table(&m, &[&ind], &[], MAX_DATA_CELLS).unwrap_err();
        assert!(err.contains("Alder=999"), "{err}");
    }
}
