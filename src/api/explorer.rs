//! The explorer web page at `/` and `/explorer`, and its assets under `/explorer/assets/`.
//!
//! build.rs bundles `explorer/` with npm and embeds the result, so nothing is read from disk at
//! run time. The page uses only the public API; this module only serves its files, each with a
//! strong ETag from its content. Not part of the OpenAPI document: it is a page, not the API.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::api::Routes;
use crate::api_error::{ApiError, ApiResult};
use crate::http::conditional::matching_tag;
use crate::state::AppState;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/explorer_assets.rs"));
}

/// The explorer is a page for people, built on the API; it is not part of the API's spec.
pub fn routes(r: &mut Routes) {
    r.undocumented("/", get_explorer)
        .undocumented("/explorer", get_explorer)
        .undocumented("/explorer/", get_explorer)
        .undocumented("/explorer/assets/{file}", get_explorer_asset);
}

/// The page's Content-Security-Policy: only our own origin, plus what MapLibre GL JS needs (its
/// worker starts from a `blob:` URL, and its stylesheet draws the map controls' icons from
/// `data:` images), plus the origin of `SEGSTAT_PUBLIC_URL` when it is set: the API's links, such
/// as TileJSON's tile URLs, point there, also when the page was reached by another address (an
/// internal name, a port of its own).
pub fn content_security_policy(public_url: Option<&str>) -> String {
    let public = public_url
        .and_then(origin)
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'{public}; worker-src blob:; child-src blob:; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    )
}

/// `scheme://host[:port]` of an absolute http(s) URL, if it is one a policy can name safely.
fn origin(url: &str) -> Option<&str> {
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|s| url.starts_with(s))?
        .len();
    let end = url[scheme..].find('/').map_or(url.len(), |i| scheme + i);
    let host = &url[scheme..end];
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    (!host.is_empty() && host.chars().all(plain)).then(|| &url[..end])
}

/// The page is revalidated soon, so a new release shows up; hashed assets never change.
const PAGE_CACHE: &str = "public, max-age=60";
const HASHED_CACHE: &str = "public, max-age=31536000, immutable";

/// One embedded file, ready to serve.
struct StaticFile {
    body: &'static [u8],
    content_type: &'static str,
    etag: String,
    cache_control: &'static str,
}

impl StaticFile {
    fn new(name: &str, body: &'static [u8]) -> StaticFile {
        StaticFile {
            body,
            content_type: content_type(name),
            etag: content_etag(body),
            cache_control: if is_content_hashed(name) {
                HASHED_CACHE
            } else {
                PAGE_CACHE
            },
        }
    }
}

fn page() -> &'static StaticFile {
    static PAGE: OnceLock<StaticFile> = OnceLock::new();
    PAGE.get_or_init(|| StaticFile::new("index.html", embedded::INDEX_HTML))
}

fn assets() -> &'static HashMap<&'static str, StaticFile> {
    static ASSETS: OnceLock<HashMap<&'static str, StaticFile>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        embedded::ASSETS
            .iter()
            .map(|&(name, body)| (name, StaticFile::new(name, body)))
            .collect()
    })
}

/// The explorer page: a map of the RegSO by area type or indicator, area profiles and
/// municipality summaries, all drawn from this API.
pub async fn get_explorer(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let mut res = respond(&req, page());
    let policy = content_security_policy(state.config.public_url.as_deref());
    if let Ok(policy) = header::HeaderValue::from_str(&policy) {
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    res
}

/// A script or stylesheet of the explorer page.
pub async fn get_explorer_asset(
    req: HttpRequest,
    file: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let file = file.into_inner();
    let asset = assets().get(file.as_str()).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no explorer asset {file}; the page at / names the ones it uses"
        ))
    })?;
    Ok(respond(&req, asset))
}

fn respond(req: &HttpRequest, file: &StaticFile) -> HttpResponse {
    if let Some(held) = matching_tag(req, &file.etag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, held))
            .insert_header((header::CACHE_CONTROL, file.cache_control))
            .finish();
    }
    HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((header::ETAG, file.etag.as_str()))
        .insert_header((header::CACHE_CONTROL, file.cache_control))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(file.body)
}

/// A strong validator that changes exactly when the bytes do.
fn content_etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The media type of a built file, by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether a file name carries a content hash (esbuild's `name-HASH.ext`, 8+ upper-case
/// letters and digits): such a name never gets other content, so it can be cached for good.
fn is_content_hashed(name: &str) -> bool {
    let stem = name.split_once('.').map_or(name, |(stem, _)| stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        hash.len() >= 8
            && hash
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("explorer-AB12CD34.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("explorer-AB12CD34.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("blob"), "application/octet-stream");
    }

    #[test]
    fn the_policy_names_the_public_origin_when_there_is_one() {
        let own = content_security_policy(None);
        assert!(own.contains("connect-src 'self';"), "{own}");
        let public = content_security_policy(Some("https://api.example.org/segstat"));
        assert!(
            public.contains("connect-src 'self' https://api.example.org;"),
            "{public}"
        );
        assert_eq!(
            public.replace(" https://api.example.org", ""),
            own,
            "only connect-src changes"
        );
        assert_eq!(
            origin("http://[::1]:8080"),
            Some("http://[::1]:8080"),
            "a port and an IPv6 host are kept"
        );
        // Nothing that could end the directive or add a source reaches the policy.
        assert_eq!(origin("https://a.example;script-src *"), None);
        assert_eq!(origin("https://a.example,b/x"), None);
        assert_eq!(origin("'unsafe-inline' https://x"), None);
        assert!(!content_security_policy(Some("https://a;b")).contains("a;b"));
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_content_hashed("explorer-5R2VUPB3.js"));
        assert!(is_content_hashed("explorer-LXEOJ5IK.css"));
        assert!(!is_content_hashed("index.html"));
        assert!(!is_content_hashed("maplibre-gl.css"));
        assert!(!is_content_hashed("explorer-abc.js"));
    }

    #[test]
    fn etag_follows_the_content() {
        assert_eq!(content_etag(b"a"), content_etag(b"a"));
        assert_ne!(content_etag(b"a"), content_etag(b"b"));
        assert!(content_etag(b"a").starts_with('"') && content_etag(b"a").ends_with('"'));
    }

    #[test]
    fn the_embedded_page_names_only_embedded_assets() {
        let html = std::str::from_utf8(embedded::INDEX_HTML).unwrap();
        let named: Vec<&str> = html
            .split("/explorer/assets/")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap())
            .collect();
        assert_eq!(named.len(), 2, "one script and one stylesheet: {named:?}");
        for name in named {
            assert!(assets().contains_key(name), "{name} is not embedded");
            assert!(is_content_hashed(name), "{name} has no content hash");
        }
    }
}
