//! Errors as HTTP answers, in RFC 9457's `application/problem+json`: the status, headers and
//! problem document of each [`ApiError`], located on the request (its `type` as a URL on this
//! server, `/v1/problems/{kind}`, and its `instance`, the request's path and query). Every error
//! the framework produces itself (no route, wrong method, oversized request, a CORS refusal)
//! leaves in the same shape.

use actix_web::body::{to_bytes_limited, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{guard, web, HttpRequest, HttpResponse, Resource, ResponseError};

use crate::api_error::{ApiError, Problem, PROBLEM_JSON};
use crate::limits::MAX_URI_BYTES;

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.respond(self.problem())
    }
}

impl ApiError {
    /// The error's response with `type` and `instance` filled in from the request.
    pub fn response_at(&self, req: &HttpRequest) -> HttpResponse {
        self.respond(self.problem().located(req))
    }

    fn respond(&self, problem: Problem) -> HttpResponse {
        if let ApiError::OtherDataVersion { location, current } = self {
            return HttpResponse::Found()
                .insert_header((header::LOCATION, location.as_str()))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((super::version::DATA_VERSION_HEADER, current.as_str()))
                .finish();
        }
        let mut res = problem.to_response();
        match self {
            ApiError::MethodNotAllowed { allow } => {
                res.headers_mut()
                    .insert(header::ALLOW, header::HeaderValue::from_static(allow));
            }
            // The standby catches up within a second or so, and another replica may have the
            // version already: the balancer retries there at once, a client after a second.
            ApiError::NotReplayedYet { .. } => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            }
            _ => {}
        }
        res
    }

    /// The problem document of this error, before the request locates it.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        // Server-side faults are logged in full but described to the client in general terms:
        // a stack of SQL is no use to a caller and may leak internals.
        let detail = match self {
            // Not a fault: the expected answer while a standby replays an import.
            ApiError::NotReplayedYet { .. } => {
                log::info!("{self}");
                self.to_string()
            }
            // Written for the client, e.g. "not migrated" or a pool timeout.
            ApiError::Unavailable(detail) => {
                log::error!("{self}");
                detail.clone()
            }
            ApiError::Server(e) => {
                log::error!("{e}");
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    "the database is unavailable or too slow; retry shortly".to_owned()
                } else {
                    "an internal error occurred; it has been logged".to_owned()
                }
            }
            _ => self.to_string(),
        };
        let mut problem = Problem::new(status, detail);
        if let ApiError::BadRequest(errors) = self {
            problem.errors = errors.clone();
        }
        problem
    }
}

impl Problem {
    /// Makes `type` an absolute URL on the server the client asked (as links are built) and
    /// sets `instance` to the request's path and query.
    pub fn located(mut self, req: &HttpRequest) -> Problem {
        if self.problem_type.starts_with('/') {
            self.problem_type = format!("{}{}", super::links::base_url(req), self.problem_type);
        }
        self.instance = Some(instance_of(req));
        self
    }

    pub fn to_response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = HttpResponse::build(status);
        res.content_type(PROBLEM_JSON)
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.insert_header((header::RETRY_AFTER, "5"));
        }
        res.body(serde_json::to_vec(self).unwrap_or_default())
    }
}

/// A problem's `instance`: the request's path and query, as sent.
pub fn instance_of(req: &HttpRequest) -> String {
    req.uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned())
}

/// The default service: any path no route claims.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no resource at {}; the API's landing page /v1 links to every resource",
        req.path()
    )))
}

async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed { allow: "GET, HEAD" })
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
        let err = ApiError::UriTooLong(format!(
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
    // What the client needs to act on the error: the methods allowed (405), when to retry
    // (429, 503), the file's length when a range missed it (416).
    let kept: Vec<_> = [header::ALLOW, header::RETRY_AFTER, header::CONTENT_RANGE]
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
            *t = format!("{}{t}", super::links::base_url(req));
        }
    }
    problem
        .entry("instance")
        .or_insert_with(|| instance_of(req).into());
    let body = serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec());
    let mut res = head.set_body(BoxBody::new(body));
    res.headers_mut().remove(header::CONTENT_LENGTH);
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_error::ParamError;
    use crate::error::Error;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn bad_request_lists_every_parameter() {
        let err = ApiError::BadRequest(vec![
            ParamError::new("lang", "must be one of: sv, en"),
            ParamError::new("f", "must be one of: json"),
        ]);
        let res = err.error_response();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        let body: serde_json::Value =
            serde_json::from_slice(&to_bytes(res.into_body()).await.unwrap()).unwrap();
        assert_eq!(body["status"], 400);
        assert_eq!(body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(body["errors"][1]["parameter"], "f");
        assert!(body["detail"].as_str().unwrap().contains("lang"));
    }

    #[test]
    fn pool_timeouts_are_503_and_sql_errors_are_500() {
        let pool_err = ApiError::from(Error::Unavailable("timed out".into()));
        assert_eq!(pool_err.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let not_found = ApiError::from(diesel::result::Error::NotFound);
        assert_eq!(not_found.status_code(), StatusCode::NOT_FOUND);
        let other = ApiError::from(diesel::result::Error::RollbackTransaction);
        assert_eq!(other.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[actix_web::test]
    async fn server_errors_hide_internals() {
        let res = ApiError::from(Error::Internal("SELECT secret FROM x".into())).error_response();
        let body = to_bytes(res.into_body()).await.unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("secret"));
    }

    #[actix_web::test]
    async fn a_version_not_replayed_yet_is_a_503_to_retry_in_a_second() {
        let res = ApiError::NotReplayedYet {
            asked: "abc123".into(),
        }
        .error_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "1");
        assert_eq!(
            res.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-store"
        );
        let body: serde_json::Value =
            serde_json::from_slice(&to_bytes(res.into_body()).await.unwrap()).unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains("abc123"),
            "{body}"
        );
    }

    #[test]
    fn method_not_allowed_names_allowed_methods() {
        let res = ApiError::MethodNotAllowed { allow: "GET, HEAD" }.error_response();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(res.headers().get(header::ALLOW).unwrap(), "GET, HEAD");
    }
}
