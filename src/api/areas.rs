//! `/v1/area-types`, `/v1/areas`, `/v1/areas/{code}` and `/v1/areas/{code}/children`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::Routes;
use crate::api_error::ApiResult;
use crate::db::{self, areas::AreaFilter, areas::AreaRow, areas::YearFacts, data_state::DataState};
use crate::domain::codes::{Division, Level};
use crate::domain::index::AREA_TYPES;
use crate::domain::lang::Lang;
use crate::domain::text::fold;
use crate::http::conditional::{data_response, software_response, Representation};
use crate::http::links::{Link, RequestUrl};
use crate::http::paging::{page_info, PageInfo, Paging};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::limits::MAX_SEARCH_CHARS;
use crate::state::AppState;
use crate::usecase::areas::{self as usecase, Parent, CHILDREN_LIMIT};

pub fn routes(r: &mut Routes) {
    r.plain(__path_get_area_types, get_area_types);
    r.versioned(__path_get_areas, get_areas);
    r.versioned(__path_get_area, get_area);
    r.versioned(__path_get_area_children, get_area_children);
}

#[derive(Serialize, ToSchema)]
pub struct AreaType {
    #[schema(example = 1)]
    pub area_type: u8,
    #[schema(example = "Områden med stora socioekonomiska utmaningar")]
    pub name: &'static str,
    pub description: &'static str,
    /// A colour for maps (hex RGB), from a colour-blind-safe diverging ramp.
    #[schema(example = "#d7191c")]
    pub colour: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct AreaTypes {
    pub area_types: Vec<AreaType>,
    /// The five colours in type order, ready for a map's colour ramp.
    pub colour_ramp: Vec<&'static str>,
    /// Types 1 and 2 together are "areas with socio-economic challenges".
    pub note: &'static str,
}

/// The five area types with names, descriptions and map colours.
#[utoipa::path(get, path = "/v1/area-types", tag = "areas", params(crate::api::params::LangJson),
    responses((status = 200, description = "The five area types.", body = AreaTypes)))]
pub async fn get_area_types(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<crate::api::params::LangJson>,
) -> ApiResult<HttpResponse> {
    let lang = p.lang;
    let body = AreaTypes {
        area_types: AREA_TYPES
            .iter()
            .map(|t| AreaType {
                area_type: t.area_type,
                name: lang.pick(t.name_sv, t.name_en),
                description: lang.pick(t.description_sv, t.description_en),
                colour: t.colour,
            })
            .collect(),
        colour_ramp: AREA_TYPES.iter().map(|t| t.colour).collect(),
        note: lang.pick(
            "Typ 1 och 2 är tillsammans områden med socioekonomiska utmaningar.",
            "Types 1 and 2 together are areas with socio-economic challenges.",
        ),
    };
    Ok(software_response(
        &req,
        &state,
        lang.code(),
        Representation::json(&body, Some(lang))?,
    ))
}

const LEVEL: Param = Param::new("level", Accepts::OneOf(&Level::IDS))
    .doc("`riket`, `lan`, `kommun`, `regso` or `deso`.")
    .example(Level::Regso.as_str());
const DIVISIONS: Param = Param::new("division", Accepts::OneOf(&Division::IDS))
    .doc("A division version: `riket`, `lan`, `kommun`, `regso-2020`, `regso-2025`, `deso-2018`, `deso-2025`.")
    .example(Division::Regso2020.id());
const AREA_TYPE: Param = Param::new("area_type", Accepts::Integer { min: 1, max: 5 })
    .doc("RegSO of this area type (1–5) in `year`.")
    .example("1");
const YEAR: Param = Param::new(
    "year",
    Accepts::Integer {
        min: 1990,
        max: 2100,
    },
)
.doc("The year `area_type` refers to.")
.example("2023");
const Q: Param = Param::new(
    "q",
    Accepts::Search {
        min: 1,
        max: MAX_SEARCH_CHARS,
    },
)
.doc("Names containing this text, accent-insensitive (`malmo` finds Malmö).")
.example("husby");

#[derive(Debug)]
pub struct AreasParams {
    pub level: Option<Level>,
    pub division: Option<Division>,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub area_type: Option<i16>,
    pub year: Option<i16>,
    pub q: Option<String>,
    pub paging: Paging,
    pub lang: Lang,
}

documented!(AreasParams, AreaParams);

