//! `/health` (the process is alive) and `/ready` (it can serve data), outside `/v1` for
//! orchestrators and load balancers.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::{Error, Result};
use crate::http::conditional::{respond, Freshness, Representation, Source};
use crate::http::problems::get;
use crate::http::query::Query;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get("/health", get_health))
        .service(get("/ready", get_ready));
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// Version of the server software.
    #[schema(example = "0.1.0")]
    pub version: &'static str,
}

/// Liveness: answers while the process runs, whatever the database does.
#[utoipa::path(
    get,
    path = "/health",
    tag = "system",
    responses((status = 200, description = "The process is alive.", body = Health))
)]
pub async fn get_health(req: HttpRequest, _: Query<()>) -> Result<HttpResponse> {
    let body = Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    };
    Ok(respond(
        &req,
        Source::Software,
        None,
        Freshness::NoStore,
        "json",
        Representation::json(&body, None)?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Ready {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The version of the data being served; `empty` before the first import.
    #[schema(example = "empty")]
    pub data_version: String,
    /// Whether the served data is synthetic (generated for tests and benchmarks).
    pub synthetic: bool,
}

/// Readiness: the database answers and has every migration this server expects.
#[utoipa::path(
    get,
    path = "/ready",
    tag = "system",
    responses(
        (status = 200, description = "Ready to serve data.", body = Ready),
        (status = 503, description = "The database is unreachable, too slow or not migrated.",
         body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_ready(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Query<()>,
) -> Result<HttpResponse> {
    let data = db::read(&state.pool, |conn| {
        if db::migrations::is_up_to_date(conn)? {
            db::data_state::current(conn).map(Some)
        } else {
            Ok(None)
        }
    })
    .await?;
    let Some(data) = data else {
        return Err(Error::Unavailable(
            "the database is not migrated; run `segstat migrate`".into(),
        ));
    };
    state.observe(&data);
    let body = Ready {
        status: "ready",
        data_version: data.data_version.clone(),
        synthetic: data.synthetic,
    };
    Ok(respond(
        &req,
        Source::Data(&data.data_version),
        None,
        Freshness::NoStore,
        "json",
        Representation::json(&body, None)?,
    ))
}
