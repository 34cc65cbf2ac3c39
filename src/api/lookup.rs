//! `/v1/lookup`: which län, kommun, RegSO and DeSO contain a point.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use diesel::PgConnection;

use crate::api::Routes;
use crate::api_error::{ApiError, ApiResult};
use crate::db;
use crate::db::data_state::DataState;
use crate::db::summaries::{AreaTypeYear, Containing, RegsoFacts};
use crate::domain::geography::Level;
use crate::domain::lang::Lang;
use crate::geo::sweref;
use crate::http::conditional::{data_response_as, held_response, Representation};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::state::{AppState, AreaLocator};

pub fn routes(r: &mut Routes) {
    r.versioned(__path_get_lookup, get_lookup);
}

/// The names `crs` takes: CRS84 (and its equivalent EPSG:4326 for a point), then SWEREF 99 TM.
const CRS84_NAMES: [&str; 3] = [
    "CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "EPSG:4326",
];
const CRS: Param = Param::new(
    "crs",
    Accepts::OneOf(&[
        CRS84_NAMES[0],
        CRS84_NAMES[1],
        CRS84_NAMES[2],
        "EPSG:3006",
        "http://www.opengis.net/def/crs/EPSG/0/3006",
    ]),
)
.doc("`CRS84` (default, lon/lat) or `EPSG:3006` (SWEREF 99 TM, with `easting`/`northing`).");
const fn within(range: &std::ops::RangeInclusive<f64>) -> Accepts {
    Accepts::Number {
        min: *range.start(),
        max: *range.end(),
    }
}
const LON: Param = Param::new("lon", within(&sweref::LON_RANGE))
    .doc("Longitude, WGS 84 (with the default CRS).")
    .example("17.9247");
const LAT: Param = Param::new("lat", within(&sweref::LAT_RANGE))
    .doc("Latitude, WGS 84.")
    .example("59.4117");
const EASTING: Param = Param::new("easting", within(&sweref::EASTING_RANGE))
    .doc("SWEREF 99 TM easting in metres (with `crs=EPSG:3006`), e.g. 668500.");
const NORTHING: Param = Param::new("northing", within(&sweref::NORTHING_RANGE))
    .doc("SWEREF 99 TM northing in metres (with `crs=EPSG:3006`), e.g. 6590000.");

#[derive(Debug)]
pub struct LookupParams {
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// The EPSG code of the point's CRS: 4326 or 3006.
    pub crs: i32,
    pub easting: Option<f64>,
    pub northing: Option<f64>,
    pub lang: Lang,
}

documented!(LookupParams);

