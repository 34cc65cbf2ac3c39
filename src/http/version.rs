//! The data version a response is built from: the `Data-Version` header that names it, and the
//! `v` parameter a URL names it with (its syntax, read with the other query parameters). What a
//! URL naming a version is answered is `http::immutable`.

use super::query::QueryReader;

/// Response header naming the data version a response was built from.
pub const DATA_VERSION_HEADER: &str = "data-version";
/// The query parameter naming the data version.
pub const PARAM: &str = "v";
/// What a version looks like (the digest of an import, or `empty`), for the spec.
pub const PATTERN: &str = "^[0-9a-z]{1,64}$";
/// Marks a resource that takes `v` (resource data, read by the query parser).
#[derive(Clone, Copy, Debug)]
pub struct Versioned;

/// True when `s` has the syntax of a data version.
pub fn is_version(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Reads `v` on a resource that takes it: a malformed one is refused by name, with the other
/// bad parameters. Called by [`super::query::Query`] for every resource of
/// [`super::immutable::get_versioned`].
pub fn read(reader: &mut QueryReader) -> Option<String> {
    let v = reader.take(PARAM)?;
    if is_version(&v) {
        Some(v)
    } else {
        reader.fail(
            PARAM,
            format!(
                "{v:?} is not a data version (1–64 lowercase letters and digits, as in the \
                 Data-Version header and /v1/meta)"
            ),
        );
        None
    }
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
