//! Indicator values from SCB's statistical tables, whatever the format: PxWeb v1 JSON
//! (`columns`/`data`, values as strings) and PxWebApi 2 JSON-stat 2.0. Both become
//! [`Observation`]s, checked against the indicator catalogue and the known areas.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::catalogue::{Catalogue, Indicator};
use super::Source;
use crate::convert::f64_from_usize;
use crate::domain::codes::{self, Division};
use crate::error::{Error, Result};

/// One value of one indicator for one area, year and breakdown.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub indicator: String,
    pub division: Division,
    pub code: String,
    pub year: i16,
    pub breakdown: String,
    /// `None` for SCB's missing or suppressed (`..`): stored with status `missing`, never 0.
    pub value: Option<f64>,
    /// Where it was read, for messages: a row number or a JSON-stat index.
    pub location: String,
}

/// What a table file gave: the observations, and the cells left out because their code's
/// division version does not serve their year (see [`codes::division_serving_year`]).
#[derive(Debug, Default)]
pub struct Read {
    pub observations: Vec<Observation>,
    /// Cells outside their version's years that were missing anyway (SCB's dense cube).
    pub outside_version_missing: usize,
    /// Cells outside their version's years that carried a value: reported, never stored.
    pub outside_version_with_value: Vec<String>,
}

/// SCB's markers for a value that is missing, suppressed or not applicable.
fn is_missing_marker(s: &str) -> bool {
    matches!(s.trim(), ".." | "." | "-" | "" | "..C" | "NA")
}

/// The breakdown a category of a non-region, non-time dimension stands for.
fn breakdown_of(dimension: &str, category: &str) -> Result<String, String> {
    let d = dimension.to_ascii_lowercase();
    let c = category.trim().to_ascii_lowercase();
    let named = match (d.as_str(), c.as_str()) {
        ("kon", "1") => "men",
        ("kon", "2") => "women",
        ("kon", "1+2") | ("kon", "tot") | ("kon", "totalt") => "total",
        ("fodelseregion" | "födelseregion", "sverige" | "010") => "born_sweden",
        ("fodelseregion" | "födelseregion", "utlandet" | "020") => "born_abroad",
        ("fodelseregion" | "födelseregion", "totalt" | "tot") => "total",
        (_, "totalt" | "tot" | "total") => "total",
        _ => "",
    };
    if !named.is_empty() {
        return Ok(named.to_owned());
    }
    let slug: String = format!("{d}_{c}")
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
        .collect();
    if slug.trim_matches('_').is_empty() {
        Err(format!("{dimension}={category:?} cannot name a breakdown"))
    } else {
        Ok(slug)
    }
}

fn parse_year(s: &str) -> Option<i16> {
    s.trim()
        .parse::<i16>()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
}

/// A value as published: a number, or a missing marker.
fn parse_number(raw: &Value) -> Result<Option<f64>, String> {
    let v = match raw {
        Value::Null => return Ok(None),
        Value::Number(n) => n.as_f64().ok_or("not a finite number")?,
        Value::String(s) if is_missing_marker(s) => return Ok(None),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("{s:?} is not a number or a missing-value marker (..)"))?,
        other => return Err(format!("{other} is not a value")),
    };
    if v.is_finite() {
        Ok(Some(v))
    } else {
        Err(format!("{v} is not a finite number"))
    }
}

/// Checks a value against its indicator's unit.
fn check_unit(indicator: &Indicator, v: f64) -> Result<f64, String> {
    match indicator.unit.as_str() {
        "percent" if !(0.0..=100.0).contains(&v) => {
            Err(format!("{v} is out of range for a percentage (0–100)"))
        }
        "area_type" if !(1.0..=5.0).contains(&v) || v.fract() != 0.0 => {
            Err(format!("{v} is not an area type (1–5)"))
        }
        "count" | "days" | "years" | "index" if v < 0.0 => Err(format!(
            "{v} is out of range: a {} cannot be negative",
            indicator.unit
        )),
        _ => Ok(v),
    }
}

