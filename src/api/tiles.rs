//! Vector tiles: `/v1/tiles/{collection}/{z}/{x}/{y}.mvt` (Mapbox Vector Tile, made by PostGIS
//! `ST_AsMVT`, with geometry simplified for the zoom) and the TileJSON document a MapLibre
//! source reads, `/v1/tiles/{collection}`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::api::features::division_of;
use crate::api::Routes;
use crate::api_error::ApiResult;
use crate::db::{self, data_state::DataState};
use crate::domain::geography::Division;
use crate::domain::lang::Lang;
use crate::http::conditional::{data_response, Representation};
use crate::http::format::Format;
use crate::http::links::RequestUrl;
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::render::tilejson::{self as render, TileJson, Tileset};
use crate::state::AppState;
use crate::usecase::tiles::{self as usecase, Address, AddressNames};

pub fn routes(r: &mut Routes) {
    r.versioned(__path_get_tilejson, get_tilejson);
    r.versioned(__path_get_tile, get_tile);
}

pub const MVT: &str = "application/vnd.mapbox-vector-tile";

const YEAR: Param = Param::new(
    "year",
    Accepts::Integer {
        min: 1990,
        max: 2100,
    },
)
.doc("The year whose area type (and `indicator` values) go into the features' attributes.")
.example("2023");
const INDICATOR: Param = Param::new("indicator", Accepts::Pattern(super::params::ID_LIST))
    .doc("Indicator ids whose `year` values go into the attributes (at most 5).")
    .example("population");

/// The attributes of a tile: a year, and the indicators of that year.
#[derive(Debug)]
pub struct TileParams {
    pub year: Option<i16>,
    pub indicator: Option<Vec<String>>,
}

documented!(TileParams, TileJsonParams);

impl FromQuery for TileParams {
    fn from_query(r: &mut QueryReader, _req: &HttpRequest) -> Self {
        let year = r.integer_as::<i16>(&YEAR);
        let indicator = r.take(&INDICATOR).map(|s| {
            s.split(',')
                .map(|x| x.trim().to_owned())
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
        });
        if indicator
            .as_ref()
            .is_some_and(|i| i.is_empty() || i.len() > 5)
        {
            r.fail("indicator", "give 1–5 indicator ids");
        }
        // Ids become attribute names in the tile, so they must look like catalogue ids.
        let id_like = |s: &String| {
            s.len() <= 64
                && s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        if indicator.as_ref().is_some_and(|i| !i.iter().all(id_like)) {
            r.fail(
                "indicator",
                "indicator ids are lowercase letters, digits and _",
            );
        }
        if indicator.is_some() && year.is_none() {
            r.fail("year", "indicator= needs year=");
        }
        TileParams { year, indicator }
    }
}

impl TileParams {
    /// `year` and `indicator` as tile URLs pass them on, then `more`, joined by `&` after
    /// `lead`; nothing at all when there is nothing to pass.
    pub fn passed_on(&self, lead: char, more: &[String]) -> String {
        let mut query = Vec::new();
        if let Some(y) = self.year {
            query.push(format!("year={y}"));
        }
        if let Some(ids) = &self.indicator {
            query.push(format!("indicator={}", ids.join(",")));
        }
        query.extend_from_slice(more);
        if query.is_empty() {
            String::new()
        } else {
            format!("{lead}{}", query.join("&"))
        }
    }
}

/// A vector tile of one collection, geometry simplified for the zoom. An empty tile is an
/// empty 200 response.
#[utoipa::path(get, path = "/v1/tiles/{collection}/{z}/{x}/{y}.mvt", tag = "tiles",
    params(("collection" = String, Path, example = json!(Division::Regso2025.collection_id())),
           ("z" = u8, Path, minimum = 0, maximum = 16, example = 6),
           ("x" = u32, Path, example = 35),
           ("y" = u32, Path, example = 18),
           TileParams),
    responses((status = 200, description = "A Mapbox Vector Tile (empty body when no feature falls in the tile). Layer name = collection id; attributes code, name, area_type, area_type_origin (official or computed), the indicators.", content_type = "application/vnd.mapbox-vector-tile"),
              (status = 400, description = "z/x/y out of range or a bad parameter.", body = crate::api_error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such tile set.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_tile(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String, String)>,
    Query(p): Query<TileParams>,
) -> ApiResult<HttpResponse> {
    let (collection, z, x, y) = path.into_inner();
    let division = division_of(&collection)?;
    let address = usecase::tile_address(&z, &x, &y, &XYZ_NAMES)?;
    Format::from_accept(&req, &[Format::Mvt])?;
    tile_response(&req, &state, collection, division, address, p).await
}

/// `/v1/tiles/{collection}/{z}/{x}/{y}.mvt`.
pub const XYZ_NAMES: AddressNames = AddressNames {
    zoom: "z",
    col: "x",
    row: "y",
};

/// The tile of a collection at a checked address, with the data-version ETag and the response
/// cache: what `/v1/tiles` and OGC API – Tiles both answer.
pub async fn tile_response(
    req: &HttpRequest,
    state: &AppState,
    collection: String,
    division: Division,
    address: Address,
    p: TileParams,
) -> ApiResult<HttpResponse> {
    let variant = "mvt".to_owned();
    let layer = collection;
    data_response(req, state, &variant, move |conn, _data| {
        let attributes = db::tiles::TileAttributes {
            year: p.year,
            indicators: p.indicator.unwrap_or_default(),
        };
        let bytes = usecase::tile(conn, division, &layer, address, &attributes)?;
        Ok(Representation {
            content_type: MVT,
            body: bytes.into(),
            lang: None,
            disposition: None,
            link: None,
        })
    })
    .await
}

/// The tile parameters, passed on to the tile URLs, and the language.
#[derive(Debug)]
pub struct TileJsonParams {
    pub tile: TileParams,
    pub lang: Lang,
}

impl FromQuery for TileJsonParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate_json(r, req);
        TileJsonParams {
            tile: TileParams::from_query(r, req),
            lang,
        }
    }
}

