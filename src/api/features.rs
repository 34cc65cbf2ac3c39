//! OGC API – Features (Part 1 Core, GeoJSON): one collection per level and division version,
//! `/items` pages of features with the official code as `id`, and choropleth data (`year`,
//! `indicator`) in the properties so a web map needs one request.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

use crate::api::Routes;
use crate::api_error::{ApiError, ApiResult};
use crate::db::features::{FeatureQuery, GeometryLevel, SortKey};
use crate::db::{self};
use crate::domain::codes::{self, Division};
use crate::domain::cql2::{self, Expr};
use crate::domain::lang::Lang;
use crate::geo::sweref;
use crate::http::conditional::{data_response, Representation};
use crate::http::format::Format;
use crate::http::links::{Link, RequestUrl, REL_TILESETS_VECTOR};
use crate::http::paging::{page_info, Paging};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::render::geojson;
use crate::state::AppState;
use crate::usecase::indicators::check_indicators;

pub fn routes(r: &mut Routes) {
    r.versioned(__path_get_collections, get_collections);
    r.versioned(__path_get_collection, get_collection);
    r.versioned(__path_get_queryables, get_queryables);
    r.versioned(__path_get_items, get_items);
    r.versioned(__path_get_item, get_item);
}

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const EPSG3006: &str = "http://www.opengis.net/def/crs/EPSG/0/3006";
const GEOJSON: &str = "application/geo+json";
const SCHEMA_JSON: &str = "application/schema+json";
/// The licence of the data (CC0), linked from the landing page, the collections and the items.
pub const LICENSE: &str = "https://creativecommons.org/publicdomain/zero/1.0/";

pub fn license_link() -> Link {
    Link {
        href: LICENSE.to_owned(),
        rel: "license",
        media_type: "text/html",
        title: "CC0 1.0".into(),
    }
}

/// The division a collection (or tile set) id names.
pub fn division_of(collection: &str) -> ApiResult<Division> {
    Division::of_collection(collection).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no collection {collection:?}; /v1/collections lists them"
        ))
    })
}

#[derive(Serialize, ToSchema)]
pub struct Collection {
    #[schema(example = json!(Division::Regso2025.id()))]
    pub id: String,
    pub title: String,
    pub description: String,
    pub extent: Value,
    #[serde(rename = "itemType")]
    pub item_type: &'static str,
    pub crs: Vec<&'static str>,
    #[serde(rename = "storageCrs")]
    pub storage_crs: &'static str,
    pub links: Vec<Link>,
}

#[derive(Serialize, ToSchema)]
pub struct Collections {
    pub collections: Vec<Collection>,
    pub links: Vec<Link>,
}

fn collections_json(base: &str, lang: Lang, extents: &[db::features::Extent]) -> Vec<Collection> {
    Division::COLLECTIONS
        .into_iter()
        .filter_map(|division| Some((division.collection_id()?, division)))
        .map(|(id, division)| {
            let (sv, en) = division.title();
            let e = extents.iter().find(|e| e.division == division);
            let bbox = e
                .and_then(|e| Some(vec![e.xmin?, e.ymin?, e.xmax?, e.ymax?]))
                .unwrap_or_else(|| vec![10.0, 55.0, 24.2, 69.1]);
            // Part 2: a storage CRS other than CRS84 comes with its extent in that CRS, in the
            // CRS's axis order (northing first).
            let storage_bbox = e
                .and_then(|e| {
                    Some([e.min_easting?, e.min_northing?, e.max_easting?, e.max_northing?])
                })
                .map(sweref::box_to_authority_order);
            let (first, last) = e.map_or((2011, None), |e| (e.first_year, e.last_year));
            let areas = e.map_or(0, |e| e.areas);
            Collection {
                id: id.to_owned(),
                title: lang.pick(sv, en).to_owned(),
                description: format!(
                    "{} ({areas} {}); {}",
                    lang.pick(sv, en),
                    lang.pick("områden", "areas"),
                    lang.pick("källa: SCB", "source: Statistics Sweden (SCB)")
                ),
                extent: json!({
                    "spatial": match storage_bbox {
                        Some(b) => json!({"bbox": [bbox], "crs": CRS84, "storageCrsBbox": [b]}),
                        None => json!({"bbox": [bbox], "crs": CRS84}),
                    },
                    "temporal": {"interval": [[format!("{first}-01-01T00:00:00Z"), last.map(|l| format!("{l}-12-31T23:59:59Z"))]]}
                }),
                item_type: "feature",
                crs: vec![CRS84, EPSG3006],
                storage_crs: EPSG3006,
                links: vec![
                    Link::new(base, &format!("/v1/collections/{id}"), "self", "application/json", "this collection"),
                    Link::new(base, &format!("/v1/collections/{id}/items"), "items", GEOJSON, "the features"),
                    Link::new(base, &format!("/v1/collections/{id}/tiles"), REL_TILESETS_VECTOR, "application/json", "vector tilesets (OGC API – Tiles)"),
                    Link::new(base, &format!("/v1/collections/{id}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables", SCHEMA_JSON, "the queryable properties"),
                    Link::new(base, &format!("/v1/collections/{id}/queryables"), "describedby", SCHEMA_JSON, "the properties (JSON Schema)"),
                    license_link(),
                ],
            }
        })
        .collect()
}

pub use super::params::LangJson as CollectionsParams;

/// The feature collections: one per level and division version, with extents.
#[utoipa::path(get, path = "/v1/collections", tag = "features", params(CollectionsParams),
    responses((status = 200, description = "The collections.", body = Collections)))]
