//! Content negotiation: the response language (`lang` or `Accept-Language`) and format (`f` or
//! `Accept`).

use super::format::Format;
use super::param::{Accepts, Param};
use super::query::QueryReader;
use crate::api_error::ApiError;
use crate::domain::lang::Lang;
use actix_web::http::header;
use actix_web::HttpRequest;

/// `lang`, on every resource with labels or titles.
pub const LANG: Param = Param::new("lang", Accepts::OneOf(&[Lang::Sv.code(), Lang::En.code()]))
    .doc("Language of labels and titles; defaults to `Accept-Language`, then `sv`.");

/// `f` of a resource that answers only JSON.
pub const JSON_ONLY: Param = Param::new("f", Accepts::Formats(&[Format::Json]))
    .doc("Response format. Only `json` here; `Accept: application/json` does the same.")
    .example("json");

impl Lang {
    /// The language of a resource that answers only JSON: also reads `f` and `Accept`, and
    /// refuses (406) an `Accept` that admits no JSON.
    pub fn negotiate_json(reader: &mut QueryReader, req: &HttpRequest) -> Lang {
        let lang = Lang::negotiate(reader, req);
        if let Err(e) = Format::negotiate(reader, req, &JSON_ONLY) {
            reader.refuse(e);
        }
        lang
    }

    /// `lang=` wins; otherwise the best-weighted language of `Accept-Language` that we have;
    /// otherwise Swedish.
    pub fn negotiate(reader: &mut QueryReader, req: &HttpRequest) -> Lang {
        if let Some(raw) = reader.take(&LANG) {
            return match Lang::from_tag(&raw).filter(|l| l.code().len() == raw.trim().len()) {
                Some(lang) => lang,
                None => {
                    reader.fail("lang", format!("{raw:?} is not one of: sv, en"));
                    Lang::default()
                }
            };
        }
        let Some(accept) = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|h| h.to_str().ok())
        else {
            return Lang::default();
        };
        weighted(accept)
            .into_iter()
            .find_map(|(tag, _)| Lang::from_tag(tag))
            .unwrap_or_default()
    }
}

/// The items of an `Accept`-style header, best first, without those weighted q=0.
fn weighted(header: &str) -> Vec<(&str, f32)> {
    let mut items: Vec<(&str, f32)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let value = parts.next()?.trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (!value.is_empty() && q > 0.0).then_some((value, q))
        })
        .collect();
    // A stable sort keeps the client's order among equal weights.
    items.sort_by(|a, b| b.1.total_cmp(&a.1));
    items
}

