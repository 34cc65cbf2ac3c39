//! Query-string parsing that reports every bad parameter at once, by name.
//!
//! serde stops at the first error and cannot name an unknown parameter, so endpoints read their
//! parameters through a [`QueryReader`] instead: each read of a declared [`Param`] marks it as
//! known and records any problem; [`Query`] then answers 400 with the whole list, unknown
//! parameters included (OGC API – Features requires that). The same reads describe the
//! parameters in the OpenAPI document ([`super::param`]).

use std::future::ready;
use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use percent_encoding::percent_decode_str;

use super::param::{Accepts, Param};
use super::version::{self, Versioned};
use crate::api_error::{ApiError, ParamError};
use crate::limits::MAX_QUERY_PARAMS;
use utoipa::openapi::path::Parameter;

pub struct QueryReader {
    pairs: Vec<(String, String)>,
    used: Vec<bool>,
    asked: Vec<&'static Param>,
    errors: Vec<ParamError>,
    refusal: Option<ApiError>,
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
    /// A reader of the empty query: what [`super::param::declared`] reads the declarations with.
    pub fn empty() -> QueryReader {
        QueryReader {
            pairs: Vec::new(),
            used: Vec::new(),
            asked: Vec::new(),
            errors: Vec::new(),
            refusal: None,
        }
    }

