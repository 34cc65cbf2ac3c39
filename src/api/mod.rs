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

/// Parameters several resources share, and those of resources that only negotiate language
/// and format.
pub mod params {
    use actix_web::HttpRequest;

    use crate::domain::codes::{self, Division, Level};
    use crate::domain::lang::Lang;
    use crate::http::format::Format;
    use crate::http::param::{Accepts, Param};
    use crate::http::query::{documented, FromQuery, QueryReader};

    /// `f` of a resource that answers JSON, or CSV.
    pub const JSON_OR_CSV: Param = Param::new("f", Accepts::Formats(&[Format::Json, Format::Csv]))
        .doc("`json` (default) or `csv`.");

    /// `level=`, refused by name unless it is one of [`Level::IDS`].
    pub fn level(r: &mut QueryReader, param: &'static Param) -> Option<Level> {
        r.one_of(param).and_then(Level::parse)
    }

    /// `division=`, refused by name unless it is one of [`Division::IDS`].
    pub fn division(r: &mut QueryReader, param: &'static Param) -> Option<Division> {
        r.one_of(param).and_then(Division::parse)
    }

    /// Comma-separated catalogue ids, as `indicator` takes them (lowercase letters, digits
    /// and `_`).
    pub const ID_LIST: &str = "^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$";

    /// A kommun code (4 digits), refused by name otherwise.
    pub const MUNICIPALITY_PATTERN: &str = "^[0-9]{4}$";
    /// A län code (2 digits), refused by name otherwise.
    pub const COUNTY_PATTERN: &str = "^[0-9]{2}$";

    /// A code of `level` (a kommun's 4 digits, a län's 2), refused by name otherwise.
    pub fn code_of_level(
        r: &mut QueryReader,
        param: &'static Param,
        level: Level,
    ) -> Option<String> {
        let raw = r.take(param)?;
        match codes::parse(&raw) {
            Ok(c) if c.level == level => Some(c.code),
            _ => {
                r.fail(param.name, format!("{raw:?} is not a {level} code"));
                None
            }
        }
    }

    /// The `municipality` and `county` filters of list resources.
    pub fn municipality_and_county(
        r: &mut QueryReader,
        municipality: &'static Param,
        county: &'static Param,
    ) -> (Option<String>, Option<String>) {
        (
            code_of_level(r, municipality, Level::Kommun),
            code_of_level(r, county, Level::Lan),
        )
    }

    /// `municipality` of list resources.
    pub const MUNICIPALITY: Param =
        Param::new("municipality", Accepts::Pattern(MUNICIPALITY_PATTERN))
            .doc("Areas in this kommun (4 digits).")
            .example("0180");
    /// `county` of list resources.
    pub const COUNTY: Param = Param::new("county", Accepts::Pattern(COUNTY_PATTERN))
        .doc("Areas in this län (2 digits).")
        .example("01");

    /// `lang` and `f=json`: the parameters of a resource that only negotiates those.
    #[derive(Debug)]
    pub struct LangJson {
        pub lang: Lang,
    }

    impl FromQuery for LangJson {
        fn from_query(reader: &mut QueryReader, req: &HttpRequest) -> Self {
            LangJson {
                lang: Lang::negotiate_json(reader, req),
            }
        }
    }

    documented!(LangJson);
}
