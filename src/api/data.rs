//! `/v1/data`: indicator values in long form, as JSON, CSV (long or wide) or JSON-stat 2.0.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::Routes;
use crate::api_error::ApiResult;
use crate::domain::codes::{self, Level};
use crate::domain::lang::Lang;
use crate::http::conditional::{data_response, Representation};
use crate::http::format::Format;
use crate::http::links::RequestUrl;
use crate::http::paging::{page_info, PageInfo, Paging};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::limits::MAX_LIST_ITEMS;
use crate::render::csv::CsvOptions;
use crate::render::jsonstat;
use crate::render::values_csv::{self, Layout};
use crate::state::AppState;
use crate::usecase::{
    self,
    data::{Values, ValuesRequest, Years},
};

pub fn routes(r: &mut Routes) {
    r.versioned(__path_get_data, get_data);
}

/// Most indicators in one request.
pub const MAX_INDICATORS: usize = 20;
/// Largest page of values, and the default.
pub const MAX_VALUES: i64 = 100_000;
pub const DEFAULT_VALUES: i64 = 10_000;
/// Deepest `offset` of `/v1/data` (beyond every value of the largest dataset).
pub const MAX_OFFSET: i64 = 10_000_000;

fn list(r: &mut QueryReader, param: &'static Param, max: usize) -> Option<Vec<String>> {
    let name = param.name;
    let raw = r.take(param)?;
    let items: Vec<String> = raw
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        r.fail(name, "give at least one value");
        return None;
    }
    if items.len() > max {
        r.fail(
            name,
            format!("{} values given; the limit is {max}", items.len()),
        );
        return None;
    }
    Some(items)
}

const INDICATOR: Param = Param::new("indicator", Accepts::Pattern(super::params::ID_LIST))
    .doc("One or more indicator ids, comma-separated (at most 20).")
    .example("population")
    .required();
const AREA: Param = Param::new("area", Accepts::Text)
    .doc(
        "Area codes, comma-separated (at most 500); suffixed codes pick their version. Either \
         this or `level`.",
    )
    .example("0180,1480");
const LEVEL: Param = Param::new("level", Accepts::OneOf(&Level::IDS)).doc(
    "Every area of this level (`riket`, `lan`, `kommun`, `regso`, `deso`). Either this or `area`.",
);
const MUNICIPALITY: Param = Param::new(
    "municipality",
    Accepts::Pattern(super::params::MUNICIPALITY_PATTERN),
)
.doc("With `level`: only areas in this kommun.");
const COUNTY: Param = Param::new("county", Accepts::Pattern(super::params::COUNTY_PATTERN))
    .doc("With `level`: only areas in this län.");
const YEAR: Param = Param::new("year", Accepts::Text)
    .doc("Years, comma-separated. Or `from_year`/`to_year`, or `latest`.")
    .example("2023,2024");
const FROM_YEAR: Param = Param::new(
    "from_year",
    Accepts::Integer {
        min: 1990,
        max: 2100,
    },
)
.doc("The first year (with or without `to_year`).");
const TO_YEAR: Param = Param::new(
    "to_year",
    Accepts::Integer {
        min: 1990,
        max: 2100,
    },
)
.doc("The last year (with or without `from_year`).");
const LATEST: Param = Param::new("latest", Accepts::Integer { min: 1, max: 50 })
    .doc("The N most recent years with data (1–50).");
const BREAKDOWN: Param = Param::new("breakdown", Accepts::Text)
    .doc("Breakdowns, comma-separated (e.g. `total`, `women`, `men`); default all.")
    .example("total");
const F: Param = Param::new(
    "f",
    Accepts::Formats(&[Format::Json, Format::Csv, Format::JsonStat]),
)
.doc("`json` (default), `csv` or `jsonstat`; or by `Accept`.")
.example("csv");
const LAYOUT: Param = Param::new("layout", Accepts::OneOf(Layout::NAMES))
    .doc(
        "CSV layout: `long` (default: one row per value) or `wide` (one row per area and \
         breakdown, or per area, year and breakdown; see `wide_by`). Missing cells are empty. \
         `wide` needs `f=csv`; `limit` still counts values.",
    )
    .example("wide");
const WIDE_BY: Param = Param::new("wide_by", Accepts::OneOf(Layout::WIDE_BY))
    .doc(
        "With `layout=wide`: `year` (default: one column per year) or `indicator` (one column \
         per indicator id).",
    )
    .example("year");
const LIMIT: Param = Param::new(
    "limit",
    Accepts::Integer {
        min: 1,
        max: MAX_VALUES,
    },
)
.doc("Page size, 1–100000 (default 10000).");
const OFFSET: Param = Param::new(
    "offset",
    Accepts::Integer {
        min: 0,
        max: MAX_OFFSET,
    },
)
.doc("Values to skip, 0–10000000.");

