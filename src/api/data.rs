//! `/v1/data`: indicator values in long form, as JSON, CSV (long or wide) or JSON-stat 2.0.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::api::Routes;
use crate::db::data_state::DataState;
use crate::db::indicators::ValueRow;
use crate::domain::codes::{self, Level};
use crate::error::Result;
use crate::http::conditional::{data_response, Representation};
use crate::http::format::Format;
use crate::http::links::RequestUrl;
use crate::http::negotiate::Lang;
use crate::http::paging::{page_info, PageInfo, Paging};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::limits::MAX_LIST_ITEMS;
use crate::render::csv::{CsvOptions, CsvWriter};
use crate::state::AppState;
use crate::usecase::{
    self,
    data::{IndicatorInfo, Values, ValuesRequest, Years},
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
        let layout = Layout::read(r, f);
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

/// How `/v1/data` lays its CSV out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One row per value.
    Long,
    /// One row per area and breakdown (and indicator), a column per year.
    WideByYear,
    /// One row per area, year and breakdown, a column per indicator.
    WideByIndicator,
}

impl Layout {
    pub const NAMES: &'static [&'static str] = &["long", "wide"];
    pub const WIDE_BY: &'static [&'static str] = &["year", "indicator"];

    /// `layout` and `wide_by`, each refused by name; `wide` only with CSV.
    fn read(r: &mut QueryReader, f: Format) -> Layout {
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

    fn name(self) -> &'static str {
        match self {
            Layout::Long => "long",
            Layout::WideByYear => "wide-year",
            Layout::WideByIndicator => "wide-indicator",
        }
    }
}

/// A breakdown's label in the request's language; unknown ids label themselves.
fn breakdown_label(id: &str, lang: Lang) -> &str {
    match id {
        "total" => lang.pick("totalt", "total"),
        "women" => lang.pick("kvinnor", "women"),
        "men" => lang.pick("män", "men"),
        other => other,
    }
}

