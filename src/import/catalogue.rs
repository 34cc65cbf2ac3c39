//! The indicator catalogue, as data: a JSON file of indicator definitions, each naming the SCB
//! table and contents code its values come from.

use serde::Deserialize;

use super::Source;
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
    /// SCB's `ContentsCode` of the values in the source table.
    pub contents_code: String,
    pub decimals: i16,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub indicators: Vec<Indicator>,
}

/// The themes an indicator may have; `/v1/indicators?theme=` takes these.
pub const THEMES: &[&str] = &[
    "work",
    "education",
    "economy",
    "housing",
    "health",
    "democracy",
    "population",
    "integration",
];
const UNITS: &[&str] = &["percent", "count", "sek", "days", "years"];

impl Catalogue {
    pub fn parse(src: &Source) -> Result<Catalogue> {
        let cat: Catalogue = serde_json::from_slice(&src.bytes)
            .map_err(|e| src.error(Some(e.line()), None, format!("not a valid catalogue: {e}")))?;
        let mut ids = std::collections::HashSet::new();
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
        }
        Ok(cat)
    }

    pub fn by_contents_code(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.contents_code == code)
    }
}