/// One cell of a table as read, before it is matched with the catalogue.
struct Cell<'a> {
    region: &'a str,
    year: i16,
    contents: &'a str,
    /// (dimension, code) of every dimension but region, time and contents.
    others: Vec<(&'a str, &'a str)>,
    value: Option<f64>,
    location: String,
}

/// Whether a code names a dimension's total (`totalt`, `TOTALT`, `tot`, `1+2`, `tot20-64`).
fn is_total_code(code: &str) -> bool {
    let c = code.trim().to_ascii_lowercase();
    c == "1+2" || c.starts_with("tot")
}

/// Whether a cell lies at the codes a selection asks for. A dimension the file does not have
/// was eliminated, so the cell is its total: it matches a selection of the total code only.
fn selected(cell: &Cell, select: &BTreeMap<String, String>) -> bool {
    select.iter().all(|(dim, code)| {
        match cell
            .others
            .iter()
            .find(|(d, _)| d.eq_ignore_ascii_case(dim))
        {
            Some((_, c)) => c.trim() == code,
            None => is_total_code(code),
        }
    })
}

/// The breakdown of a cell: its codes of the dimensions the indicator does not fix.
fn breakdown(cell: &Cell, fixed: &[&str]) -> Result<String, (String, String)> {
    let mut parts = Vec::new();
    for (dim, code) in &cell.others {
        if fixed.iter().any(|f| f.eq_ignore_ascii_case(dim)) {
            continue;
        }
        let b = breakdown_of(dim, code).map_err(|m| ((*dim).to_owned(), m))?;
        if b != "total" {
            parts.push(b);
        }
    }
    Ok(if parts.is_empty() {
        "total".into()
    } else {
        parts.join("_")
    })
}

/// Sums of a computed indicator's terms for one area, year and breakdown.
#[derive(Default)]
struct Sums {
    numerator: f64,
    denominator: f64,
    terms: usize,
    missing: bool,
    location: String,
}

