//! A stored file (a bulk download) served under validators of its content, not of its copy on
//! this disk: the `ETag` is the file's SHA-256 and `Last-Modified` the time its data version was
//! made. Every replica that exported the version (or holds a synced copy) then answers a
//! revalidation the same way; a file system's tag (inode, size, mtime) differs on each.
//!
//! Conditional requests follow RFC 9110 §13.2.2 (`If-Match`, `If-Unmodified-Since`,
//! `If-None-Match`, `If-Modified-Since`, in that order), and one byte range of a GET is served as
//! 206 when `If-Range`, if sent, is this file's ETag (§13.1.5, §14). A date in `If-Range` is not
//! enough: two builds may write a version's file with different bytes (a writer's name and
//! version in its metadata) under the same `Last-Modified`, and a part of one must never be
//! completed from the other. Several ranges get the first, as before; a `Range` that is not a
//! byte range is ignored (§14.2); one that misses the file is a 416.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::body::SizedStream;
use actix_web::http::header::{
    self, ContentDisposition, EntityTag, Header, HttpDate, IfMatch, IfModifiedSince, IfNoneMatch,
    IfRange, IfUnmodifiedSince,
};
use actix_web::http::{Method, StatusCode};
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::stream::{self, Stream, StreamExt};
use http_range::{HttpRange, HttpRangeParseError};

/// Bytes read from disk at a time.
const CHUNK: usize = 256 * 1024;

/// What a request for a stored file gets.
#[derive(Debug, PartialEq)]
pub enum Answer {
    Full,
    /// One byte range: its first byte and length.
    Part {
        start: u64,
        length: u64,
    },
    NotModified,
    PreconditionFailed,
    /// A byte range that misses the file (or selects no byte of it).
    Unsatisfiable,
}

/// The answer to `req` for a file of `size` bytes with validators `etag` and `modified`.
pub fn answer(req: &HttpRequest, etag: &EntityTag, modified: SystemTime, size: u64) -> Answer {
    let modified = seconds(modified);
    let date = |d: HttpDate| seconds(d.into());
    let has = |name| req.headers().contains_key(name);
    // §13.2.2 steps 1–2: the client's copy must be this one.
    if has(header::IF_MATCH) {
        if let Ok(IfMatch::Items(items)) = IfMatch::parse(req) {
            if !items.iter().any(|t| t.strong_eq(etag)) {
                return Answer::PreconditionFailed;
            }
        }
    } else if let Ok(IfUnmodifiedSince(since)) = IfUnmodifiedSince::parse(req) {
        if modified > date(since) {
            return Answer::PreconditionFailed;
        }
    }
    // Steps 3–4: the client's copy is current.
    if has(header::IF_NONE_MATCH) {
        match IfNoneMatch::parse(req) {
            Ok(IfNoneMatch::Any) => return Answer::NotModified,
            Ok(IfNoneMatch::Items(items)) if items.iter().any(|t| t.weak_eq(etag)) => {
                return Answer::NotModified;
            }
            _ => {}
        }
    } else if let Ok(IfModifiedSince(since)) = IfModifiedSince::parse(req) {
        if modified <= date(since) {
            return Answer::NotModified;
        }
    }
    // Step 5: a range of a GET, if the client's part is of this file.
    let Some(range) = req.headers().get(header::RANGE) else {
        return Answer::Full;
    };
    if req.method() != Method::GET {
        return Answer::Full;
    }
    let same_file = !has(header::IF_RANGE)
        || matches!(IfRange::parse(req), Ok(IfRange::EntityTag(tag)) if tag.strong_eq(etag));
    if !same_file {
        return Answer::Full;
    }
    match HttpRange::parse_bytes(range.as_bytes(), size) {
        Ok(ranges) => match ranges.first() {
            Some(r) if r.length > 0 => Answer::Part {
                start: r.start,
                length: r.length,
            },
            Some(_) => Answer::Unsatisfiable,
            None => Answer::Full,
        },
        Err(HttpRangeParseError::NoOverlap) => Answer::Unsatisfiable,
        // Another unit, or not a range at all: ignored.
        Err(HttpRangeParseError::InvalidRange) => Answer::Full,
    }
}

