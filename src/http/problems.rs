//! Every error the framework produces itself (no route, wrong method, oversized request, a CORS
//! refusal) leaves in the same RFC 9457 shape as the API's own errors, and every problem gets
//! its `type` as a URL on this server (`/v1/problems/{kind}`) and its `instance` (the request's
//! path and query).

use actix_web::body::{to_bytes_limited, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{guard, web, HttpRequest, HttpResponse, Resource};

use crate::error::{Error, Problem, PROBLEM_JSON};
use crate::limits::MAX_URI_BYTES;

/// The default service: any path no route claims.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, Error> {
    Err(Error::NotFound(format!(
        "no resource at {}; the API's landing page /v1 links to every resource",
        req.path()
    )))
}

async fn method_not_allowed() -> Result<HttpResponse, Error> {
    Err(Error::MethodNotAllowed { allow: "GET, HEAD" })
}

/// A read-only resource: GET and HEAD reach `handler`, any other method a 405 problem with an
/// `Allow` header.
pub fn get<F, Args>(path: &str, handler: F) -> Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(
            web::route()
                .guard(guard::Any(guard::Get()).or(guard::Head()))
                .to(handler),
        )
        .default_service(web::to(method_not_allowed))
}

/// Middleware: turns any error response that is not already problem+json into one with the
/// same status, and refuses oversized request targets before any handler runs.
pub async fn rewrite_framework_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        let err = Error::UriTooLong(format!(
            "the request target is {uri_len} bytes; the limit is {MAX_URI_BYTES}"
        ));
        let res = err.response_at(req.request());
        return Ok(req.into_response(res));
    }
    // Inner services answer errors as responses (actix turns handler errors into responses),
    // so every error passes through here as an `Ok` response.
    let res = next.call(req).await?;
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, res) = res.into_parts();
    if is_problem {
        return Ok(ServiceResponse::new(
            http_req.clone(),
            locate(&http_req, res).await,
        ));
    }
    let kept: Vec<_> = [header::ALLOW, header::RETRY_AFTER]
        .into_iter()
        .filter_map(|name| res.headers().get(&name).cloned().map(|v| (name, v)))
        .collect();
    // The framework's own text, when short, says what was wrong (e.g. which header was bad).
    let text = to_bytes_limited(res.into_body(), 1024)
        .await
        .ok()
        .and_then(Result::ok)
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .filter(|t| !t.is_empty());
    let detail = match (status, text) {
        (StatusCode::NOT_FOUND, _) => format!("no resource at {}", http_req.path()),
        (s, _) if s.is_server_error() => "an internal error occurred".to_owned(),
        (_, Some(text)) => text,
        (s, None) => s.canonical_reason().unwrap_or("error").to_owned(),
    };
    let mut problem = Problem::new(status, detail)
        .located(&http_req)
        .to_response();
    for (name, value) in kept {
        problem.headers_mut().insert(name, value);
    }
    Ok(ServiceResponse::new(http_req, problem))
}

/// A problem rendered without its request (a handler's error) gets the request's `type` base
/// and `instance` here; its status and headers are kept.
async fn locate(req: &HttpRequest, res: HttpResponse<impl MessageBody>) -> HttpResponse {
    let (head, body) = res.into_parts();
    let Ok(Ok(bytes)) = to_bytes_limited(body, 1 << 20).await else {
        return head.set_body(BoxBody::new(()));
    };
    let Ok(serde_json::Value::Object(mut problem)) = serde_json::from_slice(&bytes) else {
        return head.set_body(BoxBody::new(bytes));
    };
    if let Some(serde_json::Value::String(t)) = problem.get_mut("type") {
        if t.starts_with('/') {
            *t = format!("{}{t}", crate::http::links::base_url(req));
        }
    }
    problem
        .entry("instance")
        .or_insert_with(|| crate::error::instance_of(req).into());
    let body = serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec());
    let mut res = head.set_body(BoxBody::new(body));
    res.headers_mut().remove(header::CONTENT_LENGTH);
    res
}