/// What a tileset document of a collection is written from.
pub struct TilesetOf<'a> {
    pub collection: String,
    /// The collection's extent in CRS84: west, south, east, north.
    pub bounds: [f64; 4],
    pub data: &'a DataState,
    pub url: RequestUrl,
    pub p: TileJsonParams,
}

/// A tileset document of `collection` (TileJSON, OGC's tileset) per data version, in the
/// language asked: the indicators its tiles would carry checked, the collection's extent read,
/// then `document` writes it.
pub async fn tileset_response<T: Serialize + 'static>(
    req: &HttpRequest,
    state: &AppState,
    (collection, division): (String, Division),
    p: TileJsonParams,
    document: fn(TilesetOf<'_>) -> T,
) -> ApiResult<HttpResponse> {
    let url = RequestUrl::of(req);
    let lang = p.lang;
    data_response(req, state, lang.code(), move |conn, data| {
        let indicators = p.tile.indicator.as_deref().unwrap_or_default();
        let bounds = usecase::tileset_bounds(conn, division, indicators)?;
        let doc = document(TilesetOf {
            collection,
            bounds,
            data,
            url,
            p,
        });
        Representation::json(&doc, Some(lang))
    })
    .await
}

/// TileJSON 3.0 for a collection's vector tiles, as MapLibre reads it.
#[utoipa::path(get, path = "/v1/tiles/{collection}", tag = "tiles",
    params(("collection" = String, Path, example = json!(Division::Regso2025.collection_id())), TileJsonParams),
    responses((status = 200, description = "TileJSON 3.0.0.", body = TileJson),
              (status = 404, description = "No such tile set.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_tilejson(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<TileJsonParams>,
) -> ApiResult<HttpResponse> {
    let collection = path.into_inner();
    let division = division_of(&collection)?;
    tileset_response(&req, &state, (collection, division), p, tilejson).await
}

/// The TileJSON document of a collection, its tiles bound to the data version.
fn tilejson(
    TilesetOf {
        collection,
        bounds,
        data,
        url,
        p,
    }: TilesetOf,
) -> TileJson {
    // Tiles bound to the data version are immutable: a map keeps them until an import moves
    // this document, and so the map, to new URLs.
    let qs = p.tile.passed_on('?', &[format!("v={}", data.data_version)]);
    render::tilejson(Tileset {
        tiles: format!(
            "{}/v1/tiles/{collection}/{{z}}/{{x}}/{{y}}.mvt{qs}",
            url.base
        ),
        collection: &collection,
        bounds,
        data,
        lang: p.lang,
        indicators: p.tile.indicator.as_deref().unwrap_or_default(),
    })
}
