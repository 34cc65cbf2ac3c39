//! OGC API – Tiles (Part 1: Core) beside our own `/v1/tiles`: the WebMercatorQuad tile matrix
//! set, each collection's vector tileset and its tiles. A tile is the same MVT as
//! `/v1/tiles/{collection}/{z}/{x}/{y}.mvt` (OGC orders the address matrix/row/col, i.e. z/y/x).
//!
//! An address outside the matrix set (a tileMatrix we do not serve, a row or column past the
//! matrix edge) is a 400 problem naming the parameter, as on `/v1/tiles` (20-057
//! `/req/core/tc-error` allows 400 or 404); an unknown collection or tile matrix set is a 404;
//! a tile with no feature is an empty 200, the same bytes as `/v1/tiles`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::params::LangJson;
use super::tiles::{
    layer_fields, tile_response, tileset_response, TileJsonParams, TileParams, TilesetOf, MVT,
};
use crate::api::features::division_of;
use crate::api::Routes;
use crate::domain::lang::Lang;
use crate::error::{Error, Result};
use crate::geo::web_mercator;
use crate::http::conditional::{data_response, respond, Freshness, Representation, Source};
use crate::http::format::Format;
use crate::http::links::{base_url, RequestUrl, REL_TILING_SCHEME};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::state::AppState;
use crate::usecase::indicators::check_indicators;
use crate::usecase::tiles::{self as usecase, AddressNames, MAX_ZOOM, MIN_ZOOM};

pub fn routes(r: &mut Routes) {
    r.plain(__path_get_tile_matrix_sets, get_tile_matrix_sets);
    r.plain(__path_get_tile_matrix_set, get_tile_matrix_set);
    r.versioned(__path_get_collection_tilesets, get_collection_tilesets);
    r.versioned(__path_get_collection_tileset, get_collection_tileset);
    r.versioned(__path_get_collection_tile, get_collection_tile);
}

/// The one tile matrix set served.
pub const WEB_MERCATOR_QUAD: &str = "WebMercatorQuad";
const TMS_URI: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
const EPSG3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// `{tileMatrix}/{tileRow}/{tileCol}`, named as the client wrote them.
const OGC_NAMES: AddressNames = AddressNames {
    zoom: "tileMatrix",
    col: "tileCol",
    row: "tileRow",
};

fn check_tile_matrix_set(id: &str) -> Result<()> {
    if id == WEB_MERCATOR_QUAD {
        Ok(())
    } else {
        Err(Error::NotFound(format!(
            "no tile matrix set {id:?}; /v1/tileMatrixSets lists them (only {WEB_MERCATOR_QUAD})"
        )))
    }
}

/// The WebMercatorQuad definition (OGC 2DTMS 2.0) for the zoom levels served, its numbers
/// computed from the sphere of EPSG:3857.
pub fn web_mercator_quad() -> Value {
    let corner = web_mercator::half_extent();
    let matrices: Vec<Value> = (MIN_ZOOM..=MAX_ZOOM)
        .map(|z| {
            json!({
                "id": z.to_string(),
                "scaleDenominator": web_mercator::scale_denominator(z),
                "cellSize": web_mercator::cell_size(z),
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-corner, corner],
                "tileWidth": web_mercator::TILE_SIZE,
                "tileHeight": web_mercator::TILE_SIZE,
                "matrixWidth": web_mercator::matrix_size(z),
                "matrixHeight": web_mercator::matrix_size(z),
            })
        })
        .collect();
    json!({
        "id": WEB_MERCATOR_QUAD,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": EPSG3857,
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    })
}

fn software_json(
    req: &HttpRequest,
    state: &AppState,
    lang: Lang,
    body: &Value,
) -> Result<HttpResponse> {
    Ok(respond(
        req,
        Source::Software,
        None,
        Freshness::Public {
            max_age_secs: state.config.cache_max_age.as_secs(),
        },
        &format!("json|{}", lang.code()),
        Representation::json(body, Some(lang))?,
    ))
}

/// A tile matrix set as listed: id, URI and links.
#[derive(ToSchema)]
#[allow(dead_code)] // describes the documents the handlers build; never built
pub struct TileMatrixSetRef {
    #[schema(example = "WebMercatorQuad")]
    id: String,
    title: String,
    uri: String,
    links: Vec<crate::http::links::Link>,
}

