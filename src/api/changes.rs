//! `/v1/changes` (RegSO whose area type changed between two years) and `/v1/crosswalk` (which
//! DeSO 2018 / RegSO 2020 became which of 2025). Both never join across division versions by
//! code: a comparison that spans versions goes through the crosswalk and says so.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::params::{COUNTY, JSON_OR_CSV, MUNICIPALITY};
use crate::api::Routes;
use crate::api_error::{ApiError, ApiResult, ParamError};
use crate::db::{self, changes::CrosswalkFilter, changes::TypePair};
use crate::domain::changes::{count, difference, direction, Counts, Wanted};
use crate::domain::codes::{self, Division, Level};
use crate::domain::crosswalk::Relation;
use crate::domain::index::AREA_TYPES;
use crate::domain::lang::Lang;
use crate::http::conditional::{data_response, Representation};
use crate::http::format::Format;
use crate::http::links::RequestUrl;
use crate::http::paging::{page_info, PageInfo, Paging};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::limits::MAX_LIST_ITEMS;
use crate::render::csv::{CsvOptions, CsvWriter};
use crate::state::AppState;

pub fn routes(r: &mut Routes) {
    r.versioned(__path_get_changes, get_changes);
    r.versioned(__path_get_crosswalk, get_crosswalk);
}

/// How a cross-version comparison pairs its areas.
pub const JOINED_BY_CROSSWALK: &str = "crosswalk (unchanged areas only)";
/// The divisions `from=` of `/v1/crosswalk` takes.
pub const CROSSWALK_FROM: [&str; 2] = [
    Division::CROSSWALKED[0].0.id(),
    Division::CROSSWALKED[1].0.id(),
];

fn format_and_csv(r: &mut QueryReader, req: &HttpRequest) -> (Format, CsvOptions) {
    let f = Format::negotiate(r, req, &JSON_OR_CSV).unwrap_or_else(|e| {
        r.refuse(e);
        Format::Json
    });
    (f, CsvOptions::read(r))
}

fn csv_representation(w: CsvWriter, filename: String, link: Option<String>) -> Representation {
    Representation {
        content_type: "text/csv; charset=utf-8",
        body: w.finish().into(),
        lang: None,
        disposition: Some(format!("attachment; filename=\"{filename}\"")),
        link,
    }
}

/// The `Link` header of a CSV page that does not hold every match.
fn next_link(info: &PageInfo) -> Option<String> {
    info.links
        .iter()
        .find(|l| l.rel == "next")
        .map(|l| format!("<{}>; rel=\"next\"", l.href))
}

const FROM_YEAR: Param = Param::new(
    "from_year",
    Accepts::Integer {
        min: 1990,
        max: 2100,
    },
)
.doc("The first year (required).")
.example("2022")
.required();
const TO_YEAR: Param = Param::new(
    "to_year",
    Accepts::Integer {
        min: 1990,
        max: 2100,
    },
)
.doc("The second year (required), later than `from_year`.")
.example("2023")
.required();
const DIRECTION: Param = Param::new("direction", Accepts::OneOf(Wanted::NAMES))
    .doc(
        "`improved` (the area type number rises, e.g. 2 → 3), `worsened`, or `any` (default): \
         which changed areas to list.",
    )
    .example("worsened");

#[derive(Debug)]
pub struct ChangesParams {
    pub from_year: Option<i16>,
    pub to_year: Option<i16>,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub direction: Wanted,
    pub paging: Paging,
    pub f: Format,
    pub sep: CsvOptions,
    pub lang: Lang,
}

documented!(ChangesParams, CrosswalkParams);

