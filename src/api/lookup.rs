//! `/v1/lookup`: which län, kommun, RegSO and DeSO contain a point.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use diesel::PgConnection;

use crate::api::Routes;
use crate::api_error::ApiResult;
use crate::db::data_state::DataState;
use crate::db::summaries::Containing;
use crate::domain::lang::Lang;
use crate::geo::sweref;
use crate::http::conditional::{data_response_as, held_response, Representation};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::state::{AppState, AreaLocator};
use crate::usecase::lookup::{self as usecase, Crs, Located, Point};

pub fn routes(r: &mut Routes) {
    r.versioned(__path_get_lookup, get_lookup);
}

const CRS: Param = Param::new("crs", Accepts::OneOf(&Crs::NAMES))
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
    pub crs: Crs,
    pub easting: Option<f64>,
    pub northing: Option<f64>,
    pub lang: Lang,
}

documented!(LookupParams);

impl FromQuery for LookupParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate_json(r, req);
        let crs = Crs::named(r.one_of(&CRS));
        let lon = r.number(&LON);
        let lat = r.number(&LAT);
        let easting = r.number(&EASTING);
        let northing = r.number(&NORTHING);
        let sweref = crs == Crs::Sweref99Tm;
        let (needed, other): (&[&str], bool) = if sweref {
            (&["easting", "northing"], lon.is_some() || lat.is_some())
        } else {
            (&["lon", "lat"], easting.is_some() || northing.is_some())
        };
        if other {
            r.fail(
                if sweref { "lon" } else { "easting" },
                "lon/lat go with CRS84; easting/northing with crs=EPSG:3006",
            );
        }
        let given = if sweref {
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
    let (x, y) = match p.crs {
        Crs::Sweref99Tm => (p.easting, p.northing),
        Crs::Crs84 => (p.lon, p.lat),
    };
    let point = Point {
        crs: p.crs,
        x: x.unwrap_or_default(),
        y: y.unwrap_or_default(),
    };
    let lang = p.lang;
    let (easting, northing) = point.in_sweref()?;
    // The whole answer comes from memory once the locator of the served version is built: the
    // areas around the point, their names and the RegSO's facts, all of the locator's version.
    if let Some(locator) = state.locator().await {
        return held_response(&req, &state, lang.code(), &locator.data, || {
            let body = from_memory(&locator, easting, northing).ok_or_else(|| point.outside())?;
            Representation::json(&body, Some(lang))
        })
        .await;
    }
    // No locator (being built, or failing): the database finds the areas, cached per URL.
    let asked = format!("lookup\0{}\0{}", lang.code(), req.query_string());
    data_response_as(&req, &state, lang.code(), asked, move |conn, data| {
        let located = usecase::from_database(conn, point)?;
        Representation::json(&body(data, located), Some(lang))
    })
    .await
}

/// The body for a point in SWEREF 99 TM, from the locator alone: no query. `None` when no
/// kommun contains the point.
pub fn from_memory(locator: &AreaLocator, easting: f64, northing: f64) -> Option<Lookup> {
    let located = usecase::arrange(locator.located(easting, northing))?;
    Some(body(&locator.data, located))
}

/// The body for the areas `hits`, their RegSO facts read from the database (two queries per
/// RegSO): the answer while no locator is built. `None` when no kommun is among `hits`.
pub fn from_database(
    conn: &mut PgConnection,
    data: &DataState,
    hits: Vec<Containing>,
) -> ApiResult<Option<Lookup>> {
    let located = usecase::arrange(usecase::with_facts(conn, hits)?);
    Ok(located.map(|l| body(data, l)))
}

fn place(h: Containing) -> Place {
    Place {
        division: h.division.id().to_owned(),
        code: h.code,
        name: h.name,
        geometry_source: h.geometry_source,
    }
}

/// The body for the areas around a point, of the data version `data`.
fn body(data: &DataState, located: Located) -> Lookup {
    let regso = located
        .regso
        .into_iter()
        .map(|(h, facts)| {
            let latest = facts.latest_type;
            RegsoHit {
                place: place(h),
                year: latest.as_ref().map(|l| l.year),
                area_type: latest.as_ref().and_then(|l| l.area_type),
                area_type_origin: latest.as_ref().and_then(|l| l.area_type_origin.clone()),
                socioeconomic_index: latest.as_ref().and_then(|l| l.socioeconomic_index),
                latest_values: facts
                    .latest_values
                    .into_iter()
                    .map(|v| LatestValue {
                        indicator: v.indicator,
                        year: v.year,
                        value: v.value,
                        status: v.status,
                        unit: v.unit,
                    })
                    .collect(),
            }
        })
        .collect();
    Lookup {
        data_version: data.data_version.clone(),
        synthetic: data.synthetic,
        county: located.county.map(place),
        municipality: Some(place(located.municipality)),
        regso,
        deso: located.deso.into_iter().map(place).collect(),
    }
}