/// Whole seconds since the epoch: HTTP dates carry no more.
fn seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

/// What is served and how it is labelled.
pub struct StoredFile<'a> {
    pub path: &'a Path,
    pub etag: EntityTag,
    pub modified: SystemTime,
    pub content_type: &'a str,
    pub disposition: ContentDisposition,
}

/// The response to `req` for `file`, its body streamed from disk. Served as stored: compressing
/// on the fly would cost CPU per request and break byte ranges.
pub async fn respond(req: &HttpRequest, file: StoredFile<'_>) -> io::Result<HttpResponse> {
    let path = file.path.to_owned();
    let (handle, size) = web::block(move || -> io::Result<(File, u64)> {
        let handle = File::open(&path)?;
        let size = handle.metadata()?.len();
        Ok((handle, size))
    })
    .await
    .map_err(io::Error::other)??;
    let answer = answer(req, &file.etag, file.modified, size);
    let status = match answer {
        Answer::Full => StatusCode::OK,
        Answer::Part { .. } => StatusCode::PARTIAL_CONTENT,
        Answer::NotModified => StatusCode::NOT_MODIFIED,
        Answer::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
        Answer::Unsatisfiable => StatusCode::RANGE_NOT_SATISFIABLE,
    };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, file.etag.to_string()))
        .insert_header((
            header::LAST_MODIFIED,
            HttpDate::from(file.modified).to_string(),
        ))
        .insert_header((header::ACCEPT_RANGES, "bytes"));
    let (start, length) = match answer {
        Answer::NotModified | Answer::PreconditionFailed => return Ok(res.finish()),
        Answer::Unsatisfiable => {
            return Ok(res
                .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                .finish())
        }
        Answer::Full => (0, size),
        Answer::Part { start, length } => {
            let last = start + length - 1;
            res.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {start}-{last}/{size}"),
            ));
            (start, length)
        }
    };
    res.insert_header((header::CONTENT_TYPE, file.content_type))
        .insert_header((header::CONTENT_DISPOSITION, file.disposition.to_string()))
        // Marks the body as final for the compression middleware.
        .insert_header((header::CONTENT_ENCODING, "identity"));
    // A HEAD answer carries the length but no body: nothing is read.
    let body = if req.method() == Method::HEAD {
        stream::empty().boxed_local()
    } else {
        chunks(handle, start, length).boxed_local()
    };
    Ok(res.body(SizedStream::new(length, body)))
}

