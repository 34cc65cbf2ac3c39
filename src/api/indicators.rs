//! `/v1/indicators` and `/v1/indicators/{id}`: the catalogue, with what data each has.

use std::collections::BTreeSet;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::Routes;
use crate::api_error::{ApiError, ApiResult};
use crate::db::{self, indicators::Coverage, indicators::IndicatorRow};
use crate::domain::geography::{Division, Level};
use crate::domain::lang::Lang;
use crate::domain::themes::THEMES;
use crate::http::conditional::{data_response, Representation};
use crate::http::links::{Link, RequestUrl};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::state::AppState;

pub fn routes(r: &mut Routes) {
    r.versioned(__path_get_indicators, get_indicators);
    r.versioned(__path_get_indicator, get_indicator);
}

#[derive(Serialize, ToSchema)]
pub struct DivisionCoverage {
    #[schema(example = json!(Division::Regso2020.id()))]
    pub division: String,
    pub years: Vec<i16>,
    pub breakdowns: Vec<String>,
    /// Values published.
    pub values: i32,
    /// Values missing or suppressed by SCB (`..`), never reported as 0.
    pub missing: i32,
}

#[derive(Serialize, ToSchema)]
pub struct Indicator {
    #[schema(example = "sfi_passed_share")]
    pub id: String,
    #[schema(example = "integration")]
    pub theme: String,
    pub name: String,
    pub description: String,
    #[schema(example = "percent")]
    pub unit: String,
    #[schema(example = "20-64")]
    pub age_band: Option<String>,
    /// SCB table the values come from.
    #[schema(example = "TAB6680")]
    pub source_table: String,
    /// `published`: SCB's figure as it is (`contents_code`); `computed`: computed by this
    /// service from SCB's figures by `formula` (`inputs`), never presented as SCB's.
    #[schema(example = "computed")]
    pub origin: String,
    /// SCB's contents code of a published value.
    #[schema(example = "000008IT")]
    pub contents_code: Option<String>,
    /// Codes of the table's other dimensions the value is taken at.
    #[schema(value_type = Object, example = json!({"Alder": "20-64"}))]
    pub selection: serde_json::Value,
    /// How a computed value is computed, in words.
    #[schema(example = "100 × employed (0000089X) / total number (0000089Y), ages 20–64")]
    pub formula: Option<String>,
    /// The cells of the source table a computed value is computed from: `scale ×
    /// Σ numerator / Σ denominator`, each term a contents code with a selection.
    #[schema(value_type = Option<Object>)]
    pub inputs: Option<serde_json::Value>,
    pub decimals: i16,
    /// Levels (riket, lan, kommun, regso, deso) with values.
    pub levels: Vec<String>,
    pub coverage: Vec<DivisionCoverage>,
    pub links: Vec<Link>,
}

fn indicator_json(base: &str, lang: Lang, i: IndicatorRow, coverage: Vec<Coverage>) -> Indicator {
    let levels: BTreeSet<&str> = coverage
        .iter()
        .map(|c| c.division.level().as_str())
        .collect();
    Indicator {
        links: vec![
            Link::new(
                base,
                &format!("/v1/indicators/{}", i.id),
                "self",
                "application/json",
                "definition",
            ),
            Link::new(
                base,
                &format!("/v1/data?indicator={}&level={}", i.id, Level::Kommun),
                "data",
                "application/json",
                "values per kommun",
            ),
        ],
        name: lang.pick(&i.name_sv, &i.name_en).to_owned(),
        description: lang.pick(&i.description_sv, &i.description_en).to_owned(),
        id: i.id,
        theme: i.theme,
        unit: i.unit,
        age_band: i.age_band,
        source_table: i.source_table,
        origin: i.origin,
        contents_code: i.contents_code,
        selection: i.selection,
        formula: i.formula,
        inputs: i.inputs,
        decimals: i.decimals,
        levels: levels.into_iter().map(str::to_owned).collect(),
        coverage: coverage
            .into_iter()
            .map(|c| DivisionCoverage {
                division: c.division.id().to_owned(),
                years: c.years.into_iter().flatten().collect(),
                breakdowns: c.breakdowns.into_iter().flatten().collect(),
                values: c.values_ok,
                missing: c.values_missing,
            })
            .collect(),
    }
}

