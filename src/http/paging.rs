//! Lists: `limit`/`offset` with documented bounds, and `self`/`next`/`prev` links that keep
//! every other parameter of the request.

use serde::Serialize;
use utoipa::ToSchema;

use super::links::{Link, RequestUrl};
use super::param::{Accepts, Param};
use super::query::QueryReader;
use crate::limits::{DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

/// `limit` of a list: 1 to [`MAX_LIMIT`].
pub const LIMIT: Param = Param::new(
    "limit",
    Accepts::Integer {
        min: 1,
        max: MAX_LIMIT,
    },
)
// The numbers in the text are the constants': a test holds them to it.
.doc("Page size, 1–10000 (default 100).");
/// `limit` of an OGC API – Features list: above the maximum is lowered to it, as OGC API –
/// Features (Part 1 §7.15.3) lets a server do; below 1 is still refused. The `next` link then
/// pages by the maximum.
pub const CLAMPED_LIMIT: Param = Param::new(
    "limit",
    Accepts::Clamped {
        min: 1,
        max: MAX_LIMIT,
    },
)
.doc("Features per page (default 100); above 10000 is lowered to 10000.");
/// `offset` of a list: 0 to [`MAX_OFFSET`].
pub const OFFSET: Param = Param::new(
    "offset",
    Accepts::Integer {
        min: 0,
        max: MAX_OFFSET,
    },
)
.doc("Items to skip, 0–100000.");

impl Paging {
    /// [`LIMIT`] and [`OFFSET`].
    pub fn read(r: &mut QueryReader) -> Paging {
        Paging::read_as(r, &LIMIT, &OFFSET, DEFAULT_LIMIT)
    }

    /// [`CLAMPED_LIMIT`] and [`OFFSET`].
    pub fn read_clamped(r: &mut QueryReader) -> Paging {
        Paging::read_as(r, &CLAMPED_LIMIT, &OFFSET, DEFAULT_LIMIT)
    }

    /// A list's own `limit` and `offset` declarations, and its default page size.
    pub fn read_as(
        r: &mut QueryReader,
        limit: &'static Param,
        offset: &'static Param,
        default: i64,
    ) -> Paging {
        Paging {
            limit: r.integer(limit).unwrap_or(default),
            offset: r.integer(offset).unwrap_or(0),
        }
    }
}

/// The paging members of a list response, named as OGC API – Features names them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageInfo {
    #[serde(rename = "numberMatched")]
    pub number_matched: i64,
    #[serde(rename = "numberReturned")]
    pub number_returned: i64,
    pub links: Vec<Link>,
}

/// The request's URL with `offset` replaced (and every other parameter kept as given).
fn with_offset(req: &RequestUrl, offset: i64) -> String {
    let mut parts: Vec<String> = req
        .query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("offset="))
        .map(str::to_owned)
        .collect();
    if offset > 0 {
        parts.push(format!("offset={offset}"));
    }
    let query = if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    };
    format!("{}{}{query}", req.base, req.path)
}

pub fn page_info(
    req: &RequestUrl,
    paging: Paging,
    matched: i64,
    returned: i64,
    media_type: &'static str,
) -> PageInfo {
    let mut links = vec![Link {
        href: req.full(),
        rel: "self",
        media_type,
        title: "this page".into(),
    }];
    if paging.offset + returned < matched {
        links.push(Link {
            href: with_offset(req, paging.offset + paging.limit),
            rel: "next",
            media_type,
            title: "next page".into(),
        });
    }
    if paging.offset > 0 {
        links.push(Link {
            href: with_offset(req, (paging.offset - paging.limit).max(0)),
            rel: "prev",
            media_type,
            title: "previous page".into(),
        });
    }
    PageInfo {
        number_matched: matched,
        number_returned: returned,
        links,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn limits_are_bounded_and_named() {
        assert_eq!(
            LIMIT.doc,
            Some(format!("Page size, 1–{MAX_LIMIT} (default {DEFAULT_LIMIT}).").as_str())
        );
        assert_eq!(
            OFFSET.doc,
            Some(format!("Items to skip, 0–{MAX_OFFSET}.").as_str())
        );
        assert_eq!(
            CLAMPED_LIMIT.doc,
            Some(format!("Features per page (default {DEFAULT_LIMIT}); above {MAX_LIMIT} is lowered to {MAX_LIMIT}.").as_str())
        );
        let mut r = QueryReader::parse("limit=1000000000&offset=-1").unwrap();
        Paging::read(&mut r);
        let Err(crate::api_error::ApiError::BadRequest(errors)) = r.finish() else {
            panic!()
        };
        let names: Vec<_> = errors.iter().map(|e| e.parameter.as_str()).collect();
        assert_eq!(names, ["limit", "offset"]);
        let mut ok = QueryReader::parse("limit=10000").unwrap();
        assert_eq!(
            Paging::read(&mut ok),
            Paging {
                limit: 10_000,
                offset: 0
            }
        );
    }

    #[test]
    fn next_and_prev_keep_the_other_parameters() {
        let req = RequestUrl::of(
            &TestRequest::with_uri("/v1/areas?level=regso&limit=10&offset=10").to_http_request(),
        );
        let info = page_info(
            &req,
            Paging {
                limit: 10,
                offset: 10,
            },
            25,
            10,
            "application/json",
        );
        let href = |rel: &str| {
            info.links
                .iter()
                .find(|l| l.rel == rel)
                .map(|l| l.href.clone())
        };
        assert_eq!(
            href("next").unwrap(),
            "http://localhost:8080/v1/areas?level=regso&limit=10&offset=20"
        );
        assert_eq!(
            href("prev").unwrap(),
            "http://localhost:8080/v1/areas?level=regso&limit=10"
        );
        let last = page_info(
            &req,
            Paging {
                limit: 10,
                offset: 20,
            },
            25,
            5,
            "application/json",
        );
        assert!(last.links.iter().all(|l| l.rel != "next"));
    }
}
