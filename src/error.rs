//! The one error type of the crate, the RFC 9457 problem document it is answered as, and the
//! problem kinds whose pages `/v1/problems/{kind}` serves.
//!
//! Library errors become an [`Error`] through `From`, in this file only; handlers never pick a
//! status code themselves. The HTTP rendering (status, headers, the document located on the
//! request) is `http::problems`, with the rewriting of framework errors into the same shape.

use std::fmt;

use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

pub type Result<T, E = Error> = std::result::Result<T, E>;

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

#[derive(Debug, thiserror::Error)]
pub enum Error {
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
    /// The database is unreachable, overloaded or too slow; the client may retry.
    #[error("{0}")]
    Unavailable(String),
    /// Settings that fail validation at start, each naming its variable.
    #[error("invalid configuration:\n  {}", .0.join("\n  "))]
    Config(Vec<String>),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("migration failed: {0}")]
    Migration(String),
    /// Bad input to an import, located as precisely as the format allows.
    #[error("{file}{}{}: {message}", .location.as_ref().map(|l| format!(":{l}")).unwrap_or_default(), .field.as_ref().map(|f| format!(": {f}")).unwrap_or_default())]
    Import {
        file: String,
        /// A line number, a feature number or a JSON path.
        location: Option<String>,
        field: Option<String>,
        message: String,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("internal error: {0}")]
    Internal(String),
    /// A command-line mistake (an option's value, a missing choice, a folder not found): the
    /// command says what to change and exits with status 2. Never answered over HTTP.
    #[error("{0}")]
    Usage(String),
}

fn describe_params(errors: &[ParamError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.parameter, e.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    pub fn bad_param(parameter: impl Into<String>, detail: impl Into<String>) -> Error {
        Error::BadRequest(vec![ParamError::new(parameter, detail)])
    }

    /// The same answer for another caller of one shared piece of work (the response cache runs
    /// one build for concurrent requests, and each waiter needs its own error): same status,
    /// same message. Library errors cannot be cloned, so they keep their meaning only.
    pub fn for_waiter(&self) -> Error {
        match self {
            Error::BadRequest(errors) => Error::BadRequest(errors.clone()),
            Error::NotFound(m) => Error::NotFound(m.clone()),
            Error::MethodNotAllowed { allow } => Error::MethodNotAllowed { allow },
            Error::NotAcceptable { available } => Error::NotAcceptable {
                available: available.clone(),
            },
            Error::UriTooLong(m) => Error::UriTooLong(m.clone()),
            Error::TooManyRequests(m) => Error::TooManyRequests(m.clone()),
            e if e.is_database_unavailable() => Error::Unavailable(e.to_string()),
            e => Error::Internal(e.to_string()),
        }
    }

    /// True when the error says the database could not answer in time or at all, as opposed to a
    /// bug in a query. Such errors are a 503 and the client may retry.
    pub fn is_database_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match self {
            Error::Unavailable(_) | Error::Connection(_) => true,
            Error::Database(D::DatabaseError(kind, info)) => {
                matches!(kind, DatabaseErrorKind::ClosedConnection)
                    || info.message().contains("statement timeout")
                    || info.message().contains("lock timeout")
                    || info.message().contains("canceling statement")
                    || info.message().contains("could not serialize access")
                    || info.message().contains("terminating connection")
                    || info.message().contains("server closed the connection")
            }
            _ => false,
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::Internal(format!("JSON: {e}"))
    }
}

/// A GeoPackage being written (`segstat export`); reading one is an import error instead.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Internal(format!("GeoPackage: {e}"))
    }
}

impl From<zip::result::ZipError> for Error {
    fn from(e: zip::result::ZipError) -> Error {
        Error::Internal(format!("zip: {e}"))
    }
}

/// Writing a GeoParquet download failed (the file system errors come through as I/O).
impl From<parquet::errors::ParquetError> for Error {
    fn from(e: parquet::errors::ParquetError) -> Error {
        match e {
            parquet::errors::ParquetError::External(e) => match e.downcast::<std::io::Error>() {
                Ok(io) => Error::Io(*io),
                Err(e) => Error::Internal(format!("Parquet: {e}")),
            },
            e => Error::Internal(format!("Parquet: {e}")),
        }
    }
}

impl From<r2d2::Error> for Error {
    fn from(e: r2d2::Error) -> Error {
        Error::Unavailable(format!("no database connection available: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for Error {
    fn from(_: actix_web::error::BlockingError) -> Error {
        Error::Unavailable("the server is shutting down".into())
    }
}

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
