//! Conditional requests and caching headers, keyed on the data version.
//!
//! The served data changes only at an import, so a representation is named by the data version
//! and by what was asked (path, query, negotiated format and language). That makes a strong
//! `ETag` computable before any work is done: a client or CDN that already holds the current
//! version gets a 304 without a database round trip.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use sha2::{Digest, Sha256};

use super::cache::{Cached, Status};
use super::encoding::{self, Coding};
use super::version::DATA_VERSION_HEADER;
use crate::api_error::ApiResult;
use crate::convert::u64_from_usize;
use crate::db::{self, data_state::DataState};
use crate::domain::lang::Lang;
use crate::state::AppState;

/// Every request header a representation depends on: with links built from the request's
/// address, the headers that name it too; with `SEGSTAT_PUBLIC_URL`, only negotiation.
pub fn vary(req: &HttpRequest) -> &'static str {
    if super::links::public_url(req).is_some() {
        "Accept, Accept-Language, Accept-Encoding"
    } else {
        "Accept, Accept-Language, Accept-Encoding, Host, Forwarded, X-Forwarded-Host, X-Forwarded-Proto"
    }
}

/// Response header present, `true`, on every response built from synthetic data.
pub const DATA_SYNTHETIC_HEADER: &str = "data-synthetic";

/// A rendered response body and what describes it.
pub struct Representation {
    pub content_type: &'static str,
    pub body: Bytes,
    pub lang: Option<Lang>,
    /// `Content-Disposition`, for downloads such as CSV.
    pub disposition: Option<String>,
    /// A `Link` header, e.g. to the next page of a CSV download.
    pub link: Option<String>,
}

impl Representation {
    /// The body as read from data version `data`, uncoded: what the cache holds.
    fn of_version(self, data: &DataState) -> Cached {
        Cached {
            data_version: data.data_version.clone(),
            synthetic: data.synthetic,
            updated_at: data.updated_at,
            content_type: self.content_type,
            body: self.body,
            coding: Coding::Identity,
            lang: self.lang,
            disposition: self.disposition,
            link: self.link,
        }
    }

    pub fn json(value: &impl serde::Serialize, lang: Option<Lang>) -> ApiResult<Representation> {
        Ok(Representation {
            content_type: "application/json",
            body: serde_json::to_vec(value)
                .map_err(crate::error::Error::from)?
                .into(),
            lang,
            disposition: None,
            link: None,
        })
    }
}

/// How long clients and shared caches may keep a response.
#[derive(Clone, Copy, Debug)]
pub enum Freshness {
    /// Data and documents that change only with a release or an import.
    Public { max_age_secs: u64 },
    /// Liveness and readiness: always asked anew.
    NoStore,
}

/// The strong validator of one representation: the data version plus a digest of what was
/// asked. Equal inputs give equal bytes, because rendering is deterministic.
pub fn etag(version: &str, req: &HttpRequest, variant: &str) -> String {
    let mut hash = Sha256::new();
    // The rendering (software) and the address the client used (links are absolute) are part
    // of the representation too.
    hash.update(env!("CARGO_PKG_VERSION").as_bytes());
    hash.update(b"\0");
    hash.update(super::links::base_url(req).as_bytes());
    hash.update(b"\0");
    hash.update(req.path().as_bytes());
    hash.update(b"?");
    hash.update(req.query_string().as_bytes());
    hash.update(b"\0");
    hash.update(variant.as_bytes());
    let digest = hash.finalize();
    let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{version}-{short}\"")
}

/// The tag in `If-None-Match` that matches `etag`, if any. Tags we marked with a content coding
/// (see [`mark_etag_with_encoding`]) match their uncoded form.
pub fn matching_tag(req: &HttpRequest, etag: &str) -> Option<String> {
    let inm = req.headers().get(header::IF_NONE_MATCH)?.to_str().ok()?;
    let bare = etag.trim_matches('"');
    // `*` is not honoured: on a GET it would answer 304 before we know the resource exists.
    inm.split(',').map(str::trim).find_map(|tag| {
        // If-None-Match compares weakly (RFC 9110 §13.1.2).
        let inner = tag.trim_start_matches("W/").trim_matches('"');
        let uncoded = inner
            .strip_suffix("-gzip")
            .or_else(|| inner.strip_suffix("-br"))
            .unwrap_or(inner);
        (uncoded == bare).then(|| tag.trim_start_matches("W/").to_owned())
    })
}