pub async fn get_collections(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<CollectionsParams>,
) -> ApiResult<HttpResponse> {
    let url = RequestUrl::of(&req);
    let lang = p.lang;
    data_response(&req, &state, lang.code(), move |conn, _| {
        let extents = db::features::extents(conn)?;
        let body = Collections {
            collections: collections_json(&url.base, lang, &extents),
            links: vec![
                Link::new(
                    &url.base,
                    "/v1/collections",
                    "self",
                    "application/json",
                    "the collections",
                ),
                license_link(),
            ],
        };
        Representation::json(&body, Some(lang))
    })
    .await
}

/// One collection's description.
#[utoipa::path(get, path = "/v1/collections/{collection}", tag = "features",
    params(("collection" = String, Path, example = json!(Division::Regso2025.collection_id())), CollectionsParams),
    responses((status = 200, description = "The collection.", body = Collection),
              (status = 404, description = "No such collection.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_collection(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<CollectionsParams>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    division_of(&id)?;
    let url = RequestUrl::of(&req);
    let lang = p.lang;
    data_response(&req, &state, lang.code(), move |conn, _| {
        let extents = db::features::extents(conn)?;
        let one = collections_json(&url.base, lang, &extents)
            .into_iter()
            .find(|c| c.id == id);
        Representation::json(&one, Some(lang))
    })
    .await
}

/// The queryable properties of a collection as a JSON Schema (OGC API – Features Part 3):
/// what `filter` and `sortby` may name.
#[utoipa::path(get, path = "/v1/collections/{collection}/queryables", tag = "features",
    params(("collection" = String, Path, example = json!(Division::Regso2025.collection_id())), CollectionsParams),
    responses((status = 200, description = "A JSON Schema (2020-12) of the queryables.", body = Object, content_type = "application/schema+json"),
              (status = 404, description = "No such collection.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_queryables(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<CollectionsParams>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let division = division_of(&id)?;
    let url = RequestUrl::of(&req);
    let lang = p.lang;
    data_response(&req, &state, lang.code(), move |conn, _| {
        let indicators = db::features::indicators_of(conn, division)?;
        let body = queryables_json(&url.base, &id, division, &indicators, lang);
        Ok(Representation {
            content_type: SCHEMA_JSON,
            body: serde_json::to_vec(&body)?.into(),
            lang: Some(lang),
            disposition: None,
            link: None,
        })
    })
    .await
}

fn queryables_json(
    base: &str,
    id: &str,
    division: Division,
    indicators: &[String],
    lang: Lang,
) -> Value {
    let level = division.level();
    let mut properties = Map::new();
    for (name, kind, _, needs_year, levels) in db::features::QUERYABLES {
        if !levels.contains(&level) {
            continue;
        }
        let mut p = json!({"title": name, "type": kind.json_type()});
        if *needs_year {
            p["description"] =
                json!(lang.pick("Kräver year= eller datetime=.", "Needs year= or datetime=."));
        }
        if *name == "area_type" {
            p["minimum"] = json!(1);
            p["maximum"] = json!(5);
        }
        properties.insert((*name).to_owned(), p);
    }
    for i in indicators {
        properties.insert(
            i.clone(),
            json!({"title": i, "type": "number", "description": lang.pick(
                "Indikatorns totalvärde det år som year= eller datetime= anger (krävs).",
                "The indicator's total value in the year year= or datetime= selects (needed).")}),
        );
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/v1/collections/{id}/queryables"),
        "type": "object",
        "title": id,
        "properties": properties,
        "additionalProperties": false,
    })
}

/// The names `crs` and `bbox-crs` take: CRS84 then SWEREF 99 TM, each as a URI and short.
const CRS_NAMES: [&str; 4] = [CRS84, EPSG3006, "CRS84", "EPSG:3006"];
/// What `datetime` takes: a year, date or date-time from 1900 to 2100, or an interval of
/// those with `..` for an open end (RFC 3339 as OGC API – Features writes it).
const DATETIME_PATTERN: &str = r"^((19[0-9]{2}|20[0-9]{2}|2100)(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?)?|(19[0-9]{2}|20[0-9]{2}|2100)(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?)?/(19[0-9]{2}|20[0-9]{2}|2100)(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?)?|(\.\.)?/(19[0-9]{2}|20[0-9]{2}|2100)(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?)?|(19[0-9]{2}|20[0-9]{2}|2100)(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?)?/(\.\.)?)$";

const YEAR: Param = Param::new(
    "year",
    Accepts::Integer {
        min: 1990,
        max: 2100,
    },
)
.doc("The year whose area type (and `indicator` values) go into the properties.")
.example("2023");
const DATETIME: Param = Param::new("datetime", Accepts::Pattern(DATETIME_PATTERN))
    .doc(
        "The same as `year`, as OGC API – Features writes time (RFC 3339, years 1900–2100): a \
         year `2023`, a date `2023-06-30` or a date-time `2023-06-30T12:00:00Z` selects that \
         year; an interval `2020/2023`, `../2023` or `2020/..` (ends may be dates or date-times) \
         selects the latest year in it with data for the collection, and matches no feature when \
         no year in it has data. With `year`, only the same single year is accepted.",
    )
    .example("2023");
const INDICATOR: Param = Param::new("indicator", Accepts::Pattern(super::params::ID_LIST))
    .doc("Indicator ids whose `year` values go into the properties (at most 10).")
    .example("population");
const PROPERTIES: Param = Param::new("properties", Accepts::Text)
    .doc(
        "The properties to include, comma-separated (default all): the base properties and the \
         indicators asked for.",
    )
    .example("code,name,area_type");
const GEOMETRY: Param = Param::new("geometry", Accepts::OneOf(GeometryLevel::NAMES))
    .doc("`full` (default), `simplified` (municipality maps), `coarse` (national maps), `centroid` or `none`.")
    .example("simplified");
const PRECISION: Param =
    Param::new("precision", Accepts::Integer { min: 0, max: 9 }).doc("Coordinate decimals, 0–9.");
const CRS: Param = Param::new("crs", Accepts::OneOf(&CRS_NAMES)).doc(
    "`http://www.opengis.net/def/crs/OGC/1.3/CRS84` (default; lon, lat) or \
     `http://www.opengis.net/def/crs/EPSG/0/3006` (SWEREF 99 TM in its axis order: northing, \
     easting). `Content-Crs` names the CRS of the answer.",
);
const F: Param = Param::new("f", Accepts::Formats(&[Format::GeoJson, Format::Json]))
    .doc("`geojson` (default) or `json` (the same GeoJSON); or by `Accept`.");

const BBOX: Param = Param::new("bbox", Accepts::Text)
    .doc(
        "minLon,minLat,maxLon,maxLat; with `bbox-crs` EPSG:3006 in that CRS's axis order, \
         minNorthing,minEasting,maxNorthing,maxEasting.",
    )
    .example("17.8,59.3,18.2,59.4");
const BBOX_CRS: Param = Param::new("bbox-crs", Accepts::OneOf(&CRS_NAMES)).doc(
    "`http://www.opengis.net/def/crs/EPSG/0/3006` for a bbox in SWEREF 99 TM (northing first).",
);
const MUNICIPALITY: Param = Param::new(
    "municipality",
    Accepts::Pattern(super::params::MUNICIPALITY_PATTERN),
)
.doc("Only areas in this kommun.")
.example("0180");
const COUNTY: Param = Param::new("county", Accepts::Pattern(super::params::COUNTY_PATTERN))
    .doc("Only areas in this län.")
    .example("01");
const AREA_TYPE: Param = Param::new("area_type", Accepts::Integer { min: 1, max: 5 })
    .doc("Only RegSO of this area type in `year`.");
const FILTER: Param = Param::new(
    "filter",
    Accepts::Search {
        min: 1,
        max: cql2::MAX_FILTER_CHARS,
    },
)
.doc(
    "A CQL2 text condition (OGC API – Features Part 3) over the queryables of the collection \
     (`/queryables`): `= <> < > <= >=`, `AND`, `OR`, `NOT`, `IN (…)`, `BETWEEN … AND …`, \
     `IS [NOT] NULL`, strings in single quotes. `area_type`, `socioeconomic_index` and \
     indicator ids (the total value of that indicator in the year) need `year` or `datetime`.",
)
.example("population > 5000 AND municipality_code = '0180'");
const FILTER_LANG: Param = Param::new("filter-lang", Accepts::OneOf(&["cql2-text"]))
    .doc("The language of `filter`: only `cql2-text` (the default).");
const SORTBY: Param = Param::new(
    "sortby",
    Accepts::Pattern(r"^[+-]?[A-Za-z0-9_]+(,[+-]?[A-Za-z0-9_]+)*$"),
)
.doc(
    "Sort keys, comma-separated queryables, each with an optional `-` (descending) or `+`; \
     ties and the rest are in code order; areas without a value come last.",
)
.example("-population,code");

/// How each feature is rendered: what `/items` and `/items/{code}` both take.
#[derive(Clone, Debug)]
pub struct ItemParams {
    pub year: Option<i16>,
    pub datetime: Option<Datetime>,
    pub indicator: Option<Vec<String>>,
    pub properties: Option<Vec<String>>,
    pub geometry: GeometryLevel,
    pub precision: Option<u8>,
    /// True for EPSG:3006 (SWEREF 99 TM), false for CRS84.
    pub crs: bool,
    pub lang: Lang,
}

/// The filters and paging of `/items`, beside the rendering of each feature.
#[derive(Debug)]
pub struct ItemsParams {
    pub limit: Paging,
    pub bbox: Option<[f64; 4]>,
    pub bbox_crs: bool,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub area_type: Option<i16>,
    pub filter: Option<Expr>,
    pub sortby: Vec<SortKey>,
    pub item: ItemParams,
}

documented!(ItemParams, ItemsParams);

/// True when `param` names EPSG:3006.
fn read_crs(r: &mut QueryReader, param: &'static Param) -> bool {
    matches!(r.one_of(param), Some(EPSG3006) | Some("EPSG:3006"))
}

/// The four numbers of `bbox`, checked: finite, min ≤ max, inside the ranges of the CRS. A
/// CRS84 box is minLon,minLat,maxLon,maxLat. An EPSG:3006 box is in that CRS's own axis order,
/// minNorthing,minEasting,maxNorthing,maxEasting (OGC API – Features Part 2); it is returned
/// as (min easting, min northing, max easting, max northing), the order the queries use.
pub fn parse_bbox(raw: &str, sweref: bool) -> Result<[f64; 4], String> {
    let order = if sweref {
        "minNorthing,minEasting,maxNorthing,maxEasting"
    } else {
        "minLon,minLat,maxLon,maxLat"
    };
    let parts: Vec<&str> = raw.split(',').map(str::trim).collect();
    let numbers: Vec<f64> = parts.iter().filter_map(|x| x.parse::<f64>().ok()).collect();
    let [a, b, c, d] = numbers[..] else {
        return Err(format!("{raw:?} is not four numbers {order}"));
    };
    if parts.len() != 4 || !numbers.iter().all(|x| x.is_finite()) {
        return Err(format!("{raw:?} is not four finite numbers {order}"));
    }
    if a > c || b > d {
        return Err(format!("{raw:?}: a minimum is greater than its maximum"));
    }
    let (firsts, seconds, what) = if sweref {
        (
            sweref::NORTHING_RANGE,
            sweref::EASTING_RANGE,
            "EPSG:3006 northing/easting",
        )
    } else {
        (
            sweref::LON_RANGE,
            sweref::LAT_RANGE,
            "CRS84 longitude/latitude",
        )
    };
    if ![a, c].iter().all(|x| firsts.contains(x)) || ![b, d].iter().all(|y| seconds.contains(y)) {
        return Err(format!(
            "{raw:?} is outside the {what} ranges {}–{} and {}–{} ({order})",
            firsts.start(),
            firsts.end(),
            seconds.start(),
            seconds.end()
        ));
    }
    if !sweref {
        return Ok([a, b, c, d]);
    }
    let box_en = sweref::box_from_authority_order([a, b, c, d]);
    // A box that misses Sweden as given but covers it with its axes swapped is almost surely
    // easting-first (the order of this API before it followed Part 2): say so rather than
    // answer an empty page.
    if !sweref::boxes_meet(box_en, sweref::AROUND_SWEDEN_SWEREF)
        && sweref::boxes_meet([a, b, c, d], sweref::AROUND_SWEDEN_SWEREF)
    {
        return Err(format!(
            "{raw:?} misses Sweden in EPSG:3006's axis order, northing first \
             ({order}); its axes look swapped"
        ));
    }
    Ok(box_en)
}

/// `datetime`, read as years: the data are yearly, so an instant is the year it falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Datetime {
    Year(i16),
    /// An interval, each end a year or open (`..` or empty).
    Between(Option<i16>, Option<i16>),
}

