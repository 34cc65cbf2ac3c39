//! Limits on what one request may ask for. Enforced by the HTTP layer and published in
//! `/v1/meta`, so clients can size their requests without trial and error.

/// Longest accepted request target (path and query), in bytes; longer is a 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most query parameters in one request.
pub const MAX_QUERY_PARAMS: usize = 64;
/// Largest `limit` of a list: every RegSO (3,363) and every DeSO 2025 (6,160) fit in one page.
pub const MAX_LIMIT: i64 = 10_000;
/// Default `limit` of a list.
pub const DEFAULT_LIMIT: i64 = 100;
/// Largest `offset`: deeper pages of a list this size do not exist.
pub const MAX_OFFSET: i64 = 100_000;
/// Most values in one comma-separated list parameter (codes, years, indicators).
pub const MAX_LIST_ITEMS: usize = 500;
/// Longest free-text search.
pub const MAX_SEARCH_CHARS: usize = 100;
