//! `/health` (the process is alive) and `/ready` (it can serve data), outside `/v1` for
//! orchestrators and load balancers.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::Routes;
use crate::api_error::{ApiError, ApiResult};
use crate::db;
use crate::domain::replication::Standing;
use crate::http::conditional::{respond, Freshness, Representation, Source};
use crate::http::query::Query;
use crate::state::AppState;

pub fn routes(r: &mut Routes) {
    r.plain(__path_get_health, get_health);
    r.plain(__path_get_ready, get_ready);
    // operators scrape it; it is not part of the public API (docs/operations).
    r.undocumented("/metrics", get_metrics);
}

/// Prometheus metrics for operators (text exposition format 0.0.4). Not part of the public API
/// and not in its OpenAPI document; not rate-limited, never cached. Restrict it at the load
/// balancer if it should not be public.
pub async fn get_metrics(state: web::Data<AppState>, _: Query<()>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(state.metrics_text().await)
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
pub async fn get_health(req: HttpRequest, _: Query<()>) -> ApiResult<HttpResponse> {
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
    /// The database's place in streaming replication: a primary, or a hot standby and its lag.
    pub replication: Standing,
}

/// Readiness: the database answers, has every migration this server expects, and (on a hot
/// standby) trails its primary by no more than `SEGSTAT_MAX_REPLICA_LAG_SECS`.
#[utoipa::path(
    get,
    path = "/ready",
    tag = "system",
    responses(
        (status = 200, description = "Ready to serve data.", body = Ready),
        (status = 503, description = "The database is unreachable, too slow or not migrated, or a hot standby lags its primary by more than the configured limit (the server still answers data requests; the load balancer should send them elsewhere).",
         body = crate::api_error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_ready(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Query<()>,
) -> ApiResult<HttpResponse> {
    let read = db::read(&state.pool, |conn| -> crate::Result<_> {
        if db::migrations::is_up_to_date(conn)? {
            Ok(Some((
                db::data_state::current(conn)?,
                db::replication::standing(conn)?,
            )))
        } else {
            Ok(None)
        }
    })
    .await?;
    let Some((data, replication)) = read else {
        return Err(ApiError::Unavailable(
            "the database is not migrated; run `segstat migrate`".into(),
        ));
    };
    state.observe(&data);
    state.observe_replication(replication);
    let limit = state.config.max_replica_lag.as_secs_f64();
    if !replication.within(limit) {
        return Err(ApiError::Unavailable(match replication.lag_seconds {
            Some(lag) => format!(
                "this replica's database (a hot standby) trails its primary by {lag:.1} s, more than the {limit} s allowed (SEGSTAT_MAX_REPLICA_LAG_SECS); it serves data version {} meanwhile",
                data.data_version
            ),
            None => format!(
                "this replica's database (a hot standby) is behind its primary by an unknown time; it serves data version {} meanwhile",
                data.data_version
            ),
        }));
    }
    let body = Ready {
        status: "ready",
        data_version: data.data_version.clone(),
        synthetic: data.synthetic,
        replication,
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
