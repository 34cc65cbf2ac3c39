//! Limits on what one request may ask for. Enforced by the HTTP layer and published in
//! `/v1/meta`, so clients can size their requests without trial and error.

/// Longest accepted request target (path and query), in bytes; longer is a 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most query parameters in one request.
pub const MAX_QUERY_PARAMS: usize = 64;
