//! What a replay serves: the tables' metadata and regions, read once (`load`), and their values
//! from the seeded model.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use super::regions::{Geography, Region, Restriction};
use super::selection::DimensionCodes;
use super::tables::TableMeta;
use super::values::{round_to, AreaYear, Model};
use crate::error::{Error, Result};

/// How a replay is set up; `Default` is SCB's own limits over the whole country.
#[derive(Clone, Debug)]
pub struct ReplayOptions {
    /// The bundled data folder; `None`: where the other commands find it.
    pub data_dir: Option<PathBuf>,
    /// Serve only these kommuner (with riket, their län, RegSO and DeSO); empty: all.
    pub municipalities: Vec<String>,
    pub seed: u64,
    /// Cells one data call may select (SCB: 150,000).
    pub max_cells: u64,
    /// Calls allowed per `window`, over all clients (SCB: 30 per 10 s).
    pub calls: u32,
    pub window: Duration,
}

impl Default for ReplayOptions {
    fn default() -> ReplayOptions {
        ReplayOptions {
            data_dir: None,
            municipalities: Vec::new(),
            seed: 1,
            max_cells: 150_000,
            calls: 30,
            window: Duration::from_secs(10),
        }
    }
}

/// One replayed table: its metadata and the categories of every dimension, Region first.
pub struct ReplayTable {
    pub meta: TableMeta,
    pub regions: Vec<Region>,
    /// Region, then the metadata's dimensions, in the table's order.
    pub dimensions: Vec<DimensionCodes>,
}

/// Everything a replay serves, read and set up once.
pub struct Replay {
    pub options: ReplayOptions,
    pub tables: Vec<ReplayTable>,
    model: Model,
}

/// Reads the metadata and code lists and sets up the seeded model.
pub fn load(options: ReplayOptions) -> Result<Replay> {
    let data_dir = match &options.data_dir {
        Some(dir) => dir.clone(),
        None => crate::import::bundled::default_data_dir()?,
    };
    let geography = Geography::read(&data_dir)?;
    let unknown: Vec<String> = options
        .municipalities
        .iter()
        .filter(|m| !geography.municipalities.iter().any(|(c, _)| c == *m))
        .map(|m| format!("--municipalities: {m:?} is not a kommun code (such as 0180)"))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::Config(unknown));
    }
    let restriction = Restriction::new(&options.municipalities);
    let mut years: Vec<u16> = Vec::new();
    let mut tables = Vec::new();
    for meta in TableMeta::read_all(&data_dir)? {
        let regions = geography.table_regions(&meta.region_code_lists, &restriction)?;
        let mut dimensions = vec![DimensionCodes::new(
            "Region",
            regions.iter().map(|r| r.code.clone()).collect(),
        )];
        for d in &meta.dimensions {
            dimensions.push(DimensionCodes::new(&d.id, d.codes.clone()));
            if d.id == "Tid" {
                years.extend(d.codes.iter().filter_map(|y| y.parse::<u16>().ok()));
            }
        }
        tables.push(ReplayTable {
            meta,
            regions,
            dimensions,
        });
    }
    years.sort_unstable();
    years.dedup();
    let model = Model::new(options.seed, &geography, &years);
    Ok(Replay {
        options,
        tables,
        model,
    })
}

impl Replay {
    /// A table by id, in any case.
    pub fn table(&self, id: &str) -> Option<&ReplayTable> {
        self.tables
            .iter()
            .find(|t| t.meta.id.eq_ignore_ascii_case(id))
    }

    /// The selected cells of a table, dense and row-major (last dimension fastest), each with
    /// its contents code's decimals.
    pub fn values(&self, table: &ReplayTable, positions: &[Vec<usize>]) -> Vec<(Option<f64>, u32)> {
        let ids: Vec<&str> = table.dimensions.iter().map(|d| d.id.as_str()).collect();
        let time = ids.iter().position(|d| *d == "Tid");
        let contents = ids.iter().position(|d| *d == "ContentsCode");
        let total: usize = positions.iter().map(Vec::len).product();
        let mut out = Vec::with_capacity(total);
        if total == 0 {
            return out;
        }
        let mut at = vec![0usize; positions.len()];
        let mut rows: HashMap<u16, Option<AreaYear>> = HashMap::new();
        let mut region_now = usize::MAX;
        loop {
            let code = |d: usize| table.dimensions[d].codes[positions[d][at[d]]].as_str();
            let region = positions[0][at[0]];
            if region != region_now {
                rows.clear();
                region_now = region;
            }
            let year: u16 = time.and_then(|t| code(t).parse().ok()).unwrap_or(0);
            let row = rows.entry(year).or_insert_with(|| {
                self.model
                    .area_year(&table.meta.id, &table.regions[region], year)
            });
            let decimals = contents.map_or(0, |c| table.meta.dimensions[c - 1].decimals(code(c)));
            let categories: Vec<(&str, &str)> = (1..ids.len())
                .filter(|&d| Some(d) != time)
                .map(|d| (ids[d], code(d)))
                .collect();
            let value = row
                .as_ref()
                .and_then(|row| self.model.value(row, &categories))
                .map(|v| round_to(v, decimals));
            out.push((value, decimals));
            // Next cell: the last dimension moves fastest.
            let mut d = positions.len();
            loop {
                if d == 0 {
                    return out;
                }
                d -= 1;
                at[d] += 1;
                if at[d] < positions[d].len() {
                    break;
                }
                at[d] = 0;
            }
        }
    }
}
