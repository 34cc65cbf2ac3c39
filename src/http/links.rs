//! Links in responses: absolute, as OGC API clients such as GDAL expect. They are built from
//! `SEGSTAT_PUBLIC_URL` when it is set (request headers then play no part, so no client can
//! choose the host its links, ETags and cached copies name), and otherwise from the address the
//! client used (honouring `Forwarded` / `X-Forwarded-*` from a proxy).

use actix_web::{web, HttpRequest};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// OGC API – Tiles' link relations, written by the tiles resources and by the collections and
/// the landing page that point to them.
pub const REL_TILESETS_VECTOR: &str = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
pub const REL_TILING_SCHEMES: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes";
pub const REL_TILING_SCHEME: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Link {
    #[schema(example = "http://127.0.0.1:8080/v1/meta")]
    pub href: String,
    #[schema(example = "describedby")]
    pub rel: &'static str,
    #[serde(rename = "type")]
    #[schema(example = "application/json")]
    pub media_type: &'static str,
    #[schema(example = "Metadata: licence, citation, data version, limits")]
    pub title: String,
}

/// `scheme://host` (plus the configured path, if any) that links start with, without a
/// trailing slash.
pub fn base_url(req: &HttpRequest) -> String {
    if let Some(public) = public_url(req) {
        return public.to_owned();
    }
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// `SEGSTAT_PUBLIC_URL`, when the server runs with it.
pub fn public_url(req: &HttpRequest) -> Option<&str> {
    req.app_data::<web::Data<AppState>>()
        .and_then(|state| state.config.public_url.as_deref())
}

impl Link {
    pub fn new(
        base: &str,
        path: &str,
        rel: &'static str,
        media_type: &'static str,
        title: impl Into<String>,
    ) -> Link {
        Link {
            href: format!("{base}{path}"),
            rel,
            media_type,
            title: title.into(),
        }
    }
}

/// What a response needs of its request to build links, and can carry to the blocking pool
/// (an `HttpRequest` cannot leave its thread).
#[derive(Clone, Debug)]
pub struct RequestUrl {
    /// `scheme://host`.
    pub base: String,
    pub path: String,
    pub query: String,
}

impl RequestUrl {
    pub fn of(req: &HttpRequest) -> RequestUrl {
        RequestUrl {
            base: base_url(req),
            path: req.path().to_owned(),
            query: req.query_string().to_owned(),
        }
    }

    /// The full URL as requested.
    pub fn full(&self) -> String {
        if self.query.is_empty() {
            format!("{}{}", self.base, self.path)
        } else {
            format!("{}{}?{}", self.base, self.path, self.query)
        }
    }
}