/// `/v1/data`'s parameters: what to read, and how to write it.
#[derive(Debug)]
pub struct DataParams {
    pub request: ValuesRequest,
    pub f: Format,
    pub sep: CsvOptions,
    pub layout: Layout,
    pub lang: Lang,
}

documented!(DataParams);

impl FromQuery for DataParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate(r, req);
        let f = Format::negotiate(r, req, &F).unwrap_or_else(|e| {
            r.refuse(e);
            Format::Json
        });
        let indicators = list(r, &INDICATOR, MAX_INDICATORS).unwrap_or_default();
        if indicators.is_empty() && !r.has_errors_for(&["indicator"]) {
            r.fail(
                "indicator",
                "required: one or more indicator ids (see /v1/indicators)",
            );
        }
        let area = list(r, &AREA, MAX_LIST_ITEMS).map(|codes| {
            codes
                .into_iter()
                .filter_map(|raw| match codes::parse(&raw) {
                    Ok(c) => {
                        let division = codes::division_of_suffix(&c);
                        Some((c.code, division))
                    }
                    Err(e) => {
                        r.fail("area", e);
                        None
                    }
                })
                .collect::<Vec<_>>()
        });
        let level = super::params::level(r, &LEVEL);
        let (municipality, county) =
            super::params::municipality_and_county(r, &MUNICIPALITY, &COUNTY);
        match (&area, &level) {
            (Some(_), Some(_)) => r.fail("level", "give either area= or level=, not both"),
            (None, None) if !r.has_errors_for(&["area", "level"]) => {
                r.fail("area", "give area= (codes) or level=")
            }
            _ => {}
        }
        if level.is_none() && (municipality.is_some() || county.is_some()) {
            r.fail(
                if municipality.is_some() {
                    "municipality"
                } else {
                    "county"
                },
                "narrows level=; give level= too",
            );
        }
        let year_list = list(r, &YEAR, 50).map(|ys| {
            ys.iter()
                .filter_map(|y| match y.parse::<i16>() {
                    Ok(y) if (1990..=2100).contains(&y) => Some(y),
                    _ => {
                        r.fail("year", format!("{y:?} is not a year"));
                        None
                    }
                })
                .collect::<Vec<_>>()
        });
        let from_year = r.integer_as::<i16>(&FROM_YEAR);
        let to_year = r.integer_as::<i16>(&TO_YEAR);
        let latest = r.integer_as::<i16>(&LATEST);
        if let (Some(a), Some(b)) = (from_year, to_year) {
            if a > b {
                r.fail("from_year", format!("{a} is after to_year {b}"));
            }
        }
        let years = match (year_list, from_year, to_year, latest) {
            (Some(list), None, None, None) => Years::List(list),
            (None, None, None, Some(n)) => Years::Latest(n),
            (None, from, to, None) if from.is_some() || to.is_some() => Years::Range { from, to },
            (None, None, None, None) => Years::All,
            _ => {
                r.fail("year", "give one of year=, from_year/to_year or latest=");
                Years::All
            }
        };
        let breakdowns = list(r, &BREAKDOWN, 20);
        let sep = CsvOptions::read(r);
        let layout = read_layout(r, f);
        let paging = Paging::read_as(r, &LIMIT, &OFFSET, DEFAULT_VALUES);
        DataParams {
            request: ValuesRequest {
                indicators,
                areas: area,
                level,
                municipality,
                county,
                years,
                breakdowns,
                limit: paging.limit,
                offset: paging.offset,
            },
            f,
            sep,
            layout,
            lang,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Value {
    #[schema(example = "population")]
    pub indicator: String,
    #[schema(example = json!(Level::Kommun.as_str()))]
    pub division: String,
    #[schema(example = "0180")]
    pub code: String,
    #[schema(example = "Stockholm")]
    pub name: Option<String>,
    #[schema(example = 2024)]
    pub year: i16,
    #[schema(example = "total")]
    pub breakdown: String,
    /// Null when missing or suppressed; see `status`. Never 0 for a missing value.
    #[schema(example = 988943.0)]
    pub value: Option<f64>,
    /// `ok`, or `missing` (SCB's `..`: missing or suppressed).
    #[schema(example = "ok")]
    pub status: String,
    #[schema(example = "count")]
    pub unit: String,
    /// `published` (SCB's figure) or `computed` (by this service from SCB's figures; the
    /// indicator's formula is in `/v1/indicators`).
    #[schema(example = "published")]
    pub origin: String,
}

#[derive(Serialize, ToSchema)]
pub struct DataResponse {
    pub data_version: String,
    pub synthetic: bool,
    #[schema(example = "Källa: SCB")]
    /// "Källa: SCB", or a warning that the data is synthetic.
    pub citation: &'static str,
    pub values: Vec<Value>,
    #[serde(flatten)]
    pub page: PageInfo,
}

/// The JSON bodies of `/v1/data`: values in long form, or JSON-stat with `f=jsonstat`. Both are
/// `application/json`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // documents the two bodies; each is rendered by its own function
pub enum DataBody {
    Values(DataResponse),
    JsonStat(Box<jsonstat::Dataset>),
}

/// Indicator values in long form: for areas by code, or every area of a level (optionally in
/// one kommun or län), for chosen years and breakdowns. JSON, CSV (Excel-ready options) or
/// JSON-stat 2.0.
#[utoipa::path(get, path = "/v1/data", tag = "data", params(DataParams),
    responses(
        (status = 200, description = "Values, each with its unit and status: JSON (default), CSV (f=csv or Accept: text/csv), or JSON-stat 2.0 (f=jsonstat, also application/json).\n\nCSV columns follow `lang`: with `sv` (the default) `indikator, indikatornamn, indelning, kod, namn, år, uppdelning, värde, status, enhet, ursprung`; with `en` `indicator, indicator_name, division, code, name, year, breakdown, value, status, unit, origin` (`indikator`/`indicator` is the id, the name column its catalogue name in that language), plus `synthetic` on synthetic data. `layout=wide` keeps the columns that identify a row and puts one column per year (`wide_by=year`: indicator, name, division, code, area name, breakdown, unit) or per indicator id (`wide_by=indicator`: division, code, area name, year, breakdown); missing cells are empty.\n\nJSON-stat: `updated` is the data version's import time (ISO 8601); indicators and breakdowns carry category labels in `lang`; `dimension.indicator.category.unit.<id>` gives each indicator's unit `label` and its `decimals`.", content(
            (DataBody = "application/json"),
            (String = "text/csv"))),
        (status = 400, description = "Every bad parameter, named: unknown indicator, malformed code, year outside the data, conflicting parameters.", body = crate::api_error::Problem, content_type = "application/problem+json"),
        (status = 406, description = "Accept admits none of JSON, CSV.", body = crate::api_error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_data(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<DataParams>,
) -> ApiResult<HttpResponse> {
    let url = RequestUrl::of(&req);
    let variant = format!("{}|{}|{}", p.f.name(), p.lang.code(), p.layout.name());
    data_response(&req, &state, &variant, move |conn, data| {
        let Values {
            rows,
            matched,
            indicators: units,
        } = usecase::data::values(conn, &p.request)?;
        let paging = Paging {
            limit: p.request.limit,
            offset: p.request.offset,
        };
        // A CSV or JSON-stat page that does not hold every match says where the rest is.
        let returned = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        let info = page_info(&url, paging, matched, returned, "application/json");
        let next = info
            .links
            .iter()
            .find(|l| l.rel == "next")
            .map(|l| format!("<{}>; rel=\"next\"", l.href));
        match p.f {
            Format::Csv => Ok(Representation {
                content_type: "text/csv; charset=utf-8",
                body: values_csv::write(data.synthetic, p.sep, p.lang, p.layout, &rows, &units)
                    .into(),
                lang: None,
                disposition: Some(format!(
                    "attachment; filename=\"segstat-data-{}.csv\"",
                    data.data_version
                )),
                link: next,
            }),
            Format::JsonStat => Ok(Representation {
                link: next,
                ..Representation::json(
                    &jsonstat::values(data, p.lang, &rows, &units),
                    Some(p.lang),
                )?
            }),
            _ => {
                let body = DataResponse {
                    data_version: data.data_version.clone(),
                    synthetic: data.synthetic,
                    citation: if data.synthetic {
                        "Synthetic data generated by segstat; not SCB statistics"
                    } else {
                        "Källa: SCB"
                    },
                    values: rows
                        .into_iter()
                        .map(|r| Value {
                            unit: units[&r.indicator].unit.clone(),
                            origin: units[&r.indicator].origin.clone(),
                            indicator: r.indicator,
                            division: r.division.id().to_owned(),
                            code: r.code,
                            name: r.name,
                            year: r.year,
                            breakdown: r.breakdown,
                            value: r.value,
                            status: r.status,
                        })
                        .collect(),
                    page: info,
                };
                Representation::json(&body, Some(p.lang))
            }
        }
    })
    .await
}

/// `layout` and `wide_by`, each refused by name; `wide` only with CSV.
fn read_layout(r: &mut QueryReader, f: Format) -> Layout {
    let given = r.has(WIDE_BY.name);
    let by_indicator = r.one_of(&WIDE_BY) == Some("indicator");
    match r.one_of(&LAYOUT) {
        None | Some("long") => {
            if given && !r.has_errors_for(&[WIDE_BY.name]) {
                r.fail(WIDE_BY.name, "only with layout=wide");
            }
            Layout::Long
        }
        Some("wide") => {
            if f != Format::Csv {
                r.fail("layout", "layout=wide is a CSV layout; give f=csv too");
            }
            if by_indicator {
                Layout::WideByIndicator
            } else {
                Layout::WideByYear
            }
        }
        Some(_) => Layout::Long,
    }
}
