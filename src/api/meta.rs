//! `/v1/meta`: everything a client needs to cite and size its requests.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::params::LangJson;
use crate::api::Routes;
use crate::api_error::ApiResult;
use crate::db::{self, data_state::Dataset};
use crate::domain::lang::Lang;
use crate::http::conditional::{data_response, Representation};
use crate::http::links::{base_url, Link};
use crate::http::query::Query;
use crate::limits;
use crate::state::AppState;

pub fn routes(r: &mut Routes) {
    r.versioned(__path_get_meta, get_meta);
}

#[derive(Serialize, ToSchema)]
pub struct Meta {
    /// Version of the served data; changes with every import that changes what is served.
    #[schema(example = "empty")]
    pub data_version: String,
    /// When the served data last changed.
    pub data_updated_at: DateTime<Utc>,
    /// True when the served data is synthetic (generated, not SCB's); such data must not be
    /// cited as statistics.
    pub synthetic: bool,
    pub licence: Licence,
    /// The attribution to give when using the data.
    #[schema(example = "Källa: SCB")]
    pub citation: &'static str,
    /// The imports behind the served data.
    pub datasets: Vec<Dataset>,
    pub limits: Limits,
    /// Years with any data (area types or indicator values).
    #[schema(example = json!([2022, 2023]))]
    pub years: Vec<i16>,
    /// Response formats (`f=` values) the API offers somewhere.
    #[schema(example = json!(["json"]))]
    pub formats: Vec<&'static str>,
    /// Languages of labels (`lang=` values); the first is the default.
    pub languages: Vec<Lang>,
    /// Version of the server software.
    #[schema(example = "0.1.0")]
    pub api_version: &'static str,
    /// Related resources: the bulk downloads of this data version (`enclosure`).
    pub links: Vec<Link>,
}

#[derive(Serialize, ToSchema)]
pub struct Licence {
    #[schema(example = "CC0-1.0")]
    pub id: &'static str,
    pub name: String,
    #[schema(example = "https://creativecommons.org/publicdomain/zero/1.0/")]
    pub url: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Limits {
    /// Longest accepted path and query, in bytes (longer: 414).
    pub max_uri_bytes: usize,
    /// Most query parameters in one request.
    pub max_query_params: usize,
    /// Largest `limit` of a list (every RegSO and every DeSO fit in one page).
    pub max_limit: i64,
    /// Largest `offset`.
    pub max_offset: i64,
    /// Most values in one comma-separated parameter (area codes, years).
    pub max_list_items: usize,
    /// Most indicators in one `/v1/data` request.
    pub max_indicators: usize,
    /// Largest page of `/v1/data` values.
    pub max_data_values: i64,
    /// The rate limit per client; absent when this server does not limit. Every response also
    /// carries `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers), and a
    /// client over the limit gets 429 with `Retry-After`.
    pub rate_limit: Option<RateLimit>,
}

#[derive(Serialize, ToSchema)]
pub struct RateLimit {
    /// Requests a minute per client IP address (IPv6: per /64 network).
    #[schema(example = 1200)]
    pub requests_per_minute: u32,
    /// Requests a client may send at once before the per-minute pace applies.
    #[schema(example = 200)]
    pub burst: u32,
}

/// Licence, citation, data version, limits, formats and languages.
#[utoipa::path(
    get,
    path = "/v1/meta",
    tag = "discovery",
    params(LangJson),
    responses(
        (status = 200, description = "Metadata of the service and its data.", body = Meta,
         headers(("ETag" = String, description = "Strong validator, changes with the data version"),
                 ("data-version" = String, description = "The data version the response was built from"))),
        (status = 304, description = "The client's copy (If-None-Match) is current."),
        (status = 400, description = "A bad parameter.", body = crate::api_error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = crate::api_error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_meta(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<LangJson>,
) -> ApiResult<HttpResponse> {
    let lang = params.lang;
    let rate_limit = (state.config.rate_limit_per_minute > 0).then(|| RateLimit {
        requests_per_minute: state.config.rate_limit_per_minute,
        burst: state.config.rate_limit_burst,
    });
    // The body shows the server's rate limit, so the representation depends on it too.
    let variant = match &rate_limit {
        Some(r) => format!("{}-{}-{}", lang.code(), r.requests_per_minute, r.burst),
        None => lang.code().to_owned(),
    };
    let base = base_url(&req);
    data_response(&req, &state, &variant, move |conn, data| {
        let datasets = db::data_state::datasets(conn)?;
        let body = Meta {
            data_version: data.data_version.clone(),
            data_updated_at: data.updated_at,
            synthetic: data.synthetic,
            licence: Licence {
                id: "CC0-1.0",
                name: lang
                    .pick(
                        "Creative Commons Zero 1.0 (fri användning)",
                        "Creative Commons Zero 1.0 (public domain dedication)",
                    )
                    .to_owned(),
                url: "https://creativecommons.org/publicdomain/zero/1.0/",
            },
            citation: "Källa: SCB",
            datasets,
            limits: Limits {
                max_uri_bytes: limits::MAX_URI_BYTES,
                max_query_params: limits::MAX_QUERY_PARAMS,
                max_limit: limits::MAX_LIMIT,
                max_offset: limits::MAX_OFFSET,
                max_list_items: limits::MAX_LIST_ITEMS,
                max_indicators: crate::api::data::MAX_INDICATORS,
                max_data_values: crate::api::data::MAX_VALUES,
                rate_limit,
            },
            years: db::indicators::all_years(conn)?,
            formats: vec!["json", "csv", "jsonstat"],
            languages: Lang::ALL.to_vec(),
            api_version: env!("CARGO_PKG_VERSION"),
            links: vec![Link::new(
                &base,
                &format!("/v1/downloads?v={}", data.data_version),
                "enclosure",
                "application/json",
                lang.pick(
                    "Hela datamängden som filer (GeoPackage, FlatGeobuf, CSV)",
                    "The whole dataset as files (GeoPackage, FlatGeobuf, CSV)",
                ),
            )],
        };
        Representation::json(&body, Some(lang))
    })
    .await
}
