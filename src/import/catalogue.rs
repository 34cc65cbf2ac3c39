//! The indicator catalogue, as data: a JSON file of indicator definitions. Each one names the
//! SCB table it comes from and either the contents code of a published value, or, for a value
//! we compute, the formula and the cells of the table it is computed from.
//!
//! Selections say at which codes of a table's other dimensions a value is taken (for example
//! `{"Alder": "totalt"}`); every dimension neither selected nor the region, time or contents
//! becomes a breakdown (`Kon` → `total`, `men`, `women`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Source;
use crate::domain::themes::THEMES;
use crate::error::Result;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub theme: String,
    pub name_sv: String,
    pub name_en: String,
    pub description_sv: String,
    pub description_en: String,
    pub unit: String,
    #[serde(default)]
    pub age_band: Option<String>,
    pub source_table: String,
    /// SCB's `ContentsCode` of a published value; absent for a computed one.
    #[serde(default)]
    pub contents_code: Option<String>,
    /// Codes of other dimensions the value is taken at.
    #[serde(default)]
    pub select: BTreeMap<String, String>,
    /// How a computed value is computed; absent for a published one.
    #[serde(default)]
    pub derived: Option<Derived>,
    /// Other tables that publish the same figure (say a kommun table beside a RegSO one), or
    /// the name an older API gives its contents, with the same selection.
    #[serde(default)]
    pub also: Vec<AlsoIn>,
    pub decimals: i16,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AlsoIn {
    pub source_table: String,
    pub contents_code: String,
}

/// `scale × Σ numerator / Σ denominator`, each term a cell of the same table (a contents code
/// and, optionally, codes of other dimensions). A missing term, or a zero denominator, makes
/// the value missing, never 0.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Derived {
    /// The formula in words, as shown to users.
    pub formula: String,
    pub numerator: Vec<Term>,
    pub denominator: Vec<Term>,
    #[serde(default = "hundred")]
    pub scale: f64,
}

fn hundred() -> f64 {
    100.0
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub contents_code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub select: BTreeMap<String, String>,
}

impl Indicator {
    pub fn is_computed(&self) -> bool {
        self.derived.is_some()
    }

    /// The dimensions this indicator fixes: its own selection and every term's.
    pub fn fixed_dimensions(&self) -> Vec<&str> {
        let mut dims: Vec<&str> = self.select.keys().map(String::as_str).collect();
        if let Some(d) = &self.derived {
            for t in d.numerator.iter().chain(&d.denominator) {
                dims.extend(t.select.keys().map(String::as_str));
            }
        }
        dims.sort_unstable();
        dims.dedup();
        dims
    }

    /// Whether the indicator reads this table (by id or as an `also` source).
    pub fn reads_table(&self, table: &str) -> bool {
        self.source_table.eq_ignore_ascii_case(table)
            || self
                .also
                .iter()
                .any(|a| a.source_table.eq_ignore_ascii_case(table))
    }