const THEME: Param = Param::new("theme", Accepts::OneOf(THEMES))
    .doc("Only this theme (work, education, economy, housing, health, democracy, population, integration).")
    .example("work");
const LEVEL: Param = Param::new("level", Accepts::OneOf(&Level::IDS))
    .doc("Only indicators with values at this level.")
    .example(Level::Regso.as_str());
const ORIGIN: Param = Param::new("origin", Accepts::OneOf(&["published", "computed"]))
    .doc("Only indicators whose values SCB publishes (`published`) or this service computes from SCB's figures (`computed`).")
    .example("published");

#[derive(Debug)]
pub struct IndicatorsParams {
    pub theme: Option<String>,
    pub level: Option<Level>,
    pub origin: Option<&'static str>,
    pub lang: Lang,
}

impl FromQuery for IndicatorsParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        IndicatorsParams {
            lang: Lang::negotiate_json(r, req),
            theme: r.one_of(&THEME).map(str::to_owned),
            level: super::params::level(r, &LEVEL),
            origin: r.one_of(&ORIGIN),
        }
    }
}

documented!(IndicatorsParams);

#[derive(Serialize, ToSchema)]
pub struct IndicatorList {
    pub data_version: String,
    pub synthetic: bool,
    pub indicators: Vec<Indicator>,
}

/// The indicator catalogue: definitions, units, sources, and the years, levels and breakdowns
/// with data.
#[utoipa::path(get, path = "/v1/indicators", tag = "indicators", params(IndicatorsParams),
    responses((status = 200, description = "The catalogue.", body = IndicatorList),
              (status = 400, description = "A bad parameter.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_indicators(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<IndicatorsParams>,
) -> ApiResult<HttpResponse> {
    let url = RequestUrl::of(&req);
    let lang = p.lang;
    data_response(&req, &state, lang.code(), move |conn, data| {
        let list = db::indicators::catalogue(conn)?;
        let indicators = list
            .into_iter()
            .filter(|(i, _)| p.theme.as_ref().is_none_or(|t| &i.theme == t))
            .filter(|(i, _)| p.origin.is_none_or(|o| i.origin == o))
            .map(|(i, c)| indicator_json(&url.base, lang, i, c))
            .filter(|i| {
                p.level
                    .is_none_or(|l| i.levels.iter().any(|x| x == l.as_str()))
            })
            .collect();
        Representation::json(
            &IndicatorList {
                data_version: data.data_version.clone(),
                synthetic: data.synthetic,
                indicators,
            },
            Some(lang),
        )
    })
    .await
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorDetail {
    pub data_version: String,
    pub synthetic: bool,
    #[serde(flatten)]
    pub indicator: Indicator,
}

/// One indicator: its definition, unit, source, and the years and levels with values.
#[utoipa::path(get, path = "/v1/indicators/{id}", tag = "indicators",
    params(("id" = String, Path, example = "population"), crate::api::params::LangJson),
    responses((status = 200, description = "The indicator.", body = IndicatorDetail),
              (status = 404, description = "No such indicator.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<crate::api::params::LangJson>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let url = RequestUrl::of(&req);
    let lang = p.lang;
    data_response(&req, &state, lang.code(), move |conn, data| {
        let (i, c) = db::indicators::catalogue(conn)?
            .into_iter()
            .find(|(i, _)| i.id == id)
            .ok_or_else(|| {
                ApiError::NotFound(format!("no indicator {id:?}; /v1/indicators lists them"))
            })?;
        let body = IndicatorDetail {
            data_version: data.data_version.clone(),
            synthetic: data.synthetic,
            indicator: indicator_json(&url.base, lang, i, c),
        };
        Representation::json(&body, Some(lang))
    })
    .await
}
