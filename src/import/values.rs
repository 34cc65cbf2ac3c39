//! Indicator values from SCB's statistical tables, whatever the format: PxWeb v1 JSON
//! (`columns`/`data`, values as strings) and PxWebApi 2 JSON-stat 2.0. Both become
//! [`Observation`]s, checked against the indicator catalogue and the known areas.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::catalogue::{Catalogue, Indicator};
use super::Source;
use crate::domain::codes::{self, Level};
use crate::error::{Error, Result};

/// One value of one indicator for one area, year and breakdown.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub indicator: String,
    pub division: &'static str,
    pub code: String,
    pub year: i16,
    pub breakdown: String,
    /// `None` for SCB's missing or suppressed (`..`): stored with status `missing`, never 0.
    pub value: Option<f64>,
    /// Where it was read, for messages: a row number or a JSON-stat index.
    pub location: String,
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

/// Parses a region code and picks its division for the year.
fn division_and_code(raw: &str, year: i16) -> Result<(&'static str, String), String> {
    let code = codes::parse(raw)?;
    let division = match code.version {
        Some(v) => codes::division_of_version(code.level, v)
            .ok_or_else(|| format!("{raw:?}: no {} division of {v}", code.level))?,
        None => codes::division_for_year(code.level, i32::from(year)),
    };
    if matches!(code.level, Level::Regso | Level::Deso) && code.version.is_none() && year >= 2024 {
        // SCB writes 2025-version codes with a suffix; a plain code for 2024 on is ambiguous
        // only in form, and means the version in force.
    }
    Ok((division, code.code))
}

fn parse_year(s: &str) -> Option<i16> {
    s.trim()
        .parse::<i16>()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
}

/// A value as published: a number, or a missing marker. Checked against the indicator's unit.
fn parse_value(indicator: &Indicator, raw: &Value) -> Result<Option<f64>, String> {
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
    if !v.is_finite() {
        return Err(format!("{v} is not a finite number"));
    }
    match indicator.unit.as_str() {
        "percent" if !(0.0..=100.0).contains(&v) => {
            Err(format!("{v} is out of range for a percentage (0–100)"))
        }
        "count" | "days" | "years" | "sek" if v < 0.0 && indicator.unit != "sek" => Err(format!(
            "{v} is out of range: a {} cannot be negative",
            indicator.unit
        )),
        _ => Ok(Some(v)),
    }
}

/// PxWeb v1 JSON: `columns` name the dimensions (`d`), time (`t`) and contents (`c`);
/// each `data` row has a `key` (dimension and time values) and `values` (one per content).
pub fn read_pxweb_v1(src: &Source, catalogue: &Catalogue) -> Result<Vec<Observation>> {
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
    let indicators: Vec<&Indicator> = contents
        .iter()
        .map(|c| {
            catalogue.by_contents_code(c).ok_or_else(|| {
                src.error_at(
                    Some("/columns".into()),
                    Some(c),
                    "no indicator of the catalogue has this contents code",
                )
            })
        })
        .collect::<Result<_>>()?;
    let data = doc
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| src.error_at(Some("/data".into()), None, "missing or not a list"))?;
    let mut out = Vec::with_capacity(data.len() * contents.len());
    for (row, item) in data.iter().enumerate() {
        let at =
            |field: &str, msg: String| src.error_at(Some(format!("/data/{row}")), Some(field), msg);
        let key: Vec<&str> = item
            .get("key")
            .and_then(Value::as_array)
            .map(|k| k.iter().filter_map(Value::as_str).collect())
            .filter(|k: &Vec<&str>| k.len() == keys.len())
            .ok_or_else(|| at("key", format!("expected {} key values", keys.len())))?;
        let values = item
            .get("values")
            .and_then(Value::as_array)
            .filter(|v| v.len() == contents.len())
            .ok_or_else(|| at("values", format!("expected {} values", contents.len())))?;
        let year = parse_year(key[time_pos]).ok_or_else(|| {
            at(
                &keys[time_pos].0,
                format!("{:?} is not a year", key[time_pos]),
            )
        })?;
        let (division, code) =
            division_and_code(key[region_pos], year).map_err(|m| at(&keys[region_pos].0, m))?;
        let mut breakdown = Vec::new();
        for (i, (dim, _)) in keys.iter().enumerate() {
            if i != region_pos && i != time_pos {
                let b = breakdown_of(dim, key[i]).map_err(|m| at(dim, m))?;
                if b != "total" {
                    breakdown.push(b);
                }
            }
        }
        let breakdown = if breakdown.is_empty() {
            "total".to_owned()
        } else {
            breakdown.join("_")
        };
        for (j, indicator) in indicators.iter().enumerate() {
            let value = parse_value(indicator, &values[j]).map_err(|m| at(&contents[j], m))?;
            out.push(Observation {
                indicator: indicator.id.clone(),
                division,
                code: code.clone(),
                year,
                breakdown: breakdown.clone(),
                value,
                location: format!("/data/{row}"),
            });
        }
    }
    Ok(out)
}