impl Datetime {
    /// The one year this names without looking at the data, if it names one.
    pub fn single_year(self) -> Option<i16> {
        match self {
            Datetime::Year(y) | Datetime::Between(Some(y), Some(_)) if self.ends_equal() => Some(y),
            _ => None,
        }
    }

    fn ends_equal(self) -> bool {
        match self {
            Datetime::Year(_) => true,
            Datetime::Between(a, b) => a.is_some() && a == b,
        }
    }
}

/// The year of one RFC 3339 instant: `2023`, `2023-06-30` or `2023-06-30T12:00:00Z`.
fn instant_year(raw: &str) -> Result<i16, String> {
    let year = if raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_digit()) {
        raw.parse::<i16>().ok()
    } else if raw.len() == 10 {
        chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .and_then(|d| i16::try_from(chrono::Datelike::year(&d)).ok())
    } else {
        chrono::DateTime::parse_from_rfc3339(raw)
            .ok()
            .and_then(|d| i16::try_from(chrono::Datelike::year(&d)).ok())
    };
    match year {
        Some(y) if (1900..=2100).contains(&y) => Ok(y),
        Some(y) => Err(format!("{raw:?}: the year {y} is outside 1900–2100")),
        None => Err(format!(
            "{raw:?} is not a year (2023), a date (2023-06-30) or an RFC 3339 date-time \
             (2023-06-30T12:00:00Z)"
        )),
    }
}

