//! Links in responses: absolute, built from the address the client used (honouring
//! `Forwarded` / `X-Forwarded-*` from a proxy), as OGC API clients such as GDAL expect.

use actix_web::HttpRequest;
use serde::Serialize;
use utoipa::ToSchema;

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

/// `scheme://host` of this request, without a trailing slash.
pub fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
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
