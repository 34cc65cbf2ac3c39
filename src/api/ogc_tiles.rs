//! OGC API – Tiles (Part 1: Core) beside our own `/v1/tiles`: the WebMercatorQuad tile matrix
//! set, each collection's vector tileset and its tiles. A tile is the same MVT as
//! `/v1/tiles/{collection}/{z}/{x}/{y}.mvt` (OGC orders the address matrix/row/col, i.e. z/y/x).
//!
//! An address outside the matrix set (a tileMatrix we do not serve, a row or column past the
//! matrix edge) is a 400 problem naming the parameter, as on `/v1/tiles` (20-057
//! `/req/core/tc-error` allows 400 or 404); an unknown collection or tile matrix set is a 404;
//! a tile with no feature is an empty 200, the same bytes as `/v1/tiles`.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::params::LangJson;
use super::tiles::{tile_response, tileset_response, TileJsonParams, TileParams, TilesetOf, MVT};
use crate::api::features::division_of;
use crate::api::Routes;
use crate::api_error::{ApiError, ApiResult};
use crate::domain::geography::Division;
use crate::domain::lang::Lang;
use crate::geo::web_mercator;
use crate::http::conditional::{software_response, Representation};
use crate::http::format::Format;
use crate::http::links::{base_url, REL_TILING_SCHEME};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::render::tilejson::layer_fields;
use crate::state::AppState;
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

fn check_tile_matrix_set(id: &str) -> ApiResult<()> {
    if id == WEB_MERCATOR_QUAD {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "no tile matrix set {id:?}; /v1/tileMatrixSets lists them (only {WEB_MERCATOR_QUAD})"
        )))
    }
}

// The documents below declare their members in alphabetical order: the bytes they had when
// they were built as `serde_json` maps, which sort their keys.

/// A link of an OGC API – Tiles document.
#[derive(Serialize, ToSchema)]
pub struct TilesLink {
    pub href: String,
    #[schema(example = "self")]
    pub rel: &'static str,
    /// True when `href` is a URL template (`{tileMatrix}`, `{tileRow}`, `{tileCol}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub templated: Option<bool>,
    pub title: String,
    #[serde(rename = "type")]
    #[schema(example = "application/json")]
    pub media_type: &'static str,
}

fn link(href: String, rel: &'static str, media_type: &'static str, title: &str) -> TilesLink {
    TilesLink {
        href,
        rel,
        templated: None,
        title: title.to_owned(),
        media_type,
    }
}

/// One tile matrix in a tile matrix set.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TileMatrix {
    #[schema(example = 2445.984905125641)]
    cell_size: f64,
    #[schema(example = "topLeft")]
    corner_of_origin: &'static str,
    #[schema(example = "6")]
    id: String,
    #[schema(example = 64)]
    matrix_height: u32,
    #[schema(example = 64)]
    matrix_width: u32,
    point_of_origin: [f64; 2],
    #[schema(example = 8735660.375448715)]
    scale_denominator: f64,
    #[schema(example = 256)]
    tile_height: u32,
    #[schema(example = 256)]
    tile_width: u32,
}

/// A tile matrix set definition (OGC Two Dimensional Tile Matrix Set 2.0, JSON).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TileMatrixSet {
    #[schema(example = "http://www.opengis.net/def/crs/EPSG/0/3857")]
    crs: &'static str,
    #[schema(example = "WebMercatorQuad")]
    id: &'static str,
    ordered_axes: [&'static str; 2],
    tile_matrices: Vec<TileMatrix>,
    title: &'static str,
    #[schema(example = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad")]
    uri: &'static str,
    well_known_scale_set: &'static str,
}

const TMS_TITLE: &str = "Google Maps Compatible for the World";

/// The WebMercatorQuad definition (OGC 2DTMS 2.0) for the zoom levels served, its numbers
/// computed from the sphere of EPSG:3857.
pub fn web_mercator_quad() -> TileMatrixSet {
    let corner = web_mercator::half_extent();
    let tile_matrices = (MIN_ZOOM..=MAX_ZOOM)
        .map(|z| TileMatrix {
            cell_size: web_mercator::cell_size(z),
            corner_of_origin: "topLeft",
            id: z.to_string(),
            matrix_height: web_mercator::matrix_size(z),
            matrix_width: web_mercator::matrix_size(z),
            point_of_origin: [-corner, corner],
            scale_denominator: web_mercator::scale_denominator(z),
            tile_height: web_mercator::TILE_SIZE,
            tile_width: web_mercator::TILE_SIZE,
        })
        .collect();
    TileMatrixSet {
        crs: EPSG3857,
        id: WEB_MERCATOR_QUAD,
        ordered_axes: ["X", "Y"],
        tile_matrices,
        title: TMS_TITLE,
        uri: TMS_URI,
        well_known_scale_set: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
    }
}