/// Reads `datetime`: an instant, or an interval `start/end` whose ends may be open (`..`).
pub fn parse_datetime(raw: &str) -> Result<Datetime, String> {
    let raw = raw.trim();
    let Some((start, end)) = raw.split_once('/') else {
        return instant_year(raw).map(Datetime::Year);
    };
    let end_of = |part: &str| match part.trim() {
        "" | ".." => Ok(None),
        p => instant_year(p).map(Some),
    };
    let (a, b) = (end_of(start)?, end_of(end)?);
    match (a, b) {
        (None, None) => Err(format!("{raw:?}: an interval needs at least one end")),
        (Some(a), Some(b)) if a > b => Err(format!("{raw:?}: the interval ends before it starts")),
        _ => Ok(Datetime::Between(a, b)),
    }
}

/// Reads `sortby`: comma-separated properties, each optionally `+` (ascending, the default) or
/// `-` (descending). Whether a property exists is checked against the collection later.
pub fn parse_sortby(raw: &str) -> Result<Vec<SortKey>, String> {
    let mut keys: Vec<SortKey> = Vec::new();
    for part in raw.split(',') {
        let part = part.trim();
        let (descending, name) = match part.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, part.strip_prefix('+').unwrap_or(part)),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "{part:?} is not a property with an optional + or - (e.g. -population,code)"
            ));
        }
        if keys.iter().any(|k| k.property == name) {
            return Err(format!("{name:?} is given twice"));
        }
        keys.push(SortKey {
            property: name.to_owned(),
            descending,
        });
    }
    if keys.len() > 10 {
        return Err("give at most 10 sort keys".into());
    }
    Ok(keys)
}

