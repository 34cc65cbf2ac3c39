//! Lists: `limit`/`offset` with documented bounds, and `self`/`next`/`prev` links that keep
//! every other parameter of the request.

use serde::Serialize;
use utoipa::ToSchema;

use super::links::{Link, RequestUrl};
use super::query::QueryReader;
use crate::limits::{DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

impl Paging {
    pub fn read(r: &mut QueryReader) -> Paging {
        Paging::read_with(r, false)
    }

    /// As [`Paging::read`], but a `limit` above the maximum is lowered to it rather than
    /// refused, as OGC API – Features (Part 1 §7.15.3) lets a server do; below 1 is still
    /// refused. The `next` link then pages by the maximum.
    pub fn read_clamped(r: &mut QueryReader) -> Paging {
        Paging::read_with(r, true)
    }

    fn read_with(r: &mut QueryReader, clamp: bool) -> Paging {
        let limit = r
            .parse_as::<i64>("limit", &format!("a whole number from 1 to {MAX_LIMIT}"))
            .map(|l| {
                if (1..=MAX_LIMIT).contains(&l) {
                    l
                } else if clamp && l > MAX_LIMIT {
                    MAX_LIMIT
                } else {
                    r.fail(
                        "limit",
                        format!("{l} is outside 1–{MAX_LIMIT} (the maximum page size)"),
                    );
                    DEFAULT_LIMIT
                }
            })
            .unwrap_or(DEFAULT_LIMIT);
        let offset = r
            .parse_as::<i64>("offset", &format!("a whole number from 0 to {MAX_OFFSET}"))
            .map(|o| {
                if (0..=MAX_OFFSET).contains(&o) {
                    o
                } else {
                    r.fail("offset", format!("{o} is outside 0–{MAX_OFFSET}"));
                    0
                }
            })
            .unwrap_or(0);
        Paging { limit, offset }
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
        let mut r = QueryReader::parse("limit=1000000000&offset=-1").unwrap();
        Paging::read(&mut r);
        let Err(crate::Error::BadRequest(errors)) = r.finish() else {
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
