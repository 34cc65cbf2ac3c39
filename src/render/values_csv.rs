//! Indicator values as CSV: long (one row per value) or wide (a column per year or per
//! indicator), with columns named in Swedish or English. `/v1/data` writes these; the bulk
//! download's `values.csv` has the long layout's English columns.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::csv::{CsvOptions, CsvWriter};
use crate::db::indicators::ValueRow;
use crate::domain::lang::Lang;
use crate::usecase::data::IndicatorInfo;

/// How a CSV of values is laid out (`/v1/data`'s `layout` and `wide_by`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One row per value.
    Long,
    /// One row per area and breakdown (and indicator), a column per year.
    WideByYear,
    /// One row per area, year and breakdown, a column per indicator.
    WideByIndicator,
}

impl Layout {
    pub const NAMES: &'static [&'static str] = &["long", "wide"];
    pub const WIDE_BY: &'static [&'static str] = &["year", "indicator"];

    /// The layout's name in the response cache key.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Long => "long",
            Layout::WideByYear => "wide-year",
            Layout::WideByIndicator => "wide-indicator",
        }
    }
}

/// The long CSV's columns, by language: the indicator's id, then its name, then the rest.
pub const COLUMNS_SV: [&str; 11] = [
    "indikator",
    "indikatornamn",
    "indelning",
    "kod",
    "namn",
    "år",
    "uppdelning",
    "värde",
    "status",
    "enhet",
    "ursprung",
];
pub const COLUMNS_EN: [&str; 11] = [
    "indicator",
    "indicator_name",
    "division",
    "code",
    "name",
    "year",
    "breakdown",
    "value",
    "status",
    "unit",
    "origin",
];

/// The long CSV's column `i` in `lang`.
fn column(lang: Lang, i: usize) -> &'static str {
    lang.pick(COLUMNS_SV[i], COLUMNS_EN[i])
}

/// The text of a row's cell in the long layout's column `k`; `value` is the value as the
/// writer formats numbers.
fn cell(
    lang: Lang,
    info: &BTreeMap<String, IndicatorInfo>,
    r: &ValueRow,
    k: usize,
    value: &str,
) -> String {
    let i = &info[&r.indicator];
    match k {
        0 => r.indicator.clone(),
        1 => lang.pick(&i.name_sv, &i.name_en).to_owned(),
        2 => r.division.id().to_owned(),
        3 => r.code.clone(),
        4 => r.name.clone().unwrap_or_default(),
        5 => r.year.to_string(),
        6 => r.breakdown.clone(),
        7 => value.to_owned(),
        8 => r.status.clone(),
        9 => i.unit.clone(),
        _ => i.origin.clone(),
    }
}

/// The values as CSV in `layout`, columns named in `lang`, with `synthetic` on every row of
/// synthetic data.
pub fn write(
    synthetic: bool,
    opts: CsvOptions,
    lang: Lang,
    layout: Layout,
    rows: &[ValueRow],
    info: &BTreeMap<String, IndicatorInfo>,
) -> String {
    match layout {
        Layout::Long => {
            let header = match lang {
                Lang::Sv => COLUMNS_SV,
                Lang::En => COLUMNS_EN,
            };
            let mut w = CsvWriter::new(opts, &header, synthetic);
            for r in rows {
                let value = w.number(r.value);
                w.row((0..header.len()).map(|k| cell(lang, info, r, k, &value)));
            }
            w.finish()
        }
        Layout::WideByYear | Layout::WideByIndicator => {
            wide(synthetic, opts, lang, layout, rows, info)
        }
    }
}