fn id_list(raw: String) -> Vec<String> {
    raw.split(',')
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty())
        .collect()
}

impl FromQuery for ItemParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate(r, req);
        if let Err(e) = Format::negotiate(r, req, &F) {
            r.refuse(e);
        }
        let year = r.integer_as::<i16>(&YEAR);
        let indicator = r.take(&INDICATOR).map(id_list);
        if indicator
            .as_ref()
            .is_some_and(|i| i.len() > 10 || i.is_empty())
        {
            r.fail("indicator", "give 1–10 indicator ids");
        }
        let dated = r.has(DATETIME.name);
        if indicator.is_some() && year.is_none() && !dated && !r.has_errors_for(&["year"]) {
            r.fail("year", "indicator= needs year=");
        }
        let properties = r.take(&PROPERTIES).map(id_list);
        if let Some(props) = &properties {
            let asked = indicator.clone().unwrap_or_default();
            for p in props {
                if !geojson::PROPERTIES.contains(&p.as_str()) && !asked.contains(p) {
                    r.fail(
                        "properties",
                        format!(
                            "{p:?} is not a property; known: {}, and the indicators asked for",
                            geojson::PROPERTIES.join(", ")
                        ),
                    );
                }
            }
        }
        let geometry = r
            .one_of(&GEOMETRY)
            .and_then(GeometryLevel::parse)
            .unwrap_or(GeometryLevel::Full);
        let precision = r.integer_as::<u8>(&PRECISION);
        let crs = read_crs(r, &CRS);
        let datetime = r
            .take(&DATETIME)
            .and_then(|raw| match parse_datetime(&raw) {
                Ok(d) => Some(d),
                Err(e) => {
                    r.fail("datetime", e);
                    None
                }
            });
        if let (Some(d), Some(y)) = (datetime, year) {
            if d.single_year() != Some(y) {
                r.fail(
                    "datetime",
                    format!("names other years than year={y}; give one of them, or the same year"),
                );
            }
        }
        // An instant is a year as `year=` is; an interval waits for the database.
        let year = year.or(datetime.and_then(Datetime::single_year));
        ItemParams {
            datetime,
            year,
            indicator,
            properties,
            geometry,
            precision,
            crs,
            lang,
        }
    }
}

