//! The data version a response is built from: the `Data-Version` header that names it, and the
//! `v` parameter a URL names it with (its syntax, read with the other query parameters). What a
//! URL naming a version is answered is `http::immutable`.

use super::param::{Accepts, Param};

/// Response header naming the data version a response was built from.
pub const DATA_VERSION_HEADER: &str = "data-version";
/// What a version looks like (the digest of an import, or `empty`), for the spec.
pub const PATTERN: &str = "^[0-9a-z]{1,64}$";
/// The query parameter naming the data version, on every resource built from the data.
pub const V: Param = Param::new("v", Accepts::Pattern(PATTERN)).doc(
    "The data version this URL is bound to (`Data-Version`, `data_version` in /v1/meta). The \
     current one: the answer is `immutable`, cached for a year. Another: a 302 to the same URL \
     with the current one, or a 503 with `Retry-After: 1` from a replica whose hot standby has \
     not applied all it received yet (the version may be a newer one).",
);
/// The query parameter's name.
pub const PARAM: &str = V.name;
/// Marks a resource that takes `v` (resource data, read by the query parser).
#[derive(Clone, Copy, Debug)]
pub struct Versioned;

/// True when `s` has the syntax of a data version.
pub fn is_version(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_lowercase_letters_and_digits() {
        for good in ["empty", "3f9a0c1b2d4e", "v2"] {
            assert!(is_version(good), "{good}");
        }
        for bad in ["", "ABC", "a-b", "a b", "ä", &"a".repeat(65)] {
            assert!(!is_version(bad), "{bad}");
        }
    }
}
