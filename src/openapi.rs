//! The OpenAPI document, generated from the handlers' annotations. `openapi/openapi.json` is
//! this document as committed; a test fails when they differ (`segstat openapi` regenerates it).

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Segregation statistics for Sweden",
        description = "Open data API for Sweden's socio-economic segregation statistics: the \
socio-economic index, area types (områdestyper), indicators and boundaries per regional \
statistics area (RegSO) as published by Statistics Sweden (SCB), and inequality indices per \
municipality and county computed by this service from SCB's RegSO statistics (not the figures \
Boverket publishes in Segregationsbarometern). Every value says whether it is SCB's \
(`official`, `published`) or computed here (`computed`).\n\nData licence: CC0 1.0. Cite as \
\"Källa: SCB\". Errors are RFC 9457 `application/problem+json`. Responses carry a strong \
`ETag` derived from the data version; send `If-None-Match` to get a 304.\n\nVersioned URLs: \
every operation built from the data takes `v`, the data version (the `Data-Version` header, \
`data_version` in /v1/meta). A URL naming the current version never changes its answer and is \
served with `Cache-Control: public, max-age=31536000, immutable`; the API's own links (TileJSON \
tile URLs) carry it. A URL naming another version answers 302 Found (`no-store`) to the same \
URL with the current version: old versions are not kept, and a stale link keeps working.",
        license(name = "Code: MIT OR Apache-2.0; data: CC0-1.0"),
    ),
    components(schemas(crate::api_error::Problem, crate::api_error::ParamError)),
    tags(
        (name = "discovery", description = "Landing page, conformance, metadata and this document"),
        (name = "system", description = "Liveness and readiness for operators"),
        (name = "indicators", description = "The indicator catalogue"),
        (name = "data", description = "Indicator values in long form: JSON, CSV, JSON-stat 2.0"),
        (name = "summaries", description = "Per kommun, län and Sweden: area types, population and inequality"),
        (name = "features", description = "OGC API – Features: boundaries as GeoJSON collections, with choropleth data"),
        (name = "tiles", description = "Vector tiles (MVT) and TileJSON for web maps"),
        (name = "areas", description = "Areas at every level and division version, their area types and history"),
        (name = "downloads", description = "Bulk downloads of the current data version: GeoPackage, FlatGeobuf, zipped CSV"),
    )
)]
pub struct ApiDoc;

/// The document: [`ApiDoc`]'s info, tags and shared schemas, the operations as
/// [`api::endpoints::register`] registers them (one list, see [`api::routes`]), then the rules
/// every operation shares.
pub fn document() -> Document {
    let mut doc = ApiDoc::openapi();
    let mut routes = api::Routes::spec_only();
    api::endpoints::register(&mut routes);
    let (paths, schemas) = routes.into_spec();
    doc.paths = paths;
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
    let rules: [&dyn Modify; 2] = [&SharedResponses, &VersionedUrls];
    for rule in rules {
        rule.modify(&mut doc);
    }
    doc
}

/// The document as pretty JSON with a final newline: the exact bytes of the committed file.
#[expect(
    clippy::expect_used,
    reason = "the document is built from constants; a test serialises it on every run"
)]
pub fn spec_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

/// Operations that read no data: the database being down cannot make them a 503.
const WITHOUT_DATABASE: &[&str] = &[
    "get_health",
    "get_area_types",
    "get_landing",
    "get_conformance",
    "get_openapi",
    "get_tile_matrix_sets",
    "get_tile_matrix_set",
    // The bulk downloads declare their own `v`: a file of another version is a 404 (old files
    // are not kept under the current version's name), not a redirect.
    "get_downloads",
    "get_download",
];
/// Operations that negotiate no format (`Query<()>`): never a 406.
const WITHOUT_NEGOTIATION: &[&str] = &["get_health", "get_ready", "get_openapi"];
/// Operations the rate limit does not apply to (`http::rate_limit::EXEMPT_PATHS`).
const WITHOUT_RATE_LIMIT: &[&str] = &["get_health", "get_ready"];

fn problem(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        crate::api_error::PROBLEM_JSON,
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    )
}

fn string_header(description: &str) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(Object::with_type(Type::String))
        .description(Some(description))
        .build()
}

fn retry_after() -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(Object::with_type(Type::Integer))
        .description(Some("Seconds to wait"))
        .build()
}

