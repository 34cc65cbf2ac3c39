//! `/v1/municipalities/{code}/summary`, `/v1/counties/{code}/summary` (`00` for Sweden) and
//! `/v1/inequality`: the data behind Segregationsbarometern's municipality pages.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::Routes;
use crate::api_error::ApiResult;
use crate::domain::codes::{Division, Level};
use crate::domain::lang::Lang;
use crate::http::conditional::{data_response, Representation};
use crate::http::format::Format;
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::render::csv::{CsvOptions, CsvWriter};
use crate::state::AppState;
use crate::usecase::{self, inequality::Ranking};

pub fn routes(r: &mut Routes) {
    r.versioned(__path_get_municipality_summary, get_municipality_summary);
    r.versioned(__path_get_county_summary, get_county_summary);
    r.versioned(__path_get_inequality, get_inequality);
}

const YEARS: Param = Param::new("year", Accepts::Text)
    .doc("Years, comma-separated (default: every year with data).")
    .example("2023");

#[derive(Debug)]
pub struct SummaryParams {
    pub year: Option<Vec<i16>>,
    pub lang: Lang,
}

documented!(SummaryParams, InequalityParams);

impl FromQuery for SummaryParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate_json(r, req);
        let year = r.take(&YEARS).map(|raw| {
            raw.split(',')
                .filter_map(|y| match y.trim().parse::<i16>() {
                    Ok(y) if (1990..=2100).contains(&y) => Some(y),
                    _ => {
                        r.fail(YEARS.name, format!("{y:?} is not a year"));
                        None
                    }
                })
                .collect()
        });
        SummaryParams { year, lang }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegsoType {
    pub code: String,
    pub name: Option<String>,
    pub area_type: Option<i16>,
    pub area_type_origin: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct YearSummary {
    pub year: i16,
    /// The RegSO division version the year is counted in.
    #[schema(example = json!(Division::Regso2020.id()))]
    pub regso_division: String,
    pub regso_count: i32,
    /// RegSO per area type 1–5.
    #[schema(example = json!([3, 8, 19, 76, 21]))]
    pub regso_by_type: Vec<i32>,
    /// Where the counted area types come from: `official` (SCB's), `computed` (by this
    /// service from SCB's components, never presented as SCB's) or `mixed`.
    #[schema(example = "official")]
    pub area_type_origin: Option<String>,
    /// The whole population (every RegSO of the area); null where population per RegSO is
    /// not in the data.
    pub population: Option<i64>,
    pub population_by_type: Option<Vec<i64>>,
    /// The population of the RegSO without an area type this year.
    pub population_untyped: Option<i64>,
    /// Per cent of the whole population living in each area type (the rest lives in RegSO
    /// without a type: `population_untyped`).
    pub population_share_by_type: Option<Vec<f64>>,
    /// Computed by this service, not published by SCB or Boverket: the dissimilarity index,
    /// 0–100, between two groups of residents over the area's RegSO (see
    /// `inequality_method`); null where the data has no such counts.
    pub inequality_index: Option<f64>,
    /// `economic_standard` (persons with low vs high economic standard, SCB TAB6685) or
    /// `income_quintiles` (lowest vs highest income quintile).
    pub inequality_method: Option<String>,
    /// The source the index was computed from.
    pub inequality_source: Option<String>,
    /// The spatial unit the index is computed over (RegSO).
    pub inequality_spatial_unit: Option<String>,
    /// Always `computed` where there is an index.
    pub inequality_origin: Option<String>,
    /// How many RegSO the index was computed over (of `regso_count`).
    pub inequality_areas: Option<i32>,
    /// The RegSO with their type this year (for Sweden as a whole only with `year=`).
    pub regso: Option<Vec<RegsoType>>,
}

#[derive(Serialize, ToSchema)]
pub struct Summary {
    pub data_version: String,
    pub synthetic: bool,
    pub code: String,
    pub name: Option<String>,
    #[schema(example = json!(Level::Kommun.as_str()))]
    pub level: String,
    pub years: Vec<YearSummary>,
}

async fn summary(
    req: HttpRequest,
    state: web::Data<AppState>,
    raw: String,
    level: Level,
    p: SummaryParams,
) -> ApiResult<HttpResponse> {
    let (code, division) = usecase::summaries::code_and_division(level, &raw)?;
    let lang = p.lang;
    data_response(&req, &state, lang.code(), move |conn, data| {
        let summary = usecase::summaries::summary(conn, division, &code, p.year.as_deref())?;
        let years = summary
            .years
            .into_iter()
            .map(
                |usecase::summaries::Year { summary: s, regso }| YearSummary {
                    regso: regso.map(|regso| {
                        regso
                            .into_iter()
                            .map(|r| RegsoType {
                                code: r.code,
                                name: r.name,
                                area_type: r.area_type,
                                area_type_origin: r.area_type_origin,
                            })
                            .collect()
                    }),
                    year: s.year,
                    regso_division: s.regso_division.id().to_owned(),
                    regso_count: s.regso_count,
                    regso_by_type: s
                        .regso_by_type
                        .into_iter()
                        .map(|v| v.unwrap_or(0))
                        .collect(),
                    population: s.population,
                    population_by_type: s
                        .population_by_type
                        .map(|v| v.into_iter().map(|x| x.unwrap_or(0)).collect()),
                    population_share_by_type: s
                        .population_share_by_type
                        .map(|v| v.into_iter().map(|x| x.unwrap_or(0.0)).collect()),
                    area_type_origin: s.area_type_origin,
                    population_untyped: s.population_untyped,
                    inequality_spatial_unit: s
                        .inequality_method
                        .as_ref()
                        .map(|_| INEQUALITY_SPATIAL_UNIT.as_str().to_owned()),
                    inequality_origin: s.inequality_method.as_ref().map(|_| "computed".to_owned()),
                    inequality_index: s.inequality_index,
                    inequality_method: s.inequality_method,
                    inequality_source: s.inequality_source,
                    inequality_areas: s.inequality_areas,
                },
            )
            .collect();
        let body = Summary {
            data_version: data.data_version.clone(),
            synthetic: data.synthetic,
            code,
            name: summary.name,
            level: division.id().to_owned(),
            years,
        };
        Representation::json(&body, Some(lang))
    })
    .await
}

/// A kommun's RegSO per area type, population per type, inequality index and its RegSO with
/// their type, year by year.
#[utoipa::path(get, path = "/v1/municipalities/{code}/summary", tag = "summaries",
    params(("code" = String, Path, pattern = "^[0-9]{4}$", example = "0180"), SummaryParams),
    responses((status = 200, description = "The summary per year.", body = Summary),
              (status = 400, description = "Not a kommun code.", body = crate::api_error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such kommun.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_municipality_summary(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<SummaryParams>,
) -> ApiResult<HttpResponse> {
    summary(req, state, path.into_inner(), Level::Kommun, p).await
}

/// The same for a län, or for Sweden with the code `00`.
#[utoipa::path(get, path = "/v1/counties/{code}/summary", tag = "summaries",
    params(("code" = String, Path, pattern = "^[0-9]{2}$", example = "01"), SummaryParams),
    responses((status = 200, description = "The summary per year.", body = Summary),
              (status = 400, description = "Not a län code.", body = crate::api_error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such län.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_county_summary(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<SummaryParams>,
) -> ApiResult<HttpResponse> {
    summary(req, state, path.into_inner(), Level::Lan, p).await
}

/// The areas `/v1/inequality` ranks: each a level with one division version, kommun first
/// (the default).
const INEQUALITY_DIVISIONS: [Division; 2] = [Division::Kommun, Division::Lan];

/// `level=` of `/v1/inequality`, as the spec lists them.
pub const INEQUALITY_LEVELS: [&str; 2] = [
    INEQUALITY_DIVISIONS[0].level().as_str(),
    INEQUALITY_DIVISIONS[1].level().as_str(),
];

/// The areas the inequality index is computed over.
const INEQUALITY_SPATIAL_UNIT: Level = Level::Regso;

const LEVEL: Param = Param::new("level", Accepts::OneOf(&INEQUALITY_LEVELS))
    .doc("`kommun` (default) or `lan`.")
    .example(Level::Kommun.as_str());
const YEAR: Param = Param::new(
    "year",
    Accepts::Integer {
        min: 1990,
        max: 2100,
    },
)
.doc("The year (default: the latest with an index).")
.example("2023");

#[derive(Debug)]
pub struct InequalityParams {
    pub level: Division,
    pub year: Option<i16>,
    pub f: Format,
    pub sep: CsvOptions,
    pub lang: Lang,
}

impl FromQuery for InequalityParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate(r, req);
        let f = Format::negotiate(r, req, &crate::api::params::JSON_OR_CSV).unwrap_or_else(|e| {
            r.refuse(e);
            Format::Json
        });
        let level = r
            .one_of(&LEVEL)
            .and_then(|raw| {
                INEQUALITY_DIVISIONS
                    .into_iter()
                    .find(|d| d.level().as_str() == raw)
            })
            .unwrap_or(INEQUALITY_DIVISIONS[0]);
        InequalityParams {
            level,
            year: r.integer_as::<i16>(&YEAR),
            f,
            sep: CsvOptions::read(r),
            lang,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InequalityEntry {
    /// 1 = the most unequal.
    pub rank: usize,
    pub code: String,
    pub name: Option<String>,
    /// The dissimilarity index, 0–100, computed by this service (`origin: computed`).
    #[schema(example = 41.2)]
    pub inequality_index: f64,
    /// `economic_standard` or `income_quintiles`.
    #[schema(example = "economic_standard")]
    pub method: String,
    /// What it was computed from.
    pub source: Option<String>,
    /// Always `regso`.
    pub spatial_unit: String,
    /// Always `computed`: no value here is published by SCB or Boverket.
    pub origin: String,
    pub regso_count: i32,
    /// How many RegSO the index was computed over.
    pub areas: i32,
    /// True when fewer than 5 RegSO went into the index: with so few areas the index says
    /// little (with one area it is 0 by construction).
    pub few_areas: bool,
}

/// Below this many RegSO an index is flagged in the ranking.
pub const FEW_AREAS: i32 = 5;

#[derive(Serialize, ToSchema)]
pub struct Inequality {
    pub data_version: String,
    pub synthetic: bool,
    pub level: String,
    pub year: i16,
    pub entries: Vec<InequalityEntry>,
}

/// The inequality index of every kommun (or län) for a year, most unequal first, with rank.
///
/// **Computed by this service, not published.** The index is the dissimilarity index
/// D = ½ Σ |aᵢ/A − bᵢ/B| × 100 over the RegSO of each kommun (or län), between persons with low
/// and with high economic standard (SCB's TAB6685 shares times its number of persons per RegSO),
/// or between the lowest and highest income quintiles where a source has quintile counts. Each
/// entry names its `method`, `source`, `spatial_unit` and `origin: computed`. TAB6685 gives
/// its shares in whole per cent, so each RegSO's counts are uncertain by up to ½ % of its
/// persons.
///
/// It is **not** Boverket's (Segregationsbarometern's) published inequality index, which is
/// computed from SCB microdata over other areas and other income groups; smaller areas give
/// higher values, so the two are not comparable. Kommuner with fewer than 5 RegSO are flagged
/// (`few_areas`): with so few areas the index says little.
#[utoipa::path(get, path = "/v1/inequality", tag = "summaries", params(InequalityParams),
    responses((status = 200, description = "The ranking (JSON, or CSV with f=csv or Accept: text/csv).", content(
                  (Inequality = "application/json"),
                  (String = "text/csv"))),
              (status = 400, description = "A bad parameter, or a year without an index.", body = crate::api_error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "The served data has no inequality index.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_inequality(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<InequalityParams>,
) -> ApiResult<HttpResponse> {
    let variant = format!("{}|{}", p.f.name(), p.lang.code());
    data_response(&req, &state, &variant, move |conn, data| {
        let Ranking { year, rows } = usecase::inequality::ranking(conn, p.level, p.year)?;
        let entries: Vec<InequalityEntry> = rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| InequalityEntry {
                rank: i + 1,
                code: r.code,
                name: r.name,
                inequality_index: r.inequality_index,
                method: r.inequality_method,
                source: r.inequality_source,
                spatial_unit: INEQUALITY_SPATIAL_UNIT.as_str().into(),
                origin: "computed".into(),
                regso_count: r.regso_count,
                areas: r.inequality_areas.unwrap_or(0),
                few_areas: r.inequality_areas.unwrap_or(0) < FEW_AREAS,
            })
            .collect();
        if p.f == Format::Csv {
            let mut w = CsvWriter::new(
                p.sep,
                &[
                    "rank",
                    "code",
                    "name",
                    "inequality_index",
                    "method",
                    "origin",
                    "regso_count",
                    "areas",
                    "few_areas",
                    "year",
                ],
                data.synthetic,
            );
            for e in &entries {
                let v = w.number(Some((e.inequality_index * 100.0).round() / 100.0));
                w.row([
                    e.rank.to_string(),
                    e.code.clone(),
                    e.name.clone().unwrap_or_default(),
                    v,
                    e.method.clone(),
                    e.origin.clone(),
                    e.regso_count.to_string(),
                    e.areas.to_string(),
                    e.few_areas.to_string(),
                    year.to_string(),
                ]);
            }
            return Ok(Representation {
                content_type: "text/csv; charset=utf-8",
                body: w.finish().into(),
                lang: None,
                disposition: Some(format!(
                    "attachment; filename=\"segstat-inequality-{}-{year}.csv\"",
                    p.level
                )),
                link: None,
            });
        }
        Representation::json(
            &Inequality {
                data_version: data.data_version.clone(),
                synthetic: data.synthetic,
                level: p.level.id().to_owned(),
                year,
                entries,
            },
            Some(p.lang),
        )
    })
    .await
}
