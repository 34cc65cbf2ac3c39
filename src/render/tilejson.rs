//! TileJSON 3.0.0 (<https://github.com/mapbox/tilejson-spec>) of a collection's vector tiles,
//! as MapLibre reads it, and the attributes a tile's features carry (which OGC API – Tiles'
//! tileset document lists too).
//!
//! Our own types rather than the `tilejson` crate's: the same structs are written and described
//! in the OpenAPI spec (`ToSchema`), and the crate's carry no schema.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::data_state::DataState;
use crate::domain::geography::Division;
use crate::domain::lang::Lang;
use crate::usecase::tiles::{MAX_ZOOM, MIN_ZOOM};

/// A vector layer of a TileJSON document.
// Members in alphabetical order, as a `serde_json` map writes them (the bytes of the document
// built as a map before).
#[derive(Serialize, ToSchema)]
pub struct TileJsonLayer {
    /// Attribute name → description.
    #[schema(value_type = Object)]
    fields: BTreeMap<String, String>,
    #[schema(example = json!(Division::Regso2025.id()))]
    id: String,
    maxzoom: u8,
    minzoom: u8,
}

/// TileJSON 3.0.0 (https://github.com/mapbox/tilejson-spec), with MapLibre's `promoteId`.
// Members in alphabetical order (see `TileJsonLayer`).
#[derive(Serialize, ToSchema)]
pub struct TileJson {
    attribution: &'static str,
    /// west, south, east, north in CRS84.
    bounds: [f64; 4],
    /// longitude, latitude, zoom.
    #[schema(value_type = Vec<f64>)]
    center: (f64, f64, u8),
    description: String,
    maxzoom: u8,
    minzoom: u8,
    name: String,
    /// Collection id → the attribute to use as feature id.
    #[serde(rename = "promoteId")]
    #[schema(rename = "promoteId", value_type = Object)]
    promote_id: BTreeMap<String, &'static str>,
    #[schema(example = "xyz")]
    scheme: &'static str,
    #[schema(example = "3.0.0")]
    tilejson: &'static str,
    /// URL templates with `{z}`, `{x}` and `{y}`, bound to the data version (`v`).
    tiles: Vec<String>,
    vector_layers: Vec<TileJsonLayer>,
    /// The data version.
    version: String,
}

/// What a collection's TileJSON is written from.
pub struct Tileset<'a> {
    pub collection: &'a str,
    /// The collection's extent in CRS84: west, south, east, north.
    pub bounds: [f64; 4],
    pub data: &'a DataState,
    /// The tile URL template, `{z}`, `{x}` and `{y}` in it.
    pub tiles: String,
    pub lang: Lang,
    /// The indicators the tiles carry as attributes.
    pub indicators: &'a [String],
}

/// The TileJSON document of a collection.
pub fn tilejson(t: Tileset<'_>) -> TileJson {
    let Tileset {
        collection,
        bounds,
        data,
        tiles,
        lang,
        indicators,
    } = t;
    TileJson {
        attribution: if data.synthetic {
            "Synthetic data (segstat), not SCB statistics"
        } else {
            "Källa: SCB"
        },
        bounds,
        center: (
            (bounds[0] + bounds[2]) / 2.0,
            (bounds[1] + bounds[3]) / 2.0,
            4,
        ),
        description: format!(
            "{collection}: {}",
            lang.pick(
                "gränser och områdestyper, källa: SCB",
                "boundaries and area types, source: Statistics Sweden (SCB)"
            )
        ),
        maxzoom: MAX_ZOOM,
        minzoom: MIN_ZOOM,
        // MapLibre: use the string code as the feature id (`promoteId` on the source).
        promote_id: BTreeMap::from([(collection.to_owned(), "code")]),
        scheme: "xyz",
        tilejson: "3.0.0",
        tiles: vec![tiles],
        vector_layers: vec![TileJsonLayer {
            fields: layer_fields(lang, indicators),
            id: collection.to_owned(),
            maxzoom: MAX_ZOOM,
            minzoom: MIN_ZOOM,
        }],
        name: collection.to_owned(),
        version: data.data_version.clone(),
    }
}

/// The attributes of a tile's features, name → description, with the indicators asked for.
pub fn layer_fields(lang: Lang, indicators: &[String]) -> BTreeMap<String, String> {
    let mut fields: BTreeMap<String, String> = [
        ("code", lang.pick("officiell kod", "official code")),
        ("name", lang.pick("namn", "name")),
        (
            "area_type",
            lang.pick("områdestyp 1–5 (med year=)", "area type 1–5 (with year=)"),
        ),
        (
            "area_type_origin",
            lang.pick(
                "official (SCB:s) eller computed (beräknad här)",
                "official (SCB's) or computed (here)",
            ),
        ),
    ]
    .into_iter()
    .map(|(name, description)| (name.to_owned(), description.to_owned()))
    .collect();
    for id in indicators {
        fields.insert(
            id.clone(),
            format!("{id} ({})", lang.pick("värde för year=", "value for year=")),
        );
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn data(synthetic: bool) -> DataState {
        DataState {
            data_version: "abc123".into(),
            synthetic,
            updated_at: Utc.timestamp_opt(0, 0).unwrap(),
        }
    }

    fn written(synthetic: bool, lang: Lang, indicators: &[String]) -> String {
        let data = data(synthetic);
        let doc = tilejson(Tileset {
            collection: "regso-2025",
            bounds: [11.0, 55.0, 24.0, 69.0],
            data: &data,
            tiles: "http://x/v1/tiles/regso-2025/{z}/{x}/{y}.mvt?v=abc123".into(),
            lang,
            indicators,
        });
        serde_json::to_string(&doc).unwrap()
    }

    #[test]
    fn the_whole_document_is_written_in_member_order() {
        assert_eq!(
            written(false, Lang::En, &[]),
            concat!(
                r#"{"attribution":"Källa: SCB","bounds":[11.0,55.0,24.0,69.0],"center":[17.5,62.0,4],"#,
                r#""description":"regso-2025: boundaries and area types, source: Statistics Sweden (SCB)","#,
                r#""maxzoom":16,"minzoom":0,"name":"regso-2025","promoteId":{"regso-2025":"code"},"#,
                r#""scheme":"xyz","tilejson":"3.0.0","#,
                r#""tiles":["http://x/v1/tiles/regso-2025/{z}/{x}/{y}.mvt?v=abc123"],"#,
                r#""vector_layers":[{"fields":{"area_type":"area type 1–5 (with year=)","#,
                r#""area_type_origin":"official (SCB's) or computed (here)","code":"official code","name":"name"},"#,
                r#""id":"regso-2025","maxzoom":16,"minzoom":0}],"version":"abc123"}"#
            )
        );
    }

    #[test]
    fn synthetic_data_is_attributed_as_synthetic() {
        let doc = written(true, Lang::Sv, &[]);
        assert!(doc.contains(r#""attribution":"Synthetic data (segstat), not SCB statistics""#));
        assert!(!doc.contains("Källa: SCB"));
        assert!(doc.contains("gränser och områdestyper"));
    }

    #[test]
    fn indicators_asked_for_are_listed_among_the_fields() {
        let fields = layer_fields(Lang::Sv, &["population".to_owned()]);
        assert_eq!(
            fields.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "area_type",
                "area_type_origin",
                "code",
                "name",
                "population"
            ]
        );
        assert_eq!(fields["population"], "population (värde för year=)");
    }
}
