//! The numeric conversions the standard library's `From` does not offer, each written once
//! with why it is exact. Everywhere else the crate converts with `From`/`TryFrom`
//! (`clippy::as_conversions` is on): a cast that truncates, wraps or rounds says so here.

// usize is at most 64 bits and at least 32 on every target this crate builds for.
const _: () = assert!(usize::BITS <= u64::BITS && usize::BITS >= u32::BITS);

/// A length or count as a u64 (a file offset, a varint, a header field).
#[expect(
    clippy::as_conversions,
    reason = "lossless: usize is at most 64 bits (asserted above)"
)]
pub const fn u64_from_usize(n: usize) -> u64 {
    n as u64
}

/// A u32 (a count read from a file, an index stored small) as an index.
#[expect(
    clippy::as_conversions,
    reason = "lossless: usize is at least 32 bits (asserted above)"
)]
pub const fn usize_from_u32(n: u32) -> usize {
    n as usize
}

/// A count as a float, for a mean, a share or a size in MB: exact up to 2^53, far beyond any
/// count here, and the nearest float past it.
#[expect(
    clippy::as_conversions,
    reason = "usize → f64 has no From; rounding only past 2^53"
)]
pub const fn f64_from_usize(n: usize) -> f64 {
    n as f64
}

/// A u64 as a float (bytes for a size in MB, seeds scaled into [0, 1)): exact up to 2^53.
#[expect(
    clippy::as_conversions,
    reason = "u64 → f64 has no From; rounding only past 2^53"
)]
pub const fn f64_from_u64(n: u64) -> f64 {
    n as f64
}

/// An i64 as a float: exact up to ±2^53.
#[expect(
    clippy::as_conversions,
    reason = "i64 → f64 has no From; rounding only past 2^53"
)]
pub const fn f64_from_i64(n: i64) -> f64 {
    n as f64
}

/// The integer part of `v` (callers round or floor first), saturating at the bounds and NaN
/// as 0: Rust's float-to-integer cast, which the pixel, coordinate and count math relies on.
#[expect(
    clippy::as_conversions,
    reason = "the cast is the saturating truncation documented above"
)]
pub const fn i64_saturating(v: f64) -> i64 {
    v as i64
}

/// As [`i64_saturating`], into an i32.
#[expect(
    clippy::as_conversions,
    reason = "the cast is the saturating truncation documented above"
)]
pub const fn i32_saturating(v: f64) -> i32 {
    v as i32
}

/// As [`i64_saturating`], into a u32 (negative values are 0).
#[expect(
    clippy::as_conversions,
    reason = "the cast is the saturating truncation documented above"
)]
pub const fn u32_saturating(v: f64) -> u32 {
    v as u32
}

/// As [`i64_saturating`], into a u64 (negative values are 0).
#[expect(
    clippy::as_conversions,
    reason = "the cast is the saturating truncation documented above"
)]
pub const fn u64_saturating(v: f64) -> u64 {
    v as u64
}

/// As [`i64_saturating`], into a usize (negative values are 0).
#[expect(
    clippy::as_conversions,
    reason = "the cast is the saturating truncation documented above"
)]
pub const fn usize_saturating(v: f64) -> usize {
    v as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_to_integer_saturates_and_maps_nan_to_zero() {
        assert_eq!(i64_saturating(2.9), 2);
        assert_eq!(i64_saturating(-2.9), -2);
        assert_eq!(i32_saturating(1e12), i32::MAX);
        assert_eq!(i32_saturating(-1e12), i32::MIN);
        assert_eq!(u32_saturating(-1.0), 0);
        assert_eq!(u64_saturating(f64::NAN), 0);
        assert_eq!(usize_saturating(f64::INFINITY), usize::MAX);
    }

    #[test]
    fn widening_keeps_the_value() {
        assert_eq!(
            u64_from_usize(usize::MAX),
            u64::try_from(usize::MAX).unwrap()
        );
        assert_eq!(usize_from_u32(u32::MAX), usize::try_from(u32::MAX).unwrap());
        assert_eq!(f64_from_usize(1 << 53), 9_007_199_254_740_992.0);
    }
}