fn software_json(
    req: &HttpRequest,
    state: &AppState,
    lang: Lang,
    body: &impl Serialize,
) -> ApiResult<HttpResponse> {
    Ok(software_response(
        req,
        state,
        &format!("json|{}", lang.code()),
        Representation::json(body, Some(lang))?,
    ))
}

/// A tile matrix set as listed: id, URI and links.
#[derive(Serialize, ToSchema)]
pub struct TileMatrixSetRef {
    #[schema(example = "WebMercatorQuad")]
    id: &'static str,
    links: Vec<TilesLink>,
    title: &'static str,
    uri: &'static str,
}

/// The tile matrix sets list (OGC API – Tiles).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TileMatrixSets {
    links: Vec<TilesLink>,
    tile_matrix_sets: Vec<TileMatrixSetRef>,
}

/// The tile matrix sets tiles are served in: only WebMercatorQuad.
#[utoipa::path(get, path = "/v1/tileMatrixSets", tag = "tiles", params(LangJson),
    responses((status = 200, description = "The tile matrix sets.", body = TileMatrixSets)))]
pub async fn get_tile_matrix_sets(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<LangJson>,
) -> ApiResult<HttpResponse> {
    let base = base_url(&req);
    let body = TileMatrixSets {
        links: vec![link(
            format!("{base}/v1/tileMatrixSets"),
            "self",
            "application/json",
            p.lang.pick("Rutnät för kartplattor", "Tile matrix sets"),
        )],
        tile_matrix_sets: vec![TileMatrixSetRef {
            id: WEB_MERCATOR_QUAD,
            links: vec![link(
                format!("{base}/v1/tileMatrixSets/{WEB_MERCATOR_QUAD}"),
                "self",
                "application/json",
                WEB_MERCATOR_QUAD,
            )],
            title: TMS_TITLE,
            uri: TMS_URI,
        }],
    };
    software_json(&req, &state, p.lang, &body)
}

/// The WebMercatorQuad definition, tile matrices 0–16 (the zoom levels served).
#[utoipa::path(get, path = "/v1/tileMatrixSets/{tileMatrixSetId}", tag = "tiles",
    params(("tileMatrixSetId" = String, Path, pattern = "^WebMercatorQuad$", example = "WebMercatorQuad"), LangJson),
    responses((status = 200, description = "The tile matrix set.", body = TileMatrixSet),
              (status = 404, description = "No such tile matrix set.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_tile_matrix_set(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<LangJson>,
) -> ApiResult<HttpResponse> {
    check_tile_matrix_set(&path.into_inner())?;
    software_json(&req, &state, p.lang, &web_mercator_quad())
}

/// A tileset as listed in a collection's tilesets.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TileSetRef {
    #[schema(example = "http://www.opengis.net/def/crs/EPSG/0/3857")]
    crs: &'static str,
    #[schema(example = "vector")]
    data_type: &'static str,
    /// `self`, the tile matrix set (`…/tiling-scheme`) and the same tiles as TileJSON
    /// (`alternate`).
    links: Vec<TilesLink>,
    #[serde(rename = "tileMatrixSetURI")]
    tile_matrix_set_uri: &'static str,
    title: String,
}

/// A tileset as listed, or the head of its metadata.
fn tileset_ref(base: &str, collection: &str, qs: &str) -> TileSetRef {
    TileSetRef {
        crs: EPSG3857,
        data_type: "vector",
        links: vec![
            link(
                format!("{base}/v1/collections/{collection}/tiles/{WEB_MERCATOR_QUAD}{qs}"),
                "self",
                "application/json",
                "this tileset",
            ),
            link(
                format!("{base}/v1/tileMatrixSets/{WEB_MERCATOR_QUAD}"),
                REL_TILING_SCHEME,
                "application/json",
                "the tile matrix set",
            ),
            // The same tiles described as TileJSON 3.0, which MapLibre and QGIS's XYZ
            // connection read directly.
            link(
                format!("{base}/v1/tiles/{collection}{qs}"),
                "alternate",
                "application/json",
                "this tileset as TileJSON",
            ),
        ],
        tile_matrix_set_uri: TMS_URI,
        title: format!("{collection} (vector tiles, {WEB_MERCATOR_QUAD})"),
    }
}

