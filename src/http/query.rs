//! Query-string parsing that reports every bad parameter at once, by name.
//!
//! serde stops at the first error and cannot name an unknown parameter, so endpoints read their
//! parameters through a [`QueryReader`] instead: each read marks the parameter as known and
//! records any problem; [`Query`] then answers 400 with the whole list, unknown parameters
//! included (OGC API – Features requires that).

use std::future::ready;
use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use percent_encoding::percent_decode_str;

use crate::error::{Error, ParamError};
use crate::limits::MAX_QUERY_PARAMS;

pub struct QueryReader {
    pairs: Vec<(String, String)>,
    used: Vec<bool>,
    asked: Vec<&'static str>,
    errors: Vec<ParamError>,
    refusal: Option<Error>,
}

fn decode(part: &str) -> Option<String> {
    let spaced = part.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// True when `s` holds a C0 control character (U+0000–U+001F).
fn has_control(s: &str) -> bool {
    s.chars().any(|c| c < '\u{20}')
}

impl QueryReader {
    pub fn parse(raw: &str) -> Result<QueryReader, Error> {
        let mut pairs = Vec::new();
        let mut errors = Vec::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            match (decode(key), decode(value)) {
                // PostgreSQL refuses NUL in text, and no parameter has a use for a control
                // character: refuse them here, once, rather than in every query.
                (Some(k), Some(v)) if has_control(&k) || has_control(&v) => {
                    errors.push(ParamError::new(
                        k.replace(|c: char| c < '\u{20}', "\u{fffd}"),
                        "contains a control character (U+0000–U+001F), which no parameter accepts",
                    ))
                }
                (Some(k), Some(v)) => pairs.push((k, v)),
                (k, _) => errors.push(ParamError::new(
                    k.unwrap_or_else(|| key.to_owned()),
                    "is not valid percent-encoded UTF-8",
                )),
            }
        }
        if pairs.len() > MAX_QUERY_PARAMS {
            return Err(Error::bad_param(
                "query",
                format!(
                    "{} parameters given; the limit is {MAX_QUERY_PARAMS}",
                    pairs.len()
                ),
            ));
        }
        Ok(QueryReader {
            used: vec![false; pairs.len()],
            pairs,
            asked: Vec::new(),
            errors,
            refusal: None,
        })
    }

    /// The value of `name`, if given. A parameter given twice is an error: lists are
    /// comma-separated, and silently taking one of two values would hide a client's bug.
    pub fn take(&mut self, name: &'static str) -> Option<String> {
        self.asked.push(name);
        let mut found: Option<String> = None;
        let mut repeated = false;
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if k == name {
                self.used[i] = true;
                repeated |= found.is_some();
                found.get_or_insert_with(|| v.clone());
            }
        }
        if repeated {
            self.fail(
                name,
                "is given more than once; give one value, or a comma-separated list",
            );
            return None;
        }
        found
    }

    /// True when `name` is given, without reading it.
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// `name` parsed as `T`; on failure records `expected` as the reason.
    pub fn parse_as<T: FromStr>(&mut self, name: &'static str, expected: &str) -> Option<T> {
        let raw = self.take(name)?;
        match raw.trim().parse::<T>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.fail(name, format!("{raw:?} is not {expected}"));
                None
            }
        }
    }

    /// True when one of `names` already has an error recorded.
    pub fn has_errors_for(&self, names: &[&str]) -> bool {
        self.errors
            .iter()
            .any(|e| names.contains(&e.parameter.as_str()))
    }

    pub fn fail(&mut self, name: &str, detail: impl Into<String>) {
        self.errors.push(ParamError::new(name, detail));
    }

    /// Records an error that is not about one parameter, such as an `Accept` header that
    /// admits nothing we produce (406). Bad parameters, if any, are reported first.
    pub fn refuse(&mut self, err: Error) {
        self.refusal.get_or_insert(err);
    }

    /// Ends the reading: any parameter no one asked for is unknown.
    pub fn finish(mut self) -> Result<(), Error> {
        let mut accepted = self.asked.clone();
        accepted.sort_unstable();
        accepted.dedup();
        for (i, (k, _)) in self.pairs.iter().enumerate() {
            if !self.used[i] && !self.errors.iter().any(|e| &e.parameter == k) {
                let detail = if accepted.is_empty() {
                    "is not a parameter of this resource, which takes none".to_owned()
                } else {
                    format!(
                        "is not a parameter of this resource; it accepts: {}",
                        accepted.join(", ")
                    )
                };
                self.errors.push(ParamError::new(k.clone(), detail));
            }
        }
        match (self.errors.is_empty(), self.refusal) {
            (false, _) => Err(Error::BadRequest(self.errors)),
            (true, Some(err)) => Err(err),
            (true, None) => Ok(()),
        }
    }
}