fn cache_control(freshness: Freshness) -> String {
    match freshness {
        Freshness::Public { max_age_secs } => format!("public, max-age={max_age_secs}"),
        Freshness::NoStore => "no-store".to_owned(),
    }
}

fn not_modified(
    req: &HttpRequest,
    tag: String,
    freshness: Freshness,
    data_version: Option<&str>,
) -> HttpResponse {
    let mut res = HttpResponse::NotModified();
    res.insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, cache_control(freshness)))
        .insert_header((header::VARY, vary(req)));
    if let Some(version) = data_version {
        res.insert_header((DATA_VERSION_HEADER, version));
    }
    res.finish()
}

/// What a response's validator is derived from.
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    /// Built from the served data of this version.
    Data(&'a str),
    /// Fixed by the server software (landing page, spec, health).
    Software,
}

impl<'a> Source<'a> {
    fn validator(self) -> &'a str {
        match self {
            Source::Data(version) => version,
            Source::Software => env!("CARGO_PKG_VERSION"),
        }
    }

    fn data_version(self) -> Option<&'a str> {
        match self {
            Source::Data(version) => Some(version),
            Source::Software => None,
        }
    }
}

/// A document this release writes without the data (the landing page, the spec, the area
/// types, the tile matrix sets): validated by the software version and public for the
/// configured max-age.
pub fn software_response(
    req: &HttpRequest,
    state: &AppState,
    variant: &str,
    rep: Representation,
) -> HttpResponse {
    respond(
        req,
        Source::Software,
        None,
        Freshness::Public {
            max_age_secs: state.config.cache_max_age.as_secs(),
        },
        variant,
        rep,
    )
}

/// The 200 response with every caching header, or 304 when the client holds it already.
pub fn respond(
    req: &HttpRequest,
    source: Source<'_>,
    last_modified: Option<DateTime<Utc>>,
    freshness: Freshness,
    variant: &str,
    rep: Representation,
) -> HttpResponse {
    let tag = etag(source.validator(), req, variant);
    if let Some(held) = matching_tag(req, &tag) {
        return not_modified(req, held, freshness, source.data_version());
    }
    let mut res = HttpResponse::Ok();
    res.content_type(rep.content_type)
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, cache_control(freshness)))
        .insert_header((header::VARY, vary(req)));
    if let Some(version) = source.data_version() {
        res.insert_header((DATA_VERSION_HEADER, version));
    }
    if let Some(at) = last_modified {
        res.insert_header((
            header::LAST_MODIFIED,
            at.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ));
    }
    if let Some(lang) = rep.lang {
        res.insert_header((header::CONTENT_LANGUAGE, lang.code()));
    }
    if let Some(d) = rep.disposition {
        res.insert_header((header::CONTENT_DISPOSITION, d));
    }
    if let Some(l) = rep.link {
        res.insert_header((header::LINK, l));
    }
    body_of(&mut res, rep.body)
}

/// Bodies larger than this go out as a stream of slices of the one shared buffer.
const STREAM_ABOVE: usize = 256 * 1024;
const STREAM_CHUNK: usize = 64 * 1024;

/// The response with `body`. A large body (every RegSO at full resolution is 35 MB) is handed
/// to the connection in slices: given whole, actix-web copies it into each connection's write
/// buffer, which costs a copy per response and as many copies in memory as clients reading it.
/// Slices of the shared `Bytes` are not copied, and the connection takes the next only once it
/// has written the last.
fn body_of(res: &mut actix_web::HttpResponseBuilder, body: Bytes) -> HttpResponse {
    if body.len() <= STREAM_ABOVE {
        return res.body(body);
    }
    let len = body.len();
    let chunks = (0..len).step_by(STREAM_CHUNK).map(move |start| {
        Ok::<_, std::convert::Infallible>(body.slice(start..(start + STREAM_CHUNK).min(len)))
    });
    res.body(actix_web::body::SizedStream::new(
        u64_from_usize(len),
        futures_util::stream::iter(chunks),
    ))
}

