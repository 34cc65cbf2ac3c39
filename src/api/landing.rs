//! `/v1`: the landing page that links to everything, and `/v1/conformance`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::params::LangJson;
use crate::api::Routes;
use crate::api_error::ApiResult;
use crate::http::conditional::{software_response, Representation};
use crate::http::links::{base_url, Link, REL_TILING_SCHEMES};
use crate::http::query::Query;
use crate::state::AppState;

pub fn routes(r: &mut Routes) {
    r.plain(__path_get_landing, get_landing)
        // The same page with a trailing slash, as clients join paths to it.
        .undocumented("/v1/", get_landing)
        .plain(__path_get_conformance, get_conformance);
}

#[derive(Serialize, ToSchema)]
pub struct Landing {
    pub title: String,
    pub description: String,
    pub links: Vec<Link>,
}

/// Landing page: what this API is and links to every resource.
#[utoipa::path(
    get,
    path = "/v1",
    tag = "discovery",
    params(LangJson),
    responses(
        (status = 200, description = "Title, description and links.", body = Landing),
        (status = 400, description = "A bad parameter.", body = crate::api_error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_landing(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<LangJson>,
) -> ApiResult<HttpResponse> {
    let lang = params.lang;
    let base = base_url(&req);
    let t = |sv: &str, en: &str| lang.pick(sv, en).to_owned();
    let body = Landing {
        title: t(
            "Segregationsstatistik för Sverige",
            "Segregation statistics for Sweden",
        ),
        description: t(
            "Öppet API för socioekonomiska index, områdestyper, indikatorer och gränser per regionalt statistikområde (RegSO). Källa: SCB.",
            "Open API for socio-economic indices, area types, indicators and boundaries per regional statistics area (RegSO). Source: Statistics Sweden (SCB).",
        ),
        links: vec![
            Link::new(&base, "/v1", "self", "application/json", t("Denna sida", "This document")),
            Link::new(&base, "/v1/openapi.json", "service-desc", "application/vnd.oai.openapi+json;version=3.1", t("API-beskrivning (OpenAPI)", "API definition (OpenAPI)")),
            Link::new(&base, "/v1/docs/", "service-doc", "text/html", t("API-dokumentation (Swagger UI)", "API documentation (Swagger UI)")),
            Link::new(&base, "/v1/conformance", "conformance", "application/json", t("Standarder som API:t följer", "Conformance classes this API meets")),
            Link::new(&base, "/v1/collections", "data", "application/json", t("Gränser som GeoJSON-samlingar (OGC API – Features)", "Boundaries as GeoJSON collections (OGC API – Features)")),
            Link::new(&base, "/v1/tileMatrixSets", REL_TILING_SCHEMES, "application/json", t("Rutnät för kartplattor (OGC API – Tiles)", "Tile matrix sets (OGC API – Tiles)")),
            Link::new(&base, "/v1/downloads", "enclosure", "application/json", t("Hela datamängden som filer (GeoPackage, FlatGeobuf, CSV)", "The whole dataset as files (GeoPackage, FlatGeobuf, CSV)")),
            Link::new(&base, "/v1/meta", "describedby", "application/json", t("Licens, källhänvisning, dataversion och gränser", "Licence, citation, data version and limits")),
            crate::api::features::license_link(),
        ],
    };
    Ok(software_response(
        &req,
        &state,
        &format!("json|{}|{base}", lang.code()),
        Representation::json(&body, Some(lang))?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Conformance {
    #[serde(rename = "conformsTo")]
    pub conforms_to: Vec<&'static str>,
}

/// The OGC API conformance classes this server implements. No `oas30`: the API document is
/// OpenAPI 3.1. Part 3 (filtering) without `advanced-comparison-operators` (no LIKE) and
/// without spatial or temporal operators; sorting as pygeoapi declares it (Records' class).
pub const CONFORMS_TO: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/sorting",
];

/// Conformance declaration (OGC API – Common).
#[utoipa::path(
    get,
    path = "/v1/conformance",
    tag = "discovery",
    params(LangJson),
    responses((status = 200, description = "The conformance classes.", body = Conformance))
)]
pub async fn get_conformance(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(_params): Query<LangJson>,
) -> ApiResult<HttpResponse> {
    let body = Conformance {
        conforms_to: CONFORMS_TO.to_vec(),
    };
    Ok(software_response(
        &req,
        &state,
        "json",
        Representation::json(&body, None)?,
    ))
}
