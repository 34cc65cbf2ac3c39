//! The API's errors: what a request gets wrong or runs into, each answered as an RFC 9457
//! `application/problem+json` document (rendered, located on the request, by `http::problems`),
//! and the problem kinds whose pages `/v1/problems/{kind}` serves.
//!
//! A fault below the API (a query, the database, a bug) arrives as the library's
//! [`crate::error::Error`] and is kept whole in [`ApiError::Server`]: the log gets it in full,
//! the client a 503 when the database could not answer and a 500 otherwise, both described in
//! general terms. Every other variant is written for the client.

use std::fmt;
use std::sync::Arc;

use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Error;

pub type ApiResult<T, E = ApiError> = std::result::Result<T, E>;

/// One bad request parameter, named so a client can point at it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct ParamError {
    /// The query parameter, path segment or header at fault.
    #[schema(example = "lang")]
    pub parameter: String,
    /// What is wrong and what would be accepted.
    #[schema(example = "must be one of: sv, en")]
    pub detail: String,
}

impl ParamError {
    pub fn new(parameter: impl Into<String>, detail: impl Into<String>) -> ParamError {
        ParamError {
            parameter: parameter.into(),
            detail: detail.into(),
        }
    }
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    /// One or more request parameters are invalid; every one is listed.
    #[error("{}", describe_params(.0))]
    BadRequest(Vec<ParamError>),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed; this resource answers {allow}")]
    MethodNotAllowed { allow: &'static str },
    #[error("none of the requested formats can be produced; available: {available}")]
    NotAcceptable { available: String },
    #[error("{0}")]
    UriTooLong(String),
    /// `v` names a data version other than the one served: not an error but an answer that
    /// ends the request before the handler, a 302 to `location` (`http::version`).
    #[error("data version {current} is served; see {location}")]
    OtherDataVersion { location: String, current: String },
    /// `v` names a data version this replica does not serve while its database, a hot standby,
    /// holds changes it has not applied: a 503 to retry in a second, on this replica or another
    /// (`http::version`).
    #[error(
        "data version {asked} is not served here yet: this replica's database (a hot standby) \
         has received changes it has not applied; retry shortly"
    )]
    NotReplayedYet { asked: String },
    /// The client went over its rate limit.
    #[error("{0}")]
    TooManyRequests(String),
    /// The service cannot answer now (not migrated, a standby too far behind); the text is
    /// written for the client, who may retry.
    #[error("{0}")]
    Unavailable(String),
    /// A fault below the API, kept whole for the log (shared, so that every waiter on one
    /// cached build gets the same error).
    #[error(transparent)]
    Server(Arc<Error>),
}

fn describe_params(errors: &[ParamError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.parameter, e.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ApiError {
    pub fn bad_param(parameter: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest(vec![ParamError::new(parameter, detail)])
    }

    /// The status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::OtherDataVersion { .. } => StatusCode::FOUND,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotReplayedYet { .. } | ApiError::Unavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Server(e) if e.is_database_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Server(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A fault below the API. A row asked for by key that is not there is the client's 404
/// (diesel's `NotFound`); anything else is the server's.
impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match e {
            Error::Database(diesel::result::Error::NotFound) => ApiError::NotFound(e.to_string()),
            // Written for the client already (a pool timeout, "not migrated").
            Error::Unavailable(detail) => ApiError::Unavailable(detail),
            e => ApiError::Server(Arc::new(e)),
        }
    }
}

/// The one bad parameter a check found.
impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> ApiError {
        ApiError::BadRequest(vec![e])
    }
}

/// The library errors a handler meets through `?`, each through [`Error`].
macro_rules! through_error {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> ApiError {
                ApiError::from(Error::from(e))
            }
        }
    )*};
}
through_error!(
    diesel::result::Error,
    serde_json::Error,
    std::io::Error,
    r2d2::Error,
    actix_web::error::BlockingError
);