/// Matches the cells of one table with the catalogue: published indicators take their cell's
/// value, computed ones are computed from their terms once every cell is read.
fn match_cells<'a>(
    src: &Source,
    catalogue: &Catalogue,
    table: Option<&str>,
    contents: &[String],
    cells: impl Iterator<Item = Result<Cell<'a>>>,
) -> Result<Read> {
    let indicators: Vec<&Indicator> = catalogue.for_table(table, contents).collect();
    for c in contents {
        if !indicators
            .iter()
            .any(|i| i.cells().iter().any(|(x, _)| x == c))
        {
            return Err(src.error_at(
                Some("/ContentsCode".into()),
                Some(c),
                "no indicator of the catalogue reads this contents code",
            ));
        }
    }
    let fixed: Vec<Vec<&str>> = indicators.iter().map(|i| i.fixed_dimensions()).collect();
    let mut out = Read::default();
    // (indicator, division, code, year, breakdown) → sums, in the order first seen.
    let mut computed: HashMap<(usize, Division, String, i16, String), Sums> = HashMap::new();
    let mut order = Vec::new();
    for cell in cells {
        let cell = cell?;
        let at =
            |field: &str, msg: String| src.error_at(Some(cell.location.clone()), Some(field), msg);
        let code = codes::parse(cell.region).map_err(|m| at("Region", m))?;
        let Some(division) = codes::division_serving_year(&code, i32::from(cell.year)) else {
            if cell.value.is_some() {
                out.outside_version_with_value
                    .push(format!("{} {} ({})", cell.region, cell.year, cell.location));
            } else {
                out.outside_version_missing += 1;
            }
            continue;
        };
        for (k, ind) in indicators.iter().enumerate() {
            match &ind.derived {
                None => {
                    let reads = ind.contents_code.as_deref() == Some(cell.contents)
                        || ind.also.iter().any(|a| a.contents_code == cell.contents);
                    if !reads || !selected(&cell, &ind.select) {
                        continue;
                    }
                    let breakdown = breakdown(&cell, &fixed[k]).map_err(|(d, m)| at(&d, m))?;
                    let value = cell
                        .value
                        .map(|v| check_unit(ind, v))
                        .transpose()
                        .map_err(|m| at(cell.contents, m))?;
                    out.observations.push(Observation {
                        indicator: ind.id.clone(),
                        division,
                        code: code.code.clone(),
                        year: cell.year,
                        breakdown,
                        value,
                        location: cell.location.clone(),
                    });
                }
                Some(d) => {
                    let in_numerator = d
                        .numerator
                        .iter()
                        .filter(|t| term_matches(&cell, ind, t))
                        .count();
                    let in_denominator = d
                        .denominator
                        .iter()
                        .filter(|t| term_matches(&cell, ind, t))
                        .count();
                    if in_numerator + in_denominator == 0 {
                        continue;
                    }
                    let breakdown = breakdown(&cell, &fixed[k]).map_err(|(d, m)| at(&d, m))?;
                    let key = (k, division, code.code.clone(), cell.year, breakdown);
                    let sums = computed.entry(key.clone()).or_insert_with(|| {
                        order.push(key);
                        Sums {
                            location: cell.location.clone(),
                            ..Sums::default()
                        }
                    });
                    match cell.value {
                        Some(v) => {
                            sums.numerator += v * f64_from_usize(in_numerator);
                            sums.denominator += v * f64_from_usize(in_denominator);
                        }
                        None => sums.missing = true,
                    }
                    sums.terms += in_numerator + in_denominator;
                }
            }
        }
    }
    for key in order {
        let sums = &computed[&key];
        let (k, division, code, year, breakdown) = key;
        let ind = indicators[k];
        let Some(d) = &ind.derived else { continue };
        // A term the file does not hold at all gives no value (the file is not the table this
        // indicator is computed from); a term SCB marks `..` gives a missing one.
        if sums.terms != d.numerator.len() + d.denominator.len() {
            continue;
        }
        let value = (!sums.missing && sums.denominator > 0.0)
            .then(|| d.scale * sums.numerator / sums.denominator);
        out.observations.push(Observation {
            indicator: ind.id.clone(),
            division,
            code,
            year,
            breakdown,
            value,
            location: sums.location.clone(),
        });
    }
    Ok(out)
}

fn term_matches(cell: &Cell, ind: &Indicator, term: &super::catalogue::Term) -> bool {
    term.contents_code == cell.contents
        && selected(cell, &ind.select)
        && selected(cell, &term.select)
}

