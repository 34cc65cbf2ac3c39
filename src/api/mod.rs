//! The endpoints. Handlers are thin: read the parameters, call one function, shape the answer.

pub mod areas;
pub mod changes;
pub mod data;
pub mod docs;
pub mod downloads;
pub mod endpoints;
pub mod explorer;
pub mod features;
pub mod indicators;
pub mod landing;
pub mod lookup;
pub mod meta;
pub mod ogc_tiles;
pub mod problems;
pub mod routes;
pub mod summaries;
pub mod system;
pub mod tiles;

pub use routes::Routes;

/// Parameters of resources that only negotiate language and format.
pub mod params {
    use actix_web::HttpRequest;
    use utoipa::IntoParams;

    use crate::domain::codes::{self, Division, Level};
    use crate::http::negotiate::{Format, Lang};
    use crate::http::query::{FromQuery, QueryReader};

    /// `level=`, refused by name unless it is one of [`Level::IDS`].
    pub fn level(r: &mut QueryReader) -> Option<Level> {
        one_of(r, "level", Level::parse, &Level::IDS)
    }

    /// `division=`, refused by name unless it is one of [`Division::IDS`].
    pub fn division(r: &mut QueryReader) -> Option<Division> {
        one_of(r, "division", Division::parse, &Division::IDS)
    }

    fn one_of<T>(
        r: &mut QueryReader,
        name: &'static str,
        parse: fn(&str) -> Option<T>,
        ids: &[&str],
    ) -> Option<T> {
        let raw = r.take(name)?;
        let value = parse(&raw);
        if value.is_none() {
            r.fail(name, format!("{raw:?} is not one of: {}", ids.join(", ")));
        }
        value
    }

    /// The `municipality` and `county` filters of list resources, each refused by name unless
    /// it is a kommun (4 digits) or län (2 digits) code.
    pub fn municipality_and_county(r: &mut QueryReader) -> (Option<String>, Option<String>) {
        let mut code = |name: &'static str, level: Level, what: &str| {
            let value = r.take(name);
            if value
                .as_deref()
                .is_some_and(|v| codes::level_of(v) != Some(level))
            {
                r.fail(name, what);
            }
            value
        };
        (
            code("municipality", Level::Kommun, "not a 4-digit kommun code"),
            code("county", Level::Lan, "not a 2-digit län code"),
        )
    }

    #[derive(Debug, IntoParams)]
    #[into_params(parameter_in = Query)]
    pub struct LangJson {
        /// Language of labels and titles; defaults to `Accept-Language`, then `sv`.
        #[param(value_type = Option<Lang>)]
        pub lang: Lang,
        /// Response format. Only `json` here; `Accept: application/json` does the same.
        #[param(value_type = Option<String>, pattern = "^json$", example = "json")]
        pub f: Format,
    }

    impl FromQuery for LangJson {
        fn from_query(reader: &mut QueryReader, req: &HttpRequest) -> Self {
            let lang = Lang::negotiate(reader, req);
            let f = Format::negotiate(reader, req, &[Format::Json]).unwrap_or_else(|e| {
                reader.refuse(e);
                Format::Json
            });
            LangJson { lang, f }
        }
    }
}