/// The RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "http://127.0.0.1:8080/v1/problems/invalid-parameter",
    "title": "Bad Request",
    "status": 400,
    "detail": "lang: must be one of: sv, en",
    "instance": "/v1/data?indicator=population&lang=fi",
    "errors": [{"parameter": "lang", "detail": "must be one of: sv, en"}]
}))]
pub struct Problem {
    /// A URL naming the kind of problem, on this server: `GET` it for a page saying what the
    /// problem means and what to do (`/v1/problems/{kind}`).
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The status's reason phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong in this request, in English.
    pub detail: String,
    /// The request that failed: its path and query.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/v1/data?indicator=population&lang=fi")]
    pub instance: Option<String>,
    /// Every bad parameter, for a 400.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ParamError>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The path of the page describing the problems of a status, relative to the server:
/// `/v1/problems/{kind}` (see `api::problems`).
pub fn problem_type_path(status: StatusCode) -> String {
    format!("/v1/problems/{}", ProblemKind::of(status).slug())
}

/// The kinds of problem this server answers, one page each under `/v1/problems/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    InvalidParameter,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    UriTooLong,
    TooManyRequests,
    Internal,
    Unavailable,
    /// Any other status the framework may answer (e.g. 413): the status says it all.
    Other,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 9] = [
        ProblemKind::InvalidParameter,
        ProblemKind::NotFound,
        ProblemKind::MethodNotAllowed,
        ProblemKind::NotAcceptable,
        ProblemKind::UriTooLong,
        ProblemKind::TooManyRequests,
        ProblemKind::Internal,
        ProblemKind::Unavailable,
        ProblemKind::Other,
    ];

    pub fn of(status: StatusCode) -> ProblemKind {
        match status.as_u16() {
            400 => ProblemKind::InvalidParameter,
            404 => ProblemKind::NotFound,
            405 => ProblemKind::MethodNotAllowed,
            406 => ProblemKind::NotAcceptable,
            414 => ProblemKind::UriTooLong,
            429 => ProblemKind::TooManyRequests,
            500 => ProblemKind::Internal,
            503 => ProblemKind::Unavailable,
            _ => ProblemKind::Other,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            ProblemKind::InvalidParameter => "invalid-parameter",
            ProblemKind::NotFound => "not-found",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::NotAcceptable => "not-acceptable",
            ProblemKind::UriTooLong => "uri-too-long",
            ProblemKind::TooManyRequests => "too-many-requests",
            ProblemKind::Internal => "internal-error",
            ProblemKind::Unavailable => "unavailable",
            ProblemKind::Other => "other",
        }
    }

    pub fn from_slug(slug: &str) -> Option<ProblemKind> {
        ProblemKind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// The status this kind is answered with; `None` for [`ProblemKind::Other`].
    pub fn status(self) -> Option<u16> {
        match self {
            ProblemKind::InvalidParameter => Some(400),
            ProblemKind::NotFound => Some(404),
            ProblemKind::MethodNotAllowed => Some(405),
            ProblemKind::NotAcceptable => Some(406),
            ProblemKind::UriTooLong => Some(414),
            ProblemKind::TooManyRequests => Some(429),
            ProblemKind::Internal => Some(500),
            ProblemKind::Unavailable => Some(503),
            ProblemKind::Other => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::InvalidParameter => "Invalid parameter",
            ProblemKind::NotFound => "Not found",
            ProblemKind::MethodNotAllowed => "Method not allowed",
            ProblemKind::NotAcceptable => "Not acceptable",
            ProblemKind::UriTooLong => "Request target too long",
            ProblemKind::TooManyRequests => "Too many requests",
            ProblemKind::Internal => "Internal error",
            ProblemKind::Unavailable => "Temporarily unavailable",
            ProblemKind::Other => "Other HTTP error",
        }
    }

    /// What the problem means.
    pub fn meaning(self) -> &'static str {
        match self {
            ProblemKind::InvalidParameter => "One or more query parameters, path segments or headers are malformed, unknown, out of range or in conflict. `errors` names every one with what would be accepted.",
            ProblemKind::NotFound => "No resource at this path, or no area, indicator or feature with the code or id asked for.",
            ProblemKind::MethodNotAllowed => "The API only reads: every resource answers GET and HEAD (and CORS preflight OPTIONS).",
            ProblemKind::NotAcceptable => "Neither `f` nor the `Accept` header names a format this resource produces; `detail` lists the ones it does.",
            ProblemKind::UriTooLong => "The path and query are longer than the server reads.",
            ProblemKind::TooManyRequests => "This client sent more requests than the per-minute limit allows; the `RateLimit` headers say how many remain.",
            ProblemKind::Internal => "A fault in the server; it has been logged with the details.",
            ProblemKind::Unavailable => "The database is unreachable, overloaded or too slow, the server is starting or shutting down, or this replica has not yet applied the data version the URL names (`v`).",
            ProblemKind::Other => "An HTTP error the framework answered itself; the status and `detail` say what it is.",
        }
    }

    /// What a client can do about it.
    pub fn remedy(self) -> &'static str {
        match self {
            ProblemKind::InvalidParameter => "Fix each parameter listed in `errors` and send the request again; /v1/openapi.json documents every parameter.",
            ProblemKind::NotFound => "Check the path against the landing page /v1, and codes and ids against /v1/areas and /v1/indicators.",
            ProblemKind::MethodNotAllowed => "Use GET (or HEAD); the `Allow` header lists the methods.",
            ProblemKind::NotAcceptable => "Ask for one of the formats in `detail`, with `f=` or `Accept`.",
            ProblemKind::UriTooLong => "Ask for fewer codes or indicators per request and page through the rest.",
            ProblemKind::TooManyRequests => "Wait the seconds in `Retry-After`, then send the request again; cache answers and use `If-None-Match`.",
            ProblemKind::Internal => "Retry later; if it persists, report the request (`instance`) to the operators.",
            ProblemKind::Unavailable => "Retry after the seconds in `Retry-After`; nothing is wrong with the request.",
            ProblemKind::Other => "Read `detail`, correct the request and send it again.",
        }
    }
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            problem_type: problem_type_path(status),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            instance: None,
            errors: Vec::new(),
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.parameter, self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_below_the_api_keeps_its_cause_and_gets_the_servers_status() {
        let status = |e: Error| ApiError::from(e).status();
        assert_eq!(
            status(Error::Database(diesel::result::Error::NotFound)),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(Error::Unavailable("no connection".into())),
            StatusCode::SERVICE_UNAVAILABLE
        );
        // A command's mistakes are never the client's: over HTTP they are the server's fault.
        assert_eq!(
            status(Error::Usage("--formats".into())),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            status(Error::Import {
                file: "f.csv".into(),
                location: None,
                field: None,
                message: "bad".into()
            }),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        // Shared by every waiter on one build: the clone is the same cause, not a summary.
        let e = ApiError::from(Error::Internal("the disk is full".into()));
        let ApiError::Server(cause) = e.clone() else {
            panic!("{e:?}")
        };
        assert_eq!(cause.to_string(), "internal error: the disk is full");
        assert_eq!(
            ApiError::from(ParamError::new("filter", "x")).status(),
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn every_problem_kind_has_one_page_and_its_status_finds_it() {
        for kind in ProblemKind::ALL {
            assert_eq!(ProblemKind::from_slug(kind.slug()), Some(kind));
            if let Some(status) = kind.status() {
                let status = StatusCode::from_u16(status).unwrap();
                assert_eq!(ProblemKind::of(status), kind);
                assert_eq!(
                    Problem::new(status, "x").problem_type,
                    format!("/v1/problems/{}", kind.slug())
                );
            }
        }
        assert_eq!(
            problem_type_path(StatusCode::PAYLOAD_TOO_LARGE),
            "/v1/problems/other"
        );
    }
}
