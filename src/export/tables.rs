//! The tables of a download as CSV for Swedish Excel (`;`, decimal comma, UTF-8 with BOM): all
//! indicator values in a zip with the catalogue and a README, and the area types and summaries
//! as plain CSV files. Rows are streamed from the database into the file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use diesel::PgConnection;
use serde_json::json;
use zip::write::SimpleFileOptions;

use crate::db;
use crate::db::data_state::DataState;
use crate::error::Result;
use crate::render::csv::{CsvOptions, CsvWriter, SYNTHETIC_COLUMN};
use crate::render::values_csv;

/// Swedish Excel's CSV: semicolons, decimal commas, and a BOM so it reads UTF-8.
pub const SWEDISH_EXCEL: CsvOptions = CsvOptions {
    sep: ';',
    decimal_comma: true,
    bom: true,
};

/// Columns of the values file: `/v1/data`'s long CSV in English, then `synthetic`.
pub const VALUE_COLUMNS: [&str; 12] = {
    let mut columns = [SYNTHETIC_COLUMN; 12];
    let mut i = 0;
    while i < values_csv::COLUMNS_EN.len() {
        columns[i] = values_csv::COLUMNS_EN[i];
        i += 1;
    }
    columns
};

/// Rows written before the text goes to the file.
const FLUSH_ROWS: usize = 4096;