impl FromQuery for ItemsParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let item = ItemParams::from_query(r, req);
        let limit = Paging::read_clamped(r);
        r.one_of(&FILTER_LANG);
        let filter = r.take(&FILTER).and_then(|raw| match cql2::parse(&raw) {
            Ok(e) => Some(e),
            Err(e) => {
                r.fail("filter", e.to_string());
                None
            }
        });
        let sortby = r
            .take(&SORTBY)
            .map(|raw| {
                parse_sortby(&raw).unwrap_or_else(|e| {
                    r.fail("sortby", e);
                    Vec::new()
                })
            })
            .unwrap_or_default();
        let bbox_crs = read_crs(r, &BBOX_CRS);
        let bbox = r
            .take(&BBOX)
            .and_then(|raw| match parse_bbox(&raw, bbox_crs) {
                Ok(b) => Some(b),
                Err(e) => {
                    r.fail("bbox", e);
                    None
                }
            });
        let (municipality, county) =
            super::params::municipality_and_county(r, &MUNICIPALITY, &COUNTY);
        let area_type = r.integer_as::<i16>(&AREA_TYPE);
        if area_type.is_some()
            && item.year.is_none()
            && item.datetime.is_none()
            && !r.has_errors_for(&["year", "datetime"])
        {
            r.fail("year", "area_type= needs year=");
        }
        ItemsParams {
            limit,
            filter,
            sortby,
            bbox,
            bbox_crs,
            municipality,
            county,
            area_type,
            item,
        }
    }
}

/// The body of `/items`: a page of features whose links are this API's. Named by an alias, the
/// spec calls it `FeatureCollection` and refers to `Link` (written as `FeatureCollection<Link>`,
/// utoipa would name it `FeatureCollection_Link` and copy `Link` into it).
pub type ItemsPage<'a> = geojson::FeatureCollection<'a, Link>;