/// Answers a request whose body is built from the served data.
///
/// A client holding the current version gets its 304 before any query. Otherwise `build` runs
/// in one read-only snapshot together with the read of the data version, so the ETag and the
/// `data_version` in the body always name the data actually read.
pub async fn data_response<F>(
    req: &HttpRequest,
    state: &AppState,
    variant: &str,
    build: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut PgConnection, &DataState) -> ApiResult<Representation> + Send + 'static,
{
    // What was asked, as the cache knows it: the request target and the negotiated variant.
    let asked = format!(
        "{}{}?{}\0{variant}",
        super::links::base_url(req),
        req.path(),
        req.query_string()
    );
    data_response_as(req, state, variant, asked, build).await
}

/// [`data_response`] for a body that many request targets share: `asked` names the body in the
/// response cache instead of the request target (e.g. the areas found around a point, whatever
/// the point). It must name everything the body depends on.
pub async fn data_response_as<F>(
    req: &HttpRequest,
    state: &AppState,
    variant: &str,
    asked: String,
    build: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut PgConnection, &DataState) -> ApiResult<Representation> + Send + 'static,
{
    let freshness = admit(req, state).await?;
    let known = state.known_data_state().map(|k| k.data_version);
    if let Some(known) = &known {
        if let Some(held) = matching_tag(req, &etag(known, req, variant)) {
            return Ok(not_modified(req, held, freshness, Some(known)));
        }
    }
    let coding = encoding::preferred(
        req.headers()
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let build_identity = move || async move {
        let (data, rep) = db::read(&state.pool, move |conn| -> ApiResult<_> {
            let data = db::data_state::current(conn)?;
            let rep = build(conn, &data)?;
            Ok((data, rep))
        })
        .await?;
        state.observe(&data);
        Ok(rep.of_version(&data))
    };
    let (cached, status) = state
        .cache
        .get_or_build(known.as_deref(), &asked, coding, build_identity)
        .await?;
    Ok(finish(req, freshness, variant, &cached, status))
}

/// Answers a request whose body is built from data held in memory rather than read now, such
/// as the point lookup's: `data` is the version that memory was read from, and the response
/// names it (ETag, `data-version`, `Last-Modified`) even if the database has moved on since, so
/// a body is always wholly of one version. A client holding it gets its 304; otherwise `build`
/// runs here, on the worker (it must not query), and the body is not put in the response
/// cache (building it again is as cheap as finding it there).
pub async fn held_response(
    req: &HttpRequest,
    state: &AppState,
    variant: &str,
    data: &DataState,
    build: impl FnOnce() -> ApiResult<Representation>,
) -> ApiResult<HttpResponse> {
    let freshness = admit(req, state).await?;
    if let Some(held) = matching_tag(req, &etag(&data.data_version, req, variant)) {
        return Ok(not_modified(req, held, freshness, Some(&data.data_version)));
    }
    let held = build()?.of_version(data);
    Ok(finish(req, freshness, variant, &held, Status::Hit))
}

/// What every answer from the data does first: a URL naming another data version is moved to
/// the current one (302) before anything is built (the handler has checked its path and
/// parameters by now); then the freshness the answer is given.
async fn admit(req: &HttpRequest, state: &AppState) -> ApiResult<Freshness> {
    if let Some(version) = super::immutable::requested(req) {
        super::immutable::check(req, &version).await?;
    }
    Ok(Freshness::Public {
        max_age_secs: state.config.cache_max_age.as_secs(),
    })
}

/// The response for a rendered body, with every caching header, the data-version marks and
/// `Cache-Status` (RFC 9211) saying whether memory answered. A coded body carries its
/// `Content-Encoding`, which tells actix-web's `Compress` to leave it alone and
/// [`mark_etag_with_encoding`] to give it its own tag.
fn finish(
    req: &HttpRequest,
    freshness: Freshness,
    variant: &str,
    c: &Cached,
    status: Status,
) -> HttpResponse {
    let mut res = respond(
        req,
        Source::Data(&c.data_version),
        Some(c.updated_at),
        freshness,
        variant,
        Representation {
            content_type: c.content_type,
            body: c.body.clone(),
            lang: c.lang,
            disposition: c.disposition.clone(),
            link: c.link.clone(),
        },
    );
    if res.status() == StatusCode::OK && c.coding != Coding::Identity {
        res.headers_mut().insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(c.coding.token()),
        );
    }
    if c.synthetic {
        res.headers_mut().insert(
            header::HeaderName::from_static(DATA_SYNTHETIC_HEADER),
            HeaderValue::from_static("true"),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&format!("segstat; {}", status.header_params())) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("cache-status"), v);
    }
    res
}