    /// Every (contents code, selection) cell the indicator reads.
    pub fn cells(&self) -> Vec<(String, BTreeMap<String, String>)> {
        match (&self.contents_code, &self.derived) {
            (Some(c), _) => std::iter::once(c.clone())
                .chain(self.also.iter().map(|a| a.contents_code.clone()))
                .map(|c| (c, self.select.clone()))
                .collect(),
            (None, Some(d)) => d
                .numerator
                .iter()
                .chain(&d.denominator)
                .map(|t| {
                    let mut sel = self.select.clone();
                    sel.extend(t.select.clone());
                    (t.contents_code.clone(), sel)
                })
                .collect(),
            (None, None) => Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub indicators: Vec<Indicator>,
}

const UNITS: &[&str] = &[
    "percent",
    "count",
    "sek",
    "sek_thousands",
    "price_base_amounts",
    "days",
    "years",
    "index",
    "area_type",
];

impl Catalogue {
    pub fn parse(src: &Source) -> Result<Catalogue> {
        let cat: Catalogue = serde_json::from_slice(&src.bytes)
            .map_err(|e| src.error(Some(e.line()), None, format!("not a valid catalogue: {e}")))?;
        let mut ids = std::collections::HashSet::new();
        let mut published = std::collections::HashMap::new();
        for (i, ind) in cat.indicators.iter().enumerate() {
            let at = |field: &str, msg: String| {
                src.error_at(Some(format!("/indicators/{i}")), Some(field), msg)
            };
            let id_ok = ind
                .id
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
                && ind
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !id_ok {
                return Err(at(
                    "id",
                    format!("{:?} must be lowercase letters, digits and _", ind.id),
                ));
            }
            if !ids.insert(&ind.id) {
                return Err(at("id", format!("{:?} appears twice", ind.id)));
            }
            if !THEMES.contains(&ind.theme.as_str()) {
                return Err(at(
                    "theme",
                    format!("{:?} is not one of {}", ind.theme, THEMES.join(", ")),
                ));
            }
            if !UNITS.contains(&ind.unit.as_str()) {
                return Err(at(
                    "unit",
                    format!("{:?} is not one of {}", ind.unit, UNITS.join(", ")),
                ));
            }
            if !(0..=6).contains(&ind.decimals) {
                return Err(at("decimals", format!("{} is not 0–6", ind.decimals)));
            }
            match (&ind.contents_code, &ind.derived) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(at(
                        "contents_code",
                        "give either contents_code (a published value) or derived (a computed one)"
                            .into(),
                    ))
                }
                (None, Some(d)) if d.numerator.is_empty() || d.denominator.is_empty() => {
                    return Err(at(
                        "derived",
                        "numerator and denominator need at least one term each".into(),
                    ))
                }
                (None, Some(d)) if !(d.scale.is_finite() && d.scale > 0.0) => {
                    return Err(at("derived", format!("scale {} is not positive", d.scale)))
                }
                _ => {}
            }
            // Two published indicators reading the same cell would be the same figure twice,
            // and a cell must name one indicator when it is read.
            if let Some(code) = &ind.contents_code {
                let key = (ind.source_table.clone(), code.clone(), ind.select.clone());
                if let Some(other) = published.insert(key, ind.id.clone()) {
                    return Err(at(
                        "contents_code",
                        format!(
                            "{other:?} already reads {code} of {} with this selection",
                            ind.source_table
                        ),
                    ));
                }
            }
        }
        Ok(cat)
    }

    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The indicators that read a table, or that name a contents code when the table is not
    /// known (a PxWeb v1 file does not say which table it is).
    pub fn for_table<'a>(
        &'a self,
        table: Option<&'a str>,
        contents: &'a [String],
    ) -> impl Iterator<Item = &'a Indicator> + 'a {
        self.indicators.iter().filter(move |i| match table {
            Some(t) => i.reads_table(t),
            None => i
                .cells()
                .iter()
                .any(|(c, _)| contents.iter().any(|x| x == c)),
        })
    }

    /// The tables the catalogue reads, each with its indicators.
    pub fn tables(&self) -> BTreeMap<&str, Vec<&Indicator>> {
        let mut out: BTreeMap<&str, Vec<&Indicator>> = BTreeMap::new();
        for i in &self.indicators {
            out.entry(i.source_table.as_str()).or_default().push(i);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Catalogue> {
        Catalogue::parse(&Source::from_bytes("cat.json", json.as_bytes().to_vec()))
    }

    fn entry(extra: &str) -> String {
        format!(
            r#"{{"id":"x","theme":"work","name_sv":"x","name_en":"x","description_sv":"d",
                "description_en":"d","unit":"percent","source_table":"TAB6680","decimals":1{extra}}}"#
        )
    }

    #[test]
    fn an_indicator_is_published_or_computed_never_both_or_neither() {
        let neither = parse(&format!(r#"{{"indicators":[{}]}}"#, entry("")))
            .unwrap_err()
            .to_string();
        assert!(neither.contains("either contents_code"), "{neither}");
        let derived = r#","derived":{"formula":"employed / total","numerator":[{"contents_code":"0000089X"}],"denominator":[{"contents_code":"0000089Y"}]}"#;
        let both = parse(&format!(
            r#"{{"indicators":[{}]}}"#,
            entry(&format!(r#","contents_code":"0000089X"{derived}"#))
        ))
        .unwrap_err()
        .to_string();
        assert!(both.contains("either contents_code"), "{both}");
        let cat = parse(&format!(r#"{{"indicators":[{}]}}"#, entry(derived))).unwrap();
        let ind = &cat.indicators[0];
        assert!(ind.is_computed());
        assert_eq!(ind.derived.as_ref().unwrap().scale, 100.0);
        let cells: Vec<String> = ind.cells().into_iter().map(|c| c.0).collect();
        assert_eq!(cells, ["0000089X", "0000089Y"]);
    }

    #[test]
    fn a_cell_read_twice_is_refused() {
        let a = entry(r#","contents_code":"0000089X","select":{"Alder":"20-64"}"#);
        let b = a.replace(r#""id":"x""#, r#""id":"y""#);
        let err = parse(&format!(r#"{{"indicators":[{a},{b}]}}"#))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cat.json:/indicators/1: contents_code"),
            "{err}"
        );
        let other_age = b.replace("20-64", "16-65");
        assert!(parse(&format!(r#"{{"indicators":[{a},{other_age}]}}"#)).is_ok());
    }

    #[test]
    fn fixed_dimensions_include_the_terms_selections() {
        let ind = entry(
            r#","select":{"Alder":"20-64"},"derived":{"formula":"f","numerator":[{"contents_code":"A","select":{"UtbildningsNiva":"21"}}],"denominator":[{"contents_code":"A"}]}"#,
        );
        let cat = parse(&format!(r#"{{"indicators":[{ind}]}}"#)).unwrap();
        assert_eq!(
            cat.indicators[0].fixed_dimensions(),
            ["Alder", "UtbildningsNiva"]
        );
    }

    #[test]
    fn the_shipped_catalogue_parses_and_names_real_tables() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/catalogue/indicators.json"
        );
        let cat =
            Catalogue::parse(&Source::read(std::path::Path::new(path), "indicators.json").unwrap())
                .unwrap();
        for id in [
            "socioeconomic_index",
            "area_type",
            "low_education",
            "low_economic_standard",
            "long_term_dependency",
            "population",
        ] {
            assert!(cat.get(id).is_some(), "{id} is missing");
        }
        assert!(cat
            .indicators
            .iter()
            .all(|i| i.source_table.starts_with("TAB") || i.source_table.starts_with("IntGr")));
    }
}