/// The wide CSV: one column per year (or per indicator id), the other columns of the long
/// layout that identify a row before them; rows in the order their first value came.
fn wide(
    synthetic: bool,
    opts: CsvOptions,
    lang: Lang,
    layout: Layout,
    rows: &[ValueRow],
    info: &BTreeMap<String, IndicatorInfo>,
) -> String {
    let by_year = layout == Layout::WideByYear;
    // Columns named by the long layout's index: ids first, then what they open onto.
    let (keys, spread): (&[usize], Vec<String>) = if by_year {
        let years: BTreeSet<i16> = rows.iter().map(|r| r.year).collect();
        (
            &[0, 1, 2, 3, 4, 6, 9],
            years.iter().map(i16::to_string).collect(),
        )
    } else {
        let ids: BTreeSet<&String> = rows.iter().map(|r| &r.indicator).collect();
        (&[2, 3, 4, 5, 6], ids.into_iter().cloned().collect())
    };
    let key_cells = |r: &ValueRow| -> Vec<String> {
        keys.iter().map(|k| cell(lang, info, r, *k, "")).collect()
    };
    let position: HashMap<&String, usize> =
        spread.iter().enumerate().map(|(i, c)| (c, i)).collect();
    let mut order: Vec<Vec<String>> = Vec::new();
    let mut cells: HashMap<Vec<String>, Vec<Option<f64>>> = HashMap::new();
    for r in rows {
        let key = key_cells(r);
        let column = if by_year {
            r.year.to_string()
        } else {
            r.indicator.clone()
        };
        let line = cells.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            vec![None; spread.len()]
        });
        line[position[&column]] = r.value;
    }
    let mut header: Vec<&str> = keys.iter().map(|k| column(lang, *k)).collect();
    header.extend(spread.iter().map(String::as_str));
    let mut w = CsvWriter::new(opts, &header, synthetic);
    for key in order {
        let values = cells[&key].iter().map(|v| w.number(*v)).collect::<Vec<_>>();
        w.row(key.into_iter().chain(values));
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geography::Division;

    fn row(indicator: &str, year: i16, value: Option<f64>) -> ValueRow {
        ValueRow {
            indicator: indicator.into(),
            division: Division::Kommun,
            code: "0180".into(),
            name: Some("Stockholm".into()),
            year,
            breakdown: "total".into(),
            value,
            status: if value.is_some() { "ok" } else { "missing" }.into(),
        }
    }

    fn catalogue() -> BTreeMap<String, IndicatorInfo> {
        ["population", "income"]
            .into_iter()
            .map(|id| {
                let info = IndicatorInfo {
                    unit: "count".into(),
                    origin: "published".into(),
                    name_sv: format!("{id} sv"),
                    name_en: format!("{id} en"),
                    decimals: 0,
                };
                (id.to_owned(), info)
            })
            .collect()
    }

    #[test]
    fn the_long_layout_has_a_row_per_value_and_names_columns_in_the_language() {
        let rows = [
            row("population", 2023, Some(1.5)),
            row("population", 2024, None),
        ];
        let text = write(
            false,
            CsvOptions::default(),
            Lang::En,
            Layout::Long,
            &rows,
            &catalogue(),
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COLUMNS_EN.join(","));
        assert_eq!(
            lines[1],
            "population,population en,kommun,0180,Stockholm,2023,total,1.5,ok,count,published"
        );
        // A missing value is an empty cell, never 0.
        assert_eq!(
            lines[2],
            "population,population en,kommun,0180,Stockholm,2024,total,,missing,count,published"
        );
        let swedish = write(
            true,
            CsvOptions::default(),
            Lang::Sv,
            Layout::Long,
            &rows,
            &catalogue(),
        );
        assert!(swedish.starts_with(&COLUMNS_SV.join(",")));
        assert!(swedish.lines().next().unwrap().ends_with(",synthetic"));
    }

    #[test]
    fn wide_layouts_spread_years_or_indicators_into_columns() {
        let rows = [
            row("income", 2023, Some(3.0)),
            row("population", 2023, Some(1.0)),
            row("population", 2024, Some(2.0)),
        ];
        let by_year = write(
            false,
            CsvOptions::default(),
            Lang::En,
            Layout::WideByYear,
            &rows,
            &catalogue(),
        );
        let lines: Vec<&str> = by_year.lines().collect();
        assert_eq!(
            lines[0],
            "indicator,indicator_name,division,code,name,breakdown,unit,2023,2024"
        );
        assert_eq!(
            lines[1],
            "income,income en,kommun,0180,Stockholm,total,count,3,"
        );
        assert_eq!(
            lines[2],
            "population,population en,kommun,0180,Stockholm,total,count,1,2"
        );
        let by_indicator = write(
            false,
            CsvOptions::default(),
            Lang::En,
            Layout::WideByIndicator,
            &rows,
            &catalogue(),
        );
        let lines: Vec<&str> = by_indicator.lines().collect();
        assert_eq!(
            lines[0],
            "division,code,name,year,breakdown,income,population"
        );
        assert_eq!(lines[1], "kommun,0180,Stockholm,2023,total,3,1");
        assert_eq!(lines[2], "kommun,0180,Stockholm,2024,total,,2");
    }
}
