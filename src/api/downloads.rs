//! `/v1/downloads`: the bulk downloads `segstat export` wrote for the current data version,
//! listed from its `index.json`, and each file served with Range requests.
//!
//! Every link names the data version (`?v=`): a request for the current version may be kept
//! for good (`immutable`); one that names another version gets a 404 problem, because this
//! server holds only the current version's files.

use actix_web::http::header::{
    self, ContentDisposition, DispositionParam, DispositionType, EntityTag, HeaderValue,
};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::Routes;
use crate::api_error::{ApiError, ApiResult};
use crate::db::data_state::DataState;
use crate::domain::geography::Division;
use crate::export::Index;
use crate::http::conditional::{respond, Freshness, Representation, Source, DATA_SYNTHETIC_HEADER};
use crate::http::links::{base_url, Link};
use crate::http::param::{Accepts, Param};
use crate::http::query::{documented, FromQuery, Query, QueryReader};
use crate::http::stored_file::{self, StoredFile};
use crate::http::version::DATA_VERSION_HEADER;
use crate::state::AppState;

pub fn routes(r: &mut Routes) {
    r.plain(__path_get_downloads, get_downloads);
    r.plain(__path_get_download, get_download);
}

/// `Cache-Control` of a file asked for by the current data version.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[derive(Serialize, ToSchema)]
pub struct Download {
    /// The file name, as in `/v1/downloads/{name}`.
    #[schema(example = "regso-2025.gpkg")]
    pub name: String,
    /// `gpkg`, `flatgeobuf` or `csv`.
    #[schema(example = "gpkg")]
    pub format: String,
    #[schema(example = "application/geopackage+sqlite3")]
    pub media_type: String,
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex (also in the version folder's `SHA256SUMS`).
    pub sha256: String,
    /// The OGC collection (`/v1/collections/{collection}`) of a boundary file.
    #[schema(example = json!(Division::Regso2025.id()))]
    pub collection: Option<String>,
    /// Absolute URL with the data version (`?v=`): immutable while that version is served.
    pub href: String,
}

#[derive(Serialize, ToSchema)]
pub struct DownloadList {
    pub data_version: String,
    pub synthetic: bool,
    /// When the files were written; null when the current version has no export yet.
    pub created: Option<DateTime<Utc>>,
    /// Why the list is empty, when it is.
    pub detail: Option<String>,
    pub downloads: Vec<Download>,
    pub links: Vec<Link>,
}

/// The bulk downloads' own `v`: a file of another version is a 404 (old files are not kept
/// under the current version's name), not the redirect of the resources built from the data.
const V: Param = Param::new("v", Accepts::Text)
    .doc(
        "The data version the URL was built for (the links carry it). The current version makes \
         a file immutable (`Cache-Control: public, max-age=31536000, immutable`); another version \
         is a 404 problem, since only the current version is served.",
    )
    .example("7f2ce05279f6");

#[derive(Debug)]
pub struct DownloadParams {
    pub v: Option<String>,
}

impl FromQuery for DownloadParams {
    fn from_query(r: &mut QueryReader, _req: &HttpRequest) -> Self {
        DownloadParams { v: r.take(&V) }
    }
}

documented!(DownloadParams);

/// The data version served now.
async fn current(state: &AppState) -> ApiResult<DataState> {
    match state.known_data_state() {
        Some(d) => Ok(d),
        None => Ok(state.refresh().await?),
    }
}

/// Refuses a `v` that names another data version than the current.
fn check_version(v: Option<&str>, data: &DataState) -> ApiResult<()> {
    match v {
        Some(v) if v != data.data_version => Err(ApiError::NotFound(format!(
            "data version {v:?} is not served; the current is {} (/v1/downloads lists its files)",
            data.data_version
        ))),
        _ => Ok(()),
    }
}

fn listing(base: &str, data: &DataState, index: Option<&Index>) -> DownloadList {
    let version = &data.data_version;
    DownloadList {
        data_version: version.clone(),
        synthetic: data.synthetic,
        created: index.map(|i| i.created),
        detail: index.is_none().then(|| {
            format!(
                "data version {version} has not been exported; run `segstat export` after an import"
            )
        }),
        downloads: index
            .map(|i| {
                i.files
                    .iter()
                    .map(|f| Download {
                        href: format!("{base}/v1/downloads/{}?v={version}", f.name),
                        name: f.name.clone(),
                        format: f.format.clone(),
                        media_type: f.media_type.clone(),
                        bytes: f.bytes,
                        sha256: f.sha256.clone(),
                        collection: f.collection.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        links: vec![
            Link::new(
                base,
                &format!("/v1/downloads?v={version}"),
                "self",
                "application/json",
                "the downloads of this data version",
            ),
            Link::new(
                base,
                "/v1/meta",
                "describedby",
                "application/json",
                "licence, citation and data version",
            ),
            crate::api::features::license_link(),
        ],
    }
}

/// The bulk downloads of the current data version: GeoPackage and FlatGeobuf per collection,
/// all values as zipped CSV (with the catalogue), area types and summaries as CSV, each with
/// its size and SHA-256.
#[utoipa::path(get, path = "/v1/downloads", tag = "downloads", params(DownloadParams),
    responses(
        (status = 200, description = "The files of the current data version; an empty list with a `detail` when it has not been exported.", body = DownloadList),
        (status = 404, description = "`v` names another data version.", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_downloads(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<DownloadParams>,
) -> ApiResult<HttpResponse> {
    let data = current(&state).await?;
    check_version(p.v.as_deref(), &data)?;
    let index = state.downloads(&data.data_version);
    let body = listing(&base_url(&req), &data, index.as_deref());
    // An export can appear for the version being served: the validator must change with it.
    let variant = format!(
        "json|{}",
        index.map_or("none".into(), |i| i.created.to_rfc3339())
    );
    let mut res = respond(
        &req,
        Source::Data(&data.data_version),
        Some(data.updated_at),
        Freshness::Public {
            max_age_secs: state.config.cache_max_age.as_secs(),
        },
        &variant,
        Representation::json(&body, None)?,
    );
    if data.synthetic {
        res.headers_mut().insert(
            header::HeaderName::from_static(DATA_SYNTHETIC_HEADER),
            HeaderValue::from_static("true"),
        );
    }
    Ok(res)
}

/// One file of the current data version's downloads, with Range requests and conditional
/// requests, as an attachment named `segstat-<data_version>-<name>`. Its `ETag` is its SHA-256
/// (as listed) and its `Last-Modified` the time its data version was made, so every server of
/// the version answers a revalidation alike.
#[utoipa::path(get, path = "/v1/downloads/{name}", tag = "downloads",
    params(("name" = String, Path, example = "regso-2025.gpkg"), DownloadParams),
    responses(
        (status = 200, description = "The file (`Content-Type` as listed).", content_type = "application/octet-stream", body = Vec<u8>,
         headers(("Cache-Control" = String, description = "`public, max-age=31536000, immutable` when `v` is the current data version"),
                 ("ETag" = String, description = "The file's SHA-256 in quotes (strong), as `/v1/downloads` lists it"),
                 ("Last-Modified" = String, description = "When the data version was made"),
                 ("Accept-Ranges" = String, description = "`bytes`"))),
        (status = 206, description = "The byte range asked for with `Range` (one; of several, the first), if `If-Range`, when sent, is this file's ETag. A `Range` that is not a byte range is ignored.", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 304, description = "The client's copy is current (`If-None-Match`, or `If-Modified-Since`)."),
        (status = 404, description = "No such file in the current data version's downloads, or `v` names another version.", body = crate::api_error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` or `If-Unmodified-Since` names another copy.", body = crate::api_error::Problem, content_type = "application/problem+json"),
        (status = 416, description = "The range lies outside the file (`Content-Range: bytes */<length>`).", body = crate::api_error::Problem, content_type = "application/problem+json")))]
pub async fn get_download(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(p): Query<DownloadParams>,
) -> ApiResult<HttpResponse> {
    let name = path.into_inner();
    let data = current(&state).await?;
    check_version(p.v.as_deref(), &data)?;
    let version = &data.data_version;
    let index = state.downloads(version).ok_or_else(|| {
        ApiError::NotFound(format!(
            "data version {version} has not been exported; /v1/downloads says so"
        ))
    })?;
    let entry = index.files.iter().find(|f| f.name == name).ok_or_else(|| {
        ApiError::NotFound(format!("no download {name:?}; /v1/downloads lists them"))
    })?;
    let file_path = state.config.downloads_dir.join(version).join(&entry.name);
    // Validators of the content, the same on every replica that exported this version: the
    // file's SHA-256 and the time the data version was made.
    let file = StoredFile {
        path: &file_path,
        // A SHA-256 (`export::index::read` checks), so a valid tag.
        etag: EntityTag::new_strong(entry.sha256.clone()),
        modified: data.updated_at.into(),
        content_type: &entry.media_type,
        disposition: ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!(
                "segstat-{version}-{name}"
            ))],
        },
    };
    let mut res = stored_file::respond(&req, file)
        .await
        .map_err(|e| ApiError::NotFound(format!("download {name:?} is not readable: {e}")))?;
    let cache_control = if p.v.as_deref() == Some(version.as_str()) {
        IMMUTABLE.to_owned()
    } else {
        format!("public, max-age={}", state.config.cache_max_age.as_secs())
    };
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&cache_control) {
        headers.insert(header::CACHE_CONTROL, v);
    }
    if let Ok(v) = HeaderValue::from_str(version) {
        headers.insert(header::HeaderName::from_static(DATA_VERSION_HEADER), v);
    }
    if data.synthetic {
        headers.insert(
            header::HeaderName::from_static(DATA_SYNTHETIC_HEADER),
            HeaderValue::from_static("true"),
        );
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> DataState {
        DataState {
            data_version: "abc".into(),
            synthetic: false,
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn only_the_current_version_or_none_is_accepted() {
        assert!(check_version(None, &data()).is_ok());
        assert!(check_version(Some("abc"), &data()).is_ok());
        assert!(matches!(
            check_version(Some("old"), &data()),
            Err(ApiError::NotFound(_))
        ));
    }

    #[test]
    fn without_an_export_the_list_is_empty_and_says_why() {
        let list = listing("http://h", &data(), None);
        assert!(list.downloads.is_empty());
        assert!(list.detail.is_some_and(|d| d.contains("segstat export")));
    }

    #[test]
    fn every_href_names_the_data_version() {
        let index = Index {
            data_version: "abc".into(),
            synthetic: false,
            created: Utc::now(),
            files: vec![crate::export::FileEntry {
                name: "lan.gpkg".into(),
                format: "gpkg".into(),
                media_type: "application/geopackage+sqlite3".into(),
                bytes: 1,
                sha256: "00".into(),
                collection: Some("counties".into()),
            }],
        };
        let list = listing("http://h", &data(), Some(&index));
        assert_eq!(
            list.downloads[0].href,
            "http://h/v1/downloads/lan.gpkg?v=abc"
        );
        assert!(list.detail.is_none());
    }
}