impl FromQuery for ChangesParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate(r, req);
        let (f, sep) = format_and_csv(r, req);
        let from_year = r.integer_as::<i16>(&FROM_YEAR);
        let to_year = r.integer_as::<i16>(&TO_YEAR);
        if let (Some(a), Some(b)) = (from_year, to_year) {
            if b <= a {
                r.fail("to_year", format!("{b} is not later than from_year {a}"));
            }
        }
        let (municipality, county) =
            crate::api::params::municipality_and_county(r, &MUNICIPALITY, &COUNTY);
        let direction = r
            .one_of(&DIRECTION)
            .and_then(Wanted::parse)
            .unwrap_or(Wanted::Any);
        ChangesParams {
            from_year,
            to_year,
            municipality,
            county,
            direction,
            paging: Paging::read(r),
            f,
            sep,
            lang,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct YearType {
    pub year: i16,
    /// The RegSO division version the year is served in.
    #[schema(example = json!(Division::Regso2020.id()))]
    pub division: String,
    /// The code in that division (the same as the item's code, also across versions: only
    /// unchanged areas are paired there).
    pub code: String,
    #[schema(example = 2)]
    pub area_type: i16,
    /// The area type's name in the response's language.
    pub area_type_name: &'static str,
    /// `official` (SCB's) or `computed` (by this service from SCB's index components, not SCB's).
    #[schema(example = "official")]
    pub area_type_origin: Option<String>,
    /// Null where not known.
    pub socioeconomic_index: Option<f64>,
    pub index_origin: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AreaChange {
    #[schema(example = "0180R036")]
    pub code: String,
    pub name: Option<String>,
    #[schema(example = "0180")]
    pub municipality_code: Option<String>,
    pub from: YearType,
    pub to: YearType,
    /// `improved` (the type number rose) or `worsened`.
    #[schema(example = "improved")]
    pub direction: &'static str,
    /// to − from, e.g. +1 for 2 → 3.
    pub type_change: i16,
    /// to − from when both indices are known (a higher index means worse conditions).
    pub index_change: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeCounts {
    /// Areas with a type in both years, paired.
    pub compared: u32,
    pub improved: u32,
    pub worsened: u32,
    pub unchanged: u32,
    /// Areas with a type in `from_year` that could not be paired with a type in `to_year`
    /// (across versions: every area whose crosswalk relation is not `unchanged`).
    pub not_comparable: u32,
}

impl From<Counts> for ChangeCounts {
    fn from(c: Counts) -> Self {
        ChangeCounts {
            compared: c.compared,
            improved: c.improved,
            worsened: c.worsened,
            unchanged: c.unchanged,
            not_comparable: c.not_comparable,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Changes {
    pub data_version: String,
    pub synthetic: bool,
    pub from_year: i16,
    pub to_year: i16,
    #[schema(example = json!(Division::Regso2020.id()))]
    pub from_division: String,
    #[schema(example = json!(Division::Regso2020.id()))]
    pub to_division: String,
    /// True when the two years are served by different division versions.
    pub cross_version: bool,
    /// `code` within one version; `crosswalk (unchanged areas only)` across versions.
    #[schema(example = "code")]
    pub joined_by: &'static str,
    /// Over every area in the filter, whatever `direction` lists.
    pub counts: ChangeCounts,
    /// How many listed types are computed by this service rather than SCB's official ones.
    pub computed_types: u32,
    pub changes: Vec<AreaChange>,
    #[serde(flatten)]
    pub page: PageInfo,
}

fn area_type_name(lang: Lang, t: i16) -> &'static str {
    AREA_TYPES
        .iter()
        .find(|i| i16::from(i.area_type) == t)
        .map(|i| lang.pick(i.name_sv, i.name_en))
        .unwrap_or("")
}

/// The changed areas among `pairs`, in code order, that `wanted` admits.
fn changed(
    pairs: Vec<TypePair>,
    wanted: Wanted,
    years: (i16, i16),
    divisions: (Division, Division),
    lang: Lang,
) -> Vec<AreaChange> {
    pairs
        .into_iter()
        .filter_map(|p| {
            let d = direction(p.from_area_type, p.to_area_type)?;
            let (from_type, to_type) = (p.from_area_type?, p.to_area_type?);
            wanted.admits(d).then(|| AreaChange {
                from: YearType {
                    year: years.0,
                    division: divisions.0.id().to_owned(),
                    code: p.code.clone(),
                    area_type: from_type,
                    area_type_name: area_type_name(lang, from_type),
                    area_type_origin: p.from_area_type_origin,
                    socioeconomic_index: p.from_index,
                    index_origin: p.from_index_origin,
                },
                to: YearType {
                    year: years.1,
                    division: divisions.1.id().to_owned(),
                    code: p.to_code.unwrap_or_else(|| p.code.clone()),
                    area_type: to_type,
                    area_type_name: area_type_name(lang, to_type),
                    area_type_origin: p.to_area_type_origin,
                    socioeconomic_index: p.to_index,
                    index_origin: p.to_index_origin,
                },
                code: p.code,
                name: p.name,
                municipality_code: p.municipality_code,
                direction: d.as_str(),
                type_change: to_type - from_type,
                index_change: difference(p.from_index, p.to_index),
            })
        })
        .collect()
}

/// RegSO whose area type changed between two years, with direction and index change.
///
/// Only areas whose type differs are listed; `counts` covers every area with a type in
/// `from_year` in the filter: compared, improved, worsened, unchanged and not comparable.
/// Improved means the type number rises (2 → 3: better conditions); `type_change` and
/// `index_change` are to − from (a higher index means worse conditions).
///
/// Years of the same division version (RegSO 2020 serves up to 2023, RegSO 2025 from 2024) are
/// joined by code. Years of different versions are never joined by code: only RegSO whose
/// crosswalk relation is `unchanged` (same code, same DeSO, no boundary change but the
/// territorial-water limit) are paired, the response says `cross_version: true` and
/// `joined_by: "crosswalk (unchanged areas only)"`, and every other area counts as not
/// comparable. Each year's `area_type_origin` says whether its type is SCB's (`official`) or
/// computed by this service (`computed`).
#[utoipa::path(get, path = "/v1/changes", tag = "areas", params(ChangesParams),
    responses((status = 200, description = "The changed areas (JSON, or CSV with f=csv or Accept: text/csv).", content(
                  (Changes = "application/json"),
                  (String = "text/csv"))),
              (status = 400, description = "A bad or missing parameter (to_year not after from_year, a year without area types, an unknown direction), each named.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_changes(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<ChangesParams>,
) -> ApiResult<HttpResponse> {
    let (Some(from_year), Some(to_year)) = (p.from_year, p.to_year) else {
        return Err(ApiError::bad_param("from_year", "is required"));
    };
    let variant = format!("{}|{}", p.f.name(), p.lang.code());
    let url = RequestUrl::of(&req);
    data_response(&req, &state, &variant, move |conn, data| {
        let years = db::changes::typed_years(conn)?;
        let missing: Vec<ParamError> = [("from_year", from_year), ("to_year", to_year)]
            .into_iter()
            .filter(|(_, y)| !years.contains(y))
            .map(|(name, y)| {
                ParamError::new(
                    name,
                    format!(
                        "{y} has no area types; years with them: {}",
                        years
                            .iter()
                            .map(|y| y.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::BadRequest(missing));
        }
        let from_division = Division::for_year(Level::Regso, from_year.into());
        let to_division = Division::for_year(Level::Regso, to_year.into());
        let cross_version = from_division != to_division;
        let pairs = db::changes::type_pairs(
            conn,
            from_division,
            from_year,
            to_division,
            to_year,
            p.municipality.as_deref(),
            p.county.as_deref(),
        )?;
        let counts = count(pairs.iter().map(|t| (t.from_area_type, t.to_area_type)));
        let all = changed(
            pairs,
            p.direction,
            (from_year, to_year),
            (from_division, to_division),
            p.lang,
        );
        let matched = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let page: Vec<AreaChange> = all
            .into_iter()
            // The parser keeps both within 0..=MAX_OFFSET/MAX_LIMIT; were one negative, the page
            // would be empty.
            .skip(usize::try_from(p.paging.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(p.paging.limit).unwrap_or(0))
            .collect();
        let info = page_info(
            &url,
            p.paging,
            matched,
            i64::try_from(page.len()).unwrap_or(i64::MAX),
            "application/json",
        );
        if p.f == Format::Csv {
            let mut w = CsvWriter::new(
                p.sep,
                &[
                    "code",
                    "name",
                    "municipality_code",
                    "from_year",
                    "from_division",
                    "from_area_type",
                    "from_area_type_origin",
                    "from_socioeconomic_index",
                    "to_year",
                    "to_division",
                    "to_area_type",
                    "to_area_type_origin",
                    "to_socioeconomic_index",
                    "direction",
                    "type_change",
                    "index_change",
                ],
                data.synthetic,
            );
            for c in &page {
                let cells = [
                    c.code.clone(),
                    c.name.clone().unwrap_or_default(),
                    c.municipality_code.clone().unwrap_or_default(),
                    c.from.year.to_string(),
                    c.from.division.clone(),
                    c.from.area_type.to_string(),
                    c.from.area_type_origin.clone().unwrap_or_default(),
                    w.number(c.from.socioeconomic_index),
                    c.to.year.to_string(),
                    c.to.division.clone(),
                    c.to.area_type.to_string(),
                    c.to.area_type_origin.clone().unwrap_or_default(),
                    w.number(c.to.socioeconomic_index),
                    c.direction.to_owned(),
                    c.type_change.to_string(),
                    w.number(c.index_change),
                ];
                w.row(cells);
            }
            return Ok(csv_representation(
                w,
                format!("segstat-changes-{from_year}-{to_year}.csv"),
                next_link(&info),
            ));
        }
        let computed_types = page
            .iter()
            .flat_map(|c| [&c.from.area_type_origin, &c.to.area_type_origin])
            .filter(|o| o.as_deref() == Some("computed"))
            .count();
        let computed_types = u32::try_from(computed_types).unwrap_or(u32::MAX);
        Representation::json(
            &Changes {
                data_version: data.data_version.clone(),
                synthetic: data.synthetic,
                from_year,
                to_year,
                from_division: from_division.id().to_owned(),
                to_division: to_division.id().to_owned(),
                cross_version,
                joined_by: if cross_version {
                    JOINED_BY_CROSSWALK
                } else {
                    "code"
                },
                counts: counts.into(),
                computed_types,
                changes: page,
                page: info,
            },
            Some(p.lang),
        )
    })
    .await
}

const FROM: Param = Param::new("from", Accepts::OneOf(&CROSSWALK_FROM))
    .doc("The old division (required): `deso-2018` (to DeSO 2025) or `regso-2020` (to RegSO 2025).")
    .example(Division::Regso2020.id())
    .required();
const CODE: Param = Param::new("code", Accepts::Text)
    .doc(
        "Codes of the old division, comma-separated (at most 500); plain or suffixed \
         (`0114R001_RegSO2020`).",
    )
    .example("0180R036");
const PAIRS_IN_MUNICIPALITY: Param = Param::new(
    "municipality",
    Accepts::Pattern(crate::api::params::MUNICIPALITY_PATTERN),
)
.doc("Pairs whose old area lies in this kommun (4 digits).")
.example("0180");
const RELATION: Param = Param::new("relation", Accepts::OneOf(Relation::NAMES))
    .doc("Only pairs of this relation: `unchanged`, `boundary_changed`, `split`, `merged`, `recoded`.")
    .example("split");

#[derive(Debug)]
pub struct CrosswalkParams {
    pub from: Option<Division>,
    pub code: Option<Vec<String>>,
    pub municipality: Option<String>,
    pub relation: Option<String>,
    pub paging: Paging,
    pub f: Format,
    pub sep: CsvOptions,
    pub lang: Lang,
}

impl FromQuery for CrosswalkParams {
    fn from_query(r: &mut QueryReader, req: &HttpRequest) -> Self {
        let lang = Lang::negotiate(r, req);
        let (f, sep) = format_and_csv(r, req);
        let from = r.one_of(&FROM).and_then(Division::parse);
        let code = r.take(&CODE).map(|raw| {
            let list: Vec<&str> = raw.split(',').map(str::trim).collect();
            if list.len() > MAX_LIST_ITEMS {
                r.fail(
                    "code",
                    format!("{} codes given; the limit is {MAX_LIST_ITEMS}", list.len()),
                );
            }
            let level = from.map(Division::level);
            list.into_iter()
                .filter_map(|c| match codes::parse(c) {
                    Ok(a) if level.is_none_or(|l| l == a.level) => {
                        let suffixed = codes::division_of_suffix(&a);
                        match (suffixed, from) {
                            (Some(s), Some(d)) if s != d => {
                                r.fail("code", format!("{c:?} is a code of {s}, not of {d}"));
                                None
                            }
                            _ => Some(a.code),
                        }
                    }
                    Ok(_) => {
                        r.fail(
                            "code",
                            format!(
                                "{c:?} is not a code of {}",
                                from.map(Division::id).unwrap_or("")
                            ),
                        );
                        None
                    }
                    Err(e) => {
                        r.fail("code", e);
                        None
                    }
                })
                .collect()
        });
        let municipality =
            crate::api::params::code_of_level(r, &PAIRS_IN_MUNICIPALITY, Level::Kommun);
        let relation = r.one_of(&RELATION).map(str::to_owned);
        CrosswalkParams {
            from,
            code,
            municipality,
            relation,
            paging: Paging::read(r),
            f,
            sep,
            lang,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CrosswalkArea {
    #[schema(example = json!(Division::Regso2020.id()))]
    pub division: String,
    #[schema(example = "0180R036")]
    pub code: String,
    /// SCB's name; DeSO have none.
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CrosswalkCounts {
    /// How many areas the old area maps to (more than one: `split`).
    pub from_targets: i32,
    /// How many old areas map into the new one (more than one: `merged`).
    pub to_sources: i32,
    /// RegSO only: the DeSO 2018 of the old RegSO that map into the new one.
    pub deso_shared: Option<i32>,
    /// RegSO only: DeSO in the old RegSO (2018) and in the new one (2025).
    pub from_deso: Option<i32>,
    pub to_deso: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct CrosswalkPair {
    pub from: CrosswalkArea,
    pub to: CrosswalkArea,
    /// `unchanged`, `boundary_changed`, `split`, `merged` or `recoded`.
    #[schema(example = "unchanged")]
    pub relation: String,
    pub counts: CrosswalkCounts,
}

#[derive(Serialize, ToSchema)]
pub struct Crosswalk {
    pub data_version: String,
    pub synthetic: bool,
    #[schema(example = json!(Division::Regso2020.id()))]
    pub from_division: String,
    #[schema(example = json!(Division::Regso2025.id()))]
    pub to_division: String,
    pub pairs: Vec<CrosswalkPair>,
    #[serde(flatten)]
    pub page: PageInfo,
}

/// The division crosswalk: which DeSO 2018 became which DeSO 2025, and which RegSO 2020 became
/// which RegSO 2025, derived at import from SCB's DeSO change log and the two DeSO → RegSO
/// mappings.
///
/// A DeSO 2018 that the log does not name maps to itself; a logged one maps as the log says.
/// RegSO 2020 `r` maps to RegSO 2025 `r'` when a DeSO of `r` maps into `r'`. Each pair has one
/// relation, tried in this order: `split` (the old area maps to more than one new area),
/// `merged` (more than one old area maps into the new one), `recoded` (one to one under another
/// code), `unchanged` (one to one, same code, same DeSO, and no boundary change but extension to
/// the territorial-water limit: the RegSO whose geometry is `unchanged-2025`), and
/// `boundary_changed` (one to one, same code, but DeSO or boundaries differ). A many-to-many
/// pair is `split`, and its `to_sources` shows the merge.
#[utoipa::path(get, path = "/v1/crosswalk", tag = "areas", params(CrosswalkParams),
    responses((status = 200, description = "A page of pairs (JSON, or CSV with f=csv or Accept: text/csv).", content(
                  (Crosswalk = "application/json"),
                  (String = "text/csv"))),
              (status = 400, description = "A bad or missing parameter, each named.", body = crate::api_error::Problem, content_type = "application/problem+json"),
              (status = 404, description = "A code that is no area of the old division.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_crosswalk(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<CrosswalkParams>,
) -> ApiResult<HttpResponse> {
    let Some(from_division) = p.from else {
        return Err(ApiError::bad_param("from", "is required"));
    };
    let Some(to_division) = Division::CROSSWALKED
        .into_iter()
        .find(|(from, _)| *from == from_division)
        .map(|(_, to)| to)
    else {
        return Err(ApiError::bad_param("from", "is required"));
    };
    let variant = format!("{}|{}", p.f.name(), p.lang.code());
    let url = RequestUrl::of(&req);
    data_response(&req, &state, &variant, move |conn, data| {
        if let Some(codes) = &p.code {
            let unknown = db::changes::unknown_codes(conn, from_division, codes)?;
            if !unknown.is_empty() {
                return Err(ApiError::NotFound(format!(
                    "no area of {from_division} has the code {}",
                    unknown.join(", ")
                )));
            }
        }
        let filter = CrosswalkFilter {
            from_division,
            codes: p.code.clone(),
            municipality: p.municipality.clone(),
            relation: p.relation.clone(),
        };
        let (matched, rows) =
            db::changes::crosswalk(conn, &filter, p.paging.limit, p.paging.offset)?;
        let info = page_info(
            &url,
            p.paging,
            matched,
            i64::try_from(rows.len()).unwrap_or(i64::MAX),
            "application/json",
        );
        if p.f == Format::Csv {
            let mut w = CsvWriter::new(
                p.sep,
                &[
                    "from_division",
                    "from_code",
                    "from_name",
                    "to_division",
                    "to_code",
                    "to_name",
                    "relation",
                    "from_targets",
                    "to_sources",
                    "deso_shared",
                    "from_deso",
                    "to_deso",
                ],
                data.synthetic,
            );
            let n = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
            for r in &rows {
                w.row([
                    r.from_division.id().to_owned(),
                    r.from_code.clone(),
                    r.from_name.clone().unwrap_or_default(),
                    r.to_division.id().to_owned(),
                    r.to_code.clone(),
                    r.to_name.clone().unwrap_or_default(),
                    r.relation.clone(),
                    r.from_targets.to_string(),
                    r.to_sources.to_string(),
                    n(r.deso_shared),
                    n(r.from_deso),
                    n(r.to_deso),
                ]);
            }
            return Ok(csv_representation(
                w,
                format!("segstat-crosswalk-{from_division}.csv"),
                next_link(&info),
            ));
        }
        let pairs = rows
            .into_iter()
            .map(|r| CrosswalkPair {
                from: CrosswalkArea {
                    division: r.from_division.id().to_owned(),
                    code: r.from_code,
                    name: r.from_name,
                },
                to: CrosswalkArea {
                    division: r.to_division.id().to_owned(),
                    code: r.to_code,
                    name: r.to_name,
                },
                relation: r.relation,
                counts: CrosswalkCounts {
                    from_targets: r.from_targets,
                    to_sources: r.to_sources,
                    deso_shared: r.deso_shared,
                    from_deso: r.from_deso,
                    to_deso: r.to_deso,
                },
            })
            .collect();
        Representation::json(
            &Crosswalk {
                data_version: data.data_version.clone(),
                synthetic: data.synthetic,
                from_division: from_division.id().to_owned(),
                to_division: to_division.id().to_owned(),
                pairs,
                page: info,
            },
            Some(p.lang),
        )
    })
    .await
}