    pub fn parse(raw: &str) -> Result<QueryReader, ApiError> {
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
            return Err(ApiError::bad_param(
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

    /// The value of `param`, if given. A parameter given twice is an error: lists are
    /// comma-separated, and silently taking one of two values would hide a client's bug.
    pub fn take(&mut self, param: &'static Param) -> Option<String> {
        if !self.asked.iter().any(|p| p.name == param.name) {
            self.asked.push(param);
        }
        let name = param.name;
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

    /// The parameters read so far, each once, in the order first read.
    pub fn declared(&self) -> &[&'static Param] {
        &self.asked
    }

    /// A whole number within the declared bounds ([`Accepts::Integer`], or
    /// [`Accepts::Clamped`], which lowers a number above its maximum to it).
    pub fn integer(&mut self, param: &'static Param) -> Option<i64> {
        let (min, max, clamp) = match param.accepts {
            Accepts::Integer { min, max } => (min, max, false),
            Accepts::Clamped { min, max } => (min, max, true),
            _ => (i64::MIN, i64::MAX, false),
        };
        let raw = self.take(param)?;
        match raw.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            Ok(n) if clamp && n > max => Some(max),
            Ok(n) => {
                self.fail(param.name, format!("{n} is outside {min}–{max}"));
                None
            }
            Err(_) => {
                self.fail(
                    param.name,
                    format!("{raw:?} is not a whole number from {min} to {max}"),
                );
                None
            }
        }
    }

    /// [`QueryReader::integer`] as the type the endpoint keeps it in; the declared bounds must
    /// fit that type (a number that does not is refused as out of range).
    pub fn integer_as<T: TryFrom<i64>>(&mut self, param: &'static Param) -> Option<T> {
        let n = self.integer(param)?;
        let converted = T::try_from(n).ok();
        if converted.is_none() {
            self.fail(param.name, format!("{n} is out of range"));
        }
        converted
    }

    /// A decimal number within the declared bounds ([`Accepts::Number`]).
    pub fn number(&mut self, param: &'static Param) -> Option<f64> {
        let (min, max) = match param.accepts {
            Accepts::Number { min, max } => (min, max),
            _ => (f64::MIN, f64::MAX),
        };
        let raw = self.take(param)?;
        match raw.trim().parse::<f64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            Ok(n) if n.is_finite() => {
                self.fail(param.name, format!("{n} is outside {min}–{max}"));
                None
            }
            _ => {
                self.fail(
                    param.name,
                    format!("{raw:?} is not a number from {min} to {max}"),
                );
                None
            }
        }
    }

    /// One of the declared words ([`Accepts::OneOf`]), exactly as declared.
    pub fn one_of(&mut self, param: &'static Param) -> Option<&'static str> {
        let words: &'static [&'static str] = match param.accepts {
            Accepts::OneOf(words) => words,
            _ => &[],
        };
        let raw = self.take(param)?;
        let word = words.iter().copied().find(|w| *w == raw);
        if word.is_none() {
            self.fail(
                param.name,
                format!("{raw:?} is not one of: {}", words.join(", ")),
            );
        }
        word
    }

    /// True when `name` is given, without reading it.
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// `param` parsed as `T`; on failure records `expected` as the reason.
    pub fn parse_as<T: FromStr>(&mut self, param: &'static Param, expected: &str) -> Option<T> {
        let raw = self.take(param)?;
        match raw.trim().parse::<T>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.fail(param.name, format!("{raw:?} is not {expected}"));
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
    pub fn refuse(&mut self, err: ApiError) {
        self.refusal.get_or_insert(err);
    }

    /// Ends the reading: a required parameter that is missing is refused, and any parameter
    /// no one asked for is unknown.
    pub fn finish(mut self) -> Result<(), ApiError> {
        for p in &self.asked {
            if p.required
                && !self.pairs.iter().any(|(k, _)| k == p.name)
                && !self.errors.iter().any(|e| e.parameter == p.name)
            {
                self.errors.push(ParamError::new(p.name, "is required"));
            }
        }
        let mut accepted: Vec<&str> = self.asked.iter().map(|p| p.name).collect();
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
            (false, _) => Err(ApiError::BadRequest(self.errors)),
            (true, Some(err)) => Err(err),
            (true, None) => Ok(()),
        }
    }
}

/// Reads `v` on a resource that takes it: a malformed one is refused by name, with the other
/// bad parameters. [`Query`] calls it for every resource of `immutable::get_versioned`.
fn read_version(reader: &mut QueryReader) -> Option<String> {
    let v = reader.take(&version::V)?;
    if version::is_version(&v) {
        Some(v)
    } else {
        reader.fail(
            version::PARAM,
            format!(
                "{v:?} is not a data version (1–64 lowercase letters and digits, as in the \
                 Data-Version header and /v1/meta)"
            ),
        );
        None
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
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let read = QueryReader::parse(req.query_string()).and_then(|mut reader| {
            let params = T::from_query(&mut reader, req);
            // Every resource built from the data also takes the data version.
            let version = if req.app_data::<Versioned>().is_some() {
                read_version(&mut reader)
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

/// The parameters an endpoint reads, in the order it reads them: its [`FromQuery`] run on an
/// empty query. Every parameter is read on every request (a parameter read only after another
/// would be missing here, and refused as unknown when given alone), so this is the whole list.
pub fn declared<T: FromQuery>() -> Vec<Parameter> {
    let req = actix_web::test::TestRequest::default().to_http_request();
    let mut reader = QueryReader::empty();
    // The values, and the errors of an empty query (a missing required parameter), are not
    // wanted: only which parameters were read.
    let _ = T::from_query(&mut reader, &req);
    reader.declared().iter().map(|p| p.to_parameter()).collect()
}

/// Implements utoipa's `IntoParams` for endpoint parameter types from their [`FromQuery`],
/// so `#[utoipa::path(params(T))]` documents exactly what the parser reads.
macro_rules! documented {
    ($($t:ty),+ $(,)?) => {$(
        impl utoipa::IntoParams for $t {
            fn into_params(
                _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                $crate::http::query::declared::<$t>()
            }
        }
    )+};
}
pub(crate) use documented;

#[cfg(test)]
mod tests {
    use super::*;

    const Q: Param = Param::new("q", Accepts::Text);
    const LIMIT: Param = Param::new("limit", Accepts::Integer { min: 1, max: 9 });
    const LANG: Param = Param::new("lang", Accepts::OneOf(&["sv", "en"]));
    const NEEDED: Param = Param::new("needed", Accepts::Text).required();

    fn bad_params(err: ApiError) -> Vec<String> {
        match err {
            ApiError::BadRequest(list) => list.into_iter().map(|e| e.parameter).collect(),
            other => panic!("expected 400, got {other:?}"),
        }
    }

    #[test]
    fn decodes_plus_and_percent() {
        let mut r = QueryReader::parse("q=malm%C3%B6+stad&limit=5").unwrap();
        assert_eq!(r.take(&Q).as_deref(), Some("malmö stad"));
        assert_eq!(r.parse_as::<u32>(&LIMIT, "a number"), Some(5));
        r.finish().unwrap();
    }

    #[test]
    fn reports_every_problem_at_once() {
        let mut r = QueryReader::parse("limit=x&lang=sv&lang=en&bogus=1").unwrap();
        assert_eq!(r.parse_as::<u32>(&LIMIT, "a number"), None);
        assert_eq!(r.take(&LANG), None);
        let mut names = bad_params(r.finish().unwrap_err());
        names.sort();
        assert_eq!(names, ["bogus", "lang", "limit"]);
    }

    #[test]
    fn invalid_utf8_names_the_parameter() {
        let err = QueryReader::parse("q=%FF%FE")
            .and_then(|mut r| {
                r.take(&Q);
                r.finish()
            })
            .unwrap_err();
        assert_eq!(bad_params(err), ["q"]);
    }

    #[test]
    fn control_characters_are_refused_by_name() {
        let err = QueryReader::parse("q=a%00b&limit=%0A5")
            .and_then(|mut r| {
                r.take(&Q);
                r.take(&LIMIT);
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
        r.take(&LANG);
        let ApiError::BadRequest(errors) = r.finish().unwrap_err() else {
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

    #[test]
    fn typed_readers_check_what_is_declared() {
        let mut r = QueryReader::parse("limit=10&lang=de").unwrap();
        assert_eq!(r.integer(&LIMIT), None);
        assert_eq!(r.one_of(&LANG), None);
        let ApiError::BadRequest(errors) = r.finish().unwrap_err() else {
            panic!()
        };
        assert_eq!(errors[0].parameter, "limit");
        assert!(errors[0].detail.contains("1–9"), "{errors:?}");
        assert_eq!(errors[1].parameter, "lang");
        assert!(errors[1].detail.contains("sv, en"), "{errors:?}");

        let mut r = QueryReader::parse("limit=4&lang=en").unwrap();
        assert_eq!(r.integer(&LIMIT), Some(4));
        assert_eq!(r.one_of(&LANG), Some("en"));
        r.finish().unwrap();
    }

    #[test]
    fn a_clamped_number_is_lowered_to_its_maximum() {
        const PAGE: Param = Param::new("limit", Accepts::Clamped { min: 1, max: 9 });
        let mut r = QueryReader::parse("limit=5000").unwrap();
        assert_eq!(r.integer(&PAGE), Some(9));
        r.finish().unwrap();
        let mut r = QueryReader::parse("limit=0").unwrap();
        assert_eq!(r.integer(&PAGE), None);
        assert_eq!(bad_params(r.finish().unwrap_err()), ["limit"]);
    }

    #[test]
    fn a_missing_required_parameter_is_named() {
        let mut r = QueryReader::parse("").unwrap();
        assert_eq!(r.take(&NEEDED), None);
        assert_eq!(bad_params(r.finish().unwrap_err()), ["needed"]);
        let mut r = QueryReader::parse("needed=x").unwrap();
        assert_eq!(r.take(&NEEDED).as_deref(), Some("x"));
        r.finish().unwrap();
    }

    struct Two;
    impl FromQuery for Two {
        fn from_query(r: &mut QueryReader, _: &HttpRequest) -> Self {
            r.integer(&LIMIT);
            r.one_of(&LANG);
            r.integer(&LIMIT);
            r.take(&NEEDED);
            Two
        }
    }

    #[test]
    fn the_spec_lists_what_the_parser_reads_once_each_in_order() {
        let json = serde_json::to_value(declared::<Two>()).unwrap();
        let names: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["limit", "lang", "needed"]);
        assert_eq!(json[1]["schema"]["enum"], serde_json::json!(["sv", "en"]));
        assert_eq!(json[2]["required"], true);
    }
}
