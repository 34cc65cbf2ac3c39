//! Immutable, versioned URLs: every resource built from the data takes `v=<data version>`.
//!
//! The data changes only at an import, so a URL that names the current data version names
//! bytes that never change: it is answered with a year of caching and `immutable`, and a CDN or
//! a browser keeps it for good. An import makes a new version, and the API's own links (the
//! TileJSON tile URLs, the explorer's requests) move to new URLs.
//!
//! A URL naming another version is redirected (302 Found, `no-store`) to the same URL with the
//! current version, after the version is read again from the database once (this replica may
//! not have seen an import yet). Old versions are not kept, so a 404 would break every stale
//! map and bookmark; the redirect keeps them working, and a CDN still holds the old immutable
//! copies it had. A `v` that is not a version at all is a 400 naming `v`.
//!
//! A replica reading from a hot standby may be behind its primary: a client that took a URL
//! from another replica's answers just after an import (a TileJSON's tile URLs) names a version
//! newer than this one serves. Redirecting it would send it back to the old version. So when
//! the standby has received changes it has not replayed yet (or has replay paused), another
//! version is answered 503 with `Retry-After: 1` instead: the load balancer retries the GET on
//! another replica (`deploy/haproxy.cfg`), a client after a second. When the standby has applied
//! everything it received, the version asked is an old one and the 302 stands. The rule is
//! [`crate::domain::replication::Position::other_version`]. While replay is paused, an old
//! version's URL is a 503 on that replica too (it cannot tell old from new); the lag limit of
//! `/ready` takes such a replica out of the balancer.
//!
//! The redirect is decided once the request is valid in every other way (a bad parameter or path
//! is a 400 whatever its `v`): when the body is about to be built, in
//! [`super::conditional::data_response_as`], so it costs no query beyond the version's re-read.
//!
//! The resources that take `v` (`http::version`) are registered with [`get_versioned`]; the
//! OpenAPI document gives the same operations the parameter (`openapi::VersionedUrls`) and a
//! test checks they agree.

use actix_web::body::MessageBody;
use actix_web::dev::{HttpServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpRequest};

use super::query::QueryReader;
use super::version::{is_version, Versioned, DATA_VERSION_HEADER, PARAM};
use crate::api_error::ApiError;
use crate::domain::replication::OtherVersion;
use crate::state::AppState;

/// `Cache-Control` of a response whose URL names the version it was built from.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Checks the version a valid request names: the one served, or [`ApiError::OtherDataVersion`]
/// (a 302 to the same URL with the current one), or [`ApiError::NotReplayedYet`] (a 503) on a
/// standby that has not applied all it received. A version this replica has not seen is read
/// again once from the database (an import may have happened since it last looked); if the
/// database cannot say, the request goes on, and its handler answers as it would without `v`.
pub async fn check(req: &HttpRequest, asked: &str) -> Result<(), ApiError> {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Ok(());
    };
    if state
        .known_data_state()
        .is_some_and(|d| d.data_version == asked)
    {
        return Ok(());
    }
    match state.refresh_with_position().await {
        Ok((data, _)) if data.data_version == asked => Ok(()),
        Ok((data, position)) => match position.other_version() {
            OtherVersion::Redirect => Err(ApiError::OtherDataVersion {
                location: format!(
                    "{}{}?{}",
                    super::links::base_url(req),
                    req.path(),
                    with_version(req.query_string(), &data.data_version)
                ),
                current: data.data_version,
            }),
            OtherVersion::NotReplayedYet => Err(ApiError::NotReplayedYet {
                asked: asked.to_owned(),
            }),
        },
        Err(_) => Ok(()),
    }
}

/// A read-only resource built from the data: [`super::problems::get`] that also takes `v`.
pub fn get_versioned<F, Args>(path: &str, handler: F) -> impl HttpServiceFactory
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    super::problems::get(path, handler)
        .app_data(Versioned)
        .wrap(from_fn(pin))
}

/// The version a request to a versioned resource asks for, if any (see [`asked`]).
pub fn requested(req: &HttpRequest) -> Option<String> {
    req.app_data::<Versioned>()?;
    asked(req.query_string())
}

/// The version a query string asks for: `v` given once, well-formed. Anything else is left to
/// the query parser to refuse.
fn asked(query: &str) -> Option<String> {
    let mut reader = QueryReader::parse(query).ok()?;
    reader.take(&super::version::V).filter(|v| is_version(v))
}

/// The query string with its `v` replaced by `version`; every other parameter kept as sent.
pub fn with_version(query: &str, version: &str) -> String {
    let mut replaced = false;
    let parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|part| {
            let key = part.split_once('=').map_or(part, |(k, _)| k);
            let decoded = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
            if decoded != PARAM {
                Some(part.to_owned())
            } else if replaced {
                None
            } else {
                replaced = true;
                Some(format!("{PARAM}={version}"))
            }
        })
        .collect();
    let mut query = parts.join("&");
    if !replaced {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&format!("{PARAM}={version}"));
    }
    query
}

/// Middleware of the versioned resources: a response built from the version its URL names is
/// `immutable`. (A URL naming another version never reaches the handler: see [`check`].)
async fn pin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let asked = asked(req.query_string());
    let mut res = next.call(req).await?;
    // Only what was built from the version the URL names is immutable: a response read just
    // after an import (another version) keeps its usual freshness.
    let built_from_asked = asked.is_some_and(|asked| {
        res.headers()
            .get(DATA_VERSION_HEADER)
            .is_some_and(|v| v.as_bytes() == asked.as_bytes())
    });
    if built_from_asked && matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_single_well_formed_v_is_asked() {
        assert_eq!(asked("year=2023&v=abc").as_deref(), Some("abc"));
        assert_eq!(asked("%76=abc").as_deref(), Some("abc"));
        assert_eq!(asked("year=2023"), None);
        assert_eq!(asked("v=ABC"), None);
        assert_eq!(asked("v=a&v=b"), None);
    }

    #[test]
    fn the_redirect_keeps_every_other_parameter_as_sent() {
        assert_eq!(
            with_version("year=2023&v=old&indicator=a%2Cb", "new"),
            "year=2023&v=new&indicator=a%2Cb"
        );
        assert_eq!(with_version("%76=old", "new"), "v=new");
        assert_eq!(with_version("", "new"), "v=new");
        assert_eq!(with_version("year=2023", "new"), "year=2023&v=new");
    }
}