/// Middleware: a compressed body is a different representation, so its strong ETag must differ
/// (RFC 9110 §8.8.3). Appends the coding inside the quotes, as Apache does; [`matching_tag`]
/// accepts both forms.
pub async fn mark_etag_with_encoding(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    if res.status() != StatusCode::OK {
        return Ok(res);
    }
    let coding = res
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .filter(|c| *c != "identity")
        .map(str::to_owned);
    if let (Some(coding), Some(tag)) = (coding, res.headers().get(header::ETAG).cloned()) {
        if let Ok(tag) = tag.to_str() {
            let marked = format!("{}-{coding}\"", tag.trim_end_matches('"'));
            if let Ok(value) = HeaderValue::from_str(&marked) {
                res.headers_mut().insert(header::ETAG, value);
            }
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn rep() -> Representation {
        Representation {
            content_type: "application/json",
            body: Bytes::from_static(b"{}"),
            lang: Some(Lang::En),
            disposition: None,
            link: None,
        }
    }

    const FRESH: Freshness = Freshness::Public { max_age_secs: 60 };

    #[test]
    fn etag_depends_on_version_query_and_variant() {
        let a = TestRequest::with_uri("/v1/meta?lang=en").to_http_request();
        let b = TestRequest::with_uri("/v1/meta?lang=sv").to_http_request();
        assert_ne!(etag("v1", &a, "json"), etag("v2", &a, "json"));
        assert_ne!(etag("v1", &a, "json"), etag("v1", &b, "json"));
        assert_ne!(etag("v1", &a, "json"), etag("v1", &a, "csv"));
        assert_eq!(etag("v1", &a, "json"), etag("v1", &a, "json"));
    }

    #[test]
    fn matching_if_none_match_gives_304_in_any_coding() {
        let plain = TestRequest::with_uri("/x").to_http_request();
        let tag = etag("v1", &plain, "json");
        for held in [
            tag.clone(),
            format!("{}-gzip\"", tag.trim_end_matches('"')),
            format!("W/{tag}"),
            format!("\"other\", {tag}"),
        ] {
            let req = TestRequest::with_uri("/x")
                .insert_header((header::IF_NONE_MATCH, held.as_str()))
                .to_http_request();
            let res = respond(&req, Source::Data("v1"), None, FRESH, "json", rep());
            assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "held {held}");
        }
    }

    #[test]
    fn stale_tag_gets_the_full_response_with_headers() {
        let req = TestRequest::with_uri("/x")
            .insert_header((header::IF_NONE_MATCH, "\"v0-0000000000000000\""))
            .to_http_request();
        let res = respond(
            &req,
            Source::Data("v1"),
            Some(Utc::now()),
            FRESH,
            "json",
            rep(),
        );
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers();
        assert!(h
            .get(header::ETAG)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("\"v1-"));
        assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "public, max-age=60");
        assert_eq!(h.get(header::CONTENT_LANGUAGE).unwrap(), "en");
        assert_eq!(h.get(DATA_VERSION_HEADER).unwrap(), "v1");
        assert!(h.contains_key(header::LAST_MODIFIED));
    }
}