/// The tilesets list of a collection (OGC API – Tiles).
#[derive(Serialize, ToSchema)]
pub struct TileSets {
    links: Vec<TilesLink>,
    tilesets: Vec<TileSetRef>,
}

/// A collection's tilesets: one vector tileset in WebMercatorQuad.
#[utoipa::path(get, path = "/v1/collections/{collection}/tiles", tag = "tiles",
    params(("collection" = String, Path, example = json!(Division::Regso2025.collection_id())), TileJsonParams),
    responses((status = 200, description = "The tilesets.", body = TileSets),
              (status = 404, description = "No such collection.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_collection_tilesets(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<TileJsonParams>,
) -> ApiResult<HttpResponse> {
    let collection = path.into_inner();
    let division = division_of(&collection)?;
    tileset_response(&req, &state, (collection, division), p, tilesets).await
}

/// The tilesets document of a collection.
fn tilesets(t: TilesetOf) -> TileSets {
    let (base, collection) = (&t.url.base, &t.collection);
    TileSets {
        links: vec![
            link(t.url.full(), "self", "application/json", "these tilesets"),
            link(
                format!("{base}/v1/collections/{collection}"),
                "collection",
                "application/json",
                "the collection",
            ),
        ],
        tilesets: vec![tileset_ref(base, collection, &t.p.tile.passed_on('?', &[]))],
    }
}

/// The rows and columns of one tile matrix that hold a collection.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TileMatrixSetLimit {
    max_tile_col: u32,
    max_tile_row: u32,
    min_tile_col: u32,
    min_tile_row: u32,
    #[schema(example = "6")]
    tile_matrix: String,
}

/// An extent in CRS84.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BoundingBox {
    #[schema(example = "http://www.opengis.net/def/crs/OGC/1.3/CRS84")]
    crs: &'static str,
    /// West, south.
    lower_left: [f64; 2],
    /// East, north.
    upper_right: [f64; 2],
}

/// An attribute of the tiles' features.
#[derive(Serialize, ToSchema)]
pub struct TileProperty {
    description: String,
    /// `string`, `integer` or `number`.
    #[serde(rename = "type")]
    kind: &'static str,
}

/// The attributes of a layer's features, as a JSON Schema object.
#[derive(Serialize, ToSchema)]
pub struct PropertiesSchema {
    properties: BTreeMap<String, TileProperty>,
    #[serde(rename = "type")]
    #[schema(example = "object")]
    kind: &'static str,
}

/// A vector layer of a tileset: named as the collection.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TileLayer {
    #[schema(example = "vector")]
    data_type: &'static str,
    geometry_dimension: u8,
    #[schema(example = json!(Division::Regso2025.id()))]
    id: String,
    max_tile_matrix: String,
    min_tile_matrix: String,
    properties_schema: PropertiesSchema,
}

/// Tileset metadata (OGC 2DTMS 2.0 TileSet).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TileSet {
    /// The collection's extent in CRS84.
    bounding_box: BoundingBox,
    #[schema(example = "http://www.opengis.net/def/crs/EPSG/0/3857")]
    crs: &'static str,
    #[schema(example = "vector")]
    data_type: &'static str,
    /// One vector layer, named as the collection, with its attributes in `propertiesSchema`.
    layers: Vec<TileLayer>,
    /// `self`, the tile matrix set (`…/tiling-scheme`), the same tiles as TileJSON
    /// (`alternate`) and the tile URL template (`item`, `templated`:
    /// `{tileMatrix}/{tileRow}/{tileCol}`).
    links: Vec<TilesLink>,
    /// Per tile matrix, the rows and columns that hold the collection.
    tile_matrix_set_limits: Vec<TileMatrixSetLimit>,
    #[serde(rename = "tileMatrixSetURI")]
    tile_matrix_set_uri: &'static str,
    title: String,
}

