//! One declaration per query parameter.
//!
//! A [`Param`] says what a parameter is called, what it means and what it accepts. The parser
//! reads the parameter through it (`QueryReader::take` and the typed readers beside it), and
//! the OpenAPI document describes it from the same value: `query::declared` runs an endpoint's
//! `FromQuery` on an empty query and turns every parameter it read into the spec's
//! parameter. So adding a parameter to an endpoint is one `const` and the line that reads it;
//! the spec follows.
//!
//! ```ignore
//! const LATEST: Param = Param::new("latest", Accepts::Integer { min: 1, max: 50 })
//!     .doc("The N most recent years with data (1–50).");
//! let latest = r.integer(&LATEST);
//! ```

use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Required, Schema};
use utoipa::Number;

use super::format::Format;

/// What a parameter accepts. The typed readers of `QueryReader` check it; the spec states it.
#[derive(Debug)]
pub enum Accepts {
    /// Text the endpoint checks itself (lists, codes, a bbox, a filter); the spec says
    /// `string`.
    Text,
    /// Text of `min..=max` characters with something besides blanks.
    Search { min: usize, max: usize },
    /// One of these words, exactly.
    OneOf(&'static [&'static str]),
    /// Text matching this regular expression (checked by the endpoint's own parser).
    Pattern(&'static str),
    /// A whole number in `min..=max`.
    Integer { min: i64, max: i64 },
    /// A whole number of at least `min`; above `max` it is lowered to `max` (OGC API –
    /// Features Part 1 §7.15.3 lets a server do that with `limit`).
    Clamped { min: i64, max: i64 },
    /// A decimal number in `min..=max`.
    Number { min: f64, max: f64 },
    /// The representation: one of these formats' names (`f`), or by `Accept`.
    Formats(&'static [Format]),
}

/// One query parameter, declared once (see the module's documentation).
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub doc: Option<&'static str>,
    pub accepts: Accepts,
    pub example: Option<&'static str>,
    /// A required parameter that is missing is refused by name (`QueryReader::finish`).
    pub required: bool,
}

impl Param {
    pub const fn new(name: &'static str, accepts: Accepts) -> Param {
        Param {
            name,
            doc: None,
            accepts,
            example: None,
            required: false,
        }
    }

    pub const fn doc(self, doc: &'static str) -> Param {
        Param {
            doc: Some(doc),
            ..self
        }
    }

    pub const fn example(self, example: &'static str) -> Param {
        Param {
            example: Some(example),
            ..self
        }
    }

    pub const fn required(self) -> Param {
        Param {
            required: true,
            ..self
        }
    }

    /// The formats `f` offers; empty for a parameter that is not a format.
    pub fn formats(&self) -> &'static [Format] {
        match self.accepts {
            Accepts::Formats(offered) => offered,
            _ => &[],
        }
    }

    /// The parameter as the OpenAPI document states it.
    pub fn to_parameter(&self) -> Parameter {
        // The example in the type the parameter has, so a client generator takes it as is.
        let example = self.example.map(|e| match self.accepts {
            Accepts::Integer { .. } | Accepts::Clamped { .. } => e
                .parse::<i64>()
                .map_or_else(|_| e.into(), serde_json::Value::from),
            Accepts::Number { .. } => e
                .parse::<f64>()
                .map_or_else(|_| e.into(), serde_json::Value::from),
            _ => e.into(),
        });
        ParameterBuilder::new()
            .name(self.name)
            .parameter_in(ParameterIn::Query)
            .description(self.doc)
            .required(if self.required {
                Required::True
            } else {
                Required::False
            })
            .schema(Some(Schema::Object(self.schema())))
            .example(example)
            .build()
    }

    fn schema(&self) -> Object {
        let string = || ObjectBuilder::new().schema_type(SchemaType::Type(Type::String));
        let integer = |min: i64, max: Option<i64>| {
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Integer))
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Int64,
                )))
                .minimum(Some(number(min)))
                .maximum(max.map(number))
        };
        match self.accepts {
            Accepts::Text => string().build(),
            Accepts::Search { min, max } => string()
                .min_length(Some(min))
                .max_length(Some(max))
                // Surrounding blanks are trimmed: something else must be there.
                .pattern(Some("\\S"))
                .build(),
            Accepts::OneOf(words) => string().enum_values(Some(words.iter().copied())).build(),
            Accepts::Pattern(p) => string().pattern(Some(p)).build(),
            Accepts::Integer { min, max } => integer(min, Some(max)).build(),
            Accepts::Clamped { min, .. } => integer(min, None).build(),
            Accepts::Number { min, max } => ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Number))
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Double,
                )))
                .minimum(Some(Number::Float(min)))
                .maximum(Some(Number::Float(max)))
                .build(),
            Accepts::Formats(offered) => string()
                .enum_values(Some(offered.iter().map(|f| f.name())))
                .build(),
        }
    }
}

fn number(n: i64) -> Number {
    // The spec's integers are isize: i64 on every target this builds for.
    Number::Int(isize::try_from(n).unwrap_or(if n < 0 { isize::MIN } else { isize::MAX }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNT: Param = Param::new("count", Accepts::Integer { min: 1, max: 9 })
        .doc("How many.")
        .example("3");

    #[test]
    fn a_parameter_is_stated_with_its_bounds_text_and_typed_example() {
        let json = serde_json::to_value(COUNT.to_parameter()).unwrap();
        assert_eq!(json["name"], "count");
        assert_eq!(json["in"], "query");
        assert_eq!(json["required"], false);
        assert_eq!(json["schema"]["minimum"], 1);
        assert_eq!(json["schema"]["maximum"], 9);
        assert_eq!(json["example"], 3);
        assert_eq!(json["description"], "How many.");
        const AT: Param = Param::new(
            "at",
            Accepts::Number {
                min: -1.5,
                max: 1.5,
            },
        )
        .example("0.25");
        let json = serde_json::to_value(AT.to_parameter()).unwrap();
        assert_eq!(json["example"], 0.25);
        assert_eq!(json["schema"]["maximum"], 1.5);
    }

    #[test]
    fn formats_are_stated_by_name() {
        const F: Param = Param::new("f", Accepts::Formats(&[Format::Json, Format::Csv]));
        let json = serde_json::to_value(F.to_parameter()).unwrap();
        assert_eq!(json["schema"]["enum"], serde_json::json!(["json", "csv"]));
        assert_eq!(F.formats(), [Format::Json, Format::Csv]);
        assert!(COUNT.formats().is_empty());
    }
}