fn flag(b: bool) -> String {
    b.to_string()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A CSV file written in pieces: rows go into a [`CsvWriter`], and every [`FLUSH_ROWS`] rows its
/// text goes to `out`.
struct CsvStream<W: Write> {
    csv: CsvWriter,
    out: W,
    pending: usize,
}

impl<W: Write> CsvStream<W> {
    fn new(out: W, header: &[&str]) -> CsvStream<W> {
        CsvStream {
            csv: CsvWriter::new(SWEDISH_EXCEL, header, false),
            out,
            pending: 0,
        }
    }

    fn number(&self, v: Option<f64>) -> String {
        self.csv.number(v)
    }

    fn row(&mut self, cells: Vec<String>) -> Result<()> {
        self.csv.row(cells);
        self.pending += 1;
        if self.pending >= FLUSH_ROWS {
            self.out.write_all(self.csv.take().as_bytes())?;
            self.pending = 0;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<W> {
        self.out.write_all(self.csv.take().as_bytes())?;
        Ok(self.out)
    }
}

/// All indicator values as `values.csv` in a zip (deflate), with `catalogue/indicators.json`
/// and `README.txt`.
pub fn write_values(conn: &mut PgConnection, out: &Path) -> Result<()> {
    let data = db::data_state::current(conn)?;
    let catalogue = db::indicators::catalogue(conn)?;
    let datasets = db::data_state::datasets(conn)?;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let mut zip = zip::ZipWriter::new(BufWriter::new(File::create(out)?));

    zip.start_file("README.txt", options)?;
    zip.write_all(readme(&data, &catalogue, &datasets).as_bytes())?;

    zip.start_file("catalogue/indicators.json", options)?;
    let indicators: Vec<serde_json::Value> = catalogue
        .iter()
        .map(|(i, coverage)| {
            json!({
                "id": i.id, "theme": i.theme, "name_sv": i.name_sv, "name_en": i.name_en,
                "description_sv": i.description_sv, "description_en": i.description_en,
                "unit": i.unit, "age_band": i.age_band, "source_table": i.source_table,
                "origin": i.origin, "contents_code": i.contents_code, "selection": i.selection,
                "formula": i.formula, "inputs": i.inputs, "decimals": i.decimals,
                "coverage": coverage.iter().map(|c| json!({
                    "division": c.division,
                    "years": c.years.iter().flatten().collect::<Vec<_>>(),
                    "breakdowns": c.breakdowns.iter().flatten().collect::<Vec<_>>(),
                    "values": c.values_ok, "missing": c.values_missing,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_writer_pretty(
        &mut zip,
        &json!({
            "data_version": data.data_version,
            "synthetic": data.synthetic,
            "indicators": indicators,
        }),
    )?;

    zip.start_file("values.csv", options)?;
    let info: std::collections::BTreeMap<&str, &db::indicators::IndicatorRow> =
        catalogue.iter().map(|(i, _)| (i.id.as_str(), i)).collect();
    let mut csv = CsvStream::new(&mut zip, &VALUE_COLUMNS);
    db::export::each_value(conn, |v| {
        let (name, unit, origin) = info
            .get(v.indicator.as_str())
            .map(|i| (i.name_en.clone(), i.unit.clone(), i.origin.clone()))
            .unwrap_or_default();
        let value = csv.number(v.value);
        csv.row(vec![
            v.indicator,
            name,
            v.division.id().to_owned(),
            v.code,
            v.name.unwrap_or_default(),
            v.year.to_string(),
            v.breakdown,
            value,
            v.status,
            unit,
            origin,
            flag(data.synthetic),
        ])
    })?;
    csv.finish()?;
    zip.finish()?.flush()?;
    Ok(())
}

/// The README inside the values zip: what the files hold, where the figures come from, the
/// licence, and what "computed" and "synthetic" mean.
pub fn readme(
    data: &DataState,
    catalogue: &[(db::indicators::IndicatorRow, Vec<db::indicators::Coverage>)],
    datasets: &[db::data_state::Dataset],
) -> String {
    let mut text = String::new();
    if data.synthetic {
        text.push_str(
            "SYNTHETIC DATA: every figure in this download was generated by segstat for tests and\n\
             demonstrations. It is not SCB statistics and must not be cited as such.\n\n",
        );
    }
    text.push_str(&format!(
        "Segregation statistics for Sweden: all indicator values\n\
         Data version {} (exported {}).\n\n\
         Files\n\
         - values.csv: one row per value (long format), for Swedish Excel: separator ';', decimal\n\
           comma, UTF-8 with BOM. Columns: {}.\n\
           pandas: pd.read_csv(zipfile.ZipFile(path).open('values.csv'), sep=';', decimal=',',\n\
           encoding='utf-8-sig', dtype={{'code': str}})\n\
         - catalogue/indicators.json: the indicator catalogue (names, descriptions, units, source\n\
           tables, how computed values are computed, coverage per division).\n\n\
         Columns\n\
         - status: 'ok', or 'missing' where SCB publishes no value ('..'); a missing value is\n\
           empty, never 0.\n\
         - origin: 'published' is SCB's figure as it is; 'computed' was computed by segstat from\n\
           SCB's figures (the catalogue gives the formula). Computed values are not SCB's.\n\
         - division: the area division and its version (riket, lan, kommun, regso-2020, regso-2025,\n\
           deso-2018, deso-2025); a code is unique only within its division.\n\n",
        data.data_version,
        data.updated_at.format("%Y-%m-%d %H:%M UTC"),
        VALUE_COLUMNS.join(", "),
    ));
    let mut tables: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (i, _) in catalogue {
        tables
            .entry(i.source_table.as_str())
            .or_default()
            .push(i.id.as_str());
    }
    text.push_str("Source tables (SCB's statistical database)\n");
    for (table, ids) in tables {
        text.push_str(&format!("- {table}: {}\n", ids.join(", ")));
    }
    text.push_str("\nLicence and attribution\n");
    let mut seen = std::collections::BTreeSet::new();
    for d in datasets {
        if seen.insert((d.licence.as_str(), d.attribution.as_str())) {
            text.push_str(&format!(
                "- {}{}; credit: {}\n",
                d.licence,
                if d.synthetic { " (synthetic)" } else { "" },
                d.attribution
            ));
        }
    }
    text.push_str(
        "SCB publishes its open data under CC0 1.0 (older pages say CC BY 4.0); either way,\n\
         credit the source as \"Källa: SCB\", and say which figures segstat computed.\n",
    );
    text.replace('\n', "\r\n")
}

/// Columns of the area types file.
pub const AREA_TYPE_COLUMNS: [&str; 17] = [
    "division",
    "code",
    "name",
    "municipality_code",
    "year",
    "area_type",
    "area_type_origin",
    "socioeconomic_index",
    "index_origin",
    "low_economic_standard",
    "low_education",
    "long_term_dependency",
    "rank_in_municipality",
    "areas_in_municipality",
    "rank_in_country",
    "areas_in_country",
    "synthetic",
];

/// Every area type (official or computed) of every area and year, with the index and its
/// three components.
pub fn write_area_types(conn: &mut PgConnection, out: &Path) -> Result<()> {
    let data = db::data_state::current(conn)?;
    let mut csv = CsvStream::new(BufWriter::new(File::create(out)?), &AREA_TYPE_COLUMNS);
    db::export::each_area_type(conn, |t| {
        let numbers = [
            t.socioeconomic_index,
            t.low_economic_standard,
            t.low_education,
            t.long_term_dependency,
        ]
        .map(|v| csv.number(v));
        let [index, low_economic_standard, low_education, long_term_dependency] = numbers;
        csv.row(vec![
            t.area.division,
            t.area.code,
            opt(t.area.name),
            opt(t.municipality_code),
            t.year.to_string(),
            opt(t.area_type),
            opt(t.area_type_origin),
            index,
            opt(t.index_origin),
            low_economic_standard,
            low_education,
            long_term_dependency,
            opt(t.rank_in_municipality),
            opt(t.areas_in_municipality),
            opt(t.rank_in_country),
            opt(t.areas_in_country),
            flag(data.synthetic),
        ])
    })?;
    csv.finish()?.flush()?;
    Ok(())
}

/// Columns of the summaries file: per area type 1–5, the RegSO count, population and share.
pub fn summary_columns() -> Vec<String> {
    let mut columns: Vec<String> = [
        "division",
        "code",
        "name",
        "year",
        "regso_division",
        "regso_count",
    ]
    .map(String::from)
    .to_vec();
    for what in ["regso", "population", "population_share"] {
        columns.extend((1..=5).map(|t| format!("{what}_type_{t}")));
    }
    columns.extend(
        [
            "population",
            "population_untyped",
            "area_type_origin",
            "inequality_index",
            "inequality_method",
            "inequality_source",
            "inequality_areas",
            "synthetic",
        ]
        .map(String::from),
    );
    columns
}

/// The summaries of riket, every län and every kommun per year: RegSO and population per area
/// type, and the (computed) inequality index.
pub fn write_summaries(conn: &mut PgConnection, out: &Path) -> Result<()> {
    let data = db::data_state::current(conn)?;
    let columns = summary_columns();
    let header: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut csv = CsvStream::new(BufWriter::new(File::create(out)?), &header);
    db::export::each_summary(conn, |row| {
        let s = row.summary;
        let mut cells = vec![
            row.area.division,
            row.area.code,
            opt(row.area.name),
            s.year.to_string(),
            s.regso_division.id().to_owned(),
            s.regso_count.to_string(),
        ];
        let nth = |v: Option<&Vec<Option<i64>>>, i: usize| {
            opt(v.and_then(|v| v.get(i)).copied().flatten())
        };
        cells.extend((0..5).map(|i| opt(s.regso_by_type.get(i).copied().flatten())));
        cells.extend((0..5).map(|i| nth(s.population_by_type.as_ref(), i)));
        cells.extend((0..5).map(|i| {
            csv.number(
                s.population_share_by_type
                    .as_ref()
                    .and_then(|v| v.get(i))
                    .copied()
                    .flatten(),
            )
        }));
        cells.extend([
            opt(s.population),
            opt(s.population_untyped),
            opt(s.area_type_origin),
            csv.number(s.inequality_index),
            opt(s.inequality_method),
            opt(s.inequality_source),
            opt(s.inequality_areas),
            flag(data.synthetic),
        ]);
        csv.row(cells)
    })?;
    csv.finish()?.flush()?;
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::as_conversions,
    reason = "test arithmetic on small known values"
)]
mod tests {
    use super::*;

    #[test]
    fn rows_reach_the_file_in_swedish_excel_form() {
        let mut out = Vec::new();
        let mut csv = CsvStream::new(&mut out, &["a", "b"]);
        for i in 0..(FLUSH_ROWS + 3) {
            let n = csv.number(Some(i as f64 + 0.5));
            csv.row(vec![format!("x{i}"), n]).unwrap();
        }
        csv.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\u{feff}a;b\r\nx0;0,5\r\n"));
        assert_eq!(text.lines().count(), FLUSH_ROWS + 4);
        assert!(text.ends_with(&format!("x{};{},5\r\n", FLUSH_ROWS + 2, FLUSH_ROWS + 2)));
    }

    #[test]
    fn summaries_have_five_columns_per_measure_and_type() {
        let columns = summary_columns();
        assert!(columns.contains(&"regso_type_5".to_owned()));
        assert!(columns.contains(&"population_share_type_1".to_owned()));
        assert_eq!(columns.len(), 6 + 15 + 8);
    }
}