/// A collection's vector tileset in WebMercatorQuad: its matrix limits, layer and tile URL
/// template. `year` and `indicator` are passed on to the tile URLs.
#[utoipa::path(get, path = "/v1/collections/{collection}/tiles/{tileMatrixSetId}", tag = "tiles",
    params(("collection" = String, Path, example = json!(Division::Regso2025.collection_id())),
           ("tileMatrixSetId" = String, Path, pattern = "^WebMercatorQuad$", example = "WebMercatorQuad"),
           TileJsonParams),
    responses((status = 200, description = "The tileset metadata.", body = TileSet),
              (status = 404, description = "No such collection or tile matrix set.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_collection_tileset(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    Query(p): Query<TileJsonParams>,
) -> ApiResult<HttpResponse> {
    let (collection, tms) = path.into_inner();
    let division = division_of(&collection)?;
    check_tile_matrix_set(&tms)?;
    tileset_response(&req, &state, (collection, division), p, tileset).await
}

/// The tileset document of a collection.
fn tileset(t: TilesetOf) -> TileSet {
    let (lang, bounds, collection) = (t.p.lang, t.bounds, t.collection);
    let indicators = t.p.tile.indicator.as_deref().unwrap_or_default();
    let base = &t.url.base;
    let head = tileset_ref(base, &collection, &t.p.tile.passed_on('?', &[]));
    let mut links = head.links;
    // Bound to the data version: the tiles are immutable until the next import.
    links.push(TilesLink {
        href: format!(
            "{base}/v1/collections/{collection}/tiles/{WEB_MERCATOR_QUAD}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}?f=mvt{}",
            t.p.tile.passed_on('&', &[format!("v={}", t.data.data_version)]),
        ),
        rel: "item",
        templated: Some(true),
        title: lang
            .pick("kartplattor (Mapbox Vector Tile)", "tiles (Mapbox Vector Tile)")
            .to_owned(),
        media_type: MVT,
    });
    let properties = layer_fields(lang, indicators)
        .into_iter()
        .map(|(name, description)| {
            let kind = match name.as_str() {
                "code" | "name" | "area_type_origin" => "string",
                "area_type" => "integer",
                _ => "number",
            };
            (name, TileProperty { description, kind })
        })
        .collect();
    TileSet {
        bounding_box: BoundingBox {
            crs: CRS84,
            lower_left: [bounds[0], bounds[1]],
            upper_right: [bounds[2], bounds[3]],
        },
        crs: head.crs,
        data_type: head.data_type,
        layers: vec![TileLayer {
            data_type: "vector",
            geometry_dimension: 2,
            id: collection,
            max_tile_matrix: MAX_ZOOM.to_string(),
            min_tile_matrix: MIN_ZOOM.to_string(),
            properties_schema: PropertiesSchema {
                properties,
                kind: "object",
            },
        }],
        links,
        tile_matrix_set_limits: (MIN_ZOOM..=MAX_ZOOM)
            .map(|z| {
                let (min_col, max_col, min_row, max_row) = web_mercator::tile_limits(z, bounds);
                TileMatrixSetLimit {
                    max_tile_col: max_col,
                    max_tile_row: max_row,
                    min_tile_col: min_col,
                    min_tile_row: min_row,
                    tile_matrix: z.to_string(),
                }
            })
            .collect(),
        tile_matrix_set_uri: head.tile_matrix_set_uri,
        title: head.title,
    }
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
    params(("collection" = String, Path, example = json!(Division::Regso2025.collection_id())),
           ("tileMatrixSetId" = String, Path, pattern = "^WebMercatorQuad$", example = "WebMercatorQuad"),
           ("tileMatrix" = u8, Path, minimum = 0, maximum = 16, example = 6),
           ("tileRow" = u32, Path, example = 18),
           ("tileCol" = u32, Path, example = 35),
           OgcTileParams),
    responses((status = 200, description = "A Mapbox Vector Tile (empty body when no feature falls in the tile). Layer name = collection id; attributes as in the tileset's propertiesSchema.", content_type = "application/vnd.mapbox-vector-tile"),
              (status = 400, description = "tileMatrix, tileRow or tileCol outside the tile matrix set (each named), or a bad parameter.", body = crate::api_error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such collection or tile matrix set.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_collection_tile(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String, String, String)>,
    Query(p): Query<OgcTileParams>,
) -> ApiResult<HttpResponse> {
    let (collection, tms, tile_matrix, tile_row, tile_col) = path.into_inner();
    let division = division_of(&collection)?;
    check_tile_matrix_set(&tms)?;
    let address = usecase::tile_address(&tile_matrix, &tile_col, &tile_row, &OGC_NAMES)?;
    tile_response(&req, &state, collection, division, address, p.0).await
}
