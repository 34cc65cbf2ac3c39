//! GeoJSON (RFC 7946) as OGC API – Features writes it: one feature per area with its official
//! code as `id`, and a page of them with `numberMatched`, `numberReturned` and links. The
//! geometry is the GeoJSON text the import stored, copied into the output as it is
//! ([`Verbatim`]), never parsed into a tree nor scanned again.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::data_state::DataState;
use crate::db::features::FeatureRow;
use crate::domain::codes::Division;

/// The properties every feature can have, in the order they are written; `properties=` picks
/// among these and the indicators asked for.
pub const PROPERTIES: &[&str] = &[
    "area_type",
    "area_type_origin",
    "code",
    "county_code",
    "division",
    "geometry_source",
    "index_origin",
    "municipality_code",
    "name",
    "regso_code",
    "socioeconomic_index",
    "year",
];

/// The properties of a feature as `/items` writes them. Which are present follows
/// `properties`; `year`, `area_type`, `area_type_origin`, `socioeconomic_index` and
/// `index_origin` come with `year`, and each
/// indicator asked for is one more property, named by its id, a number or null.
// Members are declared in alphabetical order (`PROPERTIES`), the order the body had when it was
// written as a `serde_json` map; the indicators follow them. A member that is absent is `None`;
// one present without a value is `Some(None)`, written as null.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(as = FeatureProperties)]
pub struct Properties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 5)]
    pub area_type: Option<Option<i16>>,
    /// `official` (SCB's) or `computed` (by this service from SCB's components).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "official")]
    pub area_type_origin: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "0180R036")]
    pub code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county_code: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(Division::Regso2025.id()))]
    pub division: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geometry_source: Option<Option<&'a str>>,
    /// `official` or `computed`, as for the area type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_origin: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regso_code: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socioeconomic_index: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i16>,
    /// Each indicator asked for: its total value in `year`, or null.
    #[serde(flatten)]
    pub indicators: BTreeMap<&'a str, Option<f64>>,
}

/// JSON text written into the output as it is: the geometry PostGIS wrote (`ST_AsGeoJSON`) at
/// import, valid by construction.
///
/// serde_json writes a struct named by its raw-value token, holding one field of that name, as
/// the text of that field: the mechanism behind its own `RawValue`. `RawValue` itself can only
/// be had by validating the text first, a scan of every coordinate that made a page of all
/// 3,363 RegSO at full resolution build 30 % slower (`bench/runs/http-2026-11-30-*`). The
/// token is serde_json's (1.x, `raw_value` feature); the unit tests below compare whole
/// outputs, so a serde_json that changed it would fail them rather than write a wrapped string.
#[derive(Clone, Copy, Debug)]
pub struct Verbatim<'a>(pub &'a str);

const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

impl Serialize for Verbatim<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct(RAW_VALUE_TOKEN, 1)?;
        s.serialize_field(RAW_VALUE_TOKEN, self.0)?;
        s.end()
    }
}

/// A GeoJSON Feature (RFC 7946) whose `id` is the area's official code.
#[derive(Debug, Serialize, ToSchema)]
pub struct Feature<'a> {
    #[serde(rename = "type")]
    #[schema(pattern = "^Feature$", example = "Feature")]
    pub kind: &'static str,
    #[schema(example = "0180R036")]
    pub id: &'a str,
    /// A GeoJSON geometry, or null with `geometry=none`.
    #[schema(value_type = Option<Object>)]
    pub geometry: Option<Verbatim<'a>>,
    pub properties: Properties<'a>,
}

/// A GeoJSON FeatureCollection page with the members of OGC API – Features.
// Generic over the link type: links are the API's (`http::links`), a layer above this one.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureCollection<'a, L> {
    #[serde(rename = "type")]
    #[schema(pattern = "^FeatureCollection$", example = "FeatureCollection")]
    pub kind: &'static str,
    pub features: Vec<Feature<'a>>,
    #[serde(rename = "numberMatched")]
    pub number_matched: i64,
    #[serde(rename = "numberReturned")]
    pub number_returned: i64,
    #[serde(rename = "timeStamp")]
    pub time_stamp: &'a DateTime<Utc>,
    pub data_version: &'a str,
    pub synthetic: bool,
    pub links: Vec<L>,
}