#[derive(Serialize, ToSchema)]
pub struct Value {
    #[schema(example = "population")]
    pub indicator: String,
    #[schema(example = "kommun")]
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

/// A JSON-stat 2.0 dataset (`f=jsonstat`): one cube over indicator × Region × Tid × breakdown,
/// as [`jsonstat`] writes it.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // describes the document `jsonstat` builds; never built itself
pub struct JsonStatDataset {
    #[schema(example = "2.0")]
    version: String,
    #[schema(example = "dataset")]
    class: String,
    label: String,
    source: String,
    /// When the data version was imported (ISO 8601).
    #[schema(value_type = String, format = DateTime, example = "2026-11-29T17:58:08Z")]
    updated: (),
    /// `data_version` and `synthetic`.
    #[schema(value_type = Object)]
    extension: (),
    #[schema(example = json!(["indicator", "Region", "Tid", "breakdown"]))]
    id: Vec<String>,
    size: Vec<u32>,
    #[schema(value_type = Object)]
    role: (),
    #[schema(value_type = Object)]
    dimension: (),
    value: Vec<Option<f64>>,
    /// `..` for each missing or suppressed cell, by cell index.
    #[schema(value_type = Object)]
    status: (),
}

/// The JSON bodies of `/v1/data`: values in long form, or JSON-stat with `f=jsonstat`. Both are
/// `application/json`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // documents the two bodies; each is rendered by its own function
pub enum DataBody {
    Values(DataResponse),
    JsonStat(JsonStatDataset),
}

/// Indicator values in long form: for areas by code, or every area of a level (optionally in
/// one kommun or län), for chosen years and breakdowns. JSON, CSV (Excel-ready options) or
/// JSON-stat 2.0.
#[utoipa::path(get, path = "/v1/data", tag = "data", params(DataParams),
    responses(
        (status = 200, description = "Values, each with its unit and status: JSON (default), CSV (f=csv or Accept: text/csv), or JSON-stat 2.0 (f=jsonstat, also application/json).\n\nCSV columns follow `lang`: with `sv` (the default) `indikator, indikatornamn, indelning, kod, namn, år, uppdelning, värde, status, enhet, ursprung`; with `en` `indicator, indicator_name, division, code, name, year, breakdown, value, status, unit, origin` (`indikator`/`indicator` is the id, the name column its catalogue name in that language), plus `synthetic` on synthetic data. `layout=wide` keeps the columns that identify a row and puts one column per year (`wide_by=year`: indicator, name, division, code, area name, breakdown, unit) or per indicator id (`wide_by=indicator`: division, code, area name, year, breakdown); missing cells are empty.\n\nJSON-stat: `updated` is the data version's import time (ISO 8601); indicators and breakdowns carry category labels in `lang`; `dimension.indicator.category.unit.<id>` gives each indicator's unit `label` and its `decimals`.", content(
            (DataBody = "application/json"),
            (String = "text/csv"))),
        (status = 400, description = "Every bad parameter, named: unknown indicator, malformed code, year outside the data, conflicting parameters.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 406, description = "Accept admits none of JSON, CSV.", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_data(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<DataParams>,
) -> Result<HttpResponse> {
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
            Format::Csv => csv(data, p.sep, p.lang, p.layout, &rows, &units)
                .map(|r| Representation { link: next, ..r }),
            Format::JsonStat => {
                jsonstat(data, p.lang, &rows, &units).map(|r| Representation { link: next, ..r })
            }
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

/// The long CSV's columns, by language: the indicator's id, then its name, then the rest.
const CSV_COLUMNS_SV: [&str; 11] = [
    "indikator",
    "indikatornamn",
    "indelning",
    "kod",
    "namn",
    "år",
    "uppdelning",
    "värde",
    "status",
    "enhet",
    "ursprung",
];
const CSV_COLUMNS_EN: [&str; 11] = [
    "indicator",
    "indicator_name",
    "division",
    "code",
    "name",
    "year",
    "breakdown",
    "value",
    "status",
    "unit",
    "origin",
];

/// The long CSV's column `i` in `lang`.
fn column(lang: Lang, i: usize) -> &'static str {
    lang.pick(CSV_COLUMNS_SV[i], CSV_COLUMNS_EN[i])
}

fn csv(
    data: &DataState,
    opts: CsvOptions,
    lang: Lang,
    layout: Layout,
    rows: &[ValueRow],
    info: &BTreeMap<String, IndicatorInfo>,
) -> Result<Representation> {
    let body = match layout {
        Layout::Long => {
            let header = match lang {
                Lang::Sv => CSV_COLUMNS_SV,
                Lang::En => CSV_COLUMNS_EN,
            };
            let mut w = CsvWriter::new(opts, &header, data.synthetic);
            for r in rows {
                let value = w.number(r.value);
                let i = &info[&r.indicator];
                w.row([
                    r.indicator.clone(),
                    lang.pick(&i.name_sv, &i.name_en).to_owned(),
                    r.division.id().to_owned(),
                    r.code.clone(),
                    r.name.clone().unwrap_or_default(),
                    r.year.to_string(),
                    r.breakdown.clone(),
                    value,
                    r.status.clone(),
                    i.unit.clone(),
                    i.origin.clone(),
                ]);
            }
            w.finish()
        }
        Layout::WideByYear | Layout::WideByIndicator => {
            wide_csv(data.synthetic, opts, lang, layout, rows, info)
        }
    };
    Ok(Representation {
        content_type: "text/csv; charset=utf-8",
        body: body.into(),
        lang: None,
        disposition: Some(format!(
            "attachment; filename=\"segstat-data-{}.csv\"",
            data.data_version
        )),
        link: None,
    })
}

/// The wide CSV: one column per year (or per indicator id), the other columns of the long
/// layout that identify a row before them; rows in the order their first value came.
fn wide_csv(
    synthetic: bool,
    opts: CsvOptions,
    lang: Lang,
    layout: Layout,
    rows: &[ValueRow],
    info: &BTreeMap<String, IndicatorInfo>,
) -> String {
    let by_year = layout == Layout::WideByYear;
    // Columns named by the long layout's index: ids first, then what they open onto.
    let (keys, spread): (&[usize], Vec<String>) = if by_year {
        let years: BTreeSet<i16> = rows.iter().map(|r| r.year).collect();
        (
            &[0, 1, 2, 3, 4, 6, 9],
            years.iter().map(i16::to_string).collect(),
        )
    } else {
        let ids: BTreeSet<&String> = rows.iter().map(|r| &r.indicator).collect();
        (&[2, 3, 4, 5, 6], ids.into_iter().cloned().collect())
    };
    let key_cells = |r: &ValueRow| -> Vec<String> {
        keys.iter()
            .map(|k| match k {
                0 => r.indicator.clone(),
                1 => lang
                    .pick(&info[&r.indicator].name_sv, &info[&r.indicator].name_en)
                    .to_owned(),
                2 => r.division.id().to_owned(),
                3 => r.code.clone(),
                4 => r.name.clone().unwrap_or_default(),
                5 => r.year.to_string(),
                6 => r.breakdown.clone(),
                _ => info[&r.indicator].unit.clone(),
            })
            .collect()
    };
    let position: HashMap<&String, usize> =
        spread.iter().enumerate().map(|(i, c)| (c, i)).collect();
    let mut order: Vec<Vec<String>> = Vec::new();
    let mut cells: HashMap<Vec<String>, Vec<Option<f64>>> = HashMap::new();
    for r in rows {
        let key = key_cells(r);
        let column = if by_year {
            r.year.to_string()
        } else {
            r.indicator.clone()
        };
        let line = cells.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            vec![None; spread.len()]
        });
        line[position[&column]] = r.value;
    }
    let mut header: Vec<&str> = keys.iter().map(|k| column(lang, *k)).collect();
    header.extend(spread.iter().map(String::as_str));
    let mut w = CsvWriter::new(opts, &header, synthetic);
    for key in order {
        let values = cells[&key].iter().map(|v| w.number(*v)).collect::<Vec<_>>();
        w.row(key.into_iter().chain(values));
    }
    w.finish()
}