/// PxWeb v1 JSON: `columns` name the dimensions (`d`), time (`t`) and contents (`c`);
/// each `data` row has a `key` (dimension and time values) and `values` (one per content).
/// `table` names the SCB table when the caller knows it (v1 files do not say).
pub fn read_pxweb_v1(src: &Source, catalogue: &Catalogue, table: Option<&str>) -> Result<Read> {
    let doc = src.json()?;
    let columns = doc
        .get("columns")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            src.error_at(
                Some("/columns".into()),
                None,
                "missing or not a list: not a PxWeb v1 response",
            )
        })?;
    let mut keys = Vec::new();
    let mut contents = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        let code = c.get("code").and_then(Value::as_str).unwrap_or_default();
        match c.get("type").and_then(Value::as_str) {
            Some("d") | Some("t") => keys.push((code.to_owned(), c["type"] == "t")),
            Some("c") => contents.push(code.to_owned()),
            _ => {
                return Err(src.error_at(
                    Some(format!("/columns/{i}/type")),
                    None,
                    "expected d, t or c",
                ))
            }
        }
    }
    let region_pos = keys
        .iter()
        .position(|(k, _)| k.eq_ignore_ascii_case("region"))
        .ok_or_else(|| {
            src.error_at(
                Some("/columns".into()),
                Some("Region"),
                "the table has no Region column",
            )
        })?;
    let time_pos = keys.iter().position(|(_, t)| *t).ok_or_else(|| {
        src.error_at(
            Some("/columns".into()),
            Some("Tid"),
            "the table has no time column",
        )
    })?;
    let data = doc
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| src.error_at(Some("/data".into()), None, "missing or not a list"))?;
    let cells = data.iter().enumerate().flat_map(|(row, item)| {
        let at =
            |field: &str, msg: String| src.error_at(Some(format!("/data/{row}")), Some(field), msg);
        let key: Result<Vec<&str>> = item
            .get("key")
            .and_then(Value::as_array)
            .map(|k| k.iter().filter_map(Value::as_str).collect())
            .filter(|k: &Vec<&str>| k.len() == keys.len())
            .ok_or_else(|| at("key", format!("expected {} key values", keys.len())));
        let values = item
            .get("values")
            .and_then(Value::as_array)
            .filter(|v| v.len() == contents.len())
            .ok_or_else(|| at("values", format!("expected {} values", contents.len())));
        let prepared = key.and_then(|key| {
            let values = values?;
            let year = parse_year(key[time_pos]).ok_or_else(|| {
                at(
                    &keys[time_pos].0,
                    format!("{:?} is not a year", key[time_pos]),
                )
            })?;
            Ok((key, values, year))
        });
        let list: Vec<Result<Cell>> = match prepared {
            Err(e) => vec![Err(e)],
            Ok((key, values, year)) => contents
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    let value = parse_number(&values[j]).map_err(|m| at(c, m))?;
                    Ok(Cell {
                        region: key[region_pos],
                        year,
                        contents: c.as_str(),
                        others: keys
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| *i != region_pos && *i != time_pos)
                            .map(|(i, (d, _))| (d.as_str(), key[i]))
                            .collect(),
                        value,
                        location: format!("/data/{row}"),
                    })
                })
                .collect(),
        };
        list
    });
    match_cells(src, catalogue, table, &contents, cells)
}