impl FromQuery for LookupParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate_json(r, req);
        let crs = match r.one_of(&CRS) {
            Some(name) if !CRS84_NAMES.contains(&name) => 3006,
            _ => 4326,
        };
        let lon = r.number(&LON);
        let lat = r.number(&LAT);
        let easting = r.number(&EASTING);
        let northing = r.number(&NORTHING);
        let (needed, other): (&[&str], bool) = if crs == 3006 {
            (&["easting", "northing"], lon.is_some() || lat.is_some())
        } else {
            (&["lon", "lat"], easting.is_some() || northing.is_some())
        };
        if other {
            r.fail(
                if crs == 3006 { "lon" } else { "easting" },
                "lon/lat go with CRS84; easting/northing with crs=EPSG:3006",
            );
        }
        let given = if crs == 3006 {
            [easting, northing]
        } else {
            [lon, lat]
        };
        for (name, v) in needed.iter().zip(given) {
            if v.is_none() && !r.has_errors_for(&[name]) {
                r.fail(name, "required");
            }
        }
        LookupParams {
            lon,
            lat,
            crs,
            easting,
            northing,
            lang,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Place {
    pub division: String,
    pub code: String,
    pub name: Option<String>,
    /// How the area's geometry was obtained (`source`, `exact`, `unchanged-2025`, `approximate-2025`).
    pub geometry_source: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LatestValue {
    pub indicator: String,
    pub year: i16,
    pub value: Option<f64>,
    pub status: String,
    pub unit: String,
}

#[derive(Serialize, ToSchema)]
pub struct RegsoHit {
    #[serde(flatten)]
    pub place: Place,
    /// The latest year with an area type in this division version.
    pub year: Option<i16>,
    pub area_type: Option<i16>,
    pub area_type_origin: Option<String>,
    pub socioeconomic_index: Option<f64>,
    /// Each indicator's value in its latest year.
    pub latest_values: Vec<LatestValue>,
}

#[derive(Serialize, ToSchema)]
pub struct Lookup {
    pub data_version: String,
    pub synthetic: bool,
    pub county: Option<Place>,
    pub municipality: Option<Place>,
    /// The RegSO containing the point, per division version that has geometry there.
    pub regso: Vec<RegsoHit>,
    pub deso: Vec<Place>,
}

/// The län, kommun, RegSO and DeSO containing a point (WGS 84 lon/lat, or SWEREF 99 TM with
/// `crs=EPSG:3006`), with the RegSO's area type and latest values. Outside Sweden: 404.
#[utoipa::path(get, path = "/v1/lookup", tag = "areas", params(LookupParams),
    responses((status = 200, description = "The areas containing the point.", body = Lookup),
              (status = 400, description = "Missing or bad coordinates.", body = crate::api_error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "The point is not in Sweden.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<LookupParams>,
) -> ApiResult<HttpResponse> {
    let (x, y) = if p.crs == 3006 {
        (
            p.easting.unwrap_or_default(),
            p.northing.unwrap_or_default(),
        )
    } else {
        (p.lon.unwrap_or_default(), p.lat.unwrap_or_default())
    };
    let lang = p.lang;
    // Far from Sweden the transformation to SWEREF 99 TM is undefined: answer without it.
    let near_sweden = if p.crs == 3006 {
        (0.0..=1_200_000.0).contains(&x) && (5_900_000.0..=7_900_000.0).contains(&y)
    } else {
        (5.0..=30.0).contains(&x) && (53.0..=71.0).contains(&y)
    };
    if !near_sweden {
        return Err(outside(x, y));
    }
    let (easting, northing) = if p.crs == 3006 {
        (x, y)
    } else {
        sweref::project(x, y)
    };
    // The whole answer comes from memory once the locator of the served version is built: the
    // areas around the point, their names and the RegSO's facts, all of the locator's version.
    if let Some(locator) = state.locator().await {
        return held_response(&req, &state, lang.code(), &locator.data, || {
            let body = from_memory(&locator, easting, northing).ok_or_else(|| outside(x, y))?;
            Representation::json(&body, Some(lang))
        })
        .await;
    }
    // No locator (being built, or failing): the database finds the areas, cached per URL.
    let asked = format!("lookup\0{}\0{}", lang.code(), req.query_string());
    data_response_as(&req, &state, lang.code(), asked, move |conn, data| {
        let hits = db::summaries::containing(conn, x, y, p.crs)?;
        let body = from_database(conn, data, hits)?.ok_or_else(|| outside(x, y))?;
        Representation::json(&body, Some(lang))
    })
    .await
}

fn outside(x: f64, y: f64) -> ApiError {
    ApiError::NotFound(format!("the point ({x}, {y}) lies in no Swedish kommun"))
}

/// The body for a point in SWEREF 99 TM, from the locator alone: no query. `None` when no
/// kommun contains the point.
pub fn from_memory(locator: &AreaLocator, easting: f64, northing: f64) -> Option<Lookup> {
    let found = locator.located(easting, northing);
    body(&locator.data, &found)
}

/// The body for the areas `hits`, their RegSO facts read from the database (two queries per
/// RegSO): the answer while no locator is built. `None` when no kommun is among `hits`.
pub fn from_database(
    conn: &mut PgConnection,
    data: &DataState,
    hits: Vec<Containing>,
) -> ApiResult<Option<Lookup>> {
    let mut found = Vec::with_capacity(hits.len());
    for h in &hits {
        let facts = if h.level == Level::Regso {
            let history = db::areas::history(conn, h.division, &h.code)?;
            RegsoFacts {
                latest_type: history
                    .iter()
                    .rev()
                    .find(|y| y.area_type.is_some())
                    .map(|l| AreaTypeYear {
                        year: l.year,
                        area_type: l.area_type,
                        area_type_origin: l.area_type_origin.clone(),
                        socioeconomic_index: l.socioeconomic_index,
                    }),
                latest_values: db::summaries::latest_values(conn, h.division, &h.code)?,
            }
        } else {
            RegsoFacts::default()
        };
        found.push((h, facts));
    }
    Ok(body(data, &found))
}

/// The body for the areas around a point, each with its RegSO facts (empty for other levels),
/// in the order of [`db::summaries::containing`]. `None` when no kommun is among them.
fn body(data: &DataState, found: &[(&Containing, RegsoFacts)]) -> Option<Lookup> {
    let place = |h: &Containing| Place {
        division: h.division.id().to_owned(),
        code: h.code.clone(),
        name: h.name.clone(),
        geometry_source: h.geometry_source.clone(),
    };
    let of_level = |level: Level| found.iter().filter(move |(h, _)| h.level == level);
    let municipality = of_level(Level::Kommun).next().map(|(h, _)| place(h))?;
    let regso = of_level(Level::Regso)
        .map(|(h, facts)| {
            let latest = facts.latest_type.as_ref();
            RegsoHit {
                place: place(h),
                year: latest.map(|l| l.year),
                area_type: latest.and_then(|l| l.area_type),
                area_type_origin: latest.and_then(|l| l.area_type_origin.clone()),
                socioeconomic_index: latest.and_then(|l| l.socioeconomic_index),
                latest_values: facts
                    .latest_values
                    .iter()
                    .map(|v| LatestValue {
                        indicator: v.indicator.clone(),
                        year: v.year,
                        value: v.value,
                        status: v.status.clone(),
                        unit: v.unit.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    Some(Lookup {
        data_version: data.data_version.clone(),
        synthetic: data.synthetic,
        county: of_level(Level::Lan).next().map(|(h, _)| place(h)),
        municipality: Some(municipality),
        regso,
        deso: of_level(Level::Deso).map(|(h, _)| place(h)).collect(),
    })
}