/// The `source` of a JSON-stat document built from synthetic data: a downloaded file must say
/// so by itself.
pub const SYNTHETIC_SOURCE: &str =
    "Synthetic data generated by segstat for tests and demonstrations: not statistics from SCB";

/// The values as one JSON-stat 2.0 cube over indicator × region × year × breakdown; cells
/// without a row are null with status `..`.
fn jsonstat(
    data: &DataState,
    lang: Lang,
    rows: &[ValueRow],
    info: &BTreeMap<String, IndicatorInfo>,
) -> Result<Representation> {
    let (version, synthetic) = (&data.data_version, data.synthetic);
    let region_id = |r: &ValueRow| r.division.scb_code(&r.code);
    let indicators: Vec<String> = rows
        .iter()
        .map(|r| r.indicator.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let regions: Vec<String> = rows
        .iter()
        .map(&region_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let years: Vec<String> = rows
        .iter()
        .map(|r| r.year.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let breakdowns: Vec<String> = rows
        .iter()
        .map(|r| r.breakdown.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let positions = |list: &[String]| -> std::collections::HashMap<String, usize> {
        list.iter()
            .enumerate()
            .map(|(i, v)| (v.clone(), i))
            .collect()
    };
    let (pi, pr, py, pb) = (
        positions(&indicators),
        positions(&regions),
        positions(&years),
        positions(&breakdowns),
    );
    let size = [
        indicators.len(),
        regions.len(),
        years.len(),
        breakdowns.len(),
    ];
    let total: usize = size.iter().product();
    let mut value = vec![serde_json::Value::Null; total];
    let mut status = serde_json::Map::new();
    let mut filled = vec![false; total];
    for r in rows {
        let i = ((pi[&r.indicator] * size[1] + pr[&region_id(r)]) * size[2]
            + py[&r.year.to_string()])
            * size[3]
            + pb[&r.breakdown];
        filled[i] = true;
        match r.value {
            Some(v) => value[i] = json!(v),
            None => {
                status.insert(i.to_string(), json!(".."));
            }
        }
    }
    for (i, f) in filled.iter().enumerate() {
        if !f {
            status.insert(i.to_string(), json!(".."));
        }
    }
    let names: BTreeMap<String, String> = rows
        .iter()
        .map(|r| {
            (
                region_id(r),
                r.name.clone().unwrap_or_else(|| r.code.clone()),
            )
        })
        .collect();
    let index = |list: &[String]| {
        serde_json::Value::Object(
            list.iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), json!(i)))
                .collect(),
        )
    };
    let unit: serde_json::Map<String, serde_json::Value> = indicators
        .iter()
        .map(|i| {
            let unit = json!({"label": info[i].unit, "decimals": info[i].decimals});
            (i.clone(), unit)
        })
        .collect();
    let indicator_labels: BTreeMap<&String, &str> = indicators
        .iter()
        .map(|i| (i, lang.pick(&info[i].name_sv, &info[i].name_en)))
        .collect();
    let breakdown_labels: BTreeMap<&String, &str> = breakdowns
        .iter()
        .map(|b| (b, breakdown_label(b, lang)))
        .collect();
    // Values this service computed say so in the file itself, not only in the catalogue.
    let computed: Vec<&String> = indicators
        .iter()
        .filter(|i| info.get(*i).is_some_and(|o| o.origin == "computed"))
        .collect();
    let source =
        match (synthetic, computed.is_empty()) {
            (true, _) => SYNTHETIC_SOURCE.to_owned(),
            (false, true) => "Källa: SCB".to_owned(),
            (false, false) => {
                format!(
            "Källa: SCB; {} computed by segstat from SCB's figures (formulas: /v1/indicators)",
            computed.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
        )
            }
        };
    let doc = json!({
        "version": "2.0", "class": "dataset",
        "label": lang.pick("Indikatorvärden", "Indicator values"),
        "source": source,
        "updated": data.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "extension": {"data_version": version, "synthetic": synthetic, "computed": computed},
        "id": ["indicator", "Region", "Tid", "breakdown"],
        "size": size,
        "role": {"time": ["Tid"], "geo": ["Region"], "metric": ["indicator"]},
        "dimension": {
            "indicator": {"label": lang.pick("indikator", "indicator"), "category": {"index": index(&indicators), "label": indicator_labels, "unit": unit}},
            "Region": {"label": lang.pick("region", "region"), "category": {"index": index(&regions), "label": names}},
            "Tid": {"label": lang.pick("år", "year"), "category": {"index": index(&years)}},
            "breakdown": {"label": lang.pick("uppdelning", "breakdown"), "category": {"index": index(&breakdowns), "label": breakdown_labels}}
        },
        "value": value,
        "status": status,
    });
    Ok(Representation {
        content_type: "application/json",
        body: serde_json::to_vec(&doc)?.into(),
        lang: Some(lang),
        disposition: None,
        link: None,
    })
}