/// The feature `/items/{code}` answers (`url` is `None`) or the page `/items` does, as GeoJSON.
fn render_items(
    conn: &mut diesel::PgConnection,
    division: Division,
    q: &FeatureQuery,
    p: &ItemParams,
    paging: Paging,
    url: Option<&RequestUrl>,
    data: &db::data_state::DataState,
) -> ApiResult<Vec<u8>> {
    if let Some(ids) = &p.indicator {
        check_indicators(conn, "indicator", ids)?;
    }
    let (matched, rows) = db::features::features(
        conn,
        q,
        p.geometry,
        p.precision,
        p.crs,
        paging.limit,
        paging.offset,
    )?;
    let mut values = geojson::Values::new();
    if let (Some(ids), Some(year)) = (&p.indicator, p.year) {
        let codes: Vec<String> = rows.iter().map(|r| r.area.code.clone()).collect();
        for v in db::features::values_for(conn, division, &codes, ids, year)? {
            values.insert((v.code, v.indicator), v.value);
        }
    }
    let selection = geojson::Selection {
        year: p.year,
        indicators: p.indicator.as_deref().unwrap_or_default(),
        properties: p.properties.as_deref(),
    };
    let features = rows
        .iter()
        .map(|row| geojson::feature(division, row, selection, &values))
        .collect::<Vec<_>>();
    // The geometry is most of the body: room for it up front spares the regrowing.
    let mut out = Vec::with_capacity(
        rows.iter()
            .map(|r| r.geometry.as_ref().map_or(0, String::len) + 300)
            .sum(),
    );
    match url {
        None => {
            let Some(feature) = features.into_iter().next() else {
                return Err(ApiError::NotFound(format!(
                    "no feature {} in this collection",
                    q.code.clone().unwrap_or_default()
                )));
            };
            serde_json::to_writer(&mut out, &feature)?;
        }
        Some(url) => {
            let returned = i64::try_from(features.len()).unwrap_or(i64::MAX);
            let mut links = page_info(url, paging, matched, returned, GEOJSON).links;
            let collection = url.path.trim_end_matches("/items");
            links.push(license_link());
            links.push(Link::new(
                &url.base,
                &format!("{collection}/queryables"),
                "describedby",
                SCHEMA_JSON,
                "the queryable properties (JSON Schema)",
            ));
            links.push(Link::new(
                &url.base,
                collection,
                "collection",
                "application/json",
                "the collection",
            ));
            serde_json::to_writer(&mut out, &geojson::page(features, matched, data, links))?;
        }
    }
    Ok(out)
}

/// Settles an interval `datetime` on the latest year in it with data; with none, nothing
/// matches.
fn settle_year(
    conn: &mut diesel::PgConnection,
    division: Division,
    p: &mut ItemParams,
    q: &mut FeatureQuery,
) -> ApiResult<()> {
    if let (None, Some(Datetime::Between(from, to))) = (p.year, p.datetime) {
        let (from, to) = (from.unwrap_or(1900), to.unwrap_or(2100));
        match db::features::latest_year_with_data(conn, division, from, to)? {
            Some(y) => {
                p.year = Some(y);
                q.year = Some(y);
            }
            None => q.nothing = true,
        }
    }
    Ok(())
}

fn geojson_response(body: Vec<u8>, lang: Lang) -> Representation {
    Representation {
        content_type: GEOJSON,
        body: body.into(),
        lang: Some(lang),
        disposition: None,
        link: None,
    }
}

fn with_crs_header(mut res: HttpResponse, sweref: bool) -> HttpResponse {
    let crs = if sweref { EPSG3006 } else { CRS84 };
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&format!("<{crs}>")) {
        res.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("content-crs"),
            v,
        );
    }
    res
}

