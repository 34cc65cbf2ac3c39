//! The OpenAPI document, generated from the handlers' annotations. `openapi/openapi.json` is
//! this document as committed; a test fails when they differ (`segstat openapi` regenerates it).

use utoipa::OpenApi;

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Segregation statistics for Sweden",
        description = "Open data API for Sweden's socio-economic segregation statistics: the \
socio-economic index, area types (områdestyper), indicators and boundaries per regional \
statistics area (RegSO), and inequality indices per municipality and county, as published by \
Statistics Sweden (SCB) and Segregationsbarometern.\n\nData licence: CC0 1.0. Cite as \
\"Källa: SCB\". Errors are RFC 9457 `application/problem+json`. Responses carry a strong \
`ETag` derived from the data version; send `If-None-Match` to get a 304.",
        license(name = "Code: MIT OR Apache-2.0; data: CC0-1.0"),
    ),
    paths(
        api::system::get_health,
        api::system::get_ready,
        api::landing::get_landing,
        api::landing::get_conformance,
        api::meta::get_meta,
        api::docs::get_openapi,
        api::areas::get_area_types,
        api::areas::get_areas,
        api::areas::get_area,
        api::areas::get_area_children,
        api::indicators::get_indicators,
        api::indicators::get_indicator,
        api::data::get_data,
        api::summaries::get_municipality_summary,
        api::summaries::get_county_summary,
        api::summaries::get_inequality,
        api::lookup::get_lookup,
        api::features::get_collections,
        api::features::get_collection,
        api::features::get_items,
        api::features::get_item,
        api::tiles::get_tilejson,
        api::tiles::get_tile,
    ),
    components(schemas(crate::error::Problem, crate::error::ParamError)),
    tags(
        (name = "discovery", description = "Landing page, conformance, metadata and this document"),
        (name = "system", description = "Liveness and readiness for operators"),
        (name = "indicators", description = "The indicator catalogue"),
        (name = "data", description = "Indicator values in long form: JSON, CSV, JSON-stat 2.0"),
        (name = "summaries", description = "Per kommun, län and Sweden: area types, population and inequality"),
        (name = "features", description = "OGC API – Features: boundaries as GeoJSON collections, with choropleth data"),
        (name = "tiles", description = "Vector tiles (MVT) and TileJSON for web maps"),
        (name = "areas", description = "Areas at every level and division version, their area types and history"),
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON with a final newline: the exact bytes of the committed file.
pub fn spec_json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
