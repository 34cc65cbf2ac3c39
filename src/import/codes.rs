//! Code lists: riket, län and kommun with names (`regioner.json`), DeSO → RegSO mappings with
//! RegSO names for each division version (`deso_regso_*.json`), and SCB's mapping export
//! (`koppling-deso2018-regso2020.csv`) whose old name spellings the area-type exports use.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use super::{csv, Source};
use crate::domain::codes::{level_of, Division, Level};
use crate::error::Error;

/// One area as the code lists describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaRow {
    pub division: Division,
    pub code: String,
    pub name: Option<String>,
    pub county: Option<String>,
    pub municipality: Option<String>,
    pub regso: Option<String>,
}

impl AreaRow {
    fn new(division: Division, code: &str, name: Option<String>) -> AreaRow {
        let level = level_of(code);
        AreaRow {
            division,
            code: code.to_owned(),
            name,
            county: (level != Some(Level::Riket)).then(|| code[..2].to_owned()),
            municipality: (code.len() >= 4).then(|| code[..4].to_owned()),
            regso: None,
        }
    }
}

fn str_at<'a>(src: &Source, v: &'a Value, path: &str) -> Result<&'a str, Error> {
    v.pointer(path)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            src.error_at(
                Some(path.to_owned()),
                None,
                "missing or not a non-empty string",
            )
        })
}

fn expect_level(src: &Source, path: &str, code: &str, level: Level) -> Result<(), Error> {
    match level_of(code) {
        Some(l) if l == level => Ok(()),
        _ => Err(src.error_at(
            Some(path.to_owned()),
            None,
            format!("{code:?} is not a {level} code"),
        )),
    }
}

/// riket, the 21 län and the 290 kommuner.
pub fn read_regions(src: &Source) -> Result<Vec<AreaRow>, Error> {
    let doc = src.json()?;
    let mut rows = vec![AreaRow::new(
        Division::Riket,
        "00",
        Some(str_at(src, &doc, "/riket/namn")?.to_owned()),
    )];
    expect_level(
        src,
        "/riket/kod",
        str_at(src, &doc, "/riket/kod")?,
        Level::Riket,
    )?;
    let mut seen = HashSet::new();
    let list = |key: &str| {
        doc.get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| src.error_at(Some(format!("/{key}")), None, "missing or not a list"))
    };
    for (i, _) in list("lan")?.iter().enumerate() {
        let code = str_at(src, &doc, &format!("/lan/{i}/kod"))?;
        expect_level(src, &format!("/lan/{i}/kod"), code, Level::Lan)?;
        if !seen.insert(code.to_owned()) {
            return Err(src.error_at(
                Some(format!("/lan/{i}/kod")),
                None,
                format!("{code} appears twice"),
            ));
        }
        rows.push(AreaRow::new(
            Division::Lan,
            code,
            Some(str_at(src, &doc, &format!("/lan/{i}/namn"))?.to_owned()),
        ));
    }
    for (i, _) in list("kommuner")?.iter().enumerate() {
        let path = format!("/kommuner/{i}/kod");
        let code = str_at(src, &doc, &path)?;
        expect_level(src, &path, code, Level::Kommun)?;
        if !seen.insert(code.to_owned()) {
            return Err(src.error_at(Some(path), None, format!("{code} appears twice")));
        }
        let county = str_at(src, &doc, &format!("/kommuner/{i}/lanskod"))?;
        if county != &code[..2] || !seen.contains(county) {
            return Err(src.error_at(
                Some(format!("/kommuner/{i}/lanskod")),
                None,
                format!("{county:?} is not the listed län of kommun {code}"),
            ));
        }
        rows.push(AreaRow::new(
            Division::Kommun,
            code,
            Some(str_at(src, &doc, &format!("/kommuner/{i}/namn"))?.to_owned()),
        ));
    }
    Ok(rows)
}