/// Features of a collection as GeoJSON, paged, filtered, with choropleth data.
#[utoipa::path(get, path = "/v1/collections/{collection}/items", tag = "features",
    params(("collection" = String, Path, example = json!(Division::Regso2025.collection_id())), ItemsParams),
    responses((status = 200, description = "A GeoJSON FeatureCollection with numberMatched, numberReturned and links.", body = ItemsPage, content_type = "application/geo+json"),
              (status = 400, description = "Bad parameters, each named.", body = crate::api_error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such collection.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_items(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<ItemsParams>,
) -> ApiResult<HttpResponse> {
    let division = division_of(&path)?;
    let url = RequestUrl::of(&req);
    let sweref = p.item.crs;
    let variant = format!("geojson|{}", p.item.lang.code());
    let q = FeatureQuery {
        division,
        municipality: p.municipality.clone(),
        county: p.county.clone(),
        area_type: p.area_type,
        year: p.item.year,
        bbox: p.bbox,
        bbox_3006: p.bbox_crs,
        ..FeatureQuery::of(division)
    };
    let res = data_response(&req, &state, &variant, move |conn, data| {
        let (mut q, mut item) = (q, p.item);
        settle_year(conn, division, &mut item, &mut q)?;
        if p.filter.is_some() || !p.sortby.is_empty() {
            let indicators = db::features::indicators_of(conn, division)?;
            q.compiled = db::features::compile(
                division,
                &indicators,
                item.year.is_some() || q.nothing,
                p.filter.as_ref(),
                &p.sortby,
            )?;
        }
        let body = render_items(conn, division, &q, &item, p.limit, Some(&url), data)?;
        Ok(geojson_response(body, item.lang))
    })
    .await?;
    Ok(with_crs_header(res, sweref))
}

/// One feature by its official code.
#[utoipa::path(get, path = "/v1/collections/{collection}/items/{code}", tag = "features",
    params(("collection" = String, Path, example = json!(Division::Regso2025.collection_id())), ("code" = String, Path, example = "0180R036"), ItemParams),
    responses((status = 200, description = "A GeoJSON Feature.", body = geojson::Feature, content_type = "application/geo+json"),
              (status = 404, description = "No such collection or feature.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    Query(p): Query<ItemParams>,
) -> ApiResult<HttpResponse> {
    let (collection, raw) = path.into_inner();
    let division = division_of(&collection)?;
    let code = codes::parse(&raw)
        .map_err(|e| ApiError::bad_param("code", e))?
        .code;
    let sweref = p.crs;
    let variant = format!("geojson|{}", p.lang.code());
    let q = FeatureQuery {
        division,
        code: Some(code),
        year: p.year,
        ..FeatureQuery::of(division)
    };
    let one = Paging {
        limit: 1,
        offset: 0,
    };
    let res = data_response(&req, &state, &variant, move |conn, data| {
        let (mut q, mut p) = (q, p);
        settle_year(conn, division, &mut p, &mut q)?;
        let body = render_items(conn, division, &q, &p, one, None, data)?;
        Ok(geojson_response(body, p.lang))
    })
    .await?;
    Ok(with_crs_header(res, sweref))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_is_read_as_years() {
        use Datetime::*;
        assert_eq!(parse_datetime("2023"), Ok(Year(2023)));
        assert_eq!(parse_datetime("2023-06-30"), Ok(Year(2023)));
        assert_eq!(parse_datetime("2023-06-30T12:00:00Z"), Ok(Year(2023)));
        assert_eq!(
            parse_datetime("2020/2023"),
            Ok(Between(Some(2020), Some(2023)))
        );
        assert_eq!(parse_datetime("../2023"), Ok(Between(None, Some(2023))));
        assert_eq!(parse_datetime("2020-01-01/"), Ok(Between(Some(2020), None)));
        assert_eq!(
            parse_datetime("2023/2023").map(Datetime::single_year),
            Ok(Some(2023))
        );
        assert_eq!(
            parse_datetime("2020/2023").map(Datetime::single_year),
            Ok(None)
        );
        for bad in [
            "",
            "x",
            "../..",
            "2023/2020",
            "2023-13-01",
            "99999",
            "1800",
            "2023/x/y",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sortby_reads_directions_and_refuses_junk() {
        let keys = parse_sortby("-population,+code,name").unwrap();
        let got: Vec<_> = keys
            .iter()
            .map(|k| (k.property.as_str(), k.descending))
            .collect();
        assert_eq!(
            got,
            [("population", true), ("code", false), ("name", false)]
        );
        for bad in ["", "-", "a,,b", "a;drop", "code,code", "a b"] {
            assert!(parse_sortby(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_crs84_bbox_is_lon_lat() {
        assert_eq!(
            parse_bbox("17.8,59.3,18.2,59.4", false),
            Ok([17.8, 59.3, 18.2, 59.4])
        );
    }

    #[test]
    fn an_epsg_3006_bbox_is_northing_first() {
        assert_eq!(
            parse_bbox("6578000,672000,6582000,676000", true),
            Ok([672_000.0, 6_578_000.0, 676_000.0, 6_582_000.0])
        );
        // The whole projected globe, in either reading, is a box and not a mistake.
        assert!(parse_bbox("-1e7,-1e7,2e7,1e7", true).is_ok());
    }

    #[test]
    fn an_easting_first_epsg_3006_bbox_is_refused_with_the_order() {
        let e = parse_bbox("672000,6578000,676000,6582000", true).unwrap_err();
        assert!(e.contains("northing first"), "{e}");
        assert!(
            e.contains("minNorthing,minEasting,maxNorthing,maxEasting"),
            "{e}"
        );
    }
}
