//! The middleware that reads the shared state: the rate limit (counted per client, a 429 past
//! it, the `RateLimit` fields on every answer) and the metrics (every answer timed and counted).
//! What they count with (`http::rate_limit::RateLimiter`, `metrics::Metrics`) is part of the
//! state.

use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::web;

use super::rate_limit::{client_ip, Verdict, EXEMPT_PATHS, POLICY};
use crate::api_error::ApiError;
use crate::state::AppState;

/// Middleware: counts the request against its client and answers 429 past the limit.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let verdict = match (&state, req.peer_addr()) {
        (Some(state), Some(peer))
            if state.rate_limiter.enabled() && !EXEMPT_PATHS.contains(&req.path()) =>
        {
            let forwarded = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok());
            let client = client_ip(peer.ip(), forwarded, &state.config.trusted_proxies);
            let verdict = state.rate_limiter.check(client, Instant::now());
            Some((client, verdict, state.clone()))
        }
        _ => None,
    };
    let Some((client, verdict, state)) = verdict else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let limiter = &state.rate_limiter;
    let policy = HeaderValue::from_str(&limiter.policy()).ok();
    let (mut res, current) = match verdict {
        Verdict::Allowed {
            remaining,
            reset_secs,
        } => (
            next.call(req).await?.map_into_left_body(),
            format!("\"{POLICY}\";r={remaining};t={reset_secs}"),
        ),
        Verdict::Limited { retry_after_secs } => {
            let err = ApiError::TooManyRequests(format!(
                "more than {} requests in {} s ({} a minute) from {client}; retry after {retry_after_secs} s",
                limiter.burst(),
                limiter.window_secs(),
                limiter.per_minute()
            ));
            let mut limited = err.response_at(req.request());
            limited
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            (
                req.into_response(limited).map_into_right_body(),
                format!("\"{POLICY}\";r=0;t={retry_after_secs}"),
            )
        }
    };
    let headers = res.headers_mut();
    if let Some(policy) = policy {
        headers.insert(HeaderName::from_static("ratelimit-policy"), policy);
    }
    if let Ok(current) = HeaderValue::from_str(&current) {
        headers.insert(HeaderName::from_static("ratelimit"), current);
    }
    Ok(res)
}

/// Middleware, outermost: times every request and counts its answer.
pub async fn measure(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let route = crate::metrics::route_label(req.match_pattern());
    let res = next.call(req).await?;
    if let Some(state) = state {
        let cache_status = res
            .headers()
            .get("cache-status")
            .and_then(|v| v.to_str().ok());
        state.metrics.observe(
            &route,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
            cache_status,
        );
    }
    Ok(res)
}