impl Format {
    /// `f=` wins; otherwise the best `Accept` range we can serve; otherwise the first offered.
    /// `f` declares the formats offered ([`Accepts::Formats`]). An `Accept` header that admits
    /// none of them is a 406.
    pub fn negotiate(
        reader: &mut QueryReader,
        req: &HttpRequest,
        f: &'static Param,
    ) -> Result<Format, ApiError> {
        let offered = f.formats();
        let names = || {
            offered
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(raw) = reader.take(f) {
            // Exactly as documented: the spec's enum is what is accepted.
            return match offered.iter().find(|f| f.name() == raw) {
                Some(&f) => Ok(f),
                None => {
                    reader.fail(f.name, format!("{raw:?} is not one of: {}", names()));
                    Ok(Format::first(offered))
                }
            };
        }
        Format::from_accept(req, offered)
    }

    /// The best `Accept` range we can serve; the first offered without one. An `Accept` that
    /// admits none of `offered` is a 406 listing each media type once.
    pub fn from_accept(req: &HttpRequest, offered: &[Format]) -> Result<Format, ApiError> {
        let Some(accept) = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|h| h.to_str().ok())
            .filter(|a| !a.trim().is_empty())
        else {
            return Ok(Format::first(offered));
        };
        weighted(accept)
            .into_iter()
            .find_map(|(range, _)| offered.iter().copied().find(|f| f.matches(range)))
            .ok_or_else(|| {
                let mut types: Vec<&str> = Vec::new();
                for t in offered.iter().map(|f| f.media_type()) {
                    if !types.contains(&t) {
                        types.push(t);
                    }
                }
                ApiError::NotAcceptable {
                    available: types.join(", "),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    const JSON_OR_CSV: Param = Param::new("f", Accepts::Formats(&[Format::Json, Format::Csv]));

    fn lang(query: &str, accept: Option<&str>) -> (Lang, Result<(), ApiError>) {
        let mut req = TestRequest::default();
        if let Some(a) = accept {
            req = req.insert_header((header::ACCEPT_LANGUAGE, a));
        }
        let req = req.to_http_request();
        let mut r = QueryReader::parse(query).unwrap();
        let l = Lang::negotiate(&mut r, &req);
        (l, r.finish())
    }

    #[test]
    fn language_from_parameter_header_or_default() {
        assert_eq!(lang("lang=en", Some("sv")).0, Lang::En);
        assert_eq!(lang("", Some("de-DE, en-GB;q=0.8, sv;q=0.5")).0, Lang::En);
        assert_eq!(lang("", Some("en;q=0.2, sv-SE;q=0.9")).0, Lang::Sv);
        assert_eq!(lang("", Some("fi")).0, Lang::Sv);
        assert_eq!(lang("", None).0, Lang::Sv);
        assert_eq!(lang("", Some("en;q=0")).0, Lang::Sv);
    }

    #[test]
    fn unknown_language_parameter_is_an_error() {
        assert!(lang("lang=de", None).1.is_err());
        assert!(lang("lang=english", None).1.is_err());
    }

    fn format(query: &str, accept: Option<&str>) -> Result<Format, ApiError> {
        let mut req = TestRequest::default();
        if let Some(a) = accept {
            req = req.insert_header((header::ACCEPT, a));
        }
        let req = req.to_http_request();
        let mut r = QueryReader::parse(query).unwrap();
        let f = Format::negotiate(&mut r, &req, &JSON_OR_CSV)?;
        r.finish().map(|()| f)
    }

    #[test]
    fn format_from_parameter_or_accept() {
        assert_eq!(
            format("f=csv", Some("application/json")).unwrap(),
            Format::Csv
        );
        assert_eq!(format("", Some("text/csv")).unwrap(), Format::Csv);
        assert_eq!(
            format("", Some("text/*;q=0.5, application/json")).unwrap(),
            Format::Json
        );
        assert_eq!(format("", Some("*/*")).unwrap(), Format::Json);
        assert_eq!(format("", None).unwrap(), Format::Json);
    }

    #[test]
    fn unservable_accept_is_406_and_bad_f_is_400() {
        assert!(matches!(
            format("", Some("application/xml")),
            Err(ApiError::NotAcceptable { .. })
        ));
        assert!(matches!(
            format("f=xml", None),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            format("f=CSV", None),
            Err(ApiError::BadRequest(_))
        ));
    }

    fn accept(value: Option<&str>, offered: &[Format]) -> Result<Format, ApiError> {
        let mut req = TestRequest::default();
        if let Some(a) = value {
            req = req.insert_header((header::ACCEPT, a));
        }
        Format::from_accept(&req.to_http_request(), offered)
    }

    #[test]
    fn tiles_answer_their_media_types_and_406_lists_each_type_once() {
        for ok in [
            None,
            Some("*/*"),
            Some("application/vnd.mapbox-vector-tile"),
            Some("application/x-protobuf"),
        ] {
            assert_eq!(accept(ok, &[Format::Mvt]).unwrap(), Format::Mvt, "{ok:?}");
        }
        assert!(accept(Some("application/json"), &[Format::Mvt]).is_err());
        let Err(ApiError::NotAcceptable { available }) = accept(
            Some("application/xml"),
            &[Format::Json, Format::Csv, Format::JsonStat],
        ) else {
            panic!()
        };
        assert_eq!(available, "application/json, text/csv; charset=utf-8");
    }
}