/// The tile matrix sets list (OGC API – Tiles).
#[derive(ToSchema)]
#[allow(dead_code)] // describes the documents the handlers build; never built
pub struct TileMatrixSets {
    #[schema(rename = "tileMatrixSets")]
    tile_matrix_sets: Vec<TileMatrixSetRef>,
}

/// The tile matrix sets tiles are served in: only WebMercatorQuad.
#[utoipa::path(get, path = "/v1/tileMatrixSets", tag = "tiles", params(LangJson),
    responses((status = 200, description = "The tile matrix sets.", body = TileMatrixSets)))]
pub async fn get_tile_matrix_sets(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<LangJson>,
) -> Result<HttpResponse> {
    let base = base_url(&req);
    let body = json!({
        "tileMatrixSets": [{
            "id": WEB_MERCATOR_QUAD,
            "title": "Google Maps Compatible for the World",
            "uri": TMS_URI,
            "links": [{
                "href": format!("{base}/v1/tileMatrixSets/{WEB_MERCATOR_QUAD}"),
                "rel": "self",
                "type": "application/json",
                "title": WEB_MERCATOR_QUAD,
            }],
        }],
        "links": [{
            "href": format!("{base}/v1/tileMatrixSets"),
            "rel": "self",
            "type": "application/json",
            "title": p.lang.pick("Rutnät för kartplattor", "Tile matrix sets"),
        }],
    });
    software_json(&req, &state, p.lang, &body)
}

/// One tile matrix in a tile matrix set.
#[derive(ToSchema)]
#[allow(dead_code)] // describes the documents the handlers build; never built
pub struct TileMatrix {
    #[schema(example = "6")]
    id: String,
    #[schema(rename = "scaleDenominator", example = 8735660.375448715)]
    scale_denominator: f64,
    #[schema(rename = "cellSize", example = 2445.984905125641)]
    cell_size: f64,
    #[schema(rename = "cornerOfOrigin", example = "topLeft")]
    corner_of_origin: String,
    #[schema(rename = "pointOfOrigin")]
    point_of_origin: [f64; 2],
    #[schema(rename = "tileWidth", example = 256)]
    tile_width: u32,
    #[schema(rename = "tileHeight", example = 256)]
    tile_height: u32,
    #[schema(rename = "matrixWidth", example = 64)]
    matrix_width: u32,
    #[schema(rename = "matrixHeight", example = 64)]
    matrix_height: u32,
}

/// A tile matrix set definition (OGC Two Dimensional Tile Matrix Set 2.0, JSON).
#[derive(ToSchema)]
#[allow(dead_code)] // describes the documents the handlers build; never built
pub struct TileMatrixSet {
    #[schema(example = "WebMercatorQuad")]
    id: String,
    title: String,
    #[schema(example = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad")]
    uri: String,
    #[schema(example = "http://www.opengis.net/def/crs/EPSG/0/3857")]
    crs: String,
    #[schema(rename = "orderedAxes")]
    ordered_axes: Vec<String>,
    #[schema(rename = "wellKnownScaleSet")]
    well_known_scale_set: String,
    #[schema(rename = "tileMatrices")]
    tile_matrices: Vec<TileMatrix>,
}