/// JSON-stat 2.0 as PxWebApi 2 returns it: dimensions in `id` with `size`, categories by
/// `index`, values row-major with the last dimension fastest, as a list or a sparse object.
/// The table is the caller's, else the one the response names (`extension.px.tableid`).
pub fn read_jsonstat(src: &Source, catalogue: &Catalogue, table: Option<&str>) -> Result<Read> {
    let doc = src.json()?;
    if doc.get("class").and_then(Value::as_str) != Some("dataset") {
        return Err(src.error_at(Some("/class".into()), None, "not a JSON-stat 2.0 dataset"));
    }
    let named_table = doc
        .pointer("/extension/px/tableid")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let table = table.map(str::to_owned).or(named_table);
    let ids: Vec<String> = doc
        .get("id")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .ok_or_else(|| src.error_at(Some("/id".into()), None, "missing or not a list"))?;
    let sizes: Vec<usize> = doc
        .get("size")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_u64().and_then(|n| usize::try_from(n).ok()))
                .collect()
        })
        .filter(|s: &Vec<usize>| s.len() == ids.len())
        .ok_or_else(|| {
            src.error_at(
                Some("/size".into()),
                None,
                "missing, or not one size per dimension",
            )
        })?;
    // Categories of each dimension in index order.
    let mut cats: Vec<Vec<String>> = Vec::new();
    for (d, id) in ids.iter().enumerate() {
        let path = format!("/dimension/{id}/category/index");
        let index = doc.pointer(&path);
        let list: Vec<String> = match index {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(Value::Object(o)) => {
                let mut v: Vec<(usize, String)> = o
                    .iter()
                    .map(|(k, i)| {
                        let position = i.as_u64().and_then(|n| usize::try_from(n).ok());
                        (position.unwrap_or(usize::MAX), k.clone())
                    })
                    .collect();
                v.sort();
                v.into_iter().map(|(_, k)| k).collect()
            }
            _ => {
                let label = doc
                    .pointer(&format!("/dimension/{id}/category/label"))
                    .and_then(Value::as_object);
                match label {
                    Some(l) if l.len() == 1 => l.keys().cloned().collect(),
                    _ => return Err(src.error_at(Some(path), None, "missing category index")),
                }
            }
        };
        if list.len() != sizes[d] {
            return Err(src.error_at(
                Some(path),
                None,
                format!("{} categories but size says {}", list.len(), sizes[d]),
            ));
        }
        cats.push(list);
    }
    let role = |r: &str| -> Option<usize> {
        let named = doc.pointer(&format!("/role/{r}/0")).and_then(Value::as_str);
        named.and_then(|n| ids.iter().position(|i| i == n))
    };
    let find = |names: &[&str]| {
        ids.iter()
            .position(|i| names.iter().any(|n| i.eq_ignore_ascii_case(n)))
    };
    let region = find(&["Region"])
        .ok_or_else(|| src.error_at(Some("/id".into()), Some("Region"), "no Region dimension"))?;
    let time = role("time")
        .or_else(|| find(&["Tid", "Time"]))
        .ok_or_else(|| src.error_at(Some("/id".into()), Some("Tid"), "no time dimension"))?;
    let metric = role("metric")
        .or_else(|| find(&["ContentsCode"]))
        .ok_or_else(|| {
            src.error_at(
                Some("/id".into()),
                Some("ContentsCode"),
                "no contents dimension",
            )
        })?;
    let total: usize = sizes.iter().product();
    let values: BTreeMap<usize, Value> = match doc.get("value") {
        Some(Value::Array(a)) if a.len() == total => a.iter().cloned().enumerate().collect(),
        Some(Value::Array(a)) => {
            return Err(src.error_at(
                Some("/value".into()),
                None,
                format!("{} values where the sizes make {total}", a.len()),
            ))
        }
        Some(Value::Object(o)) => o
            .iter()
            .map(|(k, v)| {
                k.parse::<usize>()
                    .ok()
                    .filter(|&i| i < total)
                    .map(|i| (i, v.clone()))
            })
            .collect::<Option<_>>()
            .ok_or_else(|| {
                src.error_at(
                    Some("/value".into()),
                    None,
                    "a sparse value index is not a position",
                )
            })?,
        _ => return Err(src.error_at(Some("/value".into()), None, "missing or not a list")),
    };
    let others: Vec<usize> = (0..ids.len())
        .filter(|&d| d != region && d != time && d != metric)
        .collect();
    let years: Vec<Option<i16>> = cats[time].iter().map(|y| parse_year(y)).collect();
    let cells = (0..total).map(|flat| {
        let mut pos = vec![0usize; ids.len()];
        let mut rest = flat;
        for d in (0..ids.len()).rev() {
            pos[d] = rest % sizes[d];
            rest /= sizes[d];
        }
        let at = |field: &str, msg: String| {
            src.error_at(Some(format!("/value/{flat}")), Some(field), msg)
        };
        let year_raw = &cats[time][pos[time]];
        let year = years[pos[time]]
            .ok_or_else(|| at(&ids[time], format!("{year_raw:?} is not a year")))?;
        let raw = values.get(&flat).unwrap_or(&Value::Null);
        let value = parse_number(raw).map_err(|m| at("value", m))?;
        Ok(Cell {
            region: cats[region][pos[region]].as_str(),
            year,
            contents: cats[metric][pos[metric]].as_str(),
            others: others
                .iter()
                .map(|&d| (ids[d].as_str(), cats[d][pos[d]].as_str()))
                .collect(),
            value,
            location: format!("/value/{flat}"),
        })
    });
    match_cells(src, catalogue, table.as_deref(), &cats[metric], cells)
}