/// JSON-stat 2.0 as PxWebApi 2 returns it: dimensions in `id` with `size`, categories by
/// `index`, values row-major with the last dimension fastest, as a list or a sparse object.
pub fn read_jsonstat(src: &Source, catalogue: &Catalogue) -> Result<Vec<Observation>> {
    let doc = src.json()?;
    if doc.get("class").and_then(Value::as_str) != Some("dataset") {
        return Err(src.error_at(Some("/class".into()), None, "not a JSON-stat 2.0 dataset"));
    }
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
                .filter_map(|v| v.as_u64().map(|n| n as usize))
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
                    .map(|(k, i)| (i.as_u64().unwrap_or(u64::MAX) as usize, k.clone()))
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
    let indicators: Vec<&Indicator> = cats[metric]
        .iter()
        .map(|c| {
            catalogue.by_contents_code(c).ok_or_else(|| {
                src.error_at(
                    Some(format!("/dimension/{}", ids[metric])),
                    Some(c),
                    "no indicator of the catalogue has this contents code",
                )
            })
        })
        .collect::<Result<_>>()?;
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
    let mut out = Vec::with_capacity(total);
    let mut pos = vec![0usize; ids.len()];
    for flat in 0..total {
        let mut rest = flat;
        for d in (0..ids.len()).rev() {
            pos[d] = rest % sizes[d];
            rest /= sizes[d];
        }
        let at = |field: &str, msg: String| {
            src.error_at(Some(format!("/value/{flat}")), Some(field), msg)
        };
        let year_raw = &cats[time][pos[time]];
        let year = parse_year(year_raw)
            .ok_or_else(|| at(&ids[time], format!("{year_raw:?} is not a year")))?;
        let (division, code) =
            division_and_code(&cats[region][pos[region]], year).map_err(|m| at(&ids[region], m))?;
        let mut breakdown = Vec::new();
        for d in 0..ids.len() {
            if d != region && d != time && d != metric {
                let b = breakdown_of(&ids[d], &cats[d][pos[d]]).map_err(|m| at(&ids[d], m))?;
                if b != "total" {
                    breakdown.push(b);
                }
            }
        }
        let indicator = indicators[pos[metric]];
        let raw = values.get(&flat).cloned().unwrap_or(Value::Null);
        let value = parse_value(indicator, &raw).map_err(|m| at("value", m))?;
        out.push(Observation {
            indicator: indicator.id.clone(),
            division,
            code,
            year,
            breakdown: if breakdown.is_empty() {
                "total".into()
            } else {
                breakdown.join("_")
            },
            value,
            location: format!("/value/{flat}"),
        });
    }
    Ok(out)
}

/// Refuses two values for the same key: the file would contradict itself.
pub fn check_unique(src: &Source, obs: &[Observation]) -> Result<()> {
    let mut seen: HashMap<(&str, &str, &str, i16, &str), &str> = HashMap::new();
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
        let obs = read_jsonstat(&src, &catalogue()).unwrap();
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
            .all(|o| o.division == "kommun" && o.indicator == "population"));
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
            contents_code: "000004W6".into(),
            unit: "days".into(),
            ..cat.indicators[1].clone()
        });
        let obs = read_pxweb_v1(&src.unwrap(), &cat).unwrap();
        assert_eq!(obs.len(), 294);
        let first: Vec<_> = obs.iter().filter(|o| o.code == "1480R001").collect();
        assert_eq!(first[0].value, Some(40.0));
        assert_eq!(first[1].value, Some(948.0));
        let missing = obs.iter().filter(|o| o.value.is_none()).count();
        assert_eq!(missing, 193, "SCB's '..' are missing values, never 0");
        assert!(obs.iter().all(|o| o.division == "regso-2020"));
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
            )
        };
        let ok = px(r#"{"key":["0114R001_RegSO2025","2","2024"],"values":["12.5"]}"#).unwrap();
        assert_eq!(
            (
                ok[0].division,
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
}
