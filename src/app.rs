//! The application: every endpoint (`api`) behind the shared middleware (`http`), with the
//! shared state and the OpenAPI document as app data. `server` runs it; the integration tests
//! run the same.

use std::sync::OnceLock;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Compress, Logger};
use actix_web::web::Bytes;
use actix_web::{web, App};

use crate::api::docs::OpenApiJson;
use crate::http::{conditional, middleware, problems, version};
use crate::state::AppState;
use crate::{api, openapi};

/// The whole application: used by `serve` and by the integration tests, so the tests exercise
/// exactly what runs in production.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = Cors::default()
        .allow_any_origin()
        .send_wildcard()
        .allowed_methods([Method::GET, Method::HEAD])
        .allow_any_header()
        .expose_headers([
            header::ETAG,
            header::CONTENT_LANGUAGE,
            header::CONTENT_DISPOSITION,
            header::LAST_MODIFIED,
            header::RETRY_AFTER,
            header::HeaderName::from_static("ratelimit"),
            header::HeaderName::from_static("ratelimit-policy"),
            header::HeaderName::from_static(version::DATA_VERSION_HEADER),
            header::HeaderName::from_static(conditional::DATA_SYNTHETIC_HEADER),
        ])
        .max_age(86_400);
    App::new()
        .app_data(state)
        .app_data(web::Data::new(openapi_json()))
        .configure(api::endpoints::configure)
        .default_service(web::to(problems::not_found))
        // Listed innermost first: errors become problem+json, then the rate limit counts the
        // request (a 429 is a problem too), then CORS headers go on every answer (problems
        // included, so browsers can read them), then compression, and the ETag learns the
        // content coding after it.
        .wrap(from_fn(problems::rewrite_framework_errors))
        .wrap(from_fn(middleware::limit))
        .wrap(cors)
        .wrap(Compress::default())
        .wrap(from_fn(conditional::mark_etag_with_encoding))
        .wrap(Logger::new(r#"%a "%r" %s %b %Dms"#).log_target("segstat::access"))
        .wrap(from_fn(middleware::measure))
}

/// The OpenAPI document, rendered once per process (it depends only on the code). It is made
/// from the routes, `/v1/openapi.json`'s among them, so its handler is handed it as app data.
fn openapi_json() -> OpenApiJson {
    static SPEC: OnceLock<Bytes> = OnceLock::new();
    OpenApiJson(
        SPEC.get_or_init(|| Bytes::from(openapi::spec_json()))
            .clone(),
    )
}