impl FromQuery for AreasParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate_json(r, req);
        let level = super::params::level(r, &LEVEL);
        let division = super::params::division(r, &DIVISIONS);
        if let (Some(l), Some(d)) = (level, division) {
            if d.level() != l {
                r.fail("division", format!("{d} is not a division of level {l}"));
            }
        }
        let (municipality, county) = super::params::municipality_and_county(
            r,
            &super::params::MUNICIPALITY,
            &super::params::COUNTY,
        );
        let area_type = r.integer_as::<i16>(&AREA_TYPE);
        let year = r.integer_as::<i16>(&YEAR);
        if area_type.is_some() != year.is_some() && !r.has_errors_for(&["area_type", "year"]) {
            r.fail(
                if area_type.is_some() {
                    "year"
                } else {
                    "area_type"
                },
                "area_type and year go together",
            );
        }
        // The length limit counts what was sent, blanks included, as the spec states it.
        let q = r.take(&Q);
        let too_long = q
            .as_ref()
            .is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS);
        let q = q.map(|q| q.trim().to_owned());
        if too_long || q.as_ref().is_some_and(|q| q.is_empty()) {
            r.fail("q", format!("give 1–{MAX_SEARCH_CHARS} characters"));
        }
        AreasParams {
            level,
            division,
            municipality,
            county,
            area_type,
            year,
            q,
            paging: Paging::read(r),
            lang,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Area {
    #[schema(example = "0180R036")]
    pub code: String,
    #[schema(example = json!(Division::Regso2020.id()))]
    pub division: String,
    #[schema(example = json!(Level::Regso.as_str()))]
    pub level: String,
    /// SCB's name; DeSO have none.
    #[schema(example = "Husby")]
    pub name: Option<String>,
    pub county_code: Option<String>,
    pub municipality_code: Option<String>,
    /// The RegSO a DeSO lies in.
    pub regso_code: Option<String>,
    /// How the geometry was obtained (`source`, `exact`, `unchanged-2025`, `approximate-2025`),
    /// or null when there is none.
    pub geometry_source: Option<String>,
    pub links: Vec<Link>,
}

fn area_json(base: &str, row: AreaRow) -> Area {
    let me = format!("/v1/areas/{}?division={}", row.code, row.division);
    Area {
        links: vec![Link::new(
            base,
            &me,
            "self",
            "application/json",
            "area profile",
        )],
        code: row.code,
        division: row.division.id().to_owned(),
        level: row.level.as_str().to_owned(),
        name: row.name,
        county_code: row.county_code,
        municipality_code: row.municipality_code,
        regso_code: row.regso_code,
        geometry_source: row.geometry_source,
    }
}

#[derive(Serialize, ToSchema)]
pub struct AreaList {
    #[schema(example = "a1f6c788404f")]
    pub data_version: String,
    pub synthetic: bool,
    pub areas: Vec<Area>,
    #[serde(flatten)]
    pub page: PageInfo,
}

/// A page of areas of the data version `data`: `matched` in all, `rows` on this page.
fn area_list(
    url: &RequestUrl,
    data: &DataState,
    paging: Paging,
    matched: i64,
    rows: Vec<AreaRow>,
) -> AreaList {
    let returned = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    AreaList {
        data_version: data.data_version.clone(),
        synthetic: data.synthetic,
        areas: rows
            .into_iter()
            .map(|row| area_json(&url.base, row))
            .collect(),
        page: page_info(url, paging, matched, returned, "application/json"),
    }
}

/// Areas at every level, filtered and paged.
#[utoipa::path(get, path = "/v1/areas", tag = "areas", params(AreasParams),
    responses(
        (status = 200, description = "A page of areas.", body = AreaList),
        (status = 400, description = "Bad parameters, each named.", body = crate::api_error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_areas(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<AreasParams>,
) -> ApiResult<HttpResponse> {
    let filter = AreaFilter {
        level: p.level,
        division: p.division,
        municipality: p.municipality,
        county: p.county,
        area_type: p.area_type.zip(p.year),
        name_contains: p.q.as_deref().map(fold),
        ..AreaFilter::default()
    };
    let paging = p.paging;
    let lang = p.lang;
    let r = RequestUrl::of(&req);
    data_response(&req, &state, lang.code(), move |conn, data| {
        let (matched, rows) = db::areas::list(conn, &filter, paging.limit, paging.offset)?;
        let body = area_list(&r, data, paging, matched, rows);
        Representation::json(&body, Some(lang))
    })
    .await
}

const DIVISION: Param = Param::new("division", Accepts::OneOf(&Division::IDS))
    .doc("Only this division version of the code (default: every version the code exists in).")
    .example(Division::Regso2020.id());

#[derive(Debug)]
pub struct AreaParams {
    pub division: Option<Division>,
    pub lang: Lang,
}

impl FromQuery for AreaParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate_json(r, req);
        AreaParams {
            division: super::params::division(r, &DIVISION),
            lang,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AreaVersion {
    #[serde(flatten)]
    pub area: Area,
    /// Children per division, e.g. `{"deso-2018": 5}`.
    pub children: std::collections::BTreeMap<String, i64>,
    /// Area type and index per year; only this division version's own years, never joined
    /// across versions.
    pub history: Vec<YearFacts>,
}

#[derive(Serialize, ToSchema)]
pub struct Named {
    pub code: String,
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AreaProfile {
    pub data_version: String,
    pub synthetic: bool,
    #[schema(example = "0180R036")]
    pub code: String,
    pub level: String,
    pub municipality: Option<Named>,
    pub county: Option<Named>,
    /// The division versions the code exists in (RegSO and DeSO codes can exist in two).
    pub versions: Vec<AreaVersion>,
}

/// An area's profile: names, parents, children, and its area type and index per year, per
/// division version.
#[utoipa::path(get, path = "/v1/areas/{code}", tag = "areas",
    params(("code" = String, Path, description = "An SCB code, plain or suffixed (`0114R001_RegSO2025`)", example = "0180R036"), AreaParams),
    responses(
        (status = 200, description = "The area's profile.", body = AreaProfile),
        (status = 400, description = "A malformed code or bad parameter.", body = crate::api_error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No area has this code.", body = crate::api_error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_area(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<AreaParams>,
) -> ApiResult<HttpResponse> {
    let (code, division) = usecase::code_and_division(&path, p.division)?;
    let lang = p.lang;
    let r = RequestUrl::of(&req);
    data_response(&req, &state, lang.code(), move |conn, data| {
        let profile = usecase::profile(conn, &code, division)?;
        let named = |parent: Parent| Named {
            code: parent.code,
            name: parent.name,
        };
        let base = r.base.clone();
        let versions = profile
            .versions
            .into_iter()
            .map(|version| {
                let mut area = area_json(&base, version.area);
                let children_path = format!(
                    "/v1/areas/{}/children?division={}",
                    area.code, area.division
                );
                area.links.push(Link::new(
                    &base,
                    &children_path,
                    "children",
                    "application/json",
                    "the areas inside this one",
                ));
                AreaVersion {
                    area,
                    children: version
                        .children
                        .into_iter()
                        .map(|(d, n)| (d.id().to_owned(), n))
                        .collect(),
                    history: version.history,
                }
            })
            .collect();
        let body = AreaProfile {
            data_version: data.data_version.clone(),
            synthetic: data.synthetic,
            code: profile.code,
            level: profile.level.as_str().to_owned(),
            municipality: profile.municipality.map(named),
            county: profile.county.map(named),
            versions,
        };
        Representation::json(&body, Some(lang))
    })
    .await
}

/// The areas one level down: län of riket, kommuner of a län, RegSO of a kommun (both
/// versions unless `division` picks one), DeSO of a RegSO (of the matching version).
#[utoipa::path(get, path = "/v1/areas/{code}/children", tag = "areas",
    params(("code" = String, Path, description = "An SCB code", example = "0180"), AreaParams),
    responses(
        (status = 200, description = "The children, all in one page.", body = AreaList),
        (status = 404, description = "No area has this code.", body = crate::api_error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_area_children(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<AreaParams>,
) -> ApiResult<HttpResponse> {
    let (code, division) = usecase::code_and_division(&path, p.division)?;
    let lang = p.lang;
    let r = RequestUrl::of(&req);
    data_response(&req, &state, lang.code(), move |conn, data| {
        let (matched, children) = usecase::children(conn, &code, division)?;
        let paging = Paging {
            limit: CHILDREN_LIMIT,
            offset: 0,
        };
        let body = area_list(&r, data, paging, matched, children);
        Representation::json(&body, Some(lang))
    })
    .await
}