/// `length` bytes of `file` from `start`, read on the blocking pool a chunk at a time.
fn chunks(file: File, start: u64, length: u64) -> impl Stream<Item = io::Result<Bytes>> {
    stream::try_unfold(
        (file, start, length),
        |(mut file, at, remaining)| async move {
            if remaining == 0 {
                return Ok(None);
            }
            let want = usize::try_from(remaining).map_or(CHUNK, |r| r.min(CHUNK));
            let (file, buf) = web::block(move || -> io::Result<(File, Vec<u8>)> {
                file.seek(SeekFrom::Start(at))?;
                let mut buf = vec![0; want];
                file.read_exact(&mut buf)?;
                Ok((file, buf))
            })
            .await
            .map_err(io::Error::other)??;
            let read = crate::convert::u64_from_usize(buf.len());
            Ok(Some((
                Bytes::from(buf),
                (file, at + read, remaining - read),
            )))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    const SIZE: u64 = 10_000;

    fn tag() -> EntityTag {
        EntityTag::new_strong("abc".into())
    }

    fn modified() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    fn date(t: SystemTime) -> String {
        HttpDate::from(t).to_string()
    }

    fn asked(headers: &[(&str, &str)]) -> Answer {
        let mut req = TestRequest::get();
        for &(k, v) in headers {
            req = req.insert_header((k, v));
        }
        answer(&req.to_http_request(), &tag(), modified(), SIZE)
    }

    #[test]
    fn a_plain_request_gets_the_whole_file() {
        assert_eq!(asked(&[]), Answer::Full);
    }

    #[test]
    fn the_clients_copy_is_current_by_tag_or_date() {
        assert_eq!(asked(&[("If-None-Match", "\"abc\"")]), Answer::NotModified);
        assert_eq!(
            asked(&[("If-None-Match", "W/\"abc\"")]),
            Answer::NotModified
        );
        assert_eq!(
            asked(&[("If-None-Match", "\"x\", \"abc\"")]),
            Answer::NotModified
        );
        assert_eq!(asked(&[("If-None-Match", "*")]), Answer::NotModified);
        assert_eq!(asked(&[("If-None-Match", "\"old\"")]), Answer::Full);
        let same = date(modified());
        let earlier = date(modified() - Duration::from_secs(60));
        assert_eq!(asked(&[("If-Modified-Since", &same)]), Answer::NotModified);
        assert_eq!(asked(&[("If-Modified-Since", &earlier)]), Answer::Full);
        // A tag outranks a date (§13.1.3).
        assert_eq!(
            asked(&[("If-None-Match", "\"old\""), ("If-Modified-Since", &same)]),
            Answer::Full
        );
    }

    #[test]
    fn preconditions_fail_on_another_copy() {
        assert_eq!(
            asked(&[("If-Match", "\"old\"")]),
            Answer::PreconditionFailed
        );
        // If-Match compares strongly.
        assert_eq!(
            asked(&[("If-Match", "W/\"abc\"")]),
            Answer::PreconditionFailed
        );
        assert_eq!(asked(&[("If-Match", "\"abc\"")]), Answer::Full);
        assert_eq!(asked(&[("If-Match", "*")]), Answer::Full);
        let earlier = date(modified() - Duration::from_secs(60));
        assert_eq!(
            asked(&[("If-Unmodified-Since", &earlier)]),
            Answer::PreconditionFailed
        );
        assert_eq!(
            asked(&[("If-Unmodified-Since", &date(modified()))]),
            Answer::Full
        );
        // If-Match decides; If-Unmodified-Since is then ignored (§13.2.2 step 2).
        assert_eq!(
            asked(&[("If-Match", "\"abc\""), ("If-Unmodified-Since", &earlier)]),
            Answer::Full
        );
    }

    #[test]
    fn a_range_is_served_while_if_range_names_this_file() {
        let part = Answer::Part {
            start: 100,
            length: 100,
        };
        assert_eq!(asked(&[("Range", "bytes=100-199")]), part);
        assert_eq!(
            asked(&[("Range", "bytes=100-199"), ("If-Range", "\"abc\"")]),
            part
        );
        // A date is not enough to resume (see the module's doc), nor is a weak tag.
        assert_eq!(
            asked(&[("Range", "bytes=100-199"), ("If-Range", &date(modified()))]),
            Answer::Full
        );
        // The client's part is of another file: the whole new one.
        assert_eq!(
            asked(&[("Range", "bytes=100-199"), ("If-Range", "\"old\"")]),
            Answer::Full
        );
        assert_eq!(
            asked(&[("Range", "bytes=100-199"), ("If-Range", "W/\"abc\"")]),
            Answer::Full
        );
        assert_eq!(
            asked(&[("Range", "bytes=-10")]),
            Answer::Part {
                start: SIZE - 10,
                length: 10
            }
        );
        assert_eq!(asked(&[("Range", "bytes=20000-")]), Answer::Unsatisfiable);
        // Not a byte range: ignored (RFC 9110 §14.2).
        assert_eq!(asked(&[("Range", "pages=1")]), Answer::Full);
        assert_eq!(asked(&[("Range", "")]), Answer::Full);
        assert_eq!(asked(&[("Range", "bytes=x-y")]), Answer::Full);
    }

    #[test]
    fn head_gets_no_range() {
        let req = TestRequest::default()
            .method(Method::HEAD)
            .insert_header(("Range", "bytes=100-199"))
            .to_http_request();
        assert_eq!(answer(&req, &tag(), modified(), SIZE), Answer::Full);
    }

    #[test]
    fn an_empty_file_has_no_range_to_serve() {
        let req = |range| {
            TestRequest::get()
                .insert_header(("Range", range))
                .to_http_request()
        };
        for range in ["bytes=0-", "bytes=-5", "bytes=0-0"] {
            assert_eq!(
                answer(&req(range), &tag(), modified(), 0),
                Answer::Unsatisfiable,
                "{range}"
            );
        }
    }
}