/// The parameters of one endpoint, read from the query string (and the request's headers, for
/// negotiated values such as the language).
pub trait FromQuery: Sized {
    fn from_query(reader: &mut QueryReader, req: &HttpRequest) -> Self;
}

/// An endpoint that takes no parameters still refuses unknown ones.
impl FromQuery for () {
    fn from_query(_: &mut QueryReader, _: &HttpRequest) {}
}

/// Extractor: the endpoint's parameters, or a 400 listing every bad one.
pub struct Query<T>(pub T);

impl<T: FromQuery + 'static> FromRequest for Query<T> {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let read = QueryReader::parse(req.query_string()).and_then(|mut reader| {
            let params = T::from_query(&mut reader, req);
            // Every resource built from the data also takes the data version.
            let version = if req.app_data::<super::version::Versioned>().is_some() {
                super::version::read(&mut reader)
            } else {
                None
            };
            reader.finish().map(|()| (params, version))
        });
        // A valid `v` is checked against the data served when the body is built
        // (`conditional::data_response_as`), after the handler's own checks of its path.
        Box::pin(ready(read.map(|(params, _)| Query(params))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad_params(err: Error) -> Vec<String> {
        match err {
            Error::BadRequest(list) => list.into_iter().map(|e| e.parameter).collect(),
            other => panic!("expected 400, got {other:?}"),
        }
    }

    #[test]
    fn decodes_plus_and_percent() {
        let mut r = QueryReader::parse("q=malm%C3%B6+stad&limit=5").unwrap();
        assert_eq!(r.take("q").as_deref(), Some("malmö stad"));
        assert_eq!(r.parse_as::<u32>("limit", "a number"), Some(5));
        r.finish().unwrap();
    }

    #[test]
    fn reports_every_problem_at_once() {
        let mut r = QueryReader::parse("limit=x&lang=sv&lang=en&bogus=1").unwrap();
        assert_eq!(r.parse_as::<u32>("limit", "a number"), None);
        assert_eq!(r.take("lang"), None);
        let mut names = bad_params(r.finish().unwrap_err());
        names.sort();
        assert_eq!(names, ["bogus", "lang", "limit"]);
    }

    #[test]
    fn invalid_utf8_names_the_parameter() {
        let err = QueryReader::parse("q=%FF%FE")
            .and_then(|mut r| {
                r.take("q");
                r.finish()
            })
            .unwrap_err();
        assert_eq!(bad_params(err), ["q"]);
    }

    #[test]
    fn control_characters_are_refused_by_name() {
        let err = QueryReader::parse("q=a%00b&limit=%0A5")
            .and_then(|mut r| {
                r.take("q");
                r.take("limit");
                r.finish()
            })
            .unwrap_err();
        assert_eq!(bad_params(err), ["q", "limit"]);
        let err = QueryReader::parse("a%01=1")
            .and_then(|r| r.finish())
            .unwrap_err();
        assert_eq!(bad_params(err), ["a\u{fffd}"]);
    }

    #[test]
    fn unknown_parameters_list_the_accepted_ones() {
        let mut r = QueryReader::parse("lnag=en").unwrap();
        r.take("lang");
        let Error::BadRequest(errors) = r.finish().unwrap_err() else {
            panic!()
        };
        assert_eq!(errors[0].parameter, "lnag");
        assert!(errors[0].detail.contains("lang"));
    }

    #[test]
    fn too_many_parameters_are_refused_before_parsing_values() {
        let raw = (0..=MAX_QUERY_PARAMS)
            .map(|i| format!("p{i}=1"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(
            bad_params(QueryReader::parse(&raw).err().unwrap()),
            ["query"]
        );
    }
}
