//! The request/response machinery every endpoint shares: query parsing, content negotiation,
//! conditional requests, and the problem+json rewriting of framework errors.

pub mod cache;
pub mod conditional;
pub mod csv;
pub mod encoding;
pub mod immutable;
pub mod links;
pub mod middleware;
pub mod negotiate;
pub mod paging;
pub mod problems;
pub mod query;
pub mod rate_limit;
pub mod version;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Compress, Logger};
use actix_web::{web, App};

use crate::state::AppState;

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
        .configure(crate::api::configure)
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