/// The WebMercatorQuad definition, tile matrices 0–16 (the zoom levels served).
#[utoipa::path(get, path = "/v1/tileMatrixSets/{tileMatrixSetId}", tag = "tiles",
    params(("tileMatrixSetId" = String, Path, pattern = "^WebMercatorQuad$", example = "WebMercatorQuad"), LangJson),
    responses((status = 200, description = "The tile matrix set.", body = TileMatrixSet),
              (status = 404, description = "No such tile matrix set.", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_tile_matrix_set(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<LangJson>,
) -> Result<HttpResponse> {
    check_tile_matrix_set(&path.into_inner())?;
    software_json(&req, &state, p.lang, &web_mercator_quad())
}

fn link(href: String, rel: &str, media_type: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": media_type, "title": title})
}

/// A tileset as listed, or the head of its metadata.
fn tileset_summary(base: &str, collection: &str, qs: &str) -> Value {
    json!({
        "title": format!("{collection} (vector tiles, {WEB_MERCATOR_QUAD})"),
        "dataType": "vector",
        "crs": EPSG3857,
        "tileMatrixSetURI": TMS_URI,
        "links": [
            link(format!("{base}/v1/collections/{collection}/tiles/{WEB_MERCATOR_QUAD}{qs}"), "self", "application/json", "this tileset"),
            link(format!("{base}/v1/tileMatrixSets/{WEB_MERCATOR_QUAD}"), REL_TILING_SCHEME, "application/json", "the tile matrix set"),
            // The same tiles described as TileJSON 3.0, which MapLibre and QGIS's XYZ
            // connection read directly.
            link(format!("{base}/v1/tiles/{collection}{qs}"), "alternate", "application/json", "this tileset as TileJSON"),
        ],
    })
}

/// The tilesets list of a collection (OGC API – Tiles).
#[derive(ToSchema)]
#[allow(dead_code)] // describes the documents the handlers build; never built
pub struct TileSets {
    /// Each with title, dataType, crs, tileMatrixSetURI and links.
    #[schema(value_type = Vec<Object>)]
    tilesets: (),
    links: Vec<crate::http::links::Link>,
}

/// A collection's tilesets: one vector tileset in WebMercatorQuad.
#[utoipa::path(get, path = "/v1/collections/{collection}/tiles", tag = "tiles",
    params(("collection" = String, Path, example = "regso-2025"), TileJsonParams),
    responses((status = 200, description = "The tilesets.", body = TileSets),
              (status = 404, description = "No such collection.", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_collection_tilesets(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<TileJsonParams>,
) -> Result<HttpResponse> {
    let collection = path.into_inner();
    division_of(&collection)?;
    let url = RequestUrl::of(&req);
    let lang = p.lang;
    data_response(&req, &state, lang.code(), move |conn, _| {
        check_indicators(
            conn,
            "indicator",
            p.tile.indicator.as_deref().unwrap_or_default(),
        )?;
        let qs = p.tile.passed_on('?', &[]);
        let base = &url.base;
        let body = json!({
            "tilesets": [tileset_summary(base, &collection, &qs)],
            "links": [
                link(url.full(), "self", "application/json", "these tilesets"),
                link(format!("{base}/v1/collections/{collection}"), "collection", "application/json", "the collection"),
            ],
        });
        Representation::json(&body, Some(lang))
    })
    .await
}

/// Tileset metadata (OGC 2DTMS 2.0 TileSet).
#[derive(ToSchema)]
#[allow(dead_code)] // describes the documents the handlers build; never built
pub struct TileSet {
    title: String,
    #[schema(rename = "dataType", example = "vector")]
    data_type: String,
    #[schema(example = "http://www.opengis.net/def/crs/EPSG/0/3857")]
    crs: String,
    #[schema(rename = "tileMatrixSetURI")]
    tile_matrix_set_uri: String,
    /// Per tile matrix, the rows and columns that hold the collection.
    #[schema(rename = "tileMatrixSetLimits", value_type = Vec<Object>)]
    tile_matrix_set_limits: (),
    /// The collection's extent in CRS84.
    #[schema(rename = "boundingBox", value_type = Object)]
    bounding_box: (),
    /// One vector layer, named as the collection, with its attributes in `propertiesSchema`.
    #[schema(value_type = Vec<Object>)]
    layers: (),
    /// `self`, the tile matrix set (`…/tiling-scheme`) and the tile URL template (`item`,
    /// `templated`: `{tileMatrix}/{tileRow}/{tileCol}`).
    #[schema(value_type = Vec<Object>)]
    links: (),
}

/// A collection's vector tileset in WebMercatorQuad: its matrix limits, layer and tile URL
/// template. `year` and `indicator` are passed on to the tile URLs.
#[utoipa::path(get, path = "/v1/collections/{collection}/tiles/{tileMatrixSetId}", tag = "tiles",
    params(("collection" = String, Path, example = "regso-2025"),
           ("tileMatrixSetId" = String, Path, pattern = "^WebMercatorQuad$", example = "WebMercatorQuad"),
           TileJsonParams),
    responses((status = 200, description = "The tileset metadata.", body = TileSet),
              (status = 404, description = "No such collection or tile matrix set.", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_collection_tileset(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    Query(p): Query<TileJsonParams>,
) -> Result<HttpResponse> {
    let (collection, tms) = path.into_inner();
    let division = division_of(&collection)?;
    check_tile_matrix_set(&tms)?;
    tileset_response(&req, &state, (collection, division), p, tileset).await
}

/// The tileset document of a collection.
fn tileset(
    TilesetOf {
        collection,
        bounds,
        data,
        url,
        p,
    }: TilesetOf,
) -> Value {
    let lang = p.lang;
    let indicators = p.tile.indicator.as_deref().unwrap_or_default();
    let base = &url.base;
    let mut doc = tileset_summary(base, &collection, &p.tile.passed_on('?', &[]));
    let limits: Vec<Value> = (MIN_ZOOM..=MAX_ZOOM)
        .map(|z| {
            let (min_col, max_col, min_row, max_row) = web_mercator::tile_limits(z, bounds);
            json!({"tileMatrix": z.to_string(), "minTileRow": min_row, "maxTileRow": max_row,
                   "minTileCol": min_col, "maxTileCol": max_col})
        })
        .collect();
    let properties: serde_json::Map<String, Value> = layer_fields(lang, indicators)
        .into_iter()
        .map(|(name, description)| {
            let kind = match name.as_str() {
                "code" | "name" | "area_type_origin" => "string",
                "area_type" => "integer",
                _ => "number",
            };
            (name, json!({"type": kind, "description": description}))
        })
        .collect();
    // Bound to the data version: the tiles are immutable until the next import.
    let template = format!(
            "{base}/v1/collections/{collection}/tiles/{WEB_MERCATOR_QUAD}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}?f=mvt{}",
            p.tile.passed_on('&', &[format!("v={}", data.data_version)]),
        );
    if let Some(links) = doc["links"].as_array_mut() {
        links.push(json!({"href": template, "rel": "item", "type": MVT, "templated": true,
                         "title": lang.pick("kartplattor (Mapbox Vector Tile)", "tiles (Mapbox Vector Tile)")}));
    }
    doc["tileMatrixSetLimits"] = json!(limits);
    doc["boundingBox"] = json!({"lowerLeft": [bounds[0], bounds[1]], "upperRight": [bounds[2], bounds[3]], "crs": CRS84});
    doc["layers"] = json!([{
        "id": collection,
        "dataType": "vector",
        "geometryDimension": 2,
        "minTileMatrix": MIN_ZOOM.to_string(),
        "maxTileMatrix": MAX_ZOOM.to_string(),
        "propertiesSchema": {"type": "object", "properties": properties},
    }]);
    doc
}

const MVT_ONLY: Param = Param::new("f", Accepts::Formats(&[Format::Mvt]))
    .doc("Only `mvt`; `Accept: application/vnd.mapbox-vector-tile` does the same.")
    .example("mvt");

/// The tile parameters, and `f=mvt`.
#[derive(Debug)]
pub struct OgcTileParams(pub TileParams);

impl FromQuery for OgcTileParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let tile = TileParams::from_query(r, req);
        if let Err(e) = Format::negotiate(r, req, &MVT_ONLY) {
            r.refuse(e);
        }
        OgcTileParams(tile)
    }
}

documented!(OgcTileParams);

/// A vector tile of a collection in WebMercatorQuad: the same bytes as
/// `/v1/tiles/{collection}/{z}/{x}/{y}.mvt` with z = tileMatrix, y = tileRow, x = tileCol.
#[utoipa::path(get, path = "/v1/collections/{collection}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", tag = "tiles",
    params(("collection" = String, Path, example = "regso-2025"),
           ("tileMatrixSetId" = String, Path, pattern = "^WebMercatorQuad$", example = "WebMercatorQuad"),
           ("tileMatrix" = u8, Path, minimum = 0, maximum = 16, example = 6),
           ("tileRow" = u32, Path, example = 18),
           ("tileCol" = u32, Path, example = 35),
           OgcTileParams),
    responses((status = 200, description = "A Mapbox Vector Tile (empty body when no feature falls in the tile). Layer name = collection id; attributes as in the tileset's propertiesSchema.", content_type = "application/vnd.mapbox-vector-tile"),
              (status = 400, description = "tileMatrix, tileRow or tileCol outside the tile matrix set (each named), or a bad parameter.", body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such collection or tile matrix set.", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_collection_tile(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String, String, String)>,
    Query(p): Query<OgcTileParams>,
) -> Result<HttpResponse> {
    let (collection, tms, tile_matrix, tile_row, tile_col) = path.into_inner();
    let division = division_of(&collection)?;
    check_tile_matrix_set(&tms)?;
    let address = usecase::tile_address(&tile_matrix, &tile_col, &tile_row, &OGC_NAMES)?;
    tile_response(&req, &state, collection, division, address, p.0).await
}