/// The statuses the shared machinery answers for every operation (query parsing, conditional
/// requests, negotiation, the URI limit, the rate limit, the database pool), documented once as
/// components and referenced from each operation that does not describe them itself.
struct SharedResponses;

impl SharedResponses {
    fn responses() -> Vec<(&'static str, &'static str, Response)> {
        vec![
            (
                "400",
                "BadRequest",
                problem("Bad, unknown or repeated parameters, each named in `errors`.").build(),
            ),
            (
                "304",
                "NotModified",
                ResponseBuilder::new()
                    .description("The representation named in If-None-Match is current.")
                    .header("ETag", string_header("The current strong validator"))
                    .build(),
            ),
            (
                "406",
                "NotAcceptable",
                problem("Accept admits none of the formats this resource produces.").build(),
            ),
            (
                "414",
                "UriTooLong",
                problem("The request target is longer than the limit in /v1/meta.").build(),
            ),
            (
                "429",
                "TooManyRequests",
                problem("Over the client's rate limit; retry after Retry-After seconds.")
                    .header("Retry-After", retry_after())
                    .header(
                        "RateLimit",
                        string_header("Remaining quota (draft-ietf-httpapi-ratelimit-headers)"),
                    )
                    .header(
                        "RateLimit-Policy",
                        string_header("The quota policy (draft-ietf-httpapi-ratelimit-headers)"),
                    )
                    .build(),
            ),
            (
                "503",
                "ServiceUnavailable",
                problem("The database is unavailable, too slow or not migrated; retry shortly.")
                    .header("Retry-After", retry_after())
                    .build(),
            ),
        ]
    }

    fn applies(status: &str, operation_id: &str) -> bool {
        match status {
            "406" => !WITHOUT_NEGOTIATION.contains(&operation_id),
            "429" => !WITHOUT_RATE_LIMIT.contains(&operation_id),
            "503" => !WITHOUT_DATABASE.contains(&operation_id),
            _ => true,
        }
    }
}

impl Modify for SharedResponses {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let shared = SharedResponses::responses();
        for (_, name, response) in &shared {
            components
                .responses
                .insert((*name).to_owned(), RefOr::T(response.clone()));
        }
        for_each_operation(doc, |id, op| {
            for (status, name, _) in &shared {
                if SharedResponses::applies(status, id) {
                    op.responses
                        .responses
                        .entry((*status).to_owned())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
                }
            }
        });
    }
}

fn for_each_operation(doc: &mut Document, mut f: impl FnMut(&str, &mut Operation)) {
    for item in doc.paths.paths.values_mut() {
        if let Some(op) = item.get.as_mut() {
            let id = op.operation_id.clone().unwrap_or_default();
            f(&id, op);
        }
    }
}

/// Operations whose answer is not built from the data (fixed by the software, or outside
/// `/v1`): they take no generic `v`. Every other operation is registered with
/// `http::immutable::get_versioned`; a test checks that the two agree.
const UNVERSIONED: &[&str] = &[
    "get_health",
    "get_ready",
    "get_landing",
    "get_conformance",
    "get_openapi",
    "get_problem_type",
    "get_area_types",
    "get_tile_matrix_sets",
    "get_tile_matrix_set",
    // The bulk downloads declare their own `v`: a file of another version is a 404 (old files
    // are not kept under the current version's name), not a redirect.
    "get_downloads",
    "get_download",
];

/// The data version parameter `v` and its redirect, on every operation built from the data
/// (`http::version`).
struct VersionedUrls;

impl Modify for VersionedUrls {
    fn modify(&self, doc: &mut Document) {
        use crate::http::version;
        let components = doc.components.get_or_insert_with(Default::default);
        components.responses.insert(
            "OtherDataVersion".to_owned(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(
                        "`v` names a data version other than the one served: the same URL \
                         with the current version. Not stored (`Cache-Control: no-store`).",
                    )
                    .header("Location", string_header("The URL with the current `v`"))
                    .header("Data-Version", string_header("The data version served now"))
                    .build(),
            ),
        );
        let param = version::V.to_parameter();
        for_each_operation(doc, |id, op| {
            if UNVERSIONED.contains(&id) {
                return;
            }
            op.parameters
                .get_or_insert_with(Vec::new)
                .push(param.clone());
            op.responses
                .responses
                .entry("302".to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name("OtherDataVersion")));
        });
    }
}