/// The RegSO (named) and DeSO (unnamed, with their RegSO) of one division version. Every
/// RegSO must lie in a known kommun and every DeSO in a RegSO of its own kommun.
pub fn read_deso_regso(
    src: &Source,
    regso_division: Division,
    deso_division: Division,
    municipalities: &HashSet<String>,
) -> Result<(Vec<AreaRow>, Vec<AreaRow>), Error> {
    let doc = src.json()?;
    let object = |key: &str| {
        doc.get(key)
            .and_then(Value::as_object)
            .ok_or_else(|| src.error_at(Some(format!("/{key}")), None, "missing or not an object"))
    };
    let mut regso = Vec::new();
    let names: BTreeMap<&String, &Value> = object("regso")?.iter().collect();
    for (code, name) in &names {
        let path = format!("/regso/{code}");
        expect_level(src, &path, code, Level::Regso)?;
        if !municipalities.contains(&code[..4]) {
            return Err(src.error_at(
                Some(path),
                None,
                format!("{} {} is unknown", Level::Kommun, &code[..4]),
            ));
        }
        let name = name
            .as_str()
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| src.error_at(Some(path.clone()), None, "the RegSO name is missing"))?;
        regso.push(AreaRow::new(
            regso_division,
            code,
            Some(name.trim().to_owned()),
        ));
    }
    let mut deso = Vec::new();
    let members: BTreeMap<&String, &Value> = object("deso")?.iter().collect();
    for (code, parent) in members {
        let path = format!("/deso/{code}");
        expect_level(src, &path, code, Level::Deso)?;
        let parent = parent
            .as_str()
            .filter(|p| names.contains_key(&p.to_string()))
            .ok_or_else(|| {
                src.error_at(
                    Some(path.clone()),
                    None,
                    format!("{parent} is not a RegSO of this file"),
                )
            })?;
        if parent[..4] != code[..4] {
            return Err(src.error_at(
                Some(path),
                None,
                format!("RegSO {parent} lies in another kommun"),
            ));
        }
        let mut row = AreaRow::new(deso_division, code, None);
        row.regso = Some(parent.to_owned());
        deso.push(row);
    }
    Ok((regso, deso))
}

/// SCB's area-type exports label a RegSO as `Kommunnamn (RegSO-namn)` with the names of the
/// mapping export; this reads that export into label → RegSO 2020 code.
pub fn read_labels(src: &Source) -> Result<HashMap<String, String>, Error> {
    let table = csv::read(src)?;
    let kommunnamn = table.column(src, "Kommunnamn")?;
    let regso_name = table.column(src, "RegSO_2020")?;
    let regso_code = table.column(src, "RegSOkod_2020")?;
    let kommun = table.column(src, "Kommun")?;
    let mut labels: HashMap<String, String> = HashMap::new();
    for (line, cells) in &table.rows {
        let code = cells[regso_code].trim();
        if level_of(code) != Some(Level::Regso) {
            return Err(src.error(
                Some(*line),
                Some("RegSOkod_2020"),
                format!("{code:?} is not a RegSO code"),
            ));
        }
        if cells[kommun].trim() != &code[..4] {
            return Err(src.error(
                Some(*line),
                Some("Kommun"),
                format!("does not match RegSO {code}"),
            ));
        }
        let label = format!(
            "{} ({})",
            cells[kommunnamn].trim(),
            cells[regso_name].trim()
        );
        match labels.get(&label) {
            Some(other) if other != code => {
                return Err(src.error(
                    Some(*line),
                    Some("RegSO_2020"),
                    format!("{label:?} names both {other} and {code}"),
                ))
            }
            _ => {
                labels.insert(label, code.to_owned());
            }
        }
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source {
        Source::from_bytes("codes.json", text.as_bytes().to_vec())
    }

    #[test]
    fn regions_are_read_and_checked() {
        let ok = src(r#"{"riket":{"kod":"00","namn":"Riket"},
            "lan":[{"kod":"01","namn":"Stockholms län"}],
            "kommuner":[{"kod":"0180","namn":"Stockholm","lanskod":"01"}]}"#);
        let rows = read_regions(&ok).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].county.as_deref(), Some("01"));
        let wrong_county = src(
            r#"{"riket":{"kod":"00","namn":"R"},"lan":[{"kod":"01","namn":"S"}],
            "kommuner":[{"kod":"0180","namn":"S","lanskod":"03"}]}"#,
        );
        let err = read_regions(&wrong_county).unwrap_err().to_string();
        assert!(err.contains("codes.json:/kommuner/0/lanskod"), "{err}");
        let bad_code = src(
            r#"{"riket":{"kod":"00","namn":"R"},"lan":[{"kod":"1","namn":"S"}],"kommuner":[]}"#,
        );
        assert!(read_regions(&bad_code)
            .unwrap_err()
            .to_string()
            .contains("/lan/0/kod"));
    }

    #[test]
    fn deso_must_map_to_a_regso_of_its_kommun() {
        let known: HashSet<String> = ["0180".to_owned(), "0114".to_owned()].into();
        let ok = src(r#"{"regso":{"0180R001":"A"},"deso":{"0180C1010":"0180R001"}}"#);
        let (r, d) = read_deso_regso(&ok, Division::Regso2025, Division::Deso2025, &known).unwrap();
        assert_eq!((r.len(), d.len()), (1, 1));
        assert_eq!(d[0].regso.as_deref(), Some("0180R001"));
        let cross = src(r#"{"regso":{"0180R001":"A"},"deso":{"0114C1010":"0180R001"}}"#);
        assert!(read_deso_regso(&cross, Division::Regso2025, Division::Deso2025, &known).is_err());
        let orphan = src(r#"{"regso":{"0180R001":"A"},"deso":{"0180C1010":"0180R009"}}"#);
        let err = read_deso_regso(&orphan, Division::Regso2025, Division::Deso2025, &known)
            .unwrap_err()
            .to_string();
        assert!(err.contains("/deso/0180C1010"), "{err}");
    }
}