/// What each feature carries besides its code and geometry.
#[derive(Clone, Copy, Debug)]
pub struct Selection<'a> {
    /// The year whose area type and indicator values go into the properties.
    pub year: Option<i16>,
    /// The indicators asked for, each one more property.
    pub indicators: &'a [String],
    /// The properties to write; all when `None`.
    pub properties: Option<&'a [String]>,
}

impl Selection<'_> {
    /// `value` when `property` is to be written.
    fn pick<T>(&self, property: &str, value: T) -> Option<T> {
        self.properties
            .is_none_or(|list| list.iter().any(|p| p == property))
            .then_some(value)
    }
}

/// The indicator values of a page, by area code and indicator id.
pub type Values = BTreeMap<(String, String), Option<f64>>;

/// One area as a feature: its stored GeoJSON geometry and the properties `selection` asks for.
pub fn feature<'a>(
    division: Division,
    row: &'a FeatureRow,
    selection: Selection<'a>,
    values: &Values,
) -> Feature<'a> {
    let (s, area) = (selection, &row.area);
    let dated = |property: &str| s.year.and_then(|_| s.pick(property, ()));
    let indicators = s
        .indicators
        .iter()
        .filter_map(|id| {
            s.pick(id, ())?;
            let value = values.get(&(area.code.clone(), id.clone())).copied();
            Some((id.as_str(), value.flatten()))
        })
        .collect();
    let properties = Properties {
        area_type: dated("area_type").map(|()| row.area_type),
        area_type_origin: dated("area_type_origin").map(|()| row.area_type_origin.as_deref()),
        code: s.pick("code", area.code.as_str()),
        county_code: s.pick("county_code", area.county_code.as_deref()),
        division: s.pick("division", division.id()),
        geometry_source: s.pick("geometry_source", area.geometry_source.as_deref()),
        index_origin: dated("index_origin").map(|()| row.index_origin.as_deref()),
        municipality_code: s.pick("municipality_code", area.municipality_code.as_deref()),
        name: s.pick("name", area.name.as_deref()),
        regso_code: s.pick("regso_code", area.regso_code.as_deref()),
        socioeconomic_index: dated("socioeconomic_index").map(|()| row.socioeconomic_index),
        year: s.year.and_then(|y| s.pick("year", y)),
        indicators,
    };
    Feature {
        kind: "Feature",
        id: &area.code,
        geometry: row.geometry.as_deref().map(Verbatim),
        properties,
    }
}