/// Refuses two values for the same key: the file would contradict itself.
pub fn check_unique(src: &Source, obs: &[Observation]) -> Result<()> {
    let mut seen: HashMap<(&str, Division, &str, i16, &str), &str> = HashMap::new();
    for o in obs {
        if let Some(first) = seen.insert(
            (&o.indicator, o.division, &o.code, o.year, &o.breakdown),
            &o.location,
        ) {
            return Err(Error::Import {
                file: src.name.clone(),
                location: Some(o.location.clone()),
                field: Some("key".into()),
                message: format!(
                    "duplicate key: {} {} {} {} already given at {first}",
                    o.indicator, o.code, o.year, o.breakdown
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue::parse(&Source::from_bytes(
            "cat.json",
            br#"{"indicators":[
              {"id":"population","theme":"population","name_sv":"Folkm\u00e4ngd","name_en":"Population",
               "description_sv":"d","description_en":"d","unit":"count","source_table":"TAB638",
               "contents_code":"BE0101N1","decimals":0},
              {"id":"sfi_passed","theme":"integration","name_sv":"SFI","name_en":"SFI",
               "description_sv":"d","description_en":"d","unit":"percent","age_band":"20-64",
               "source_table":"IntGr8RegSOKON3","contents_code":"000004W5","decimals":1}]}"#
                .to_vec(),
        ))
        .unwrap()
    }

    #[test]
    fn jsonstat_is_row_major_with_the_last_dimension_fastest() {
        let src = Source::read(
            std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/data/fixtures/scb_pxwebapi2_tab638_jsonstat2.json"
            )),
            "tab638.json",
        )
        .unwrap();
        let obs = read_jsonstat(&src, &catalogue(), None)
            .unwrap()
            .observations;
        let get = |code: &str, year: i16| {
            obs.iter()
                .find(|o| o.code == code && o.year == year)
                .unwrap()
                .value
        };
        assert_eq!(obs.len(), 4);
        assert_eq!(get("0180", 2023), Some(984748.0));
        assert_eq!(get("0180", 2024), Some(988943.0));
        assert_eq!(get("1480", 2024), Some(604616.0));
        assert!(obs
            .iter()
            .all(|o| o.division == Division::Kommun && o.indicator == "population"));
    }

    #[test]
    fn pxweb_v1_strings_and_suppressed_values() {
        let src = Source::read(
            std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/data/fixtures/scb_pxweb_v1_IntGr8RegSOKON3_goteborg_2023.json"
            )),
            "sfi.json",
        );
        let mut cat = catalogue();
        cat.indicators.push(Indicator {
            id: "sfi_days".into(),
            contents_code: Some("000004W6".into()),
            unit: "days".into(),
            ..cat.indicators[1].clone()
        });
        let obs = read_pxweb_v1(&src.unwrap(), &cat, None)
            .unwrap()
            .observations;
        assert_eq!(obs.len(), 294);
        let first: Vec<_> = obs.iter().filter(|o| o.code == "1480R001").collect();
        assert_eq!(first[0].value, Some(40.0));
        assert_eq!(first[1].value, Some(948.0));
        let missing = obs.iter().filter(|o| o.value.is_none()).count();
        assert_eq!(missing, 193, "SCB's '..' are missing values, never 0");
        assert!(obs.iter().all(|o| o.division == Division::Regso2020));
    }

    #[test]
    fn bad_values_and_codes_are_located() {
        let px = |data: &str| {
            let text = format!(
                r#"{{"columns":[{{"code":"Region","type":"d"}},{{"code":"Kon","type":"d"}},{{"code":"Tid","type":"t"}},{{"code":"000004W5","type":"c"}}],"data":[{data}]}}"#
            );
            read_pxweb_v1(
                &Source::from_bytes("px.json", text.into_bytes()),
                &catalogue(),
                None,
            )
            .map(|r| r.observations)
        };
        let ok = px(r#"{"key":["0114R001_RegSO2025","2","2024"],"values":["12.5"]}"#).unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(
            (
                ok[0].division.id(),
                ok[0].code.as_str(),
                ok[0].breakdown.as_str()
            ),
            ("regso-2025", "0114R001", "women")
        );
        let range = px(r#"{"key":["0180","1+2","2023"],"values":["140"]}"#)
            .unwrap_err()
            .to_string();
        assert!(
            range.starts_with("px.json:/data/0: 000004W5: 140 is out of range"),
            "{range}"
        );
        let code = px(r#"{"key":["Stockholm","1+2","2023"],"values":["1"]}"#)
            .unwrap_err()
            .to_string();
        assert!(code.starts_with("px.json:/data/0: Region:"), "{code}");
        let text = px(r#"{"key":["0180","1+2","2023"],"values":["n/a"]}"#)
            .unwrap_err()
            .to_string();
        assert!(text.contains("not a number"), "{text}");
        let dup = px(r#"{"key":["0180","1+2","2023"],"values":["1"]},{"key":["0180","1+2","2023"],"values":["2"]}"#).unwrap();
        let err = check_unique(&Source::from_bytes("px.json", vec![]), &dup)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("px.json:/data/1: key: duplicate"), "{err}");
    }

    /// A JSON-stat response as PxWebApi 2 gives it, for the tests below.
    fn jsonstat(table: &str, dims: &[(&str, &[&str])], values: &[Value]) -> Source {
        let mut dimension = serde_json::Map::new();
        for (id, codes) in dims {
            let index: serde_json::Map<String, Value> = codes
                .iter()
                .enumerate()
                .map(|(i, c)| ((*c).to_owned(), Value::from(i)))
                .collect();
            dimension.insert(
                (*id).into(),
                serde_json::json!({"category": {"index": index}}),
            );
        }
        let doc = serde_json::json!({
            "class": "dataset",
            "id": dims.iter().map(|d| d.0).collect::<Vec<_>>(),
            "size": dims.iter().map(|d| d.1.len()).collect::<Vec<_>>(),
            "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
            "dimension": dimension,
            "value": values,
            "extension": {"px": {"tableid": table}},
        });
        Source::from_bytes("t.json", serde_json::to_vec(&doc).unwrap())
    }

    fn barometer() -> Catalogue {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/catalogue/indicators.json"
        );
        Catalogue::parse(&Source::read(std::path::Path::new(path), "indicators.json").unwrap())
            .unwrap()
    }

    #[test]
    fn cells_outside_their_versions_years_are_never_stored() {
        // SCB's TAB6586 holds both code lists over every year; the cells that do not apply
        // are "..". One here carries a value anyway: it is reported, not stored.
        let src = jsonstat(
            "TAB6586",
            &[
                ("Region", &["0114R001", "0114R001_RegSO2025"]),
                ("ContentsCode", &["000008IT"]),
                ("Tid", &["2023", "2024"]),
            ],
            &[
                Value::from(20.5),
                Value::Null,
                Value::from(99.0),
                Value::from(21.0),
            ],
        );
        let read = read_jsonstat(&src, &barometer(), None).unwrap();
        let got: Vec<(&str, &str, i16, Option<f64>)> = read
            .observations
            .iter()
            .map(|o| (o.division.id(), o.code.as_str(), o.year, o.value))
            .collect();
        assert_eq!(
            got,
            [
                ("regso-2020", "0114R001", 2023, Some(20.5)),
                ("regso-2025", "0114R001", 2024, Some(21.0))
            ]
        );
        assert_eq!(read.outside_version_missing, 1);
        assert_eq!(
            read.outside_version_with_value,
            ["0114R001_RegSO2025 2023 (/value/2)"]
        );
    }

    #[test]
    fn selections_pick_cells_and_free_dimensions_become_breakdowns() {
        // TAB6574: population at Alder=totalt by Kon; the age bands are not read.
        let src = jsonstat(
            "TAB6574",
            &[
                ("Region", &["0180"]),
                ("Alder", &["totalt", "-4"]),
                ("Kon", &["1", "2", "1+2"]),
                ("ContentsCode", &["000007Y7"]),
                ("Tid", &["2024"]),
            ],
            &[10, 11, 21, 1, 2, 3].map(Value::from),
        );
        let obs = read_jsonstat(&src, &barometer(), None)
            .unwrap()
            .observations;
        let got: Vec<(&str, &str, Option<f64>)> = obs
            .iter()
            .filter(|o| o.indicator == "population")
            .map(|o| (o.indicator.as_str(), o.breakdown.as_str(), o.value))
            .collect();
        assert_eq!(
            got,
            [
                ("population", "men", Some(10.0)),
                ("population", "women", Some(11.0)),
                ("population", "total", Some(21.0))
            ]
        );
    }

    #[test]
    fn a_term_in_both_numerator_and_denominator_counts_in_both() {
        // TAB6534: post-secondary share = (5 + 6) / (21 + 3+4 + 5 + 6 + US).
        let levels = ["21", "3+4", "5", "6", "US"];
        let src = jsonstat(
            "TAB6534",
            &[
                ("Region", &["0180"]),
                ("UtbildningsNiva", &levels),
                ("ContentsCode", &["000007Z6"]),
                ("Tid", &["2024"]),
            ],
            &[10, 30, 20, 30, 10].map(Value::from),
        );
        let obs = read_jsonstat(&src, &barometer(), None)
            .unwrap()
            .observations;
        let get = |id: &str| obs.iter().find(|o| o.indicator == id).unwrap().value;
        assert_eq!(get("post_secondary_education_share"), Some(50.0));
        assert_eq!(get("pre_upper_secondary_education_share"), Some(10.0));
    }

    #[test]
    fn an_eliminated_dimension_is_its_total_and_nothing_else() {
        // A file without UtbildningsNiva holds the total only: no share can be computed from
        // it, and none is made up by reading the total as every level.
        let src = jsonstat(
            "TAB6534",
            &[
                ("Region", &["0180"]),
                ("ContentsCode", &["000007Z6"]),
                ("Tid", &["2024"]),
            ],
            &[Value::from(100)],
        );
        let obs = read_jsonstat(&src, &barometer(), None)
            .unwrap()
            .observations;
        assert!(obs.is_empty(), "{obs:?}");
        // Population at Alder=totalt from a file without Alder (TAB638's kommun table) is read.
        let src = jsonstat(
            "TAB6574",
            &[
                ("Region", &["0180"]),
                ("ContentsCode", &["000007Y7"]),
                ("Tid", &["2024"]),
            ],
            &[Value::from(988_943)],
        );
        let obs = read_jsonstat(&src, &barometer(), None)
            .unwrap()
            .observations;
        assert_eq!(obs.len(), 1);
        assert_eq!(
            (obs[0].indicator.as_str(), obs[0].value),
            ("population", Some(988_943.0))
        );
    }

    #[test]
    fn computed_indicators_follow_their_formula_and_never_invent_values() {
        // TAB6680: employment rate = 100 × employed / total, 20–64 years.
        let cat = barometer();
        let rate = cat.get("employment_rate").unwrap();
        assert!(rate.is_computed());
        let src = jsonstat(
            "TAB6680",
            &[
                ("Region", &["0114R001", "0114R002", "0114R003"]),
                ("Kon", &["1+2"]),
                ("Alder", &["20-64"]),
                ("ContentsCode", &["0000089X", "0000089Y"]),
                ("Tid", &["2022"]),
            ],
            &[
                Value::from(750),
                Value::from(1000),
                Value::Null,
                Value::from(1000),
                Value::from(0),
                Value::from(0),
            ],
        );
        let obs = read_jsonstat(&src, &cat, None).unwrap().observations;
        let rates: Vec<(&str, Option<f64>)> = obs
            .iter()
            .filter(|o| o.indicator == "employment_rate")
            .map(|o| (o.code.as_str(), o.value))
            .collect();
        assert_eq!(
            rates,
            [
                ("0114R001", Some(75.0)),
                ("0114R002", None),
                ("0114R003", None)
            ],
            "a missing term or a zero denominator is missing, never 0"
        );
    }
}