/// A page of features with what OGC API – Features adds: the counts, the data's time stamp and
/// version, and the links.
pub fn page<'a, L>(
    features: Vec<Feature<'a>>,
    matched: i64,
    data: &'a DataState,
    links: Vec<L>,
) -> FeatureCollection<'a, L> {
    FeatureCollection {
        kind: "FeatureCollection",
        number_matched: matched,
        number_returned: i64::try_from(features.len()).unwrap_or(i64::MAX),
        features,
        time_stamp: &data.updated_at,
        data_version: &data.data_version,
        synthetic: data.synthetic,
        links,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::features::AreaColumns;

    fn row() -> FeatureRow {
        FeatureRow {
            area: AreaColumns {
                code: "0180R036".into(),
                name: Some("Rinkeby".into()),
                county_code: Some("01".into()),
                municipality_code: Some("0180".into()),
                regso_code: None,
                geometry_source: Some("scb".into()),
            },
            geometry: Some(r#"{"type":"Point","coordinates":[17.9,59.4]}"#.into()),
            area_type: Some(1),
            socioeconomic_index: Some(-2.5),
            area_type_origin: Some("official".into()),
            index_origin: None,
            matched: 1,
        }
    }

    fn values() -> Values {
        [(
            ("0180R036".to_owned(), "population".to_owned()),
            Some(16_000.0),
        )]
        .into()
    }

    const ALL: Selection<'static> = Selection {
        year: None,
        indicators: &[],
        properties: None,
    };

    fn text(value: &impl Serialize) -> String {
        serde_json::to_string(value).unwrap()
    }

    #[test]
    fn a_feature_without_a_year_has_the_area_s_properties() {
        let row = row();
        let f = feature(Division::Regso2025, &row, ALL, &values());
        assert_eq!(
            text(&f),
            r#"{"type":"Feature","id":"0180R036","geometry":{"type":"Point","coordinates":[17.9,59.4]},"properties":{"code":"0180R036","county_code":"01","division":"regso-2025","geometry_source":"scb","municipality_code":"0180","name":"Rinkeby","regso_code":null}}"#
        );
    }

    #[test]
    fn a_year_adds_its_area_type_and_the_indicators_asked_for() {
        let row = row();
        let indicators = ["population".to_owned(), "employment".to_owned()];
        let s = Selection {
            year: Some(2024),
            indicators: &indicators,
            ..ALL
        };
        let f = feature(Division::Regso2025, &row, s, &values());
        assert_eq!(
            text(&f.properties),
            r#"{"area_type":1,"area_type_origin":"official","code":"0180R036","county_code":"01","division":"regso-2025","geometry_source":"scb","index_origin":null,"municipality_code":"0180","name":"Rinkeby","regso_code":null,"socioeconomic_index":-2.5,"year":2024,"employment":null,"population":16000.0}"#
        );
    }

    #[test]
    fn properties_picks_a_subset_and_null_geometry_is_null() {
        let mut row = row();
        row.geometry = None;
        let (indicators, asked) = (
            ["population".to_owned()],
            [
                "name".to_owned(),
                "population".to_owned(),
                "year".to_owned(),
            ],
        );
        let s = Selection {
            year: Some(2024),
            indicators: &indicators,
            properties: Some(&asked),
        };
        let f = feature(Division::Regso2025, &row, s, &values());
        assert_eq!(
            text(&f),
            r#"{"type":"Feature","id":"0180R036","geometry":null,"properties":{"name":"Rinkeby","year":2024,"population":16000.0}}"#
        );
        let none: [String; 0] = [];
        let bare = Selection {
            properties: Some(&none),
            ..s
        };
        let f = feature(Division::Regso2025, &row, bare, &values());
        assert_eq!(text(&f.properties), "{}");
    }

    #[test]
    fn every_property_is_written_in_the_declared_order() {
        let row = row();
        let s = Selection {
            year: Some(2024),
            ..ALL
        };
        let f = feature(Division::Regso2025, &row, s, &values());
        let Ok(serde_json::Value::Object(written)) = serde_json::to_value(&f.properties) else {
            panic!("properties are an object");
        };
        let keys: Vec<&str> = written.keys().map(String::as_str).collect();
        assert_eq!(keys, PROPERTIES);
        let written = text(&f.properties);
        let positions: Vec<usize> = PROPERTIES
            .iter()
            .map(|p| written.find(&format!("\"{p}\"")).unwrap())
            .collect();
        assert!(positions.is_sorted(), "{written}");
    }

    #[test]
    fn the_stored_geometry_is_copied_byte_for_byte() {
        let mut row = row();
        // Spacing and number spelling as stored, not as serde_json would write them.
        let stored = r#"{"type": "Point", "coordinates": [17.90, 5.94e1]}"#;
        row.geometry = Some(stored.into());
        let written = text(&feature(Division::Regso2025, &row, ALL, &values()));
        assert!(
            written.starts_with(&format!(
                r#"{{"type":"Feature","id":"0180R036","geometry":{stored},"properties":"#
            )),
            "{written}"
        );
    }

    #[test]
    fn a_page_has_the_counts_the_data_version_and_the_links() {
        let row = row();
        let data = DataState {
            data_version: "abc123".into(),
            synthetic: false,
            updated_at: DateTime::from_timestamp(1_764_438_000, 0).unwrap(),
        };
        let s = Selection {
            properties: Some(&[]),
            ..ALL
        };
        let features = vec![feature(Division::Regso2025, &row, s, &values())];
        let links = vec![serde_json::json!({"rel": "self"})];
        assert_eq!(
            text(&page(features, 7, &data, links)),
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"0180R036","geometry":{"type":"Point","coordinates":[17.9,59.4]},"properties":{}}],"numberMatched":7,"numberReturned":1,"timeStamp":"2025-11-29T17:40:00Z","data_version":"abc123","synthetic":false,"links":[{"rel":"self"}]}"#
        );
        let empty = page::<()>(Vec::new(), 0, &data, Vec::new());
        assert!(text(&empty).starts_with(
            r#"{"type":"FeatureCollection","features":[],"numberMatched":0,"numberReturned":0,"#
        ));
    }
}
